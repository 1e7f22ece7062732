"""Colours: a diverging orange-to-blue scale that colour-blind viewers can read, in light and dark themes.

Orange means negative and blue positive, as in TensorFlow Playground; the two ends differ in lightness as
well as hue, so they stay apart under every common colour-vision deficiency. The neutral middle follows
the theme so that zero fades into the background. The scale is perceptual: it is interpolated in OKLab
(Björn Ottosson's perceptual colour space), so equal steps in value look like equal steps in colour, and
an activation of 0.5 looks half as strong as one of 1 (mixing the RGB values instead makes the middle of
the scale look washed out).
"""
from dataclasses import dataclass, field

import numpy as np

NEGATIVE = (232, 125, 13)  # orange
POSITIVE = (8, 102, 170)   # blue


LEVELS = 255  # colours on the scale: odd, so that zero has a level of its own (the neutral one)

# Linear sRGB -> LMS cone responses, and cube-rooted LMS -> OKLab (L, a, b): OKLab's published matrices.
_RGB_TO_LMS = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                        [0.2119034982, 0.6806995451, 0.1073969566],
                        [0.0883024619, 0.2817188376, 0.6299787005]])
_LMS_TO_OKLAB = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                          [1.9779984951, -2.4285922050, 0.4505937099],
                          [0.0259040371, 0.7827717662, -0.8086757660]])


def to_oklab(rgb):
    """sRGB colours (0-255, last axis RGB) in OKLab.

    >>> to_oklab([(0, 0, 0), (255, 255, 255)])[:, 0].round(3).tolist()  # lightness: black 0, white 1
    [0.0, 1.0]
    """
    c = np.asarray(rgb, dtype=np.float64) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.cbrt(linear @ _RGB_TO_LMS.T) @ _LMS_TO_OKLAB.T


def from_oklab(lab):
    """OKLab colours as uint8 sRGB (out-of-gamut channels clipped): the inverse of `to_oklab`.

    >>> from_oklab(to_oklab([[232, 125, 13], [8, 102, 170]])).tolist()
    [[232, 125, 13], [8, 102, 170]]
    """
    linear = np.clip((lab @ np.linalg.inv(_LMS_TO_OKLAB).T) ** 3 @ np.linalg.inv(_RGB_TO_LMS).T, 0.0, 1.0)
    c = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
    return np.rint(c * 255).astype(np.uint8)


@dataclass(frozen=True)
class Palette:
    """The colours of one theme; `rgb`/`css` map a value in [-1, 1] onto the diverging scale."""

    neutral: tuple
    background: str
    text: str
    muted_text: str
    outline: str
    table: np.ndarray = field(init=False, repr=False, compare=False)  # (LEVELS, 4) RGBA
    # The same rows as one uint32 each: a heatmap gathers 4-byte words, ten times faster in Pyodide's
    # numpy than gathering (n, 4) rows of bytes.
    packed: np.ndarray = field(init=False, repr=False, compare=False)
    css_table: tuple = field(init=False, repr=False, compare=False)   # the same levels as CSS strings

    def __post_init__(self):
        # Interpolate neutral -> orange below zero and neutral -> blue above it in OKLab, once per theme:
        # mapping a 100 x 100 heatmap is then a single table look-up per frame.
        levels = np.linspace(-1.0, 1.0, LEVELS)[:, None]
        end = np.where(levels < 0, to_oklab(NEGATIVE), to_oklab(POSITIVE))
        neutral = to_oklab(self.neutral)
        rgb = from_oklab(neutral + np.abs(levels) * (end - neutral))
        table = np.concatenate([rgb, np.full((LEVELS, 1), 255, np.uint8)], axis=1)
        object.__setattr__(self, "table", table)
        object.__setattr__(self, "packed", table.view(np.uint32)[:, 0])
        object.__setattr__(self, "css_table", tuple(f"rgb({r},{g},{b})" for r, g, b in rgb.tolist()))

    def rgb(self, values):
        """Values clipped to [-1, 1] as uint8 RGB, from neutral to orange (< 0) or blue (> 0) in OKLab.

        Works on arrays of any shape (heatmaps) as well as on single numbers (neurons, edges); NaN counts
        as zero, so a diverged network draws as neutral instead of garbage.

        >>> LIGHT.rgb(np.array([-1.0, 0.0, 1.0])).tolist()
        [[232, 125, 13], [236, 238, 240], [8, 102, 170]]
        """
        return self.rgba(values)[..., :3]

    def rgba(self, values):
        """As `rgb`, with an opaque alpha channel: ready for `ImageData`."""
        values = np.asarray(values, dtype=np.float64)
        level = np.clip(values, -1.0, 1.0).reshape(-1)  # an array even for one number, so `out=` works
        level += 1.0
        level *= (LEVELS - 1) / 2
        np.rint(level, out=level)
        # NaN is the only value unequal to itself: it takes the neutral level (cheaper than np.nan_to_num,
        # which matters at a few dozen calls a frame).
        index = np.where(level == level, level, (LEVELS - 1) // 2).astype(np.intp)
        return self.packed[index].view(np.uint8).reshape(*values.shape, 4)

    def css(self, value):
        """One value as a CSS colour string.

        >>> LIGHT.css(1.0)
        'rgb(8,102,170)'
        """
        value = float(value)
        if value != value:  # NaN draws as neutral, as in `rgb`
            value = 0.0
        # Plain Python on one number: painters ask for a dozen colours a frame, and numpy's per-call
        # overhead would cost more than the look-up. round() rounds half to even, as np.rint does.
        return self.css_table[round((min(max(value, -1.0), 1.0) + 1.0) * ((LEVELS - 1) / 2))]

    def ink(self, shares):
        """Grey levels as ink on this theme's paper, RGBA ready for `ImageData`: a share of 0 (clipped) is the
        background, 1 the text colour, as a digit looks written on the pad.

        >>> LIGHT.ink(np.array([0.0, 0.5, 1.0])).tolist()
        [[255, 255, 255, 255], [142, 145, 148, 255], [29, 35, 41, 255]]
        """
        paper, ink = (np.array([int(css[i:i + 2], 16) for i in (1, 3, 5)], float) for css in (self.background, self.text))
        share = np.clip(np.asarray(shares, dtype=np.float64), 0.0, 1.0)[..., None]
        rgb = np.rint(paper + share * (ink - paper)).astype(np.uint8)
        return np.ascontiguousarray(np.concatenate([rgb, np.full((*rgb.shape[:-1], 1), 255, np.uint8)], axis=-1))


LIGHT = Palette(neutral=(236, 238, 240), background="#ffffff", text="#1d2329", muted_text="#5b6670",
                outline="#9aa4ad")
DARK = Palette(neutral=(52, 58, 66), background="#15191e", text="#e6e9ec", muted_text="#9aa6b1",
               outline="#5d6873")


def readable_text(rgb):
    """Black or white, whichever reads better on a fill of colour `rgb` (by relative luminance).

    >>> readable_text((8, 102, 170)), readable_text((236, 238, 240))
    ('#ffffff', '#111111')
    """
    luminance = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255
    return "#111111" if luminance > 0.5 else "#ffffff"
