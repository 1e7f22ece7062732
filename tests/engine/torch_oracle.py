"""PyTorch as the test-only oracle: run one expression in both frameworks and compare everything.

Shared by the engine's op tests and its convolution tests, so "equals torch" means the same thing in both.
"""
import numpy as np
import pytest

from engine import Tensor

torch = pytest.importorskip("torch")

rng = np.random.default_rng(0)


def close(ours, expected):
    np.testing.assert_allclose(ours, expected.detach().numpy(), rtol=1e-10, atol=1e-12)


def compare(fn, *shapes, torch_fn=None, consts=(), positive=False):
    """fn(*inputs, *consts) on engine Tensors and (torch_fn or fn) on torch tensors must agree.

    Inputs are standard normal, or uniform in [0.5, 2] when `positive` (log, division, fractional
    powers). `consts` reach the engine as ndarrays and torch as tensors, so ndarray operands are tested.
    """
    values = [rng.uniform(0.5, 2.0, shape) if positive else rng.standard_normal(shape) for shape in shapes]
    ours = [Tensor(v, requires_grad=True) for v in values]
    theirs = [torch.tensor(v, requires_grad=True) for v in values]
    out = fn(*ours, *consts)
    expected = (torch_fn or fn)(*theirs, *(torch.tensor(c) for c in consts))
    assert out.shape == tuple(expected.shape)
    close(out.data, expected)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    for mine, reference in zip(ours, theirs):
        assert mine.grad is not None and mine.grad.shape == mine.shape
        close(mine.grad, reference.grad)
