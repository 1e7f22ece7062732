"""A colour key in words, as `page.build` children: what a colour and a size mean, a swatch for each sign.

Blue is positive and orange negative everywhere, but what is positive changes from picture to picture (a
weight, its gradient, its change), so each walkthrough says it in a key beside its picture.
"""
from app.shared.palette import NEGATIVE, POSITIVE


def key_line(thing, colour, positive, negative, size, size_means):
    """One line of a key: what `thing`'s colour means, a swatch for each sign, and what its `size` means.

    >>> [part[2] for part in key_line("Edge colour", "the weight's sign", "blue +", "orange -", "width", "|w|")]
    ['Edge colour', ": the weight's sign (", '', 'blue +, ', '', 'orange -); ', 'width', ': |w|.']
    """
    def swatch(rgb):
        return ("i", {"class": "swatch", "style": f"background: rgb{rgb}"}, "")
    return [("strong", {}, thing), ("span", {}, f": {colour} ("), swatch(POSITIVE), ("span", {}, f"{positive}, "),
            swatch(NEGATIVE), ("span", {}, f"{negative}); "), ("strong", {}, size), ("span", {}, f": {size_means}.")]
