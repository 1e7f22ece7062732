"""Paints the digit pad (the strokes, where the network's 8x8 input lies, the saliency over it) and the
8x8 input itself as the network sees it.
"""
import numpy as np

from app.shared.palette import readable_text

PEN_WIDTH = 0.075  # of the pad's side: about the look of a marker on paper; the network's pen is fitted apart


def paint_pad(ctx, path, polyline, strokes, box, overlay, width, height, theme):
    """Strokes (lists of pad points); `box` (left, top, size) is where the 8x8 input lies on the pad, drawn
    as a faint grid; `overlay` is the saliency's RGBA source drawn over that box, or None. `path(d)` makes
    a Path2D from SVG path data, `polyline(points)` one through (n, 2) points."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    if box is not None:
        left, top, size = box
        if overlay is not None:
            ctx.imageSmoothingEnabled = False
            ctx.globalAlpha = 0.6
            ctx.drawImage(overlay, 0, 0, 8, 8, left, top, size, size)
            ctx.globalAlpha = 1.0
        ctx.strokeStyle = theme.outline
        ctx.lineWidth = 0.5
        ctx.setLineDash([3, 3])
        lines = "".join(f"M{left + size * i / 8:.1f} {top:.1f}v{size:.1f}M{left:.1f} {top + size * i / 8:.1f}h{size:.1f}"
                        for i in range(9))
        ctx.stroke(path(lines))
        ctx.setLineDash([])
    ctx.strokeStyle = theme.text
    ctx.fillStyle = theme.text
    ctx.lineWidth = PEN_WIDTH * min(width, height)
    ctx.lineCap = ctx.lineJoin = "round"
    for stroke in strokes:
        if len(stroke) == 1:
            ctx.beginPath()
            ctx.arc(stroke[0][0], stroke[0][1], ctx.lineWidth / 2, 0, 2 * np.pi)
            ctx.fill()
        else:
            ctx.stroke(polyline(np.array(stroke, dtype=np.float64)))


def ink_image(counts, theme):
    """The 8x8 counts 0..16 as RGBA: background where 0, the text colour where 16."""
    background = np.array(_rgb(theme.background), float)
    ink = np.array(_rgb(theme.text), float)
    share = (np.asarray(counts, float) / 16.0)[..., None]
    rgb = np.rint(background + share * (ink - background)).astype(np.uint8)
    return np.ascontiguousarray(np.concatenate([rgb, np.full((*rgb.shape[:2], 1), 255, np.uint8)], axis=2))


def paint_grid_values(ctx, values, rgba, source, width, height, theme, digits=0):
    """An 8x8 picture (`rgba`, already put into the image `source`) filling a square canvas, each cell's
    value written in, in black or white, whichever reads on that cell's colour."""
    side = min(width, height)
    cell = side / values.shape[0]
    left, top = (width - side) / 2, (height - side) / 2
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    ctx.imageSmoothingEnabled = False
    ctx.drawImage(source, 0, 0, values.shape[1], values.shape[0], left, top, side, side)
    if cell >= 16:
        ctx.font = f"{int(cell / 2.8)}px system-ui, sans-serif"
        ctx.textAlign, ctx.textBaseline = "center", "middle"
        for (row, column), value in np.ndenumerate(values):
            ctx.fillStyle = readable_text(rgba[row, column, :3].tolist())
            ctx.fillText(f"{value:.{digits}f}", left + (column + 0.5) * cell, top + (row + 0.5) * cell)


def _rgb(css):
    """(r, g, b) of a '#rrggbb' colour."""
    return tuple(int(css[i:i + 2], 16) for i in (1, 3, 5))
