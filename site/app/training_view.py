"""Paints the live training curves: loss per mini-batch (thin) and per epoch on both sets, and accuracy
per epoch on both sets; training solid, test dashed, as the playground's loss curve.
"""
import numpy as np

from .curve_view import polyline_path


def paint_training(ctx, path, progress, history, epochs, width, height, theme):
    """`progress`: (n, 2) of (epochs so far, batch loss); `history`: (m, 5) rows of (epoch, train loss,
    test loss, train accuracy, test accuracy); the x axis spans `epochs`. Loss at the left, accuracy right."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    half = (width - 12) / 2
    ctx.font = "11px system-ui, sans-serif"
    ctx.textBaseline = "top"
    ctx.textAlign = "left"
    ctx.fillStyle = theme.muted_text
    ctx.fillText("loss", 2, 0)
    ctx.fillText("accuracy, 0 to 100%", half + 14, 0)
    plot_top, plot_height = 16, height - 18
    ctx.strokeStyle = theme.outline
    ctx.lineWidth = 1
    for left in (0, half + 12):
        ctx.strokeRect(left + 0.5, plot_top + 0.5, half - 1, plot_height - 1)
    if not len(progress):
        ctx.textAlign, ctx.textBaseline = "center", "middle"
        ctx.fillText("Train from scratch draws its curves here", width / 2, plot_top + plot_height / 2)
    if len(progress):
        top = max(float(np.max(progress[:, 1])), 1e-9)
        _line(ctx, path, progress[:, 0], progress[:, 1], epochs, top, (0, plot_top, half, plot_height),
              theme.outline, [], 1.0)
    for column, dash in ((1, []), (2, [4, 3])):
        if len(history):
            top = max(float(np.max(progress[:, 1])) if len(progress) else 1.0, 1e-9)
            _line(ctx, path, history[:, 0], history[:, column], epochs, top, (0, plot_top, half, plot_height),
                  theme.text, dash, 1.75)
    for column, dash in ((3, []), (4, [4, 3])):
        if len(history):
            _line(ctx, path, history[:, 0], history[:, column], epochs, 1.0,
                  (half + 12, plot_top, half, plot_height), "rgb(8,102,170)", dash, 1.75)
    ctx.setLineDash([])


def _line(ctx, path, xs, ys, span, top, box, colour, dash, width):
    left, top_y, w, h = box
    xs = np.concatenate([[0.0], xs]) if len(xs) == 1 else xs  # one point: a flat line from the start
    ys = np.concatenate([ys[:1], ys]) if len(ys) == 1 else ys
    points = np.column_stack([left + np.asarray(xs) / max(span, 1e-9) * w,
                              top_y + h - np.clip(np.asarray(ys) / top, 0, 1) * h])
    ctx.strokeStyle = colour
    ctx.lineWidth = width
    ctx.setLineDash(dash)
    ctx.stroke(path(polyline_path(points)))
