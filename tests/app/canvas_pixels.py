"""The pixels a recorded drawing of discs and rings makes: the canvas's painting order replayed on a grid.

Enough of Canvas 2D for pictures made of whole circles (`arc` from 0 to 2π, each after a `moveTo` onto its
start, as the painters draw them): `fill` paints every disc of the current path, `stroke` every ring of
`lineWidth`, in the order they were called, so what lies on top is what the screen would show. Each pixel
is sampled at its centre (no antialiasing) and holds the CSS colour that painted it last (None: nothing).
"""
import math

import numpy as np


def rasterize(calls, width, height):
    """The (height, width) grid of CSS colours that `calls` (a RecordingContext's) leave on the canvas."""
    y, x = np.mgrid[0:height, 0:width] + 0.5
    pixels = np.full((height, width), None, dtype=object)
    style, circles = {}, []
    for name, args in calls:
        if name.startswith("="):
            style[name[1:]] = args[0]
        elif name == "clearRect" and args == (0, 0, width, height):
            pixels[:] = None
        elif name == "beginPath":
            circles = []
        elif name == "arc":
            cx, cy, radius, start, end = args
            if not math.isclose(end - start, 2 * math.pi):
                raise NotImplementedError(f"rasterize: only whole circles, not an arc from {start} to {end}")
            circles.append((cx, cy, radius))
        elif name in ("fill", "stroke"):
            half = style["lineWidth"] / 2 if name == "stroke" else None
            for cx, cy, radius in circles:
                distance = np.hypot(x - cx, y - cy)
                inside = distance <= radius if half is None else np.abs(distance - radius) <= half
                pixels[inside] = style["fillStyle" if half is None else "strokeStyle"]
        elif name != "moveTo":
            raise NotImplementedError(f"rasterize: {name} is not drawn here")
    return pixels
