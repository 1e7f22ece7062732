"""Paints what the diagnostics measured: histograms per layer, and a timeline of gradient norms.

Renderers take the Monitor's arrays (`EpochStats`), never the run, and reach the canvas with one Path2D
per shape, so the panel costs a few dozen calls into JavaScript a frame. Every picture has its axes labelled,
so a first-timer can read it unaided.
"""
import numpy as np

from app.shared.numbers import number
from app.shared.palette import POSITIVE, from_oklab, to_oklab

HISTOGRAMS = ("weights", "log\u2081\u2080 |gradient|", "activations")


def bars_path(counts, x, y, width, height):
    """SVG path data for a histogram of `counts` as bars filling the box (x, y, width, height)."""
    top = max(float(counts.max()), 1.0)
    bar = width / len(counts)
    heights = counts / top * height
    return "".join(f"M{x + i * bar:.1f} {y + height:.1f}h{bar * 0.85:.1f}v{-h:.1f}h{-bar * 0.85:.1f}Z"
                   for i, h in enumerate(heights) if h > 0)


def decade(power):
    """A power of ten as a tick label.

    >>> decade(-8), decade(2), decade(0)
    ('10⁻⁸', '10²', '1')
    """
    return "1" if power == 0 else "10" + f"{power:.0f}".translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def paint_histograms(ctx, path, stats, layer_names, ranges, width, height, theme):
    """A grid of small histograms: one row per layer, columns HISTOGRAMS (weights and biases together).
    `ranges` are the monitor's bins' ends: (weights, log10 |gradient|, one per layer for its activations).
    Under the weights and gradients the x ticks (every row shares their range); each activations cell has
    its layer's range at its ends; bar height is the count of values in the bin, relative to the cell's
    fullest bin."""
    (weight_low, weight_high), (gradient_low, gradient_high), activation_ranges = ranges
    ticks = (tuple((x, number(x, 6)) for x in (weight_low, (weight_low + weight_high) / 2, weight_high)),
             tuple((d, decade(d)) for d in (gradient_low, (gradient_low + gradient_high) / 2, gradient_high)))
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    label_width, top, bottom, inset = 110.0, 16.0, 14.0, 24.0
    columns = (stats.weight_histogram + stats.bias_histogram, stats.gradient_histogram, stats.activation_histogram)
    cell_width = (width - label_width) / len(columns)
    cell_height = (height - top - bottom) / max(len(layer_names), 1)
    ctx.font = "11px system-ui, sans-serif"
    ctx.textBaseline = "middle"
    ctx.textAlign = "center"
    ctx.fillStyle = theme.muted_text
    for column, title in enumerate(HISTOGRAMS):
        ctx.fillText(title, label_width + (column + 0.5) * cell_width, top / 2)
    ctx.textAlign = "left"
    ctx.fillText("bar height: count", 0, height - bottom / 2)
    for row, name in enumerate(layer_names):
        ctx.fillText(name, 0, top + (row + 0.5) * cell_height)
    ctx.font = "10px system-ui, sans-serif"
    ctx.textAlign = "center"
    for column, ticks in enumerate(ticks):
        left, span = label_width + column * cell_width + 4, cell_width - 8
        (low, _), (high, _) = ticks[0], ticks[-1]
        for (value, text), align in zip(ticks, ("left", "center", "right")):  # the ends kept inside their cell
            ctx.textAlign = align
            ctx.fillText(text, left + (value - low) / (high - low) * span, height - bottom / 2)
    ctx.textAlign = "center"
    for row, (low, high) in enumerate(activation_ranges):
        y, left = top + (row + 0.5) * cell_height, label_width + 2 * cell_width
        ctx.fillText(number(low, 6), left + inset / 2, y)
        ctx.fillText(number(high, 6), left + cell_width - inset / 2, y)
    ctx.fillStyle = theme.css(1.0)
    data = "".join(bars_path(counts[row], label_width + column * cell_width + (inset if column == 2 else 4),
                             top + row * cell_height + 3, cell_width - (2 * inset if column == 2 else 8), cell_height - 6)
                   for column, counts in enumerate(columns) for row in range(len(layer_names)))
    if data:
        ctx.fill(path(data))


TIMELINE_DECADES = (-8.0, 2.0)
TIMELINE_MARGINS = (34.0, 8.0, 72.0, 16.0)  # left (y ticks), top, right (the lines' names), bottom (x ticks)
DASHES = ((), (6.0, 3.0), (2.0, 2.0), (8.0, 3.0, 2.0, 3.0))  # one per layer, in turn: told apart without colour


def timeline_points(timeline, width, height, low=TIMELINE_DECADES[0], high=TIMELINE_DECADES[1]):
    """Screen points per layer for log10 of the weight-gradient norm over the epochs of `timeline`:
    a list of (n, 2) arrays, low..high decades mapped bottom..top."""
    epochs = np.array([stats.epoch for stats in timeline], dtype=np.float64)
    norms = np.array([stats.weight_gradient[:, 4] for stats in timeline])  # (epochs, layers)
    decades = np.clip(np.log10(np.maximum(norms, 10.0**low)), low, high)
    xs = (epochs - epochs[0]) / max(epochs[-1] - epochs[0], 1.0) * width
    ys = height - (decades - low) / (high - low) * height
    return [np.column_stack([xs, ys[:, layer]]) for layer in range(norms.shape[1])]


def line_colours(count, theme):
    """A colour per layer, from the scale's blue (the first hidden layer) to the theme's text colour (the
    output), evenly in OKLab lightness: in both themes the ends differ clearly in lightness, not only hue."""
    text = [int(theme.text[i:i + 2], 16) for i in (1, 3, 5)]
    ends = to_oklab([POSITIVE, text])
    shares = np.linspace(0.0, 1.0, count)[:, None] if count > 1 else np.ones((1, 1))
    return [f"rgb({r},{g},{b})" for r, g, b in from_oklab(ends[0] + shares * (ends[1] - ends[0])).tolist()]


def label_heights(ys, gap=11.0):
    """The lines' end heights `ys`, pushed apart so that labels `gap` px tall do not overlap (order kept).

    >>> label_heights([50.0, 52.0, 10.0]).tolist()
    [50.0, 61.0, 10.0]
    """
    ys = np.asarray(ys, dtype=np.float64)
    order = np.argsort(ys, kind="stable")
    placed = ys[order].copy()
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    out = np.empty_like(placed)
    out[order] = placed
    return out


def paint_timeline(ctx, polyline, timeline, layer_names, width, height, theme):
    """Each layer's gradient norm (log scale) over the epochs, with its axes: powers of ten up the left,
    the first and last epoch along the bottom, and each line named at its end. The lines go from the scale's
    blue (first hidden layer) to the text colour (output) and each has its own dash, so a layer whose
    gradient sinks decades below the others stands out in either theme."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    finite = [stats for stats in timeline if np.isfinite(stats.weight_gradient[:, 4]).all()]
    if len(finite) < 2:
        return
    left, top, right, bottom = TIMELINE_MARGINS
    plot_width, plot_height = width - left - right, height - top - bottom
    low, high = TIMELINE_DECADES
    ctx.font = "10px system-ui, sans-serif"
    ctx.fillStyle = theme.muted_text
    ctx.textBaseline = "middle"
    ctx.textAlign = "right"
    for power in (low, -3.0, high):
        ctx.fillText(decade(power), left - 4, top + (high - power) / (high - low) * plot_height)
    ctx.textAlign = "left"
    ctx.fillText(f"epoch {finite[0].epoch}", left, height - bottom / 2)
    ctx.textAlign = "right"
    ctx.fillText(f"epoch {finite[-1].epoch}", left + plot_width, height - bottom / 2)
    ctx.textAlign = "center"
    ctx.fillText("\u2016dL/dW\u2016 per layer, log scale", left + plot_width / 2, height - bottom / 2)
    ctx.strokeStyle = theme.outline
    ctx.lineWidth = 1.0
    ctx.strokeRect(left, top, plot_width, plot_height)
    ctx.lineWidth = 1.5
    lines = timeline_points(finite, plot_width, plot_height)
    colours = line_colours(len(lines), theme)
    for layer, points in enumerate(lines):
        ctx.strokeStyle = colours[layer]
        ctx.setLineDash(list(DASHES[layer % len(DASHES)]))
        ctx.stroke(polyline(points + (left, top)))
    ctx.setLineDash([])
    ctx.textAlign = "left"
    ends = label_heights([top + points[-1, 1] for points in lines])
    for layer, name in enumerate(layer_names):
        ctx.fillStyle = colours[layer]
        ctx.fillText(short_name(name), left + plot_width + 4, float(ends[layer]), right - 6)


def short_name(layer_name):
    """A layer's name where room is short: "hidden 2", "output"."""
    return "output" if layer_name == "the output layer" else layer_name.replace("hidden layer", "hidden")
