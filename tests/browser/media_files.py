"""Reading the files the page downloads, with the standard library and numpy only: a PNG's pixels, a GIF's
frames and delays, a WebM's header. Each reader checks the format's structure as it goes, so a file the
page got wrong fails here rather than passing as "some bytes"."""
import struct
import zlib

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EBML_MAGIC = b"\x1a\x45\xdf\xa3"  # every Matroska/WebM file starts with this EBML header ID


def read_png(data):
    """The pixels of an 8-bit RGB or RGBA PNG as a (height, width, channels) uint8 array."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG: the signature is wrong"
    position, chunks = 8, {}
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        (checksum,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert zlib.crc32(kind + body) == checksum, f"PNG chunk {kind!r} has a bad CRC"
        chunks.setdefault(kind, []).append(body)
        position += 12 + length
    assert b"IEND" in chunks, "the PNG is truncated: no IEND chunk"
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"][0])
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    stride = width * channels
    assert len(raw) == height * (stride + 1), "the PNG's image data does not match its size"
    rows = np.frombuffer(raw, np.uint8).reshape(height, stride + 1)
    image = np.zeros((height, stride), np.uint8)
    previous = np.zeros(stride, np.uint8)
    for y in range(height):
        image[y] = previous = _unfilter(rows[y, 0], rows[y, 1:], previous, channels)
    return image.reshape(height, width, channels)


def _unfilter(kind, line, previous, step):
    """Undo one row's PNG filter (the spec's section 9): None, Sub, Up, Average or Paeth."""
    if kind == 0:
        return line
    if kind == 1:  # Sub: a running sum per channel, modulo 256
        return np.cumsum(line.reshape(-1, step), axis=0, dtype=np.uint8).ravel()
    if kind == 2:
        return line + previous
    out, above = bytearray(line.tobytes()), previous.tobytes()
    for i in range(len(out)):
        left = out[i - step] if i >= step else 0
        up, corner = above[i], (above[i - step] if i >= step else 0)
        if kind == 3:
            predicted = (left + up) >> 1
        else:
            guess = left + up - corner
            near_left, near_up, near_corner = abs(guess - left), abs(guess - up), abs(guess - corner)
            if near_left <= near_up and near_left <= near_corner:
                predicted = left
            elif near_up <= near_corner:
                predicted = up
            else:
                predicted = corner
        out[i] = (out[i] + predicted) & 0xFF
    assert kind in (3, 4), f"unknown PNG filter {kind}"
    return np.frombuffer(bytes(out), np.uint8)


def read_gif(data):
    """A GIF's (width, height) and each frame's delay in seconds, walking every block to the trailer."""
    assert data[:6] == b"GIF89a", "not a GIF89a file"
    width, height, flags = struct.unpack("<HHB", data[6:11])
    position = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    delays, pending_delay = [], 0.0
    while data[position] != 0x3B:  # the trailer
        block = data[position]
        if block == 0x21:  # an extension; a graphic control extension (0xF9) carries the next frame's delay
            if data[position + 1] == 0xF9:
                pending_delay = struct.unpack("<H", data[position + 4:position + 6])[0] / 100
            position = _skip_sub_blocks(data, position + 2)
        elif block == 0x2C:  # an image: descriptor, optional local colour table, LZW data
            frame_flags = data[position + 9]
            position += 10 + (3 << ((frame_flags & 7) + 1) if frame_flags & 0x80 else 0)
            position = _skip_sub_blocks(data, position + 1)  # after the LZW minimum code size
            delays.append(pending_delay)
        else:
            raise AssertionError(f"unexpected GIF block 0x{block:02x} at byte {position}")
    return (width, height), delays


def _skip_sub_blocks(data, position):
    while data[position]:
        position += data[position] + 1
    return position + 1


def webm_doc_type(data):
    """The DocType an EBML header declares ("webm" for WebM), checking the magic bytes first."""
    assert data[:4] == EBML_MAGIC, f"not an EBML file: it starts with {data[:4].hex()}"
    marker = data.find(b"\x42\x82", 4, 64)  # the DocType element, then its size as a one-byte vint
    assert marker > 0, "the EBML header names no DocType"
    size = data[marker + 2] & 0x7F
    return data[marker + 3:marker + 3 + size].decode("ascii")
