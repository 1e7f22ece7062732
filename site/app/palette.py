"""Colours: a diverging orange-to-blue scale that colour-blind viewers can read, in light and dark themes.

Orange means negative and blue positive, as in TensorFlow Playground; the two ends differ in lightness as
well as hue, so they stay apart under every common colour-vision deficiency. The neutral middle follows
the theme so that zero fades into the background.
"""
from dataclasses import dataclass, field

import numpy as np

NEGATIVE = (232, 125, 13)  # orange
POSITIVE = (8, 102, 170)   # blue


LEVELS = 255  # colours on the scale: odd, so that zero has a level of its own (the neutral one)


@dataclass(frozen=True)
class Palette:
    """The colours of one theme; `rgb`/`css` map a value in [-1, 1] onto the diverging scale."""

    neutral: tuple
    background: str
    text: str
    muted_text: str
    outline: str
    table: np.ndarray = field(init=False, repr=False, compare=False)  # (LEVELS, 4) RGBA

    def __post_init__(self):
        # Interpolate neutral -> orange below zero and neutral -> blue above it, once per theme: mapping a
        # 100 x 100 heatmap is then a single table look-up per frame.
        levels = np.linspace(-1.0, 1.0, LEVELS)[:, None]
        end = np.where(levels < 0, np.array(NEGATIVE, float), np.array(POSITIVE, float))
        neutral = np.array(self.neutral, float)
        rgb = np.rint(neutral + np.abs(levels) * (end - neutral)).astype(np.uint8)
        object.__setattr__(self, "table", np.concatenate([rgb, np.full((LEVELS, 1), 255, np.uint8)], axis=1))

    def rgb(self, values):
        """Values clipped to [-1, 1] as uint8 RGB, interpolating neutral -> orange (< 0) or blue (> 0).

        Works on arrays of any shape (heatmaps) as well as on single numbers (neurons, edges); NaN counts
        as zero, so a diverged network draws as neutral instead of garbage.

        >>> LIGHT.rgb(np.array([-1.0, 0.0, 1.0])).tolist()
        [[232, 125, 13], [236, 238, 240], [8, 102, 170]]
        """
        return self.rgba(values)[..., :3]

    def rgba(self, values):
        """As `rgb`, with an opaque alpha channel: ready for `ImageData`."""
        level = np.rint((np.clip(np.asarray(values, dtype=np.float64), -1.0, 1.0) + 1.0) * ((LEVELS - 1) / 2))
        # NaN is the only value unequal to itself: it takes the neutral level (cheaper than np.nan_to_num,
        # which matters at a few dozen calls a frame).
        return self.table[np.where(level == level, level, (LEVELS - 1) // 2).astype(np.intp)]

    def css(self, value):
        """One value as a CSS colour string.

        >>> LIGHT.css(1.0)
        'rgb(8,102,170)'
        """
        r, g, b = self.rgb(value).tolist()
        return f"rgb({r},{g},{b})"


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
