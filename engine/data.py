"""The 2-D toy datasets the page trains on, their input features, and a train/test split.

The geometry follows TensorFlow Playground (points in about [-6, 6]^2, spiral and circle radius 5) so
its lessons carry over; `moons` and `blobs3` are additions. Every function draws from an
`np.random.Generator` built from the caller's seed, never from global state, so a shared link
reproduces the same points.

>>> X, y = make("circle", n=4, seed=0)
>>> X.shape, y.shape, X.dtype, y.dtype
((4, 2), (4,), dtype('float64'), dtype('int64'))
"""
import numpy as np

# Labels are 0/1 (blobs3: 0/1/2) ints for classification and floats in [-1, 1] for regression.
CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "moons", "blobs3")
REGRESSION = ("plane", "multigauss")
DATASETS = CLASSIFICATION + REGRESSION
NUM_CLASSES = {"circle": 2, "xor": 2, "gauss": 2, "spiral": 2, "moons": 2, "blobs3": 3}

FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin(x1)", "sin(x2)")

MAX_NOISE = 0.5  # the UI shows noise as 0-50, in percent


def make(name, n=200, noise=0.0, seed=0):
    """Return `n` points `X` (n, 2) float64 and labels `y` (n,), shuffled.

    Classification labels are int64 (0/1, or 0/1/2 for blobs3); regression targets are float64
    in [-1, 1]. `noise` in [0, 0.5] jitters points (or, as in TF Playground, the point used to pick
    the label). `seed` is an int or an `np.random.Generator`.

    >>> X, y = make("xor", n=6, seed=1)
    >>> X.shape, set(y.tolist()) <= {0, 1}
    ((6, 2), True)
    >>> make("plane", n=3)[1].dtype
    dtype('float64')
    >>> make("rings")
    Traceback (most recent call last):
    ValueError: unknown dataset 'rings'; choose one of circle, xor, gauss, spiral, moons, blobs3, plane, multigauss
    """
    if name not in _GENERATORS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if not 0.0 <= noise <= MAX_NOISE:
        raise ValueError(f"noise={noise!r} is outside [0, {MAX_NOISE}]; the UI's 0-50 maps to 0-0.5")
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise ValueError(f"n={n!r} must be a positive integer number of points")
    rng = np.random.default_rng(seed)
    X, y = _GENERATORS[name](rng, int(n), float(noise))
    order = rng.permutation(len(y))  # generators emit class by class; training wants them mixed
    return X[order], y[order]


def _halves(n):
    """Split n points between two classes; the first class takes the odd one out."""
    return n - n // 2, n // 2


def _circle(rng, n, noise):
    # Positives sit at radius 0-2.5 and negatives at 3.5-5; the label comes from the noised
    # point, so noise flips labels near the gap without moving the points.
    n_pos, n_neg = _halves(n)
    r = np.concatenate([rng.uniform(0, 2.5, n_pos), rng.uniform(3.5, 5, n_neg)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    noised = X + rng.uniform(-5, 5, (n, 2)) * noise
    return X, (np.hypot(noised[:, 0], noised[:, 1]) < 2.5).astype(np.int64)


def _xor(rng, n, noise):
    X = rng.uniform(-5, 5, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)  # keep points off the axes, where the label flips
    noised = X + rng.uniform(-5, 5, (n, 2)) * noise
    return X, (noised[:, 0] * noised[:, 1] >= 0).astype(np.int64)


def _gauss(rng, n, noise):
    n_pos, n_neg = _halves(n)
    std = np.sqrt(0.5 + 7.0 * noise)  # variance grows from 0.5 to 4 as noise goes 0 -> 0.5
    X = np.concatenate([rng.normal(2, std, (n_pos, 2)), rng.normal(-2, std, (n_neg, 2))])
    return X, np.repeat(np.array([1, 0]), [n_pos, n_neg])


def _spiral(rng, n, noise):
    arms = []
    for size, turn in zip(_halves(n), (0.0, np.pi)):
        i = np.arange(size) / size
        r, t = 5 * i, 1.75 * 2 * np.pi * i + turn
        arms.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    X = np.concatenate(arms) + rng.uniform(-1, 1, (n, 2)) * noise
    return X, np.repeat(np.array([1, 0]), [len(a) for a in arms])


def _moons(rng, n, noise):
    # Unit half circles (upper from (1, 0), lower from (0, 0.5)), centred and scaled by 4 to span
    # x in [-6, 6] like the other datasets; at full noise the jitter's std is a quarter of a radius.
    n_upper, n_lower = _halves(n)
    t = rng.uniform(0, np.pi, n)
    upper = np.column_stack([np.cos(t[:n_upper]), np.sin(t[:n_upper])])
    lower = np.column_stack([1 - np.cos(t[n_upper:]), 0.5 - np.sin(t[n_upper:])])
    X = 4 * (np.concatenate([upper, lower]) - [0.5, 0.25]) + rng.normal(0, 2 * noise, (n, 2))
    return X, np.repeat(np.array([1, 0]), [n_upper, n_lower])


def _blobs3(rng, n, noise):
    # Three blobs on a circle of radius 3.5, spread like `gauss` as noise grows.
    angles = np.pi / 2 + np.array([0, 2, 4]) * np.pi / 3
    centers = 3.5 * np.column_stack([np.cos(angles), np.sin(angles)])
    labels = np.arange(n) % 3
    X = centers[labels] + rng.normal(0, np.sqrt(0.5 + 7.0 * noise), (n, 2))
    return X, labels.astype(np.int64)


def _plane(rng, n, noise):
    X = rng.uniform(-6, 6, (n, 2))
    noised = X + rng.uniform(-6, 6, (n, 2)) * noise
    return X, np.clip(noised.sum(axis=1) / 10, -1, 1)


# Six bumps of height +-1 falling linearly to 0 at distance 2; they never overlap.
_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])


def _multigauss(rng, n, noise):
    X = rng.uniform(-6, 6, (n, 2))
    noised = X + rng.uniform(-6, 6, (n, 2)) * noise
    distance = np.linalg.norm(noised[:, None, :] - _BUMPS[:, :2], axis=2)  # (n, 6)
    values = _BUMPS[:, 2] * np.clip(1 - distance / 2, 0, 1)
    strongest = np.abs(values).argmax(axis=1)
    return X, values[np.arange(n), strongest]


_GENERATORS = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral, "moons": _moons,
               "blobs3": _blobs3, "plane": _plane, "multigauss": _multigauss}

_FEATURE_FORMULAS = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}


def features(X, names):
    """Build the network's input columns from points `X` (n, 2), one column per name, in order.

    >>> features(np.array([[2.0, 3.0]]), ["x1x2", "x1^2", "x2"])
    array([[6., 4., 3.]])
    """
    unknown = [name for name in names if name not in _FEATURE_FORMULAS]
    if unknown:
        raise ValueError(f"unknown feature(s) {', '.join(map(repr, unknown))}; choose from {', '.join(FEATURES)}")
    if not names:
        raise ValueError(f"no features chosen; pick at least one of {', '.join(FEATURES)}")
    X = np.asarray(X, dtype=np.float64)
    return np.column_stack([_FEATURE_FORMULAS[name](X[:, 0], X[:, 1]) for name in names])


def split(X, y, test_ratio, seed):
    """Shuffle with `seed` and hold out `round(n * test_ratio)` points: (X_train, y_train, X_test, y_test).

    >>> X, y = make("gauss", n=10)
    >>> [part.shape[0] for part in split(X, y, 0.3, seed=0)]
    [7, 7, 3, 3]
    """
    if not 0 < test_ratio < 1:
        raise ValueError(f"test_ratio={test_ratio!r} must be strictly between 0 and 1")
    n = len(y)
    n_test = int(round(n * test_ratio))
    if not 0 < n_test < n:
        raise ValueError(f"test_ratio={test_ratio} of {n} points leaves {n_test} test and {n - n_test} "
                         "training points; both need at least one")
    order = np.random.default_rng(seed).permutation(n)
    train, test = order[n_test:], order[:n_test]
    return X[train], y[train], X[test], y[test]
