"""The diagnostics' histograms: fixed bins for weights, gradients and each activation's values, so a layer's
histogram can be compared with itself at another epoch, and counting many rows of values into them at once.

>>> len(weight_edges()), activation_edges("sigmoid")[:2].tolist()
(21, [0.0, 0.01])
"""
import numpy as np

HISTOGRAM_BINS = 20
# Fixed ranges, so a histogram can be compared with the same layer's at another epoch. Values beyond a
# range are counted in its end bins (a weight of 50 is "off the scale", not absent); NaN is not counted.
WEIGHT_RANGE = (-3.0, 3.0)      # weights and biases
GRADIENT_DECADES = (-8.0, 2.0)  # gradients are binned by log10 |g|, half a decade per bin; 0 falls in the first
ACTIVATION_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "relu": (0.0, 4.0), "leaky_relu": (-1.0, 4.0),
                     "linear": (-4.0, 4.0)}  # the output layer's logits count as "linear"
# A tanh or sigmoid unit is at a rail within RAIL of either end of its range (|tanh| > 0.99, sigmoid < 0.01 or
# > 0.99), where its slope is a few percent of its peak and almost no gradient passes; it is saturated when
# at a rail on more than `monitor.SATURATED_POINTS` of the training points. Their histograms make the rails the end
# bins, with the other 18 bins evenly between, so the picture and the count agree.
RAIL = 0.01
SATURATING = ("tanh", "sigmoid")


def weight_edges():
    """The bin edges of weight and bias histograms."""
    return np.linspace(*WEIGHT_RANGE, HISTOGRAM_BINS + 1)


def gradient_edges():
    """The bin edges of gradient histograms, in log10 |gradient|."""
    return np.linspace(*GRADIENT_DECADES, HISTOGRAM_BINS + 1)


def activation_edges(activation):
    """The bin edges of the activation histogram of a layer with this activation ("linear" for the output).

    >>> activation_edges("tanh")[:3].round(2), activation_edges("relu")[:3]
    (array([-1.  , -0.99, -0.88]), array([0. , 0.2, 0.4]))
    """
    low, high = ACTIVATION_RANGES[activation]
    if activation in SATURATING:
        return np.concatenate([[low], np.linspace(low + RAIL, high - RAIL, HISTOGRAM_BINS - 1), [high]])
    return np.linspace(low, high, HISTOGRAM_BINS + 1)


def clip_in_place(values, low, high):
    """Clip `values` in place between `low` and `high` (arrays that broadcast against it), keeping NaN.
    (Two ufuncs cost less than np.clip with array bounds.)"""
    np.maximum(values, low, out=values)
    np.minimum(values, high, out=values)


def bin_counts(index, position, rows, finite):
    """HISTOGRAM_BINS counts per row from `index`, each value's bin counted from the first bin of row 0;
    entries whose `position` is NaN (possible only when not `finite`) are left out."""
    spill = rows * HISTOGRAM_BINS
    if not finite:
        index[np.isnan(position)] = spill
    return np.bincount(index, minlength=spill + 1)[:spill].reshape(rows, HISTOGRAM_BINS)
