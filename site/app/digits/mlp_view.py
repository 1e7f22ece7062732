"""Paints the MLP view of one digit: the input as the picture it is, each hidden neuron filled with its real
activation, the ten outputs with their probabilities, and only the strongest connections; and, on a canvas
of its own, every first-layer neuron's incoming weights as a picture, the classic "what the first layer
looks for".

Which connections: for this digit, connection i -> j adds weight[j, i] x activation[i] to neuron j's sum
(with the others and its bias, before its activation). Each layer draws its STRONGEST largest such
contributions, coloured by sign and as wide as their size, and says how many of how many it draws. The
784 x 64 = 50,176 connections from the input are treated the same way, from the picture's own pixels, and
not summarised as one arrow: blank paper contributes exactly nothing, so the strongest lines leave from the
strokes that matter to this digit, which is the point of drawing them, while 50,176 lines would be a fog
(and writing their path data alone takes 34 ms in CPython, 17 times this whole view's painting).

A renderer takes arrays, not models: `mlp_inspect.inspect_mlp` reads them from the engine. Shapes of one
colour become one SVG path (`app.shared.shapes`), so a paint makes a few dozen calls into JavaScript. The
picture is a `Scene`, so the lab's walkthrough draws its phases (gradients, the update) with the same painter.
"""
from typing import NamedTuple

import numpy as np

from app.digits.map_images import coloured, face_picture, magnitude
from app.digits.maps_view import map_at, paint_picture
from app.digits.mlp_layout import edge_segments
from app.digits.slab_geometry import face_grid
from app.shared.shapes import circles_path, lines_path

STRONGEST = (200, 300, 100)  # connections drawn per layer of weights: input -> hidden 1 -> hidden 2 -> output
EDGE_WIDTHS = (0.5, 3.0)     # px for a contribution near zero and for the layer's largest drawn one
WIDTH_STEP = 0.5             # widths are rounded to this, which bounds the number of paths
EDGE_ALPHA = 0.7             # the neurons stay readable under the lines
PICTURE_OVER_EDGES = 0.6     # the input picture is drawn again this strongly over the lines leaving it


class Connections(NamedTuple):
    """The connections one layer of weights draws: to neuron `to[k]` from unit `source[k]`, contributing
    `contribution[k]` (weight x incoming activation), strongest first; `total` is how many the layer has."""

    to: np.ndarray
    source: np.ndarray
    contribution: np.ndarray
    total: int


def strongest_connections(weights, activations, counts=STRONGEST):
    """Per layer of `weights` ((n_out, n_in), as `nn.Linear.weight`), its `counts[l]` connections of largest
    |weights[l][j, i] x activations[l][i]|, leaving out those that contribute exactly zero (from a blank
    pixel or a silent neuron): they carry nothing for this digit.

    >>> weight, incoming = np.array([[1.0, -3.0, 2.0], [0.5, 0.0, 9.0]]), np.array([1.0, 1.0, 0.0])
    >>> chosen, = strongest_connections([weight], [incoming], [2])
    >>> chosen.to.tolist(), chosen.source.tolist(), chosen.contribution.tolist(), chosen.total
    ([0, 0], [1, 0], [-3.0, 1.0], 6)
    """
    chosen = []
    for weight, incoming, count in zip(weights, activations, counts):
        # Only units that are not zero can contribute; ranking just their columns is also far faster than
        # ranking all 50,176 input connections, three quarters of them tied at zero (9 ms -> 0.3 ms in CPython).
        live = np.flatnonzero(incoming)
        contributions = (weight[:, live] * incoming[live]).ravel()
        sizes = np.abs(contributions)
        count = min(count, np.count_nonzero(sizes))
        strongest = np.argpartition(-sizes, count - 1)[:count] if count else np.arange(0)
        strongest = strongest[np.argsort(-sizes[strongest], kind="stable")]
        to, column = np.divmod(strongest, len(live))
        chosen.append(Connections(to, live[column], contributions[strongest], weight.size))
    return chosen


def silent_caption(values):
    """What share of a layer's neurons is exactly zero for this digit: ReLU's sparsity, in words.

    >>> silent_caption(np.array([0.0, 2.5, 0.0, 0.0]))
    '3 of 4 silent (75%)'
    """
    silent = int(np.count_nonzero(values == 0))
    return f"{silent} of {values.size} silent ({100 * silent / values.size:.0f}%)"


def shades(values):
    """A layer's activations on the colour scale: divided by the layer's largest |activation|, so its
    strongest neuron is full blue and a silent one the neutral background of the scale."""
    return values / magnitude(values)


class Scene(NamedTuple):
    """One picture of the view, in arrays and words. `pixels`: the input's values in [0, 1]; per layer of
    weights, its drawn `connections` and `edge_values`, the value each of them shows (coloured by sign, as
    wide as its size against the layer's largest; exactly zero in the outline colour), or None while the
    layer is not drawn; per neuron layer after the input, `shades` on the colour scale, or None while it is
    not reached (empty circles); beside the outputs `output_texts`, the output `ringed` (or None), and under
    each column's name its `details`."""

    pixels: np.ndarray
    connections: list
    edge_values: list
    shades: list
    output_texts: list
    ringed: object
    details: list
    edge_alpha: float = EDGE_ALPHA


def reading_scene(activations, probabilities, weights):
    """The view of one digit, as `mlp_inspect.MlpReading` gives it: neurons by activation, the strongest
    connections by contribution, the outputs by probability with the prediction ringed."""
    connections = strongest_connections(weights, activations)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    return Scene(activations[0], connections, [chosen.contribution for chosen in connections],
                 [*(shades(values) for values in activations[1:]), probabilities],
                 [f"{digit}  {100 * probability:.0f}%" for digit, probability in enumerate(probabilities.tolist())],
                 int(np.argmax(probabilities)), column_details(activations, probabilities))


def column_details(activations, probabilities):
    """Under each column's name: how much of the input is inked, what share of each hidden layer is silent,
    and what the outputs read."""
    inked = np.count_nonzero(activations[0])
    predicted = int(np.argmax(probabilities))
    return [f"{inked} of {activations[0].size} inked ({100 * inked / activations[0].size:.0f}%)",
            *(silent_caption(values) for values in activations[1:]),
            f"reads {predicted} ({100 * probabilities[predicted]:.0f}%)"]


def paint_mlp(ctx, path, picture, layout, activations, probabilities, weights, theme, selected=None):
    """Draw the whole view on `ctx` (working in CSS pixels) for one digit, as `mlp_inspect.MlpReading` gives
    it: `activations` (the input's pixels in [0, 1], then each hidden layer's), the output `probabilities`
    and the `weights`. `path(d)` makes a Path2D from SVG path data; `picture` is an off-screen image
    (`page.pixels()`) the input is put into. `selected` = (layer, index), as `mlp_layout.neuron_at` answers,
    is ringed. Returns the connections drawn."""
    scene = reading_scene(activations, probabilities, weights)
    paint_scene(ctx, path, picture, layout, scene, theme, selected)
    return scene.connections


def paint_scene(ctx, path, picture, layout, scene, theme, selected=None):
    """Draw `scene` (see `Scene`) as `paint_mlp` draws a digit's; `selected` = (layer, index) is ringed."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, layout.width, layout.height)
    left, top, pixel = layout.image
    side = layout.side * pixel
    picture.put(theme.ink(scene.pixels.reshape(layout.side, layout.side)))
    ctx.imageSmoothingEnabled = False
    ctx.drawImage(picture.element, 0, 0, layout.side, layout.side, left, top, side, side)
    ctx.strokeStyle = theme.outline
    ctx.lineWidth = 1.0
    ctx.strokeRect(left - 0.5, top - 0.5, side + 1, side + 1)

    _paint_connections(ctx, path, layout, scene.connections, scene.edge_values, scene.edge_alpha, theme)
    ctx.globalAlpha = PICTURE_OVER_EDGES  # the digit reads through the lines that leave its pixels
    ctx.drawImage(picture.element, 0, 0, layout.side, layout.side, left, top, side, side)
    ctx.globalAlpha = 1.0
    for layer in range(1, len(layout.centres) - 1):
        _paint_neurons(ctx, path, layout, layer, scene.shades[layer - 1], theme)
    _paint_outputs(ctx, path, layout, scene, theme)
    _paint_captions(ctx, layout, scene, theme)
    if selected is not None:
        _paint_selected(ctx, path, layout, selected, theme)


def _paint_connections(ctx, path, layout, connections, edge_values, alpha, theme):
    """Every drawn layer's connections, one stroke per (sign, width) over all layers."""
    segments, codes = [], []
    for layer, (chosen, values) in enumerate(zip(connections, edge_values)):
        if values is None or not len(chosen.to):
            continue
        segments.append(edge_segments(layout, layer, chosen.to, chosen.source))
        largest = np.abs(values).max()
        share = np.abs(values) / largest if largest > 0 else np.zeros(len(values))
        steps = np.rint((EDGE_WIDTHS[0] + share * (EDGE_WIDTHS[1] - EDGE_WIDTHS[0])) / WIDTH_STEP).astype(np.int64)
        codes.append(np.sign(values).astype(np.int64) * steps)  # one integer per (sign, width); 0: exactly zero
    if not segments:
        return
    segments, codes = np.concatenate(segments), np.concatenate(codes)
    ctx.globalAlpha = alpha
    ctx.lineCap = "round"
    for code in np.unique(codes).tolist():
        ctx.strokeStyle = theme.css(np.sign(code)) if code else theme.outline
        ctx.lineWidth = abs(code) * WIDTH_STEP if code else EDGE_WIDTHS[0]
        ctx.stroke(path(lines_path(segments[codes == code])))
    ctx.globalAlpha = 1.0


def _paint_neurons(ctx, path, layout, layer, layer_shades, theme):
    """A column of circles filled with their shades (None: left empty, not reached yet): one fill per colour
    (a silent layer is one fill), one stroke for every outline."""
    centres, radius = layout.centres[layer], layout.radii[layer]
    if layer_shades is not None:
        colours = [theme.css(shade) for shade in layer_shades.tolist()]
        for colour in dict.fromkeys(colours):
            ctx.fillStyle = colour
            ctx.fill(path(circles_path(centres[[c == colour for c in colours]], radius)))
    ctx.strokeStyle = theme.outline
    ctx.lineWidth = 0.75
    ctx.stroke(path(circles_path(centres, radius)))


def _paint_outputs(ctx, path, layout, scene, theme):
    """The outputs filled by their shades (the probabilities: 0 neutral, 1 full blue), each with its text;
    the ringed one in bold."""
    _paint_neurons(ctx, path, layout, len(layout.centres) - 1, scene.shades[-1], theme)
    centres, radius = layout.centres[-1], layout.radii[-1]
    if scene.ringed is not None:
        ctx.strokeStyle = theme.text
        ctx.lineWidth = 2.0
        ctx.stroke(path(circles_path(centres[scene.ringed:scene.ringed + 1], radius + 3)))
    ctx.textAlign, ctx.textBaseline = "left", "middle"
    for digit, ((x, y), text) in enumerate(zip(centres.tolist(), scene.output_texts)):
        strong = digit == scene.ringed
        ctx.font = f"{'bold ' if strong else ''}13px system-ui, sans-serif"
        ctx.fillStyle = theme.text if strong else theme.muted_text
        ctx.fillText(text, x + radius + 8, y, layout.width - x - radius - 10)  # squeezed, never cut at the edge


def _paint_captions(ctx, layout, scene, theme):
    """Above each column its name and what it holds; under each drawn gap how many connections it draws."""
    columns = [layout.image[0] + layout.side * layout.image[2] / 2, *(c[:, 0].mean() for c in layout.centres[1:])]
    # each caption reaches at most halfway to the next column (or to the canvas's edge): squeezed, never touching
    bounds = [0.0, *((left + right) / 2 for left, right in zip(columns, columns[1:])), layout.width]
    rooms = [2 * min(x - low, high - x) - 6 for x, low, high in zip(columns, bounds, bounds[1:])]
    names = [f"Input {layout.side}\u00d7{layout.side}",
             *(f"Hidden {layer} \u00b7 {len(layout.centres[layer])}" for layer in range(1, len(layout.centres) - 1)),
             "Output"]
    ctx.textAlign, ctx.textBaseline = "center", "alphabetic"
    for x, room, name, detail in zip(columns, rooms, names, scene.details):
        ctx.font = "600 12px system-ui, sans-serif"
        ctx.fillStyle = theme.text
        ctx.fillText(name, x, 15, room)
        ctx.font = "12px system-ui, sans-serif"
        ctx.fillStyle = theme.muted_text
        # a narrow canvas: "38 of 64 silent" over "(59%)" rather than one line squeezed to half its width
        lines = [detail] if ctx.measureText(detail).width <= room else detail.replace(" (", "\n(").split("\n")
        for line, y in zip(lines, (31, 45)):
            ctx.fillText(line, x, y, room)
    ctx.font = "11px system-ui, sans-serif"
    starts = [layout.image[0] + layout.side * layout.image[2], *columns[1:-1]]  # the picture's right edge, ...
    for chosen, values, start, end in zip(scene.connections, scene.edge_values, starts, columns[1:]):
        if values is None:
            continue
        x, room = (start + end) / 2, end - start - 6
        ctx.fillText(f"showing {len(chosen.to):,} of {chosen.total:,}", x, layout.height - 20, room)
        ctx.fillText("connections", x, layout.height - 6, room)


def _paint_selected(ctx, path, layout, selected, theme):
    layer, index = selected
    x, y = layout.centres[layer][index].tolist()
    radius = layout.radii[layer]
    ctx.strokeStyle = theme.text
    ctx.lineWidth = 2.0
    if layer == 0:
        ctx.strokeRect(x - radius - 1, y - radius - 1, 2 * radius + 2, 2 * radius + 2)
    else:
        ctx.stroke(path(circles_path(np.array([[x, y]]), radius + 3)))


def first_layer_maps(weights):
    """The first layer's weights (n_out, n_in) as one square map per neuron, (n_out, side, side): each
    neuron's incoming weights where their pixels are."""
    weights = np.asarray(weights, dtype=np.float64)
    side = int(round(np.sqrt(weights.shape[1])))
    return weights.reshape(len(weights), side, side)


def paint_first_layer_weights(ctx, pixels, weights, width, height, theme, selected=None):
    """Every first-layer neuron's incoming weights as a picture of the input's shape, on one diverging
    scale symmetric about zero for all of them (the layer's largest |weight| is full blue or orange): blue
    where ink raises the neuron, orange where it lowers it, and the neurons compare fairly, so one that
    barely looks at anything shows faint. `pixels` is an off-screen image the picture is put into;
    `selected` (a neuron's index) is outlined. Returns where the picture went, for
    `first_layer_neuron_at`."""
    maps = first_layer_maps(weights)
    picture = face_picture(maps)  # in the maps panel's grid: 64 neurons as 8 x 8 squares, one-pixel gaps
    pixels.put(coloured(picture, theme))
    placement = paint_picture(ctx, pixels.element, (0, 0, picture.shape[1], picture.shape[0]), width, height, theme)
    if selected is not None:
        columns, _, side, _ = face_grid(maps.shape)
        row, column = divmod(selected, columns)
        step, size = (side + 1) * placement.pixel, side * placement.pixel
        ctx.strokeStyle = theme.text
        ctx.lineWidth = 2.0
        # on the square's edge: half over the gap, half over the square, so a square at the canvas's edge
        # keeps half of it
        ctx.strokeRect(placement.x + column * step, placement.y + row * step, size, size)
    return placement


def first_layer_neuron_at(placement, weights, x, y):
    """The first-layer neuron whose weights `paint_first_layer_weights` drew under (x, y), or None."""
    return map_at(placement, first_layer_maps(weights).shape, x, y)

