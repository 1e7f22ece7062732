"""Paints the prediction: one bar per digit, its height the probability; the predicted digit in the accent
colour (the palette's blue), the digit whose saliency is shown underlined.
"""
import numpy as np

LABEL_HEIGHT = 18


def bar_at(x, width, classes=10):
    """The digit whose bar column holds canvas x.

    >>> bar_at(5, 100), bar_at(99, 100), bar_at(-1, 100)
    (0, 9, None)
    """
    index = int(np.floor(x / (width / classes)))
    return index if 0 <= index < classes else None


def paint_bars(ctx, probabilities, target, width, height, theme, classes=10):
    """One bar per digit; with `probabilities` None (nothing drawn, nothing to read) only the empty axis and
    the digits, greyed: the network's answer for a blank pad is not a prediction."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    column = width / classes
    top, bottom = 16, height - LABEL_HEIGHT
    predicted = None if probabilities is None else int(np.argmax(probabilities))
    ctx.font = "11px system-ui, sans-serif"
    ctx.textAlign = "center"
    for digit in range(classes):
        x = digit * column
        ctx.fillStyle = theme.outline
        ctx.fillRect(x + column * 0.15, bottom - 1, column * 0.7, 1)
        if probabilities is not None:
            probability = float(probabilities[digit])
            bar = (bottom - top) * probability
            ctx.fillStyle = theme.css(1.0) if digit == predicted else theme.muted_text
            ctx.fillRect(x + column * 0.15, bottom - bar, column * 0.7, bar)
            ctx.textBaseline = "bottom"
            ctx.fillStyle = theme.text if digit == predicted else theme.muted_text
            ctx.fillText(f"{100 * probability:.0f}%", x + column / 2, bottom - bar - 2)
        ctx.textBaseline = "top"
        ctx.font = "bold 13px system-ui, sans-serif" if digit == target else "13px system-ui, sans-serif"
        ctx.fillStyle = theme.muted_text if probabilities is None else theme.text
        ctx.fillText(str(digit), x + column / 2, bottom + 2)
        if digit == target:
            ctx.fillRect(x + column * 0.3, height - 2, column * 0.4, 2)
        ctx.font = "11px system-ui, sans-serif"
