"""Paints the Output canvas: a heatmap of the input plane (the decision boundary, or one neuron's
output) with the data points on top, coloured by their labels on the same scale.
"""
import numpy as np

from app.playground.plane import CLASS_COLOURS, to_plane

POINT_RADIUS = 3.5


def point_colours(labels, regression, classes, theme):
    """One CSS colour per point: its value on the diverging scale (binary: 0 orange, 1 blue;
    regression: the target itself), or its class colour for three classes."""
    if classes > 1:
        return [f"rgb({r},{g},{b})" for r, g, b in CLASS_COLOURS[np.asarray(labels, int)].astype(int).tolist()]
    values = np.asarray(labels, float) if regression else 2.0 * np.asarray(labels, float) - 1.0
    return [f"rgb({r},{g},{b})" for r, g, b in theme.rgb(values).tolist()]


def paint_points(ctx, width, height, train, test, theme):
    """Draw the data points once into their own layer (they only change with the data).

    `train` and `test` are (points (n, 2), CSS colours); `test` holds the test points to show (none when
    they are hidden). A training point is a dot of its colour ringed with the background colour; a test
    point is hollow, a ring of its colour around the background colour, the same size: the network never
    trains on it, and it looks it. Points of one look share one path: a few dozen canvas calls instead of
    thousands.
    """
    ctx.clearRect(0, 0, width, height)
    groups = {}
    for (points, colours), hollow in ((train, False), (test, True)):
        for (x1, x2), css in zip(points, colours):
            fill, ring = (theme.background, css) if hollow else (css, theme.background)
            groups.setdefault((fill, ring, hollow), []).append(to_plane((x1, x2), width, height))
    for (fill, ring, hollow), centres in groups.items():
        # A hollow point's thicker ring is drawn half a pixel further in, so both reach POINT_RADIUS + 0.5.
        radius, ctx.lineWidth = (POINT_RADIUS - 0.5, 2.0) if hollow else (POINT_RADIUS, 1.0)
        ctx.beginPath()
        for x, y in centres:
            ctx.moveTo(x + radius, y)
            ctx.arc(x, y, radius, 0, 2 * np.pi)
        ctx.fillStyle = fill
        ctx.fill()
        ctx.strokeStyle = ring
        ctx.stroke()


def paint_output(ctx, heatmap, points, width, height, theme, inspected=None):
    """Draw the `heatmap` image source scaled to width x height, the `points` layer over it, and a
    crosshair at `inspected` (the input whose activations the network shows), if any."""
    ctx.imageSmoothingEnabled = True
    ctx.drawImage(heatmap, 0, 0, width, height)
    ctx.drawImage(points, 0, 0, width, height)
    if inspected is not None:
        x, y = to_plane(inspected, width, height)
        ctx.strokeStyle = theme.text
        ctx.lineWidth = 1.5
        ctx.beginPath()
        ctx.moveTo(x + 7, y)
        ctx.arc(x, y, 7, 0, 2 * np.pi)
        ctx.moveTo(x - 11, y)
        ctx.lineTo(x + 11, y)
        ctx.moveTo(x, y - 11)
        ctx.lineTo(x, y + 11)
        ctx.stroke()
