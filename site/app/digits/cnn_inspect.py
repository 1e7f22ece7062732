"""What a network does with one digit, read from the engine: the class probabilities, every layer's output
(caught by forward hooks), and the gradient of one class's score with respect to the input (the saliency
map) and to every layer's output, from one forward and one backward pass. Written for the CNN's views, it
reads any nn.Sequential: the lab also takes the MLP's probabilities and saliency from it.
"""
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np

from engine import Tensor

KIND_NAMES = {"Conv2d": "conv", "ReLU": "ReLU", "MaxPool2d": "pool", "Linear": "dense", "Flatten": "flatten",
              "Tanh": "tanh", "Sigmoid": "sigmoid", "LeakyReLU": "leaky ReLU", "Identity": "identity",
              "BatchNorm1d": "batch norm", "BatchNorm2d": "batch norm", "Dropout": "dropout"}


class Layer(NamedTuple):
    """One layer's output for the image, and the gradient of the class score with respect to it."""

    name: str              # "conv 1", "ReLU 1", "pool 1", ..., "dense 1"
    module: object         # the engine module, whose weights the filter view draws
    values: np.ndarray     # (channels, height, width) for maps, (units,) after flattening
    gradient: np.ndarray   # same shape


class Inspection(NamedTuple):
    probabilities: np.ndarray  # (classes,) softmax of the scores
    target: int                # the class whose score the gradients belong to
    image: np.ndarray          # (28, 28) input in 0..1
    saliency: np.ndarray       # (28, 28) d score[target] / d input
    layers: list               # Layer per module, in order


def layer_names(model):
    """Each module's name for people: its kind and its number among its kind ("conv 2").

    >>> from engine import nn
    >>> layer_names(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Conv2d(2, 2, 3), nn.Flatten()))
    ['conv 1', 'ReLU 1', 'conv 2', 'flatten 1']
    """
    seen, names = {}, []
    for module in model:
        kind = KIND_NAMES.get(type(module).__name__, type(module).__name__)
        seen[kind] = seen.get(kind, 0) + 1
        names.append(f"{kind} {seen[kind]}")
    return names


@contextmanager
def frozen(model):
    """Parameters that need no gradient for a while: backward then follows only the input's path, and the
    weights' `.grad`, which training owns, stays as it was."""
    params = model.parameters()
    for param in params:
        param.requires_grad = False
    try:
        yield
    finally:
        for param in params:
            param.requires_grad = True


def inspect(model, image, target=None, input_shape=None):
    """Run `image` ((28, 28) in 0..1) through `model` (an nn.Sequential) once forward and once backward,
    shaped as the model takes one image: `input_shape`, by default (1, 28, 28), a CNN's one channel;
    (784,) for an MLP.

    The gradients are of the `target` class's score (the logit, before softmax: what the class "wants",
    not diluted by the others' competition), and of the predicted class when `target` is None.
    """
    image = np.asarray(image, dtype=np.float64)
    shape = (1, *image.shape) if input_shape is None else tuple(input_shape)
    x = Tensor(image.reshape(1, *shape), requires_grad=True)
    outputs = []
    handles = [module.register_forward_hook(lambda module, inputs, output: outputs.append(output))
               for module in model]
    try:
        with frozen(model):
            scores = model(x)
            probabilities = scores.softmax().data[0]
            target = int(probabilities.argmax()) if target is None else int(target)
            scores[0, target].backward()
    finally:
        for handle in handles:
            handle.remove()
    layers = [Layer(name, module, output.data[0], _gradient(output)[0])
              for name, module, output in zip(layer_names(model), model, outputs)]
    return Inspection(probabilities, target, image, _gradient(x)[0].reshape(image.shape), layers)


def _gradient(tensor):
    """A node's gradient, or zeros where none reached it (a score that does not depend on it)."""
    return tensor.grad if tensor.grad is not None else np.zeros_like(tensor.data)


def statistics(values):
    """Mean, standard deviation, minimum, maximum and the share of exact zeros (dead or pooled-away units).

    >>> statistics(np.array([0.0, 0.0, 1.0, 3.0]))
    {'mean': 1.0, 'std': 1.224744871391589, 'min': 0.0, 'max': 3.0, 'zeros': 0.5}
    """
    return {"mean": float(values.mean()), "std": float(values.std()), "min": float(values.min()),
            "max": float(values.max()), "zeros": float((values == 0).mean())}
