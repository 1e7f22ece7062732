"""Paints the loss curve: training loss solid, test loss dashed, one point per epoch, under a key that says so.

Long runs are thinned to at most MAX_POINTS points a curve, and each curve reaches the canvas as one
path, so a 10,000-epoch run costs the same to draw as a 100-epoch one.
"""
import numpy as np

MAX_POINTS = 100
KEY_HEIGHT = 14  # the strip over the curve that holds its key
# Losses spanning more than this factor are drawn on a log scale: a diverging run's loss grows by a factor each
# epoch, and on a linear scale its climb is a flat line and then a spike at the end.
LOG_SPAN = 100.0
KEY_FONT = "11px system-ui, sans-serif"


def curve_points(losses, width, height, top):
    """Screen points for a loss series (at most MAX_POINTS): x spreads the epochs over the width, y maps
    0..top to bottom..top.

    >>> curve_points(np.array([2.0, 1.0, 0.0]), 100, 50, 2.0).tolist()
    [[0.0, 0.0], [50.0, 25.0], [100.0, 50.0]]
    """
    count = len(losses)
    kept = min(count, MAX_POINTS)
    # Evenly spread epochs, first and last included; integer steps of at least 1, so none repeats.
    keep = np.arange(kept) * (count - 1) // max(kept - 1, 1)
    xs = keep / max(count - 1, 1) * width
    ys = height - np.clip(losses[keep] / top, 0.0, 1.0) * height
    return np.column_stack([xs, ys])


def paint_loss_curve(ctx, polyline, history, width, height, theme):
    """Draw `history` ((epochs, 2) array of train and test loss) into a width x height box at (0, 0), under
    a key to its lines; `polyline(points)` makes a Path2D through (n, 2) points."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    finite = np.isfinite(history)
    if not finite.any():
        return
    heights, top, log = curve_scale(history)
    drawn = []
    for column, name in ((0, "training"), (1, "test")):
        losses = heights[finite[:, column], column]  # a run without test points, or a trace, has no test loss
        if len(losses) < 2:
            continue
        points = curve_points(losses, width, height - KEY_HEIGHT - 2, top) + (0.0, KEY_HEIGHT + 1.0)
        line_style(ctx, theme, column)
        ctx.stroke(polyline(points))
        drawn.append((column, name))
    paint_key(ctx, polyline, drawn, width, theme)
    ctx.setLineDash([])
    if log:
        ctx.fillStyle = theme.muted_text
        ctx.fillText("log scale", 0.0, KEY_HEIGHT / 2)


def curve_scale(history):
    """(heights, top, log): what the curve plots of `history` ((epochs, 2) losses, NaN for none) from 0 up to
    `top`, and whether on a log scale: the losses themselves, or, when the positive losses span more than
    LOG_SPAN, log10 of each over the smallest, so every epoch's growth by a factor climbs as far.

    >>> curve_scale(np.array([[1.0, np.nan], [0.5, np.nan]]))[1:], curve_scale(np.array([[1.0], [1000.0]]))[0].ravel()
    ((1.0, False), array([0., 3.]))
    """
    finite = history[np.isfinite(history)]
    top, low = float(finite.max()), float(finite.min())
    if low > 0 and top > LOG_SPAN * low:
        return np.log10(history / low), float(np.log10(top / low)), True
    return history, top or 1.0, False


def line_style(ctx, theme, column):
    """The look of a loss's line, for the curve and its key alike: training solid in the text colour, test
    dashed and in the muted one, so the two stay apart where they run close, in either theme."""
    ctx.strokeStyle, ctx.lineWidth = (theme.text, 2.0) if column == 0 else (theme.muted_text, 1.5)
    ctx.setLineDash([] if column == 0 else [5, 3])


def paint_key(ctx, polyline, drawn, width, theme):
    """The key in the strip over the curve, at its right: a piece of each drawn line before its name."""
    ctx.font = KEY_FONT
    ctx.textAlign, ctx.textBaseline = "left", "middle"
    right, middle = width, KEY_HEIGHT / 2
    for column, name in reversed(drawn):
        left = right - ctx.measureText(name).width
        ctx.fillStyle = theme.muted_text
        ctx.fillText(name, left, middle)
        line_style(ctx, theme, column)
        ctx.stroke(polyline(np.array([[left - 22.0, middle], [left - 4.0, middle]])))
        right = left - 34.0
