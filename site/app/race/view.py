"""Paints the race's chart: both runs' training and test losses over the epochs on one scale, A in the text
colour and B in the third class colour, training solid and test dashed, under a key that says which is which.

A renderer: histories come in as arrays, one path per line.
"""
import numpy as np

from app.playground.curve_view import KEY_FONT, KEY_HEIGHT, curve_points, curve_scale
from app.playground.plane import CLASS_COLOURS

B_COLOUR = "rgb({},{},{})".format(*CLASS_COLOURS[2].astype(int))  # Okabe-Ito's reddish purple: apart from A's ink


def line_style(ctx, theme, run, column):
    """Run A (0) in the text colour, B (1) in B_COLOUR; training (column 0) solid, test (1) dashed."""
    ctx.strokeStyle = theme.text if run == 0 else B_COLOUR
    ctx.lineWidth = 2.0 if column == 0 else 1.5
    ctx.setLineDash([] if column == 0 else [5, 3])


def paint_race_curves(ctx, polyline, histories, width, height, theme):
    """Draw both runs' `histories` ((epochs, 2) arrays of training and test loss, A's then B's) on one scale in a
    width x height box, the key along its top."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    paint_key(ctx, polyline, width, theme)
    if not any(len(history) > 1 for history in histories):
        return
    together = np.concatenate([history for history in histories if len(history)])
    if not np.isfinite(together).any():
        return
    _, top, log = curve_scale(together)
    low = together[np.isfinite(together)].min()  # what curve_scale measures a log scale from
    for run, history in enumerate(histories):
        heights = np.log10(history / low) if log else history
        for column in (0, 1):
            finite = np.isfinite(heights[:, column]) if len(history) else np.zeros(0, bool)
            losses = heights[finite, column]
            if len(losses) < 2:
                continue
            points = curve_points(losses, width, height - KEY_HEIGHT - 2, top) + (0.0, KEY_HEIGHT + 1.0)
            line_style(ctx, theme, run, column)
            ctx.stroke(polyline(points))
    ctx.setLineDash([])
    if log:
        ctx.fillStyle = theme.muted_text
        ctx.fillText("log scale", 0.0, KEY_HEIGHT / 2)


def paint_key(ctx, polyline, width, theme):
    """The key at the chart's top right: a piece of each line before its name."""
    ctx.font = KEY_FONT
    ctx.textAlign, ctx.textBaseline = "left", "middle"
    right, middle = width, KEY_HEIGHT / 2
    for run, column, name in reversed(((0, 0, "A training"), (0, 1, "A test"), (1, 0, "B training"), (1, 1, "B test"))):
        left = right - ctx.measureText(name).width
        ctx.fillStyle = theme.muted_text
        ctx.fillText(name, left, middle)
        line_style(ctx, theme, run, column)
        ctx.stroke(polyline(np.array([[left - 18.0, middle], [left - 3.0, middle]])))
        right = left - 26.0
    ctx.setLineDash([])
