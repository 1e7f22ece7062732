"""Where the MLP view puts everything, in CSS pixels: the input digit as a picture on the left (its pixels
are layer 0, one "neuron" each), each hidden layer as a column of small circles, the outputs as a column of
larger ones with room for their digits and probabilities, and which of them lies under a point.

Pure geometry, so the painter, hit-testing and a walkthrough that moves along the same edges (values
forward, gradients back) share one answer.
"""
from dataclasses import dataclass

import numpy as np

TOP = 54.0          # three lines of caption above each column: its name, then what share of it is silent
BOTTOM = 36.0       # two lines under each gap between columns: how many of its connections are drawn
SIDE = 8.0          # margin at the left and the right
LABEL_ROOM = 64.0   # right of the outputs: each one's digit and probability ("7  100%")
MAX_SPACING = 48.0  # a short column (the ten outputs) stays compact instead of spreading to the edges
MAX_RADIUS = 12.0
STAGGER_BELOW = 4.0  # px: a column whose neurons would be smaller than this zigzags
MIN_TARGET = 6.0    # px from a small neuron's centre that still count as on it, for a pointer


@dataclass(frozen=True)
class MlpLayout:
    """Centres per layer (each an (n, 2) array of x, y): layer 0 the input picture's pixels row by row, then
    each layer's neurons top to bottom. `radii[0]` is half a picture pixel; `image` is (left, top, pixel):
    the picture's corner and the size of one of its pixels."""

    centres: list
    radii: tuple
    image: tuple
    side: int       # the input picture is side x side pixels
    width: float
    height: float


def layout_mlp(sizes, width, height):
    """Lay out an MLP of `sizes` (units per layer, input first: a square picture's pixel count) on a
    width x height canvas.

    >>> layout = layout_mlp([784, 64, 32, 10], 720, 520)
    >>> [len(c) for c in layout.centres], layout.image, [round(r, 2) for r in layout.radii]
    ([784, 64, 32, 10], (8.0, 171.0, 7.0), [3.5, 5.33, 5.38, 12.0])
    """
    side = int(round(np.sqrt(sizes[0]))) if len(sizes) else 0
    if len(sizes) < 2 or min(sizes) < 1 or side * side != sizes[0]:
        raise ValueError(f"layout_mlp: need a square picture's pixel count (784 for 28x28) and at least one more "
                         f"layer, got layers of {sizes}")
    usable = max(height - TOP - BOTTOM, 1.0)
    picture = min(usable, 0.3 * (width - 2 * SIDE))
    pixel = picture / side
    pixel = float(np.floor(pixel)) if pixel >= 2 else pixel  # whole screen pixels per pixel: crisper
    left, top = SIDE, TOP + (usable - side * pixel) / 2
    rows, columns = np.divmod(np.arange(sizes[0]), side)
    centres = [np.column_stack([left + (columns + 0.5) * pixel, top + (rows + 0.5) * pixel])]
    radii = [pixel / 2]

    spacings = [min(usable / n, MAX_SPACING) for n in sizes[1:]]
    start = left + side * pixel
    end = width - SIDE - LABEL_ROOM - min(0.4 * spacings[-1], MAX_RADIUS)
    gap = (end - start) / len(spacings)
    middle = TOP + usable / 2
    for k, (n, spacing) in enumerate(zip(sizes[1:], spacings), start=1):
        # A long column (64 neurons in 450 px) would leave dots too small to show a colour: it zigzags instead,
        # every other neuron a step right, so each may be as large as in a column of half as many.
        staggered = 0.4 * spacing < STAGGER_BELOW
        if staggered:  # its end neurons, twice as large, need 0.6 of a spacing more room
            spacing = usable / (n + 0.6)
        radius = float(min(0.4 * spacing * (2 if staggered else 1), MAX_RADIUS, 0.2 * gap))
        step = 0.5 * np.sqrt(max((2 * radius + 1) ** 2 - spacing ** 2, 0.0)) if staggered else 0.0  # 1 px apart
        xs = start + k * gap + step * (np.arange(n) % 2 - 0.5) * 2
        radii.append(radius)
        centres.append(np.column_stack([xs, middle + (np.arange(n) - (n - 1) / 2) * spacing]))
    return MlpLayout(centres, tuple(radii), (left, top, pixel), side, float(width), float(height))


def neuron_at(layout, x, y):
    """The unit under canvas point (x, y) as (layer, index), or None: layer 0 is the input picture, whose
    index counts its pixels row by row; a small neuron answers within MIN_TARGET of its centre.

    >>> layout = layout_mlp([784, 64, 32, 10], 720, 520)
    >>> left, top, pixel = layout.image
    >>> neuron_at(layout, *layout.centres[2][5]), neuron_at(layout, 0, 0)
    ((2, 5), None)
    >>> neuron_at(layout, left + 3.5 * pixel, top + 1.5 * pixel)  # row 1, column 3 of the picture
    (0, 31)
    """
    left, top, pixel = layout.image
    row, column = int(np.floor((y - top) / pixel)), int(np.floor((x - left) / pixel))
    if 0 <= row < layout.side and 0 <= column < layout.side:
        return 0, row * layout.side + column
    for layer in range(1, len(layout.centres)):
        distances = np.hypot(*(layout.centres[layer] - (x, y)).T)
        index = int(distances.argmin())
        if distances[index] <= max(layout.radii[layer], MIN_TARGET):
            return layer, index
    return None


def edge_segments(layout, layer, to_neurons, from_units):
    """Straight lines (k, 4) of x0, y0, x1, y1 for the connections from units `from_units` of `layer` to
    neurons `to_neurons` of layer + 1: from a pixel's centre or a neuron's right edge to the next neuron's
    left edge, so a line never crosses the circles it joins.

    >>> layout = layout_mlp([4, 2], 300, 200)
    >>> edge_segments(layout, 0, [1], [3]).tolist() == [[*layout.centres[0][3], *(layout.centres[1][1] - (12.0, 0))]]
    True
    """
    start = layout.centres[layer][np.asarray(from_units, dtype=np.intp)]
    end = layout.centres[layer + 1][np.asarray(to_neurons, dtype=np.intp)]
    inset = 0.0 if layer == 0 else layout.radii[layer]
    return np.column_stack([start[:, 0] + inset, start[:, 1], end[:, 0] - layout.radii[layer + 1], end[:, 1]])
