"""What each slab of the lab shows, in numbers and words: the input and every layer but Flatten (whose
values are pool 2's, laid flat), each with its values, its gradient and the weights behind it.
"""
from typing import NamedTuple

import numpy as np

from app.digits.cnn_inspect import statistics

STATS_HEADER = ("layer", "shape", "mean", "std", "max", "zeros", "|gradient|")


class SlabView(NamedTuple):
    name: str
    values: np.ndarray     # (channels, height, width) maps, or (units,)
    gradient: np.ndarray   # d score / d values, same shape
    module: object         # the engine module (None for the input)


def slabs_of(inspection):
    """The input (one 28x28 map, its gradient the saliency) and then every layer that is not a Flatten."""
    shown = [SlabView("input", inspection.image[None], inspection.saliency[None], None)]
    return shown + [SlabView(layer.name, layer.values, layer.gradient, layer.module)
                    for layer in inspection.layers if type(layer.module).__name__ != "Flatten"]


def weights_behind(slabs, index):
    """(name, weight array) of the layer whose weights made slab `index`'s values: its own, or for a ReLU, a
    pooling, a dropout or a batch norm layer (whose weight is one scale per unit or map, no filter) the nearest
    layer before it with filters or a weight matrix; (None, None) for the input."""
    for slab in reversed(slabs[1:index + 1]):
        weight = getattr(slab.module, "weight", None)
        if weight is not None and weight.ndim >= 2:
            return slab.name, weight.data
    return None, None


def describe_shape(shape):
    """
    >>> describe_shape((6, 14, 14)), describe_shape((10,))
    ('6 maps of 14x14', '10 units')
    """
    return f"{shape[0]} maps of {shape[1]}x{shape[2]}" if len(shape) == 3 else f"{shape[0]} units"


def describe_filters(name, weighted, weight, module=None):
    """What the filters panel shows for slab `name` (made by the engine `module`), whose values the weights of
    `weighted` made."""
    if getattr(module, "running_var", None) is not None:  # a batch norm: it scales what the layer before made
        part = "map" if type(module).__name__ == "BatchNorm2d" else "unit"
        own = (f"{name} takes from each {part} the mean and divides by the spread its training batches had (its "
               f"running statistics), then scales and shifts each {part} by two numbers of its own. ")
        return own + ("Its input is the drawing." if weight is None else
                      f"Shown are the weights before it: {describe_filters(weighted, weighted, weight)}")
    if weight is None:
        return "The input has no weights: shown is the drawing as the network receives it."
    shape = " x ".join(map(str, weight.shape))
    kernel = "x".join(map(str, weight.shape[2:]))
    if weight.ndim == 4 and weight.shape[1] == 1:
        what = (f"{weighted}'s filters ({shape}): one {kernel} filter per map, in the grid of its maps; "
                "blue weights add, orange subtract.")
    elif weight.ndim == 4:
        what = (f"{weighted}'s filters ({shape}): one row per output map, one {kernel} filter per input map; "
                "blue weights add, orange subtract.")
    else:
        what = f"{weighted}'s weights ({shape}): one row per unit it computes, one column per input."
    return what if weighted == name else f"{name} has no weights of its own; its input comes from {what}"


def statistics_rows(slabs):
    """One table row per slab: shape, mean, std, max, share of zeros and the RMS of the gradient."""
    rows = []
    for slab in slabs:
        stats = statistics(slab.values)
        rows.append((slab.name, " x ".join(map(str, slab.values.shape)), f"{stats['mean']:.3f}", f"{stats['std']:.3f}",
                     f"{stats['max']:.3f}", f"{100 * stats['zeros']:.0f}%", f"{np.sqrt(np.mean(slab.gradient**2)):.3g}"))
    return rows
