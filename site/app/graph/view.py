"""Paints a computation graph: one box per engine node with what it is, its value and its gradient in words,
edges left to right, and the nodes the backward pass has reached lit and numbered in the engine's order.

Renderers take a `GraphLayout` and the engine's nodes only to read `.data` and `.grad`; the world-to-screen
transform (a scale and an offset) is applied here, so one layout serves any canvas size or zoom.
"""
import numpy as np

from app.graph.layout import fit_scale
from app.shared.numbers import values_text

# Below this zoom a node's text would be too small to read, so boxes are drawn without it; at it, the three
# lines of a box in the smallest font (8 px) just fit its height.
READABLE_SCALE = 0.6
# The zoom a graph too big for its canvas opens at: true size, its text at 11 px, the page's smallest notes.
OPENING_SCALE = 1.0


def node_lines(data, gradient, reached=True):
    """The value and gradient lines of a node's box: numbers with a word, a tensor as its mean (over how many
    values, on the value's line); a gradient the backward pass has not `reached` yet says so, and a node
    that takes none says that.

    >>> node_lines(np.ones((4, 10)), -np.ones((4, 10))), node_lines(np.array(-3.0), np.array(0.5))
    (('mean 1 over 40', 'gradient mean \u22121'), ('value \u22123', 'gradient 0.5'))
    >>> node_lines(np.zeros(3), None), node_lines(np.array(2.0), None, reached=False)[1]
    (('mean 0 over 3', 'no gradient'), 'gradient not yet')
    """
    value = values_text(data, 3, "")
    if not value.startswith("mean"):
        value = f"value {value}"
    if not reached:
        return value, "gradient not yet"
    if gradient is None:
        return value, "no gradient"
    return value, f"gradient {values_text(gradient, 3, None)}"


def screen_transform(layout, width, height, scale):
    """(scale, dx, dy) that centres the layout on a width x height canvas at `scale`."""
    return scale, (width - layout.width * scale) / 2, (height - layout.height * scale) / 2


def fitted_transform(layout, width, height, zoom=1.0):
    """(scale, dx, dy) of the view a graph opens at, times `zoom`: the whole graph, centred, when it fits
    at a readable size; else true size (text as large as the page's notes) with the graph's inputs at the
    left edge.

    Why: on a phone even a small network's graph fits only as blank boxes, and at the smallest readable
    size its 8 px text is a strain; a learner should read the numbers at once and drag along the graph,
    and can still zoom out to see all of it.
    """
    scale = fit_scale(layout, width, height)
    if scale >= READABLE_SCALE:
        return screen_transform(layout, width, height, scale * zoom)
    scale, _, dy = screen_transform(layout, width, height, OPENING_SCALE * zoom)
    return scale, 0.0, dy


def paint_graph(ctx, path, layout, graph, theme, width, height, transform, lit=(), numbers=None, outlined=(),
                current=None):
    """Draw `graph` (from `graph_of`) at `layout` on a width x height canvas; `transform` is
    (scale, dx, dy) from graph to screen pixels (see `screen_transform`).

    `lit` lists node indices in the order the current phase reached them; each lit box is filled and
    numbered, so the backward pass reads as the sequence the engine computed. `numbers[i]` is node i's
    (data, gradient, reached) to print (its tensor's own by default: a replay shows what it has reached
    so far); `outlined` nodes get a strong frame (what a hovered neuron or edge of the network is), and
    `current`, the node passing its gradient on, a strong frame and strong edges to its parents.
    """
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    scale, dx, dy = transform
    xs, ys = layout.x * scale + dx, layout.y * scale + dy
    half_w, half_h = layout.node_width * scale / 2, layout.node_height * scale / 2
    if len(layout.edges):
        ctx.strokeStyle = theme.outline
        ctx.lineWidth = 1.0
        ctx.stroke(path(edge_curves(layout.edges, xs, ys, half_w)))
    order = {index: rank for rank, index in enumerate(lit)}
    if current is not None and graph.parents[current]:
        ctx.strokeStyle = theme.text
        ctx.lineWidth = 3.0
        ctx.stroke(path(edge_curves([(parent, current) for parent in graph.parents[current]], xs, ys, half_w)))
    lit_fill, current_fill, plain_fill = theme.css(0.35), theme.css(0.6), theme.css(0.0)
    ctx.lineWidth = 1.0
    ctx.strokeStyle = theme.outline
    ctx.textAlign = "center"
    ctx.textBaseline = "middle"
    readable, text_width = scale >= READABLE_SCALE, 2 * half_w - 6 * scale
    ctx.font = f"{max(8, round(11 * scale))}px system-ui, sans-serif"
    line = half_h * 0.64  # three lines, one above and one below the middle
    for i, (x, y) in enumerate(zip(xs.tolist(), ys.tolist())):
        ctx.fillStyle = current_fill if i == current else lit_fill if i in order else plain_fill
        ctx.fillRect(x - half_w, y - half_h, 2 * half_w, 2 * half_h)
        ctx.strokeRect(x - half_w, y - half_h, 2 * half_w, 2 * half_h)
        ctx.fillStyle = theme.text
        # The step number goes inside the box, before the label, so no edge of the canvas can cut it off;
        # too small to read, a lit box shows its number alone.
        label = f"{order[i] + 1}. {graph.labels[i]}" if i in order else graph.labels[i]
        if readable:  # a long op name or number is squeezed into its box rather than spilling over the next
            data, gradient, reached = numbers[i] if numbers else (graph.tensors[i].data, graph.tensors[i].grad, True)
            for offset, text in zip((-line, 0.0, line), (label, *node_lines(data, gradient, reached))):
                ctx.fillText(text, x, y + offset, text_width)
        elif i in order:
            ctx.fillText(str(order[i] + 1), x, y, text_width)
    for i in sorted({*outlined, *(() if current is None else (current,))}):
        ctx.strokeStyle = theme.text
        ctx.lineWidth = 2.5
        ctx.strokeRect(xs[i] - half_w - 2, ys[i] - half_h - 2, 2 * half_w + 4, 2 * half_h + 4)


def edge_curves(edges, xs, ys, half_w):
    """SVG path data of the (parent, child) `edges` as curves from a parent's right side to a child's left."""
    parent, child = np.asarray(edges).T
    x0, y0, x1, y1 = xs[parent] + half_w, ys[parent], xs[child] - half_w, ys[child]
    bend = (x1 - x0) * 0.5
    points = np.column_stack([x0, y0, x0 + bend, y0, x1 - bend, y1, x1, y1])
    return ("M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f" * len(points)) % tuple(points.ravel().tolist())
