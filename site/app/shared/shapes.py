"""SVG path data for many shapes at once: a painter hands one string to `page.path` and draws every shape in
it with one fill or stroke, since each call from Python into JavaScript costs microseconds.
"""
import numpy as np


def circles_path(centres, radius):
    """SVG path data for circles of one radius around `centres` (k, 2): one fill or stroke draws them all.

    >>> circles_path(np.array([[10.0, 20.0]]), 2.0)
    'M12.0 20.0A2.0 2.0 0 1 0 8.0 20.0A2.0 2.0 0 1 0 12.0 20.0Z'
    """
    if not len(centres):
        return ""
    x, y = np.asarray(centres, dtype=np.float64).T
    points = np.column_stack([x + radius, y, x - radius, y, x + radius, y])
    one = f"M%.1f %.1fA{radius:.1f} {radius:.1f} 0 1 0 %.1f %.1fA{radius:.1f} {radius:.1f} 0 1 0 %.1f %.1fZ"
    return (one * len(points)) % tuple(points.ravel().tolist())


def lines_path(segments):
    """SVG path data for straight lines (k, 4) of x0, y0, x1, y1: one stroke draws them all.

    >>> lines_path(np.array([[0.0, 1.0, 30.0, 4.5]]))
    'M0.0 1.0L30.0 4.5'
    """
    segments = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
    return ("M%.1f %.1fL%.1f %.1f" * len(segments)) % tuple(segments.ravel().tolist())
