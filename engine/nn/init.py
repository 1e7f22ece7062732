"""Weight initialisation with torch.nn.init's formulas: each fills `tensor.data` in place and returns the tensor.

The spread a layer starts from decides whether signals and gradients keep their size through many layers:
Xavier (Glorot) keeps the variance for tanh, sigmoid and linear units, He (Kaiming) makes up for ReLU
zeroing half of them. Fans follow torch's layout: a Linear weight is (out, in), a Conv2d weight (out, in,
kh, kw), so fan_in = in * kh * kw and fan_out = out * kh * kw. Randomness comes from `rng` (an
`np.random.Generator`; a seeded default when None).
"""
import math

import numpy as np

_GAINS = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3,
          "relu": math.sqrt(2.0), "selu": 3.0 / 4}


def calculate_gain(nonlinearity, param=None):
    """The factor by which to scale a layer's spread to keep the variance through `nonlinearity`, as torch.

    >>> calculate_gain("tanh"), calculate_gain("leaky_relu", 0.2)
    (1.6666666666666667, 1.3867504905630728)
    """
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative slope {param!r} is not a number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity not in _GAINS:
        raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; choose one of "
                         f"{', '.join([*_GAINS, 'leaky_relu'])}")
    return _GAINS[nonlinearity]


def _fans(tensor):
    """(fan_in, fan_out) of a weight laid out (out, in, *kernel), as torch's `_calculate_fan_in_and_fan_out`."""
    shape = tensor.data.shape
    if len(shape) < 2:
        raise ValueError(f"init: fan in and fan out need a weight of 2 or more dimensions, got shape {shape}; "
                         "initialise a bias with zeros_ or uniform_")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fill(tensor, values):
    tensor.data[...] = values
    return tensor


def _generator(rng):
    return np.random.default_rng(0) if rng is None else rng


def uniform_(tensor, a=0.0, b=1.0, rng=None):
    """Fill with values drawn uniformly from [a, b).

    >>> from engine import Tensor
    >>> uniform_(Tensor(np.zeros(3)), -1, 1).data.round(3)
    array([ 0.274, -0.46 , -0.918])
    """
    return _fill(tensor, _generator(rng).uniform(a, b, size=tensor.data.shape))


def zeros_(tensor):
    """Fill with 0: every unit of a layer then computes the same thing and learns the same thing."""
    return _fill(tensor, 0.0)


def ones_(tensor):
    """Fill with 1."""
    return _fill(tensor, 1.0)


def xavier_uniform_(tensor, gain=1.0, rng=None):
    """Glorot: uniform in ±gain * sqrt(6 / (fan_in + fan_out)).

    >>> from engine import Tensor
    >>> bool(abs(xavier_uniform_(Tensor(np.zeros((300, 100)))).data).max() <= np.sqrt(6 / 400))
    True
    """
    bound = gain * math.sqrt(6.0 / sum(_fans(tensor)))
    return _fill(tensor, _generator(rng).uniform(-bound, bound, size=tensor.data.shape))


def xavier_normal_(tensor, gain=1.0, rng=None):
    """Glorot: normal with mean 0 and std gain * sqrt(2 / (fan_in + fan_out))."""
    std = gain * math.sqrt(2.0 / sum(_fans(tensor)))
    return _fill(tensor, _generator(rng).normal(0.0, std, size=tensor.data.shape))


def _kaiming_std(tensor, a, mode, nonlinearity):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"init: mode {mode!r} is not 'fan_in' (keeps the forward signal) or 'fan_out' "
                         "(keeps the backward gradient)")
    fan_in, fan_out = _fans(tensor)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He: normal with mean 0 and std gain / sqrt(fan), the gain of `nonlinearity` (negative slope `a`)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return _fill(tensor, _generator(rng).normal(0.0, std, size=tensor.data.shape))


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He: uniform in ±sqrt(3) * gain / sqrt(fan), the same spread as `kaiming_normal_`."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return _fill(tensor, _generator(rng).uniform(-bound, bound, size=tensor.data.shape))
