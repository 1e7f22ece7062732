"""What an MLP does with one digit, read from the engine: the input, every hidden layer's activations (caught
by forward hooks on its activation modules), the ten probabilities, and the weights that joined them.

The MLP view paints only these arrays, so everything it shows is the engine's own forward pass.
"""
from typing import NamedTuple

import numpy as np

from engine import nn, no_grad


class MlpReading(NamedTuple):
    """One digit through an MLP; layer 0 is the input, then each hidden layer, so `activations[l]` is what
    `weights[l]` multiplies on its way to layer l + 1."""

    activations: list      # (784,) pixels in [0, 1], then (units,) per hidden layer, after its activation
    probabilities: np.ndarray  # (10,): the softmax of the output layer's scores
    weights: list          # per Linear layer, (n_out, n_in) as `nn.Linear.weight`: [j, i] joins i to j


def mlp_layers(model):
    """(Linear layers, activation modules) of `model`, checked to be an MLP the view can draw: an
    nn.Sequential of Linear layers, each but the last followed by exactly one activation module.

    >>> linears, activations = mlp_layers(nn.MLP(4, [3], 2, activation="relu"))
    >>> [layer.n_out for layer in linears], activations
    ([3, 2], [ReLU()])
    """
    modules = list(model) if isinstance(model, nn.Sequential) else [model]
    for position, module in enumerate(modules):
        wanted_linear = position % 2 == 0
        if isinstance(module, nn.Linear) != wanted_linear:
            wanted = "an nn.Linear" if wanted_linear else "an activation (nn.ReLU, nn.Tanh, ...)"
            raise ValueError(f"the MLP view draws an nn.Sequential of Linear layers, each followed by one "
                             f"activation; module {position} is {type(module).__name__}, where {wanted} belongs. "
                             "Show this model with the CNN's views, or build it with nn.MLP.")
    if len(modules) % 2 == 0:
        raise ValueError(f"the MLP view needs a Linear layer last (the digit scores); this model ends with "
                         f"{type(modules[-1]).__name__}: remove it, or build the model with nn.MLP.")
    return modules[::2], modules[1::2]


def inspect_mlp(model, pixels):
    """Run one digit (`pixels`: 784 values, or 28x28, as pixel/255 in [0, 1]) through `model` once, without
    building a graph, and read every layer's output from forward hooks."""
    linears, activations = mlp_layers(model)
    pixels = one_digit(linears, pixels, "inspect_mlp")
    outputs = []
    handles = [module.register_forward_hook(lambda module, inputs, output: outputs.append(output.data[0]))
               for module in activations]
    try:
        with no_grad():
            scores = model(pixels)
    finally:
        for handle in handles:
            handle.remove()
    return MlpReading([pixels[0], *outputs], scores.softmax().data[0], [layer.weight.data for layer in linears])


def one_digit(linears, pixels, caller):
    """`pixels` as the one-row batch (1, n_in) the MLP of `linears` takes, or a ValueError naming `caller`
    and the pixels' shape."""
    pixels = np.asarray(pixels, dtype=np.float64)
    if pixels.size != linears[0].n_in:
        raise ValueError(f"{caller}: the model takes {linears[0].n_in} inputs, but the digit has "
                         f"{pixels.size} pixels (shape {pixels.shape}); pass one image of {linears[0].n_in} pixels.")
    return pixels.reshape(1, -1)
