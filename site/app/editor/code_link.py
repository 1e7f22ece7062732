"""The editor's code as the `code=` part of a link: zlib-compressed UTF-8 in unpadded base64url.

The compressed form is a zlib stream (RFC 1950), not raw deflate: its Adler-32 checksum lets a link
that was cut short or altered be refused, rather than opened as different code. base64url's alphabet
(A-Z a-z 0-9 - _) needs no percent-escaping in a URL fragment. A link comes from anyone, so decoding
never raises, never trusts a length, and stops inflating at MAX_CODE_BYTES: a small token that would
inflate to gigabytes (a zip bomb) costs no more than 64 KB. Standard library only (CPython and Pyodide).
"""
import base64
import re
import zlib
from typing import NamedTuple

MAX_CODE_BYTES = 64 * 1024  # of UTF-8 source, as the cap on a link
# A token's length bound follows from the cap (base64 is 4/3 of the bytes; zlib adds at most ~0.1% + 11
# bytes to incompressible input): anything longer cannot be a link this module wrote.
MAX_TOKEN_CHARS = (MAX_CODE_BYTES + MAX_CODE_BYTES // 1000 + 64) * 4 // 3
_TOKEN = re.compile(r"[A-Za-z0-9_-]*")


class DecodedCode(NamedTuple):
    """The code in a link, or None with a `note` in plain words saying why it cannot be opened."""

    text: str | None
    note: str


def encode_code(text):
    """The link token for `text`. Raises ValueError (plain words) for code that no link could carry.

    >>> encode_code("print(1)")
    'eNorKMrMK9Ew1AQADhUCsA'
    >>> decode_code(encode_code("x = 1  # é"))
    DecodedCode(text='x = 1  # é', note='')
    """
    try:
        source = text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"the code holds a character that is not text (position {error.start}); "
                         "delete it and copy the link again") from None
    if len(source) > MAX_CODE_BYTES:
        raise ValueError(f"the code is {len(source):,} bytes, more than the {MAX_CODE_BYTES:,} a link can "
                         "carry; shorten it")
    return base64.urlsafe_b64encode(zlib.compress(source, 9)).rstrip(b"=").decode("ascii")


def decode_code(token):
    """The code a link's `code=` token holds; never raises. A token it cannot open gives None and a note.

    >>> decode_code("eNorKMrMK9Ew1AQADhUCsA")
    DecodedCode(text='print(1)', note='')
    >>> decode_code("eNorKArMK9Ew1AQADhUCsA").note
    "the link's code was changed or damaged after it was made (its checksum does not match); it was not opened"
    """
    if not isinstance(token, str) or not token:
        return _refused("is empty")
    if len(token) > MAX_TOKEN_CHARS:
        return _refused(f"is {len(token):,} characters long, more than a link of {MAX_CODE_BYTES // 1024} KB "
                        "of code can be")
    if not _TOKEN.fullmatch(token) or len(token) % 4 == 1:
        return _refused("is not in the form gradcanvas writes (base64url); part of it may be missing or "
                        "changed")
    compressed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    inflater = zlib.decompressobj()
    try:
        source = inflater.decompress(compressed, MAX_CODE_BYTES + 1)
    except zlib.error as error:
        if "incorrect data check" in str(error):
            return _refused("was changed or damaged after it was made (its checksum does not match)")
        return _refused("is not compressed code; part of it may be missing or changed")
    if len(source) > MAX_CODE_BYTES or inflater.unconsumed_tail:
        return _refused(f"would unpack to more than the {MAX_CODE_BYTES:,} bytes of code a link may carry")
    if not inflater.eof:
        return _refused("is cut short (the link may have been truncated when it was copied)")
    if inflater.unused_data:
        return _refused("has extra characters after its end; part of it may have been changed")
    try:
        return DecodedCode(source.decode("utf-8"), "")
    except UnicodeDecodeError:
        return _refused("does not unpack to text")


def _refused(reason):
    return DecodedCode(None, f"the link's code {reason}; it was not opened")
