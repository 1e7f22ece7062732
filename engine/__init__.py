"""gradcanvas's autograd engine: numpy tensors that record their graph, with PyTorch's names.

What a user may type in the editor::

    from engine import Tensor, nn, optim, data
    from engine.nn import functional as F
"""
from . import data, nn, optim, weights
from .tensor import Tensor, first_nonfinite, no_grad, topological_order

__all__ = ["Tensor", "nn", "optim", "data", "weights", "no_grad", "topological_order", "first_nonfinite"]
