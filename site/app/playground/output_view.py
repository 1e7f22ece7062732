"""Paints the Output canvas: a heatmap of the input plane (the decision boundary, or one neuron's
output) with the data points on top, coloured by their labels on the same scale.
"""
import numpy as np

from app.playground.plane import CLASS_COLOURS, to_plane

POINT_RADIUS = 3.5
CHOSEN_RING = 10.0       # the radius of the ring around the chosen training point
PULL_RADII = (1.5, 7.0)  # a point's disc from no pull to the strongest, when the points show a weight's pulls
PULL_SIZES = 8           # the discs' radii are rounded to this many sizes, which bounds the paths drawn


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


def pull_radii(pulls):
    """Each point's disc radius for its pull (its ∂Lᵢ/∂w): from PULL_RADII's first at 0 to its last at the
    largest |pull|, in PULL_SIZES steps. Area grows with |pull|, so a point pulling twice as hard covers twice
    the ink.

    >>> pull_radii(np.array([0.0, -1.0, 0.25, 4.0])).round(2).tolist()
    [1.5, 4.64, 3.07, 7.0]
    """
    largest = float(np.abs(pulls).max()) if len(pulls) else 0.0
    share = np.abs(pulls) / largest if largest > 0 else np.zeros(len(pulls))
    share = np.round(np.sqrt(share) * (PULL_SIZES - 1)) / (PULL_SIZES - 1)
    low, high = PULL_RADII
    return low + share * (high - low)


def paint_pulls(ctx, width, height, points, pulls, theme):
    """Draw the training `points` into their layer as discs showing `pulls`, each point's ∂Lᵢ/∂w for one
    weight: blue where it is positive, orange where negative (the palette's ends), sized by `pull_radii`.
    Discs of one colour and size share one path, ringed with the background so crowded discs stay apart."""
    ctx.clearRect(0, 0, width, height)
    centres = [to_plane(point, width, height) for point in points]
    radii = pull_radii(pulls).tolist()
    groups = {}
    for centre, radius, pull in zip(centres, radii, np.asarray(pulls).tolist()):
        groups.setdefault((pull >= 0, radius), []).append(centre)
    for (positive, radius), members in sorted(groups.items(), key=lambda group: -group[0][1]):  # small on top
        fill_circles(ctx, members, radius + 0.75, theme.background)
        fill_circles(ctx, members, radius, theme.css(1.0 if positive else -1.0))


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


def paint_output(ctx, heatmap, points, width, height, theme, inspected=None, chosen=None):
    """Draw the `heatmap` image source scaled to width x height, the `points` layer over it, a crosshair at
    `inspected` (the input whose activations the network shows, or where a click would act), if any, and a ring
    around the `chosen` training point, if any."""
    ctx.imageSmoothingEnabled = True
    ctx.drawImage(heatmap, 0, 0, width, height)
    ctx.drawImage(points, 0, 0, width, height)
    ctx.strokeStyle = theme.text
    if chosen is not None:
        x, y = to_plane(chosen, width, height)
        ctx.lineWidth = 2.5
        ctx.beginPath()
        ctx.arc(x, y, CHOSEN_RING, 0, 2 * np.pi)
        ctx.stroke()
    if inspected is not None:
        x, y = to_plane(inspected, width, height)
        ctx.lineWidth = 1.5
        ctx.beginPath()
        ctx.moveTo(x + 7, y)
        ctx.arc(x, y, 7, 0, 2 * np.pi)
        ctx.moveTo(x - 11, y)
        ctx.lineTo(x + 11, y)
        ctx.moveTo(x, y - 11)
        ctx.lineTo(x, y + 11)
        ctx.stroke()
