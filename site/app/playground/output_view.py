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
    trains on it, and it looks it. Every training point's ring is laid down before any dot, so where points
    crowd together their dots cover their neighbours' rings and the crowd reads as filled, never hollow;
    the test points come last, on top. Points of one look share one path: a few dozen canvas calls instead
    of thousands.
    """
    ctx.clearRect(0, 0, width, height)
    train_centres = [to_plane(point, width, height) for point in train[0]]
    fill_circles(ctx, train_centres, POINT_RADIUS + 0.5, theme.background)
    for css, centres in by_colour(train_centres, train[1]).items():
        fill_circles(ctx, centres, POINT_RADIUS, css)
    test_centres = [to_plane(point, width, height) for point in test[0]]
    for css, centres in by_colour(test_centres, test[1]).items():
        # The ring is drawn half a pixel further in, so its outside reaches POINT_RADIUS + 0.5 as a dot's does.
        fill_circles(ctx, centres, POINT_RADIUS - 0.5, theme.background)
        ctx.lineWidth = 2.0
        ctx.strokeStyle = css
        ctx.stroke()


def by_colour(centres, colours):
    """The centres grouped by their CSS colour, in the order the colours first appear."""
    groups = {}
    for centre, css in zip(centres, colours):
        groups.setdefault(css, []).append(centre)
    return groups


def fill_circles(ctx, centres, radius, css):
    """Fill a disc of `radius` at every centre, as one path (left current, so a ring can stroke it)."""
    ctx.beginPath()
    for x, y in centres:
        ctx.moveTo(x + radius, y)
        ctx.arc(x, y, radius, 0, 2 * np.pi)
    ctx.fillStyle = css
    ctx.fill()


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
