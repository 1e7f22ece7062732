"""Paints the digit pad (the strokes, where the network's 28x28 field lies, the saliency over it) and the
28x28 input itself as the network sees it.
"""
import numpy as np

from app.digits.mnist_pipeline import MAX_LEVEL, SIZE, pen_width


def paint_pad(ctx, path, polyline, strokes, frame, overlay, width, height, theme):
    """Strokes (lists of pad points) drawn with the pen the network's input is made with; `frame` (left,
    top, side) is where the 28x28 field lies on the pad, outlined with a dashed line; `overlay` is the
    saliency's RGBA source drawn over that field, or None. `path(d)` makes a Path2D from SVG path data,
    `polyline(points)` one through (n, 2) points."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    if frame is not None:
        left, top, side = frame
        if overlay is not None:
            ctx.imageSmoothingEnabled = False
            ctx.globalAlpha = 0.45  # the strokes stay the strongest thing on the pad
            ctx.drawImage(overlay, 0, 0, SIZE, SIZE, left, top, side, side)
            ctx.globalAlpha = 1.0
        ctx.strokeStyle = theme.outline
        ctx.lineWidth = 1
        ctx.setLineDash([4, 4])
        ctx.stroke(path(f"M{left:.1f} {top:.1f}h{side:.1f}v{side:.1f}h{-side:.1f}Z"))
        ctx.setLineDash([])
    ctx.strokeStyle = theme.text
    ctx.fillStyle = theme.text
    ctx.lineWidth = pen_width(width, height)
    ctx.lineCap = ctx.lineJoin = "round"
    for stroke in strokes:
        if len(stroke) == 1:
            ctx.beginPath()
            ctx.arc(stroke[0][0], stroke[0][1], ctx.lineWidth / 2, 0, 2 * np.pi)
            ctx.fill()
        else:
            ctx.stroke(polyline(np.array(stroke, dtype=np.float64)))


def ink_image(levels, theme):
    """Grey levels 0..255 as RGBA: the background where 0, the text colour where 255."""
    return theme.ink(np.asarray(levels, float) / MAX_LEVEL)
