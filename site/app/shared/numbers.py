"""How the page writes numbers (the graph, the inspector, the diagnostics' ticks): one number as it is, a
tensor as its mean over how many values it holds, with a real minus sign. Plain numpy, so painters may use it.
"""
import numpy as np


def number(value, digits=4):
    """One number as the page prints it: 4 significant digits (or `digits`), a real minus sign.

    >>> number(-0.000123456), number(2.0), number(float("nan")), number(0.31318, 6)
    ('\u22120.0001235', '2', 'NaN', '0.31318')
    """
    value = float(value)
    if not np.isfinite(value):
        return "NaN" if np.isnan(value) else ("\u221e" if value > 0 else "\u2212\u221e")
    return f"{value:.{digits}g}".replace("-", "\u2212")


def values_text(values, digits=4, counted="values"):
    """A node's data or gradient in words: the number itself, or "mean m over n values" for a tensor
    (`counted` names what is counted; a node box, short of room, passes "", or None to leave the count out).

    >>> values_text(np.array(-3.0)), values_text(np.ones((2, 2))), values_text(np.arange(40.0), 3, "")
    ('\u22123', 'mean 1 over 4 values', 'mean 19.5 over 40')
    >>> values_text(np.arange(40.0), 3, None)
    'mean 19.5'
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size == 1:
        return number(values.ravel()[0], digits)
    mean = f"mean {number(values.mean(), digits)}"
    return mean if counted is None else f"{mean} over {values.size:,} {counted}".rstrip()
