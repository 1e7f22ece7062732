"""Paints pictures of maps and weights crisply into a canvas, finds which map a click landed on, and draws
one map large with its values written in.
"""
from typing import NamedTuple

import numpy as np

from app.shared.palette import readable_text
from app.digits.slab_geometry import face_grid


class Placement(NamedTuple):
    """Where a picture went on the canvas: its top-left corner and the size of one of its pixels."""

    x: float
    y: float
    pixel: float


def place(picture_width, picture_height, width, height):
    """Centre a picture in width x height at the largest size that fits, whole screen pixels per picture
    pixel when it can be (crisper), never enlarged past 40 to keep small maps from filling the canvas.

    >>> place(10, 5, 100, 100)
    Placement(x=0.0, y=25.0, pixel=10.0)
    """
    pixel = min(width / picture_width, height / picture_height, 40.0)
    pixel = float(np.floor(pixel)) if pixel >= 2 else pixel
    return Placement((width - picture_width * pixel) / 2, (height - picture_height * pixel) / 2, pixel)


def paint_picture(ctx, source, region, width, height, theme):
    """Clear the canvas and draw `region` (x, y, w, h) of the image `source` fitted into it, unsmoothed."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    x, y, w, h = region
    placement = place(w, h, width, height)
    ctx.imageSmoothingEnabled = False
    ctx.drawImage(source, x, y, w, h, placement.x, placement.y, w * placement.pixel, h * placement.pixel)
    return placement


def map_at(placement, shape, x, y):
    """The index of the map (channel) under canvas point (x, y) of a face picture of a layer of `shape`
    laid out by `slab_geometry.face_grid`, or None on a gap or outside."""
    columns, rows, width, height = face_grid(shape)
    u, v = (x - placement.x) / placement.pixel, (y - placement.y) / placement.pixel
    column, row = int(np.floor(u / (width + 1))), int(np.floor(v / (height + 1)))
    inside = 0 <= column < columns and 0 <= row < rows
    on_map = u - column * (width + 1) < width and v - row * (height + 1) < height
    index = row * columns + column
    count = shape[0]
    return index if inside and on_map and index < count else None


def cell_at(placement, values, x, y):
    """(row, column) of the cell of a 2-D `values` map under (x, y), or None."""
    row, column = int(np.floor((y - placement.y) / placement.pixel)), int(np.floor((x - placement.x) / placement.pixel))
    return (row, column) if 0 <= row < values.shape[0] and 0 <= column < values.shape[1] else None


def paint_values(ctx, placement, values, rgba, theme, marked=None):
    """Write each cell's value over an enlarged map (when cells are large enough to read), and outline the
    `marked` (row, column) cell."""
    pixel = placement.pixel
    if pixel >= 26:
        ctx.font = f"{min(12, int(pixel / 3.2))}px system-ui, sans-serif"
        ctx.textAlign, ctx.textBaseline = "center", "middle"
        for (row, column), value in np.ndenumerate(values):
            ctx.fillStyle = readable_text(rgba[row, column, :3].tolist())
            ctx.fillText(f"{value + 0.0:.2f}", placement.x + (column + 0.5) * pixel, placement.y + (row + 0.5) * pixel)
    if marked is not None:
        ctx.strokeStyle = theme.text
        ctx.lineWidth = 2
        ctx.strokeRect(placement.x + marked[1] * pixel, placement.y + marked[0] * pixel, pixel, pixel)
