"""Paints what the diagnostics measured: a table per layer, histograms, and a timeline of gradient norms.

Renderers take the Monitor's arrays (`EpochStats`), never the run, and reach the canvas with one Path2D
per shape, so the panel costs a few dozen calls into JavaScript a frame.
"""
import numpy as np


HEADER = ("Layer", "\u2016dL/dW\u2016", "mean dL/dW", "std dL/dW", "update / weight", "dead", "saturated")
HISTOGRAMS = ("weights", "log\u2081\u2080 |gradient|", "activations")


def table_rows(stats, layer_names):
    """The per-layer table as text: one row per layer, the columns of HEADER.

    >>> import numpy as np
    >>> from app.diagnostics.monitor import EpochStats
    >>> stats = EpochStats(1, 0.5, np.array([[0.0, 0.1, -1, 1, 2.0]]), None, np.array([0.01]), np.array([0.0]),
    ...                    np.array([0.25]), None, None, None, None, (), None)
    >>> table_rows(stats, ["the output layer"])
    [('the output layer', '2', '0', '0.1', '0.01', '0%', '25%')]
    """
    rows = []
    for row, name in enumerate(layer_names):
        mean, std, _, _, norm = stats.weight_gradient[row]
        rows.append((name, f"{norm:.3g}", f"{mean:.2g}", f"{std:.2g}", f"{stats.update_ratio[row]:.2g}",
                     f"{100 * stats.dead[row]:.0f}%", f"{100 * stats.saturated[row]:.0f}%"))
    return rows


def bars_path(counts, x, y, width, height):
    """SVG path data for a histogram of `counts` as bars filling the box (x, y, width, height)."""
    top = max(float(counts.max()), 1.0)
    bar = width / len(counts)
    heights = counts / top * height
    return "".join(f"M{x + i * bar:.1f} {y + height:.1f}h{bar * 0.85:.1f}v{-h:.1f}h{-bar * 0.85:.1f}Z"
                   for i, h in enumerate(heights) if h > 0)


def paint_histograms(ctx, path, stats, layer_names, width, height, theme):
    """A grid of small histograms: one row per layer, columns HISTOGRAMS (weights and biases together)."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    label_width, top = 110.0, 16.0
    columns = (stats.weight_histogram + stats.bias_histogram, stats.gradient_histogram, stats.activation_histogram)
    cell_width = (width - label_width) / len(columns)
    cell_height = (height - top) / max(len(layer_names), 1)
    ctx.font = "11px system-ui, sans-serif"
    ctx.textBaseline = "middle"
    ctx.textAlign = "center"
    ctx.fillStyle = theme.muted_text
    for column, title in enumerate(HISTOGRAMS):
        ctx.fillText(title, label_width + (column + 0.5) * cell_width, top / 2)
    ctx.textAlign = "left"
    for row, name in enumerate(layer_names):
        ctx.fillStyle = theme.muted_text
        ctx.fillText(name, 0, top + (row + 0.5) * cell_height)
    ctx.fillStyle = theme.css(1.0)
    data = "".join(bars_path(counts[row], label_width + column * cell_width + 4, top + row * cell_height + 3,
                             cell_width - 8, cell_height - 6)
                   for column, counts in enumerate(columns) for row in range(len(layer_names)))
    if data:
        ctx.fill(path(data))


def timeline_points(timeline, width, height, low=-8.0, high=2.0):
    """Screen points per layer for log10 of the weight-gradient norm over the epochs of `timeline`:
    a list of (n, 2) arrays, low..high decades mapped bottom..top."""
    epochs = np.array([stats.epoch for stats in timeline], dtype=np.float64)
    norms = np.array([stats.weight_gradient[:, 4] for stats in timeline])  # (epochs, layers)
    decades = np.clip(np.log10(np.maximum(norms, 10.0**low)), low, high)
    xs = (epochs - epochs[0]) / max(epochs[-1] - epochs[0], 1.0) * width
    ys = height - (decades - low) / (high - low) * height
    return [np.column_stack([xs, ys[:, layer]]) for layer in range(norms.shape[1])]


def paint_timeline(ctx, polyline, timeline, layer_names, width, height, theme):
    """Each layer's gradient norm (log scale) over the epochs: lines from light (first hidden layer) to
    dark (output), so a layer whose gradient sinks decades below the others stands out."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    finite = [stats for stats in timeline if np.isfinite(stats.weight_gradient[:, 4]).all()]
    if len(finite) < 2:
        return
    ctx.lineWidth = 1.5
    count = len(layer_names)
    for layer, points in enumerate(timeline_points(finite, width, height - 2)):
        ctx.strokeStyle = theme.css(0.35 + 0.65 * layer / max(count - 1, 1))
        ctx.stroke(polyline(points + (0.0, 1.0)))
