"""Turns what is drawn on the pad into a 28x28 digit made the way MNIST's digits were made.

MNIST's makers took NIST's black-and-white scans of handwritten digits and (LeCun, Cortes and Burges, "The
MNIST database of handwritten digits"):

1. scaled each digit so that its bounding box fits a 20x20 box, keeping its aspect ratio;
2. anti-aliased as they scaled, so a pixel's grey level is the share of its area the ink covers;
3. put the result in a 28x28 field so that the centre of mass of its grey levels is at the field's centre.

site/data/mnist.npz shows how, and the tests check it: in 9,998 of its 10,000 digits the longer side of the
inked pixels spans exactly 20 pixels (box scaled to 20, its corner on a pixel's corner), and in all of them
the centre of mass lies within half a pixel of row 14 and column 14 (counting from 0): the digit was moved
by whole pixels, its centre of mass rounded to the nearest.

Here the ink is the pen's trace exactly as the pad shows it: round strokes PEN_WIDTH of the pad's side wide,
so a digit drawn small gets thick strokes once scaled up, as a small written digit did in NIST. `from_ink`
does the three steps on any raster of ink; `from_strokes` makes that raster from the strokes first: the
coverage of OVERSAMPLE x OVERSAMPLE cells per final pixel, each cell's share from its centre's distance to
the strokes' centre line (exact for a straight edge), so averaging the cells gives each pixel's area
coverage rather than a point sample. Pure numpy, so the page and the tests compute the same digit.
"""
import math
from typing import NamedTuple

import numpy as np

from app.digits.mnist import MAX_LEVEL, SIZE  # the 28x28 field; 255 is ink, 0 paper

FIT = 20             # the box the digit is scaled into
CENTRE = 14          # row and column (from 0) where the centre of mass goes, rounded
PEN_WIDTH = 0.075    # of the pad's side: the look of a marker on paper, and the ink the network is given
OVERSAMPLE = 4       # cells per final pixel along each axis when the strokes are measured
SEGMENT_CELLS = 2.0  # the centre line is followed in steps of this many cells: a chord of 2 cells strays
#                      from a curve of radius 20 cells (a tight loop) by 0.025 of a cell


def pen_width(pad_width, pad_height):
    """The pen's width in pad pixels, for the pad's painter and for the network's input alike.

    >>> pen_width(300, 320)
    22.5
    """
    return PEN_WIDTH * min(pad_width, pad_height)


class Digit(NamedTuple):
    """A drawing as MNIST would have it, and where its 28x28 field lies on the pad."""

    levels: np.ndarray  # (28, 28) uint8 grey levels: 0 paper .. 255 ink
    frame: tuple        # (left, top, side) of the field in pad pixels; None when nothing is drawn


def from_strokes(strokes, pen_width):
    """The digit of `strokes` (lists of pad points (x, y)) drawn with a round pen `pen_width` pad pixels wide.

    >>> digit = from_strokes([[(50, 40), (50, 240)]], pen_width=22.5)   # a "1"
    >>> int((digit.levels > 0).any(axis=1).sum()), int(digit.levels.max())
    (20, 255)
    """
    if not strokes:
        return Digit(np.zeros((SIZE, SIZE), np.uint8), None)
    return from_ink(*stroke_ink(strokes, pen_width))


def from_ink(coverage, left=0.0, top=0.0, step=1.0):
    """The digit of a raster of ink: `coverage` (rows, columns) of shares 0..1, each cell `step` pad pixels
    wide, its top-left corner at pad point (`left`, `top`). Blank margins are cut off first.

    >>> ink = np.zeros((100, 100)); ink[20:80, 40:55] = 1.0          # a bar 60 tall, 15 wide
    >>> inked = from_ink(ink).levels > 0
    >>> int(inked.any(axis=1).sum()), int(inked.any(axis=0).sum())
    (20, 5)
    """
    coverage = np.asarray(coverage, dtype=np.float64)
    inked_rows, inked_columns = np.flatnonzero(coverage.any(axis=1)), np.flatnonzero(coverage.any(axis=0))
    if not inked_rows.size:
        return Digit(np.zeros((SIZE, SIZE), np.uint8), None)
    row0, column0 = inked_rows[0], inked_columns[0]
    box = coverage[row0:inked_rows[-1] + 1, column0:inked_columns[-1] + 1]
    scale = FIT / max(box.shape)  # final pixels per raster cell
    fitted = area_matrix(box.shape[0], scale) @ box @ area_matrix(box.shape[1], scale).T
    total = fitted.sum()
    mass_row = (fitted.sum(axis=1) @ np.arange(fitted.shape[0])) / total
    mass_column = (fitted.sum(axis=0) @ np.arange(fitted.shape[1])) / total
    down, right = int(np.rint(CENTRE - mass_row)), int(np.rint(CENTRE - mass_column))
    field = np.zeros((SIZE, SIZE))
    _paste(field, fitted, down, right)
    per_pixel = step / scale  # pad pixels per final pixel
    frame = (float(left + column0 * step - right * per_pixel), float(top + row0 * step - down * per_pixel),
             float(SIZE * per_pixel))
    return Digit(np.rint(np.clip(field, 0.0, 1.0) * MAX_LEVEL).astype(np.uint8), frame)


def area_matrix(cells, scale):
    """(pixels, cells): how much of each final pixel each of `cells` raster cells covers, when a cell is
    `scale` pixels wide and the first cell starts at the first pixel's edge. Times a row of coverage, it
    gives each pixel's inked share of its area (a box filter, not point samples).

    >>> area_matrix(3, 0.5).tolist()   # three half-pixel cells over two pixels
    [[0.5, 0.5, 0.0], [0.0, 0.0, 0.5]]
    """
    pixels = math.ceil(cells * scale - 1e-9)
    edges = np.arange(cells + 1) * scale
    low, high = np.arange(pixels)[:, None], np.arange(1, pixels + 1)[:, None]
    return np.clip(np.minimum(high, edges[1:]) - np.maximum(low, edges[:-1]), 0.0, None)


def _paste(field, image, down, right):
    """Put `image` into `field` with its corner at (down, right); what falls outside is cut off."""
    rows, columns = image.shape
    top, left = max(down, 0), max(right, 0)
    bottom, end = min(down + rows, field.shape[0]), min(right + columns, field.shape[1])
    if top < bottom and left < end:
        field[top:bottom, left:end] = image[top - down:bottom - down, left - right:end - right]


def stroke_ink(strokes, pen_width):
    """The pen's trace over the strokes' bounding box as (coverage, left, top, step) for `from_ink`: cells
    `step` pad pixels wide, FIT * OVERSAMPLE of them along the box's longer side."""
    radius = pen_width / 2
    points = np.concatenate([np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes])
    low, high = points.min(axis=0) - radius, points.max(axis=0) + radius
    step = float((high - low).max()) / (FIT * OVERSAMPLE)
    columns, rows = (math.ceil(extent / step - 1e-9) for extent in high - low)
    # Cell (row i, column j) has its centre at (j, i) in cell units.
    lines = [_evenly_spaced((np.asarray(stroke, dtype=np.float64).reshape(-1, 2) - low) / step - 0.5, SEGMENT_CELLS)
             for stroke in strokes]
    starts = np.concatenate([line[:-1] if len(line) > 1 else line for line in lines])
    ends = np.concatenate([line[1:] if len(line) > 1 else line for line in lines])
    distance = _distance_to_segments(starts, ends, radius / step + 1.0, rows, columns)
    coverage = np.clip(radius / step - distance + 0.5, 0.0, 1.0)
    return coverage, float(low[0]), float(low[1]), step


def _evenly_spaced(points, spacing):
    """Points along a polyline every `spacing` of its length, and its last point: a pen sends a point
    every pixel or so, and a fast one a point every few dozen; this evens both out. One point for a dot."""
    lengths = np.hypot(*np.diff(points, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(lengths)])
    if along[-1] == 0:
        return points[:1]
    at = np.append(np.arange(0.0, along[-1], spacing), along[-1])
    return np.column_stack([np.interp(at, along, points[:, 0]), np.interp(at, along, points[:, 1])])


def _distance_to_segments(starts, ends, reach, rows, columns):
    """(rows, columns): each cell centre's distance to the nearest segment, measured only within `reach`
    cells of each (farther is left at infinity): a window around each short segment instead of every cell
    against every segment, about twenty times less work for a usual drawing.

    x and y stay separate arrays: numpy is several times faster on those than on a trailing axis of two.
    """
    middle = np.rint((starts + ends) / 2).astype(np.intp)
    half = math.ceil(SEGMENT_CELLS / 2 + reach)
    offsets = np.arange(-half, half + 1)
    xs = middle[:, 0, None, None] + offsets[None, None, :]
    ys = middle[:, 1, None, None] + offsets[None, :, None]
    (x0, y0), (dx, dy) = starts.T[:, :, None, None], (ends - starts).T[:, :, None, None]
    length2 = dx * dx + dy * dy
    inverse = np.divide(1.0, length2, out=np.zeros_like(length2), where=length2 > 0)
    rx, ry = xs - x0, ys - y0
    along = np.clip((rx * dx + ry * dy) * inverse, 0.0, 1.0)
    gx, gy = rx - along * dx, ry - along * dy
    distance = np.sqrt(gx * gx + gy * gy)
    inside = (xs >= 0) & (xs < columns) & (ys >= 0) & (ys < rows)
    nearest = np.full(rows * columns, np.inf)
    np.minimum.at(nearest, (ys * columns + xs)[inside], distance[inside])
    return nearest.reshape(rows, columns)
