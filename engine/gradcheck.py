"""A central-difference gradient checker, shipped so any op (or a whole network) can be verified.

It only reads and writes `.data` and `.grad` and calls `.backward()`, so it needs no engine
internals: the same checker proves the engine's ops in the tests and powers the page's "Check
gradients" button on the live network.

>>> from engine import Tensor
>>> x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
>>> check_gradients(lambda inputs: (inputs[0].tanh() * inputs[0]).sum(), [x]) < 1e-8
True
"""
from contextlib import contextmanager

import numpy as np

from .tensor import no_grad


@contextmanager
def set_aside_grads(tensors):
    """Inside this block each tensor's `.grad` starts empty; after it, the one it had is put back. A
    backward pass inside measures a gradient without adding to those training has accumulated.

    >>> from engine import Tensor
    >>> w = Tensor(3.0, requires_grad=True)
    >>> w.grad = np.array(100.0)
    >>> with set_aside_grads([w]):
    ...     (w * w).backward()
    ...     print(w.grad)
    6.0
    >>> print(w.grad)
    100.0
    """
    tensors = list(tensors)
    saved = [tensor.grad for tensor in tensors]
    for tensor in tensors:
        tensor.grad = None
    try:
        yield
    finally:
        for tensor, grad in zip(tensors, saved):
            tensor.grad = grad


def numerical_gradient(f, inputs, eps=1e-6):
    """Estimate d f(inputs) / d input for each input by central differences, one entry at a time.

    `f` maps the list `inputs` of Tensors to a scalar Tensor; it may also ignore its argument and
    close over the tensors (a network's parameters), because each entry is nudged in place.
    Costs two evaluations of `f` per entry (values only: they build no graph), and the truncation
    error is O(eps^2).

    >>> from engine import Tensor
    >>> x = Tensor([1.0, -2.0], requires_grad=True)
    >>> [g.round(6).tolist() for g in numerical_gradient(lambda xs: (xs[0] ** 3).sum(), [x])]
    [[3.0, 12.0]]
    """
    gradients = []
    with no_grad():
        for tensor in inputs:
            gradient = np.zeros_like(tensor.data)
            for index in np.ndindex(tensor.data.shape):  # indexing in place works for any memory layout
                original = tensor.data[index]
                tensor.data[index] = original + eps
                above = f(inputs).item()
                tensor.data[index] = original - eps
                below = f(inputs).item()
                tensor.data[index] = original
                gradient[index] = (above - below) / (2 * eps)
            gradients.append(gradient)
    return gradients


def gradient_errors(f, inputs, eps=1e-6, floor=1.0):
    """Largest error per input between backward's gradient and `numerical_gradient`'s.

    The error of one entry is |a - n| / max(|a| + |n|, floor). With the default floor of 1 it is
    relative for gradients larger than about 1 and absolute below, so entries that should be exactly 0
    (where central differences leave ~1e-10 of rounding noise) do not divide noise by noise; a smaller
    floor judges small gradients relatively too (the page's check uses 1e-6 times the loss). A correct
    op in float64 scores about 1e-9; a wrong one about 1e-1. The inputs' `.grad` are left as they were.

    >>> from engine import Tensor
    >>> x, y = Tensor([1.0, -2.0], requires_grad=True), Tensor(0.5, requires_grad=True)
    >>> [error < 1e-8 for error in gradient_errors(lambda xs: (xs[0] ** 3 * xs[1]).sum(), [x, y])]
    [True, True]
    """
    with set_aside_grads(inputs):
        f(inputs).backward()
        analytic = [np.zeros_like(t.data) if t.grad is None else np.array(t.grad) for t in inputs]
    errors = []
    for a, n in zip(analytic, numerical_gradient(f, inputs, eps)):
        error = np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)
        errors.append(float(error.max(initial=0.0)))
    return errors


def check_gradients(f, inputs, eps=1e-6, floor=1.0):
    """The largest of `gradient_errors(f, inputs, eps, floor)`: near 1e-9 when backward is right.

    >>> from engine import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> check_gradients(lambda xs: (xs[0] * xs[0].detach()).sum(), [x]) > 0.1  # backward sees x, not 2x
    True
    """
    return max(gradient_errors(f, inputs, eps, floor), default=0.0)
