"""Paints a computation graph: one box per engine node with its op, shape, value and gradient, edges left
to right, and the nodes of the current backward-replay phase lit in the order the engine reached them.

Renderers take a `GraphLayout` and the engine's nodes only to read `.data` and `.grad`; the world-to-screen
transform (a scale and an offset) is applied here, so one layout serves any canvas size or zoom.
"""
import numpy as np

from app.graph.layout import fit_scale

# Below this zoom a node's text would be too small to read, so boxes are drawn without it.
READABLE_SCALE = 0.55


def summary(values):
    """A number, or a tensor's norm, short enough for a node box.

    >>> summary(np.array(-3.0)), summary(np.ones((2, 2))), summary(None)
    ('\u22123', '\u20162\u2016', '\u2013')
    """
    if values is None:
        return "\u2013"
    values = np.asarray(values)
    text = f"{float(values.ravel()[0]):.3g}" if values.size == 1 else f"\u2016{float(np.linalg.norm(values)):.3g}\u2016"
    return text.replace("-", "\u2212")


def node_text(data, gradient):
    """The second line of a node's box: its value and its gradient (a dash until there is one)."""
    return f"{summary(data)}  \u2207 {summary(gradient)}"


def screen_transform(layout, width, height, scale):
    """(scale, dx, dy) that centres the layout on a width x height canvas at `scale`."""
    return scale, (width - layout.width * scale) / 2, (height - layout.height * scale) / 2


def fitted_transform(layout, width, height, zoom=1.0):
    """(scale, dx, dy) of the view a graph opens at, times `zoom`: the whole graph, centred, when it fits
    at a readable size; else the smallest readable size with the graph's inputs at the left edge.

    Why: on a phone even a small network's graph fits only as blank boxes; a learner should read the
    numbers at once and drag along the graph, and can still zoom out to see all of it.
    """
    scale = fit_scale(layout, width, height)
    if scale >= READABLE_SCALE:
        return screen_transform(layout, width, height, scale * zoom)
    scale, _, dy = screen_transform(layout, width, height, READABLE_SCALE * zoom)
    return scale, 0.0, dy


def paint_graph(ctx, path, layout, graph, theme, width, height, transform, lit=(), numbers=None, outlined=()):
    """Draw `graph` (from `graph_of`) at `layout` on a width x height canvas; `transform` is
    (scale, dx, dy) from graph to screen pixels (see `screen_transform`).

    `lit` lists node indices in the order the current phase reached them; each lit box is filled and
    numbered, so the backward pass reads as the sequence the engine computed. `numbers[i]` is node i's
    (data, gradient) to print (its tensor's own by default: a replay shows what it has reached so far);
    `outlined` nodes get a strong frame (what a hovered neuron or edge of the network is).
    """
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    scale, dx, dy = transform
    xs, ys = layout.x * scale + dx, layout.y * scale + dy
    half_w, half_h = layout.node_width * scale / 2, layout.node_height * scale / 2
    if len(layout.edges):
        parent, child = layout.edges.T
        x0, y0, x1, y1 = xs[parent] + half_w, ys[parent], xs[child] - half_w, ys[child]
        bend = (x1 - x0) * 0.5
        points = np.column_stack([x0, y0, x0 + bend, y0, x1 - bend, y1, x1, y1])
        ctx.strokeStyle = theme.outline
        ctx.lineWidth = 1.0
        ctx.stroke(path(("M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f" * len(points)) % tuple(points.ravel().tolist())))
    order = {index: rank for rank, index in enumerate(lit)}
    lit_fill, plain_fill = theme.css(0.35), theme.css(0.0)
    ctx.lineWidth = 1.0
    ctx.strokeStyle = theme.outline
    ctx.textAlign = "center"
    ctx.textBaseline = "middle"
    readable, text_width = scale >= READABLE_SCALE, 2 * half_w - 6 * scale
    ctx.font = f"{max(8, round(11 * scale))}px system-ui, sans-serif"
    for i, (x, y) in enumerate(zip(xs.tolist(), ys.tolist())):
        ctx.fillStyle = lit_fill if i in order else plain_fill
        ctx.fillRect(x - half_w, y - half_h, 2 * half_w, 2 * half_h)
        ctx.strokeRect(x - half_w, y - half_h, 2 * half_w, 2 * half_h)
        if readable:  # a long op name or number is squeezed into its box rather than spilling over the next
            ctx.fillStyle = theme.text
            ctx.fillText(graph.labels[i], x, y - half_h * 0.45, text_width)
            data, gradient = numbers[i] if numbers else (graph.tensors[i].data, graph.tensors[i].grad)
            ctx.fillText(node_text(data, gradient), x, y + half_h * 0.45, text_width)
        if i in order:
            ctx.fillStyle = theme.text
            ctx.fillText(str(order[i] + 1), x - half_w - 8 * scale, y - half_h)
    if outlined:
        ctx.strokeStyle = theme.text
        ctx.lineWidth = 2.5
        for i in sorted(outlined):
            ctx.strokeRect(xs[i] - half_w - 2, ys[i] - half_h - 2, 2 * half_w + 4, 2 * half_h + 4)
