"""Layers and losses as single graph nodes, named as in `torch.nn.functional`.

Each is one fused node with its own backward: a training step then walks a few large nodes instead of
many tiny ones, which is where a Python engine loses its time on small networks.
"""
import numpy as np

from ..kernels import column_sums, sigmoid_array, times_transposed
from ..tensor import Tensor, as_tensor, record
from .conv import conv2d, max_pool2d  # noqa: F401 (public here, as in torch; the window ops share conv.py)
from .normalization import batch_norm  # noqa: F401 (public here, as in torch)


def linear(x, weight, bias=None):
    """`x @ weight.T + bias`, the affine map of `nn.Linear`, with weight laid out (n_out, n_in).

    >>> linear(np.ones((1, 2)), np.array([[1.0, 2.0]]), np.array([0.5])).data
    array([[3.5]])
    """
    x, weight = as_tensor(x), as_tensor(weight)
    x_shape, w_shape = x.data.shape, weight.data.shape
    if len(w_shape) != 2 or not x_shape or x_shape[-1] != w_shape[1]:
        raise ValueError(f"linear: input shape {x.shape} does not fit weight shape {weight.shape}; "
                         "the weight is (n_out, n_in) and the input's last dimension must be n_in")
    out = times_transposed(x.data, weight.data)
    parents = (x, weight)
    if bias is not None:
        bias = as_tensor(bias)
        if bias.data.shape != w_shape[:1]:
            raise ValueError(f"linear: bias shape {bias.shape} does not match weight shape {weight.shape}; "
                             f"expected ({weight.shape[0]},)")
        out += bias.data
        parents += (bias,)

    def backward(g):
        # Batched inputs fold into rows: the weight gradient sums over every sample of every batch.
        rows, inputs = (g, x.data) if g.ndim == 2 else (g.reshape(-1, g.shape[-1]), x.data.reshape(-1, x_shape[-1]))
        grads = (g @ weight.data if x.requires_grad else None,
                 rows.T @ inputs if weight.requires_grad else None)
        return grads + (column_sums(rows),) if bias is not None else grads

    return record("linear", out, parents, backward)


def _same_shape(op, pred, target):
    if pred.shape != target.shape:
        raise ValueError(f"{op}: prediction shape {pred.shape} and target shape {target.shape} differ; "
                         f"reshape the target to {pred.shape}")


def mse_loss(pred, target):
    """Mean squared error, `((pred - target) ** 2).mean()`; shapes must match exactly.

    A (N, 1) prediction against a (N,) target would silently broadcast to (N, N) in numpy, a classic bug,
    so a mismatch is an error here.

    >>> mse_loss(Tensor([1.0, 3.0]), np.array([1.0, 1.0])).item()
    2.0
    """
    pred, target = as_tensor(pred), as_tensor(target)
    _same_shape("mse_loss", pred, target)
    diff = pred.data - target.data
    scale = 2.0 / max(diff.size, 1)

    def backward(g):
        grad = (g * scale) * diff
        return grad, -grad if target.requires_grad else None

    # ndarray.sum is a C call where mean goes through Python; this runs 25 times a frame.
    return record("mse_loss", (diff * diff).sum() * (0.5 * scale), (pred, target), backward)


def cross_entropy(logits, labels):
    """Mean negative log-likelihood of integer class `labels` under `softmax(logits)` (shape (N, C)).

    >>> round(cross_entropy(Tensor([[0.0, 0.0]]), np.array([1])).item(), 4)
    0.6931
    """
    logits = as_tensor(logits)
    labels = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if logits.ndim != 2 or labels.shape != logits.shape[:1]:
        raise ValueError(f"cross_entropy: logits shape {logits.shape} and labels shape {labels.shape} do not fit; "
                         "expected logits (N, C) and integer labels (N,)")
    labels = labels.astype(np.intp)
    if labels.size and (labels.min() < 0 or labels.max() >= logits.shape[1]):
        raise ValueError(f"cross_entropy: labels must lie in 0..{logits.shape[1] - 1}, got {labels.min()}..{labels.max()}")
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    n = max(len(labels), 1)

    def backward(g):
        grad = np.exp(log_probs)
        grad[rows, labels] -= 1.0
        return (grad * (g / n),)

    return record("cross_entropy", -log_probs[rows, labels].sum() / n, (logits,), backward)


def binary_cross_entropy_with_logits(logits, target):
    """Mean binary cross-entropy of targets in [0, 1] under `sigmoid(logits)`, computed without overflow.

    >>> round(binary_cross_entropy_with_logits(Tensor([0.0]), np.array([1.0])).item(), 4)
    0.6931
    """
    logits, target = as_tensor(logits), as_tensor(target)
    _same_shape("binary_cross_entropy_with_logits", logits, target)
    x, t = logits.data, target.data
    n = max(x.size, 1)

    def backward(g):
        probability = sigmoid_array(x)
        return (probability - t) * (g / n), -x * (g / n) if target.requires_grad else None

    # log(1 + exp(x)) - x t, with logaddexp keeping exp from overflowing for large |x|
    return record("bce_with_logits", (np.logaddexp(0.0, x) - x * t).sum() / n, (logits, target), backward)


def l1_penalty(params):
    """Sum of absolute values of all `params`: added to a loss, it pushes weights to exactly zero.

    >>> l1_penalty([Tensor([1.0, -2.0]), Tensor(-3.0)]).item()
    6.0
    """
    return sum((as_tensor(p).abs().sum() for p in params), Tensor(0.0))


def l2_penalty(params):
    """Half the sum of squares of all `params`, so its gradient is the weight itself (weight decay).

    >>> l2_penalty([Tensor([1.0, -2.0]), Tensor(-3.0)]).item()
    7.0
    """
    return sum(((as_tensor(p) ** 2).sum() for p in params), Tensor(0.0)) * 0.5
