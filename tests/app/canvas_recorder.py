"""A recording stand-in for CanvasRenderingContext2D that accepts only what the real API has.

Drawing code is tested in CPython against it: a typo'd method or property fails here as it would in the
browser, and the recorded calls let tests check what was drawn.
"""

METHODS = frozenset("""
arc arcTo beginPath bezierCurveTo clearRect clip closePath createConicGradient createImageData
createLinearGradient createPattern createRadialGradient drawFocusIfNeeded drawImage ellipse fill fillRect
fillText getContextAttributes getImageData getLineDash getTransform isContextLost isPointInPath
isPointInStroke lineTo measureText moveTo putImageData quadraticCurveTo rect reset resetTransform restore
rotate roundRect save scale setLineDash setTransform stroke strokeRect strokeText transform translate
""".split())

PROPERTIES = frozenset("""
canvas direction fillStyle filter font fontKerning fontStretch fontVariantCaps globalAlpha
globalCompositeOperation imageSmoothingEnabled imageSmoothingQuality letterSpacing lineCap lineDashOffset
lineJoin lineWidth miterLimit shadowBlur shadowColor shadowOffsetX shadowOffsetY strokeStyle textAlign
textBaseline textRendering wordSpacing
""".split())


class TextMetrics:
    def __init__(self, width):
        self.width = width


class RecordingContext:
    """Records `(name, args)` for every call and `(name, value)` for every property set, in order."""

    def __init__(self):
        object.__setattr__(self, "calls", [])
        object.__setattr__(self, "state", {})

    def __getattr__(self, name):
        if name == "measureText":  # a TextMetrics whose width is a fixed 7 px a character
            return lambda text: (self.calls.append((name, (text,))), TextMetrics(7.0 * len(text)))[1]
        if name in METHODS:
            return lambda *args: self.calls.append((name, args))
        if name in PROPERTIES:
            return self.state.get(name)
        raise AttributeError(f"CanvasRenderingContext2D has no {name!r}")

    def __setattr__(self, name, value):
        if name not in PROPERTIES:
            raise AttributeError(f"CanvasRenderingContext2D has no property {name!r}")
        self.state[name] = value
        self.calls.append(("=" + name, (value,)))

    def named(self, name):
        """The argument tuples of every call to method `name`."""
        return [args for called, args in self.calls if called == name]

    def assigned(self, name):
        """Every value property `name` was set to, in order."""
        return [args[0] for args in self.named("=" + name)]
