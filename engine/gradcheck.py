"""A central-difference gradient checker, shipped so any op (or a whole network) can be verified.

It only reads and writes `.data` and `.grad` and calls `.backward()`, so it needs no engine
internals: the same checker proves the engine's ops in the tests and powers the page's "Check
gradients" button on the live network.

>>> from engine import Tensor
>>> x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
>>> check_gradients(lambda inputs: (inputs[0].tanh() * inputs[0]).sum(), [x]) < 1e-8
True
"""
import numpy as np


def numerical_gradient(f, inputs, eps=1e-6):
    """Estimate d f(inputs) / d input for each input by central differences, one entry at a time.

    `f` maps the list `inputs` of Tensors to a scalar Tensor; it may also ignore its argument and
    close over the tensors (a network's parameters), because each entry is nudged in place.
    Costs two evaluations of `f` per entry, and the truncation error is O(eps^2).
    """
    gradients = []
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


def gradient_errors(f, inputs, eps=1e-6):
    """Largest error per input between backward's gradient and `numerical_gradient`'s.

    The error of one entry is |a - n| / max(|a| + |n|, 1): relative for gradients larger than about
    1 and absolute below, so entries that should be exactly 0 (where central differences leave
    ~1e-10 of rounding noise) do not divide noise by noise. A correct op in float64 scores about
    1e-9; a wrong one about 1e-1. The inputs' existing `.grad` values are restored afterwards.
    """
    saved = [tensor.grad for tensor in inputs]
    for tensor in inputs:
        tensor.grad = None
    try:
        f(inputs).backward()
        analytic = [np.zeros_like(t.data) if t.grad is None else np.array(t.grad) for t in inputs]
    finally:
        for tensor, grad in zip(inputs, saved):
            tensor.grad = grad
    errors = []
    for a, n in zip(analytic, numerical_gradient(f, inputs, eps)):
        error = np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1.0)
        errors.append(float(error.max(initial=0.0)))
    return errors


def check_gradients(f, inputs, eps=1e-6):
    """The largest of `gradient_errors(f, inputs, eps)`: near 1e-9 when backward is right."""
    return max(gradient_errors(f, inputs, eps), default=0.0)
