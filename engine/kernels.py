"""The engine's speed kernels: numpy routines that give an op's plain formula faster, mostly in Pyodide.

Each replaces one obvious numpy expression with the same numbers, and carries what was timed, where, to
justify it. They live here so that `tensor.py` and `nn/functional.py` read as their maths: an op is its
forward plus its backward, and the forward calls `tanh_array(x)` where a reader expects `np.tanh(x)`.
"""
import sys
from functools import lru_cache

import numpy as np

# Below this many elements np.tanh is cheaper than the four numpy calls of `tanh_array`'s formula.
TANH_BY_FORMULA_FROM = 4096

# Pyodide's numpy is built without BLAS: there matmul and dot are plain C loops, and einsum's often win.
HAS_BLAS = sys.platform != "emscripten"

# Inner dimension from which einsum's kernel beats matmul's where numpy has no BLAS, as in Pyodide: there,
# for a layer of 100 inputs, x @ w.T takes about 1.8 times as long as the einsum (measured in Chromium).
# Where numpy has BLAS (CPython), matmul always wins.
EINSUM_FROM_INPUTS = None if HAS_BLAS else 32

# Rows from which the product is laid out column by column (see `times_transposed`).
COLUMNS_FROM_ROWS = 1024


def tanh_array(x):
    """np.tanh of an array, through one exp on large arrays: 2 / (1 + e^(-2x)) - 1.

    Why: Pyodide's numpy (WebAssembly, no SIMD) spends about 27 ns an element in np.tanh but 5 in np.exp,
    and a tanh network's pass over the 100 x 100 display grid is mostly tanh; the formula is three times
    faster there. It is within 4e-16 of np.tanh (an ulp of 1.0), and exact in the tails: e^(-2x)
    overflowing to inf for x < -354 gives -1, its limit. Small arrays (mini-batches) keep np.tanh, since
    there numpy's cost per call outweighs its cost per element.

    >>> x = np.linspace(-400.0, 400.0, 5001)
    >>> bool(np.abs(tanh_array(x) - np.tanh(x)).max() < 4e-16), tanh_array(np.array([-np.inf, np.inf])).tolist()
    (True, [-1.0, 1.0])
    """
    if x.size < TANH_BY_FORMULA_FROM:
        return np.tanh(x)
    with np.errstate(over="ignore"):
        out = np.exp(-2.0 * x)
    out += 1.0
    np.divide(2.0, out, out=out)
    out -= 1.0
    return out


def sigmoid_array(x):
    """1 / (1 + e^(-x)) of an array, computed as (tanh(x / 2) + 1) / 2: that form never overflows.

    >>> sigmoid_array(np.array([-800.0, 0.0, 800.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    return 0.5 * (tanh_array(0.5 * x) + 1.0)


@lru_cache(maxsize=64)
def _ones(n):
    ones = np.ones(n)
    ones.flags.writeable = False
    return ones


def column_sums(rows):
    """`rows.sum(axis=0)` of a 2-D array, as the product of a vector of ones with it.

    Why: a bias gradient sums a batch's rows, and numpy's reduction down the first axis of a row-major
    array walks it with a stride; the product with ones is one contiguous pass, 2 to 8 times faster for
    the batches a training step sees, in CPython and in Pyodide alike.

    >>> column_sums(np.arange(6.0).reshape(3, 2)).tolist()
    [6.0, 9.0]
    """
    return _ones(len(rows)).dot(rows)


def times_transposed(x, w):
    """x @ w.T for x of shape (..., n) and w of shape (m, n), by whichever numpy routine is faster here.

    Many rows (the 100 x 100 display grid) get the product as (w @ x.T).T, the same numbers laid out in
    Fortran order: each output unit's values then lie contiguous, so adding the bias and the activation
    run along 10,000 values at a time, where in C order numpy's broadcast loop restarts every n_out
    values. In Pyodide a (10000, 4) bias add took 297 us in C order and 22 us in Fortran order.

    >>> grid = np.ones((COLUMNS_FROM_ROWS, 2))
    >>> out = times_transposed(grid, np.array([[1.0, 2.0], [0.0, 1.0]]))
    >>> out[0].tolist(), out.flags.f_contiguous
    ([3.0, 1.0], True)
    """
    if EINSUM_FROM_INPUTS is not None and w.shape[1] >= EINSUM_FROM_INPUTS:
        return np.einsum("...j,kj->...k", x, w)
    if x.ndim == 2 and len(x) >= COLUMNS_FROM_ROWS:
        return (w @ x.T).T
    return x @ w.T


def matmul(a, b):
    """`a @ b` for two matrices (views such as `w.T` welcome), by einsum's own loop where numpy has no BLAS.

    Why: Pyodide's matmul is a plain triple loop, whose innermost index strides across b's rows; einsum's
    runs along whichever axis is contiguous. On the products of LeNet's convolutions (columns of 25 and
    150 rows by 3,200 to 25,000) einsum took 1.3 to 2.8 ms where matmul took 3 to 7.5 (Pyodide under
    Node). With BLAS (CPython) matmul is as fast or faster, up to twice on the widest product.

    >>> matmul(np.ones((2, 3)), np.arange(12.0).reshape(3, 4)).tolist()
    [[12.0, 15.0, 18.0, 21.0], [12.0, 15.0, 18.0, 21.0]]
    """
    return a @ b if HAS_BLAS else np.einsum("ij,jk->ik", a, b)
