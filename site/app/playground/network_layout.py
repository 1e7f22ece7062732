"""Where each neuron of a layered network sits on the canvas, in CSS pixels.

Pure geometry: the painter and, later, hit-testing for hover and clicks share one answer.
"""
from dataclasses import dataclass

import numpy as np

MARGIN = 28.0        # room for the layer captions and the input/output labels
MAX_RADIUS = 22.0    # neurons stop growing past this, so a small network does not look bloated
MAX_SPACING = 72.0   # and a short layer stays compact instead of spreading to the edges


@dataclass(frozen=True)
class NetworkLayout:
    """Neuron centres per layer (each an (n, 2) array of x, y) and one radius for all of them."""

    centres: list
    radius: float
    width: float
    height: float


def layout_network(sizes, width, height, left=MARGIN):
    """Spread `sizes` (neurons per layer, input first) evenly across a width x height canvas, leaving `left`
    pixels (at least MARGIN) before the inputs for their labels.

    >>> layout = layout_network([2, 4, 1], 600, 400)
    >>> [c.shape for c in layout.centres], layout.radius
    ([(2, 2), (4, 2), (1, 2)], 22.0)
    """
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layout_network: need at least two layers of one neuron or more, got {sizes}")
    left = max(left, MARGIN)
    usable_width = max(width - left - MARGIN, 1.0)
    usable_height = max(height - 2 * MARGIN, 1.0)
    column_gap = usable_width / (len(sizes) - 1)
    spacing = min(usable_height / max(sizes), MAX_SPACING)
    radius = float(max(2.0, min(MAX_RADIUS, 0.36 * spacing, 0.2 * column_gap)))
    xs = left + np.arange(len(sizes)) * column_gap
    # Inset the first and last columns by a radius so their neurons and labels stay inside the canvas.
    xs[0], xs[-1] = xs[0] + radius, xs[-1] - radius
    centre_y = MARGIN + usable_height / 2 + 8.0  # a little low: the captions sit above
    centres = []
    for x, n in zip(xs, sizes):
        ys = centre_y + (np.arange(n) - (n - 1) / 2) * spacing
        centres.append(np.column_stack([np.full(n, x), ys]))
    return NetworkLayout(centres, radius, float(width), float(height))


def neuron_at(layout, x, y):
    """The neuron under (x, y) as (layer, index), or None: for hover and the inspector.

    >>> layout = layout_network([2, 3], 300, 200)
    >>> neuron_at(layout, *layout.centres[1][2]), neuron_at(layout, 0, 0)
    ((1, 2), None)
    """
    for layer, centres in enumerate(layout.centres):
        distances = np.abs(centres - (x, y)).max(axis=1)  # squares and circles alike fit in this box
        index = int(distances.argmin())
        if distances[index] <= layout.radius:
            return layer, index
    return None
