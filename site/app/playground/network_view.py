"""Paints a layered network: edges coloured by the sign of their weight and as wide as its size, neurons
filled with their real activation.

A renderer takes arrays, not models: weights and activations arrive as numpy arrays, so this module
never imports the engine. Each call from Python into JavaScript costs microseconds, so the edges of one
colour and width become one SVG path string, handed to the canvas as one `Path2D`: a stroke per group,
not two calls per edge.
"""
import numpy as np

from app.shared.palette import readable_text

MAX_EDGE_WIDTH = 6.0
LABEL_FONT = "12px system-ui, sans-serif"  # the layer captions and the input labels
LABEL_GAP = 6.0  # between an input's label and its neuron
WEIGHT_FOR_MAX_WIDTH = 3.0  # |w| at or above this draws at full width ("capped")
WIDTH_STEP = 0.5            # widths are rounded to this, which bounds the number of paths


def edge_width(weight):
    """Line width for a weight: 0.5 px at zero, growing with |w| up to MAX_EDGE_WIDTH, in WIDTH_STEP steps.

    >>> edge_width(0.0), edge_width(1.5), edge_width(-100.0)
    (0.5, 3.0, 6.0)
    """
    return float(edge_widths(weight))


def edge_widths(weights):
    """`edge_width` of every weight in an array at once."""
    share = np.minimum(np.abs(weights) / WEIGHT_FOR_MAX_WIDTH, 1.0)
    return np.maximum(WIDTH_STEP, np.round(share * MAX_EDGE_WIDTH / WIDTH_STEP) * WIDTH_STEP)


def strongest_edges(weights, limit):
    """Which edges to draw: all of them, or the `limit` largest |w| (a boolean mask per weight matrix)."""
    total = sum(w.size for w in weights)
    if limit is None or total <= limit:
        return [np.ones(w.shape, bool) for w in weights]
    magnitudes = np.concatenate([np.abs(w).ravel() for w in weights])
    threshold = np.partition(magnitudes, total - limit)[total - limit]
    return [np.abs(w) >= threshold for w in weights]


def edge_curve(x0, y0, x1, y1, radius):
    """The Bezier curve of an edge between neuron centres: start, two control points, end."""
    bend = (x1 - x0) * 0.45
    return (x0 + radius, y0), (x0 + bend, y0), (x1 - bend, y1), (x1 - radius, y1)


def edges_path(segments, radius):
    """SVG path data for edges (x0, y0, x1, y1), each the curve `edge_curve` describes.

    >>> edges_path([(0.0, 0.0, 100.0, 10.0)], 5.0)
    'M5.0 0.0C45.0 0.0 55.0 10.0 95.0 10.0'
    """
    x0, y0, x1, y1 = np.asarray(segments, dtype=np.float64).T
    bend = (x1 - x0) * 0.45
    points = np.column_stack([x0 + radius, y0, x0 + bend, y0, x1 - bend, y1, x1 - radius, y1])
    return ("M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f" * len(points)) % tuple(points.ravel().tolist())


class EdgeCurves:
    """Every edge a layout can draw, in the order of the weights' ravelled matrices (layer by layer, each
    row-major over (to_neuron, from_neuron)), with its curve as SVG path data formatted once.

    A frame then only picks which edges each (sign, width) group strokes and joins their ready strings:
    formatting eight numbers per edge every frame cost more than all the grouping.
    """

    def __init__(self, layout):
        segments = []
        for left, right in zip(layout.centres, layout.centres[1:]):
            to_neuron, from_neuron = np.indices((len(right), len(left))).reshape(2, -1)
            segments.append(np.hstack([left[from_neuron], right[to_neuron]]))
        self.layout = layout
        self.segments = np.concatenate(segments)  # (edges, 4) rows of x0, y0, x1, y1
        self.paths = np.array(["M" + piece for piece in edges_path(self.segments, layout.radius).split("M")[1:]],
                              dtype=object)

    _last = None  # the EdgeCurves of the layout painted last (a new layout comes only with a resize)

    @classmethod
    def of(cls, layout):
        if cls._last is None or cls._last.layout is not layout:
            cls._last = cls(layout)
        return cls._last


def group_edges(weights, shown=None):
    """Edges grouped by (sign, width): {(positive, width): indices into `EdgeCurves` order}.

    `weights[l]` is laid out (n_out, n_in) like `nn.Linear.weight`: entry [j, i] joins neuron i of
    layer l to neuron j of layer l + 1. `shown` masks which edges to include (all finite ones by default).
    All layers are grouped at once, with one sort: a per-edge Python loop cost ~8 ms a frame on the 6x8
    network, and a loop over layers still made a few dozen numpy calls.
    """
    values = np.concatenate([w.ravel() for w in weights])
    drawn = np.isfinite(values)  # NaN has no width or sign
    if shown is not None:
        drawn &= np.concatenate([mask.ravel() for mask in shown])
    index = np.flatnonzero(drawn)
    values = values[index]
    steps = np.rint(edge_widths(values) / WIDTH_STEP).astype(np.int64)  # widths in WIDTH_STEPs
    codes = np.where(values >= 0, steps, -steps)  # one integer per (sign, width): cheap to sort by
    order = np.argsort(codes, kind="stable")
    ranked = codes[order]
    # Where each run of equal codes starts, as plain ints: np.split would make a numpy call per group.
    starts = [0, *(np.flatnonzero(ranked[1:] != ranked[:-1]) + 1).tolist()] if len(order) else []
    ends = starts[1:] + [len(order)]
    return {(code > 0, abs(code) * WIDTH_STEP): index[order[start:end]]
            for code, start, end in zip(ranked[starts].tolist(), starts, ends)}


def edge_at(layout, weights, x, y, tolerance=4.0):
    """The edge under (x, y) as (layer, to_neuron, from_neuron), or None; for hover and click.

    Every edge of a layer is sampled at once along its curve (the same curve `edge_curve` draws), so a
    pointer move costs a few numpy calls per layer, not a Python loop per edge.
    """
    t = np.linspace(0.0, 1.0, 64)[:, None]
    basis = np.hstack([(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3])  # (64, 4)
    for layer, (left, right) in enumerate(zip(layout.centres, layout.centres[1:])):
        if not left[0, 0] <= x <= right[0, 0]:
            continue
        to_neuron, from_neuron = np.indices(weights[layer].shape).reshape(2, -1)
        (x0, y0), (x1, y1) = left[from_neuron].T, right[to_neuron].T
        bend = (x1 - x0) * 0.45
        xs = basis @ np.stack([x0 + layout.radius, x0 + bend, x1 - bend, x1 - layout.radius])
        ys = basis @ np.stack([y0, y0, y1, y1])
        distance = np.hypot(xs - x, ys - y).min(axis=0)
        nearest = int(distance.argmin())
        if distance[nearest] <= tolerance:
            return layer, int(to_neuron[nearest]), int(from_neuron[nearest])
    return None


def label_room(ctx, input_labels):
    """The width the input labels take before the first column, measured on `ctx` in the font they are
    drawn in: the `left` that `layout_network` needs so that "sin(x₁)" is read whole, not clipped."""
    ctx.font = LABEL_FONT
    return max((ctx.measureText(label).width for label in input_labels), default=0.0) + LABEL_GAP + 2.0


def paint_network(ctx, path, layout, weights, values, shades, theme, captions=(), input_labels=(),
                  thumbnails=None, shown=None, highlight=None, edge_alpha=1.0):
    """Draw the whole network on `ctx` (a CanvasRenderingContext2D working in CSS pixels); `path(d)`
    makes a Path2D from SVG path data.

    `values[l]` are the numbers printed by the neurons of layer l (their real activations for the current
    input, or None to print nothing); `shades[l]` the same scaled into [-1, 1] for colour (inputs by
    their range, probabilities as 2p - 1). With `thumbnails` = (image source, size), neuron k (counting
    through all layers, inputs first) is drawn as the k-th size x size square of that strip: its output
    over the whole plane, ringed by its colour for the current input. `shown` limits the edges drawn.
    `highlight` marks one layer (its index in `layout.centres`) with a dashed frame: where NaN appeared.
    `edge_alpha` below 1 fades the edges, so something drawn over them later reads first.
    """
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, layout.width, layout.height)
    radius = layout.radius

    ctx.lineCap = "round"
    if edge_alpha != 1.0:
        ctx.globalAlpha = edge_alpha
    curves = EdgeCurves.of(layout).paths
    for (positive, width), edges in sorted(group_edges(weights, shown).items()):
        ctx.strokeStyle = theme.css(1.0 if positive else -1.0)
        ctx.lineWidth = width
        ctx.stroke(path("".join(curves[edges].tolist())))
    if edge_alpha != 1.0:
        ctx.globalAlpha = 1.0

    squares = thumbnails is not None and radius >= 6
    ctx.textAlign = "center"
    ctx.textBaseline = "middle"
    font_size = max(8, round(radius * 0.55))
    ctx.font = f"{font_size}px system-ui, sans-serif"
    neuron = 0
    ctx.lineWidth = 1.5
    ctx.strokeStyle = theme.outline
    for centres, layer_values, layer_shades in zip(layout.centres, values, shades):
        if squares:
            ctx.lineWidth = 3.0 if layer_values is not None else 1.0
        labelled = layer_values is not None and radius >= 12
        # Plain Python per neuron (a layer's numbers as lists, colours from the palette's strings): numpy
        # calls on single values cost more than the drawing calls they feed.
        layer_shades = np.asarray(layer_shades, dtype=np.float64).tolist()
        fills = theme.rgb(layer_shades).tolist() if labelled and not squares else None  # for readable text
        for k, (x, y) in enumerate(centres.tolist()):
            colour = theme.css(layer_shades[k])
            if squares:
                image, size = thumbnails
                ctx.drawImage(image, (neuron + k) * size, 0, size, size, x - radius, y - radius, 2 * radius, 2 * radius)
                if layer_values is not None:
                    ctx.strokeStyle = colour
                ctx.strokeRect(x - radius, y - radius, 2 * radius, 2 * radius)
            else:
                ctx.beginPath()
                ctx.arc(x, y, radius, 0, 2 * np.pi)
                ctx.fillStyle = colour
                ctx.fill()
                ctx.stroke()
            if labelled:
                text = f"{layer_values[k]:z.2f}".replace("-", "\u2212")
                if squares:  # the value sits under its square, on the background
                    if k == 0:
                        ctx.fillStyle = theme.text
                    ctx.fillText(text, x, y + radius + font_size * 0.9)
                else:
                    ctx.fillStyle = readable_text(fills[k])
                    ctx.fillText(text, x, y)
        neuron += len(centres)

    if highlight is not None:
        column = layout.centres[highlight]
        margin = radius + 8
        ctx.setLineDash([6, 4])
        ctx.lineWidth = 2.0
        ctx.strokeStyle = theme.css(-1.0)
        ctx.strokeRect(column[0, 0] - margin, column[0, 1] - margin, 2 * margin, column[-1, 1] - column[0, 1] + 2 * margin)
        ctx.setLineDash([])

    ctx.fillStyle = theme.muted_text
    ctx.font = LABEL_FONT
    columns = [float(centres[0, 0]) for centres in layout.centres]
    caption_width = min(np.diff(columns)) - 6  # many layers: squeeze, never touch (a layout has two or more)
    for caption, x in zip(captions, columns):
        ctx.fillText(caption, x, 14, caption_width)
    ctx.textAlign = "right"
    for label, (x, y) in zip(input_labels, layout.centres[0]):
        ctx.fillText(label, x - radius - LABEL_GAP, y)
