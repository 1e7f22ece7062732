"""Paints the loss curve: training loss solid, test loss dashed, one point per epoch.

Long runs are thinned to at most MAX_POINTS points a curve, and each curve reaches the canvas as one
path, so a 10,000-epoch run costs the same to draw as a 100-epoch one.
"""
import numpy as np

MAX_POINTS = 100


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
    """Draw `history` ((epochs, 2) array of train and test loss) into a width x height box at (0, 0);
    `polyline(points)` makes a Path2D through (n, 2) points."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    finite = np.isfinite(history)
    if not finite.any():
        return
    top = float(history[finite].max()) or 1.0
    ctx.lineWidth = 1.5
    for column, colour, dash in ((0, theme.text, []), (1, theme.muted_text, [4, 3])):
        losses = history[finite[:, column], column]  # a run without test points, or a trace, has no test loss
        if len(losses) < 2:
            continue
        points = curve_points(losses, width, height - 2, top) + (0.0, 1.0)
        ctx.strokeStyle = colour
        ctx.setLineDash(dash)
        ctx.stroke(polyline(points))
    ctx.setLineDash([])
