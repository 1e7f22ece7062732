"""Helpers for a training loop, as `torch.nn.utils`: gradient clipping."""
import numpy as np

from ..tensor import Tensor


def clip_grad_norm_(parameters, max_norm):
    """Scale every gradient by max_norm / (total + 1e-6) when their joint L2 norm `total` exceeds `max_norm`,
    so one huge gradient cannot throw the weights far; returns `total` before clipping, as torch.

    >>> w = Tensor([0.0, 0.0], requires_grad=True)
    >>> w.grad = np.array([3.0, 4.0])
    >>> clip_grad_norm_([w], 1.0), w.grad.round(6)
    (5.0, array([0.6, 0.8]))
    """
    with_grads = [p for p in ([parameters] if isinstance(parameters, Tensor) else parameters) if p.grad is not None]
    total = float(np.linalg.norm([np.linalg.norm(p.grad) for p in with_grads])) if with_grads else 0.0
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for param in with_grads:
            param.grad = param.grad * scale  # a new array: a gradient may share memory with another's
    return total
