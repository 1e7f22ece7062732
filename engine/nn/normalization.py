"""Batch normalisation as one fused graph node: `batch_norm`, the op under `nn.BatchNorm1d` and `nn.BatchNorm2d`.

Each channel (axis 1) is normalised over every other axis: the batch, and the length or the pixels. In
training the statistics are the batch's own, and the running estimates are nudged towards them in place;
in evaluation the running estimates are used, so a prediction no longer depends on the rest of its batch.
"""
import numpy as np

from ..tensor import as_tensor, record


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalise each channel of `x` (N, C, ...) to mean 0 and variance 1, then scale by `weight` and shift by
    `bias` (C,), as `torch.nn.functional.batch_norm`. In training the batch's mean and biased variance are
    used and `running_mean`/`running_var` (ndarrays, updated in place) move `momentum` of the way towards
    the batch's mean and unbiased variance.

    >>> mean, var = np.zeros(1), np.ones(1)
    >>> batch_norm(np.array([[1.0], [3.0]]), mean, var, training=True).data.round(4).tolist(), mean, var
    ([[-1.0], [1.0]], array([0.2]), array([1.1]))
    """
    x = as_tensor(x)
    weight, bias = (None if p is None else as_tensor(p) for p in (weight, bias))
    axes = (0, *range(2, x.ndim))  # every axis but the channels'
    shape = (1, -1) + (1,) * (x.ndim - 2)  # a (C,) vector laid along the channel axis
    count = x.data.size // max(x.shape[1], 1)
    if training:
        if count <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input shape "
                             f"{x.shape}; train on a batch of at least 2 samples, or call model.eval() first")
        # sum / count rather than mean and var: numpy's mean goes through Python, and this runs per layer per step
        mean = x.data.sum(axis=axes) / count
        centred = x.data - mean.reshape(shape)
        var = (centred * centred).sum(axis=axes) / count
        running_mean *= 1.0 - momentum
        running_mean += momentum * mean
        running_var *= 1.0 - momentum
        running_var += momentum * var * (count / (count - 1))  # the unbiased estimate, as torch keeps
    else:
        mean, var = running_mean, running_var
        centred = x.data - mean.reshape(shape)
    inv_std = 1.0 / np.sqrt(var + eps)
    normalised = centred * inv_std.reshape(shape)
    scale = (inv_std if weight is None else weight.data * inv_std).reshape(shape)  # d out / d x through `normalised`
    out = normalised * weight.data.reshape(shape) if weight is not None else normalised.copy()  # backward reads it
    if bias is not None:
        out = out + bias.data.reshape(shape)
    parents = (x,) + tuple(p for p in (weight, bias) if p is not None)

    def backward(g):
        g_sum, g_dot = g.sum(axis=axes), (g * normalised).sum(axis=axes)
        if training:  # the batch's mean and variance depend on every input too
            g_x = scale * (g - (g_sum.reshape(shape) + normalised * g_dot.reshape(shape)) / count)
        else:
            g_x = g * scale
        return (g_x,) + ((g_dot,) if weight is not None else ()) + ((g_sum,) if bias is not None else ())

    return record("batch_norm", out, parents, backward)
