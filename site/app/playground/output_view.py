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


def paint_points(ctx, width, height, train, test, theme, show_test):
    """Draw the data points once into their own layer (they only change with the data).

    `train` and `test` are (points (n, 2), CSS colours). Training points get a ring of the background
    colour and test points one of the text colour, so the two sets stay apart where colours agree. Points
    of one colour and ring share one path: a few dozen canvas calls instead of thousands.
    """
    ctx.clearRect(0, 0, width, height)
    groups = {}
    for (points, colours), ring in [(train, theme.background)] + ([(test, theme.text)] if show_test else []):
        for (x1, x2), css in zip(points, colours):
            groups.setdefault((css, ring), []).append(to_plane((x1, x2), width, height))
    ctx.lineWidth = 1.0
    for (css, ring), centres in groups.items():
        ctx.beginPath()
        for x, y in centres:
            ctx.moveTo(x + POINT_RADIUS, y)
            ctx.arc(x, y, POINT_RADIUS, 0, 2 * np.pi)
        ctx.fillStyle = css
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
