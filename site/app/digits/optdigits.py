"""Turns pad strokes into the 8x8 input the network was trained on, made the way UCI optdigits made it.

Optdigits (the data the CNN learns from) drew each digit as a 32x32 bitmap, normalised by NIST's
preprocessing, then counted the "on" pixels of each 4x4 block: 8x8 counts 0..16. Two facts of that data
fix how a drawing is normalised here, and both are checked against the data by the tests:

- Size: every one of the 1,797 digits reaches the first and the last of the 8 rows, so the bitmap's
  height is filled. We scale the strokes, keeping their aspect, so the longer side of their bounding box
  spans SKELETON_SPAN = 26 of the 32 pixels, and centre that box in the bitmap (box-centred: the data's
  ink starts and ends symmetrically, columns 1 and 6 for most digits).
- Thickness: every digit has about the same ink, 312 of 1,024 pixels on average (std 34), whatever its
  shape: a 1 is drawn thick, an 8 thin. So the pen is not a fixed width: a pixel is on when its centre
  lies within a radius of the strokes' centre lines, and the radius is the one that turns on TARGET_INK
  pixels, kept between MIN_RADIUS and MAX_RADIUS so a dot or a scribble still looks like a pen.
"""
from typing import NamedTuple

import numpy as np

SIDE, BLOCK = 32, 4            # the 32x32 bitmap and the 4x4 blocks counted into 8x8
SKELETON_SPAN = 26.0           # bitmap pixels spanned by the longer side of the strokes' bounding box
TARGET_INK = 312               # on-pixels: the mean over optdigits' 1,797 digits
MIN_RADIUS, MAX_RADIUS = 1.5, 4.5
SEGMENT_STEP = 1.5             # bitmap pixels between the centre-line points kept
_CENTRES = (np.stack(np.mgrid[0:SIDE, 0:SIDE][::-1], axis=-1).reshape(-1, 2) + 0.5)  # (x, y) per pixel


class Fit(NamedTuple):
    """Where the drawing went: bitmap = (pad - centre) * scale + SIDE / 2, on both axes."""

    scale: float
    centre: tuple

    def to_bitmap(self, points):
        return (np.asarray(points, dtype=np.float64) - self.centre) * self.scale + SIDE / 2

    def bitmap_box_on_pad(self):
        """(left, top, size) of the whole 32x32 bitmap in pad coordinates: where the 8x8 input lies."""
        size = SIDE / self.scale
        return self.centre[0] - size / 2, self.centre[1] - size / 2, size


def fit(strokes):
    """The scaling that puts the strokes' bounding box, aspect kept, centred into the bitmap."""
    points = np.array([point for stroke in strokes for point in stroke], dtype=np.float64)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = float((high - low).max())
    return Fit(SKELETON_SPAN / extent if extent > 0 else 1.0, tuple((low + high) / 2))


def segments(strokes, to_bitmap):
    """Each stroke's centre line as (start, end) segment arrays in bitmap coordinates, its points thinned
    to at least SEGMENT_STEP apart (a pen sends a point per pixel; the distances barely change, the cost
    falls several times); a stroke of one point (a dot) is a segment of length zero."""
    starts, ends = [], []
    for stroke in strokes:
        points = to_bitmap(stroke)
        kept = [points[0]]
        for point in points[1:-1]:
            if ((point - kept[-1]) ** 2).sum() >= SEGMENT_STEP**2:
                kept.append(point)
        kept.append(points[-1])
        kept = np.array(kept)
        starts.append(kept[:-1])
        ends.append(kept[1:])
    return np.concatenate(starts), np.concatenate(ends)


def distance_to_strokes(starts, ends):
    """Distance from every bitmap pixel's centre to the nearest segment: (SIDE * SIDE,).

    x and y are kept as separate (pixels, segments) arrays: numpy is several times faster on those than
    on a trailing axis of two.
    """
    (x0, y0), (dx, dy) = starts.T, (ends - starts).T
    length2 = dx * dx + dy * dy
    inverse = np.divide(1.0, length2, out=np.zeros_like(length2), where=length2 > 0)
    rx, ry = _CENTRES[:, :1] - x0, _CENTRES[:, 1:] - y0
    along = np.clip((rx * dx + ry * dy) * inverse, 0.0, 1.0)
    gx, gy = rx - along * dx, ry - along * dy
    return np.sqrt((gx * gx + gy * gy).min(axis=1))


def bitmap(strokes):
    """The 32x32 boolean bitmap of the drawing (all off for no strokes)."""
    if not strokes:
        return np.zeros((SIDE, SIDE), bool)
    starts, ends = segments(strokes, fit(strokes).to_bitmap)
    distance = distance_to_strokes(starts, ends)
    radius = np.clip(np.partition(distance, TARGET_INK - 1)[TARGET_INK - 1], MIN_RADIUS, MAX_RADIUS)
    return (distance <= radius).reshape(SIDE, SIDE)


def block_counts(bits):
    """The on-pixels of each 4x4 block of a 32x32 bitmap: 8x8 counts 0..16, as optdigits stores them.

    >>> int(block_counts(np.ones((32, 32), bool))[0, 0]), block_counts(np.eye(32, dtype=bool)).diagonal().tolist()
    (16, [4, 4, 4, 4, 4, 4, 4, 4])
    """
    side = SIDE // BLOCK
    return bits.reshape(side, BLOCK, side, BLOCK).sum(axis=(1, 3)).astype(np.uint8)


def counts(strokes):
    """The network's input for a drawing: 8x8 counts 0..16."""
    return block_counts(bitmap(strokes))
