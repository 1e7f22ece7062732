"""Paints a layered network: edges coloured by the sign of their weight and as wide as its size, neurons
filled with their real activation.

A renderer takes arrays, not models: weights and activations arrive as numpy arrays, so this module
never imports the engine. Calls into JavaScript cost about a microsecond each, so edges of the same
colour and width go into one path: a few strokes per frame, not one per edge.
"""
import numpy as np

from .palette import readable_text

MAX_EDGE_WIDTH = 6.0
WEIGHT_FOR_MAX_WIDTH = 3.0  # |w| at or above this draws at full width ("capped")
WIDTH_STEP = 0.5            # widths are rounded to this, which bounds the number of paths


def edge_width(weight):
    """Line width for a weight: 0.5 px at zero, growing with |w| up to MAX_EDGE_WIDTH, in WIDTH_STEP steps.

    >>> edge_width(0.0), edge_width(1.5), edge_width(-100.0)
    (0.5, 3.0, 6.0)
    """
    share = min(abs(weight) / WEIGHT_FOR_MAX_WIDTH, 1.0)
    return max(WIDTH_STEP, round(share * MAX_EDGE_WIDTH / WIDTH_STEP) * WIDTH_STEP)


def group_edges(layout, weights):
    """Edges grouped by (sign, width): {(positive, width): [(x0, y0, x1, y1), ...]}.

    `weights[l]` is laid out (n_out, n_in) like `nn.Linear.weight`: entry [j, i] joins neuron i of
    layer l to neuron j of layer l + 1.
    """
    groups = {}
    for left, right, weight in zip(layout.centres, layout.centres[1:], weights):
        for j, i in np.ndindex(weight.shape):
            w = float(weight[j, i])
            key = (w >= 0, edge_width(w))
            groups.setdefault(key, []).append((*left[i], *right[j]))
    return groups


def paint_network(ctx, layout, weights, values, shades, theme, captions=(), input_labels=()):
    """Draw the whole network on `ctx` (a CanvasRenderingContext2D working in CSS pixels).

    `values[l]` are the numbers printed inside the neurons of layer l (their real activations);
    `shades[l]` the same scaled into [-1, 1] for colour (inputs by their range, probabilities as 2p - 1).
    """
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, layout.width, layout.height)
    radius = layout.radius

    ctx.lineCap = "round"
    for (positive, width), segments in sorted(group_edges(layout, weights).items()):
        ctx.beginPath()
        ctx.strokeStyle = theme.css(1.0 if positive else -1.0)
        ctx.lineWidth = width
        for x0, y0, x1, y1 in segments:
            bend = (x1 - x0) * 0.45
            ctx.moveTo(x0 + radius, y0)
            ctx.bezierCurveTo(x0 + bend, y0, x1 - bend, y1, x1 - radius, y1)
        ctx.stroke()

    ctx.lineWidth = 1.5
    ctx.strokeStyle = theme.outline
    ctx.textAlign = "center"
    ctx.textBaseline = "middle"
    font_size = max(8, round(radius * 0.55))
    ctx.font = f"{font_size}px system-ui, sans-serif"
    for centres, layer_values, layer_shades in zip(layout.centres, values, shades):
        for (x, y), value, rgb in zip(centres, layer_values, theme.rgb(layer_shades)):
            r, g, b = rgb.tolist()
            ctx.beginPath()
            ctx.arc(x, y, radius, 0, 2 * np.pi)
            ctx.fillStyle = f"rgb({r},{g},{b})"
            ctx.fill()
            ctx.stroke()
            if radius >= 12:
                ctx.fillStyle = readable_text((r, g, b))
                ctx.fillText(f"{value:.2f}".replace("-", "\u2212"), x, y)

    ctx.fillStyle = theme.muted_text
    ctx.font = "12px system-ui, sans-serif"
    for caption, centres in zip(captions, layout.centres):
        ctx.fillText(caption, centres[0, 0], 14)
    ctx.textAlign = "right"
    for label, (x, y) in zip(input_labels, layout.centres[0]):
        ctx.fillText(label, x - radius - 6, y)
