"""Every op's value and gradient equals PyTorch's (float64), the engine's second proof after gradcheck.

`compare` builds one expression in both frameworks from the same random inputs, pushes the same random
upstream gradient back through it, and checks the value and every input's gradient.
"""
import numpy as np

from engine import Tensor, kernels
from engine.nn import functional as F

from tests.engine.torch_oracle import close, compare, rng, torch

TF = torch.nn.functional

C34, C4 = rng.standard_normal((3, 4)), rng.standard_normal(4)


def test_add():
    compare(lambda x, y: x + y, (3, 4), (3, 4))
    compare(lambda x, y: x + y, (3, 1), (4,))
    compare(lambda x, y: x + y, (2, 3, 4), (4,))
    compare(lambda x, y: x + y, (), (3,))
    compare(lambda x: 2.5 + x + 1, (3,))
    compare(lambda x, c: c + x, (3, 4), consts=(C34,))
    compare(lambda x, c: x + c, (3, 1), consts=(C4,))


def test_sub():
    compare(lambda x, y: x - y, (3, 1), (4,))
    compare(lambda x, y: x - y, (), (2, 3))
    compare(lambda x: 1.5 - x - 2, (2, 3))
    compare(lambda x, c: c - x, (4,), consts=(C34,))


def test_mul():
    compare(lambda x, y: x * y, (3, 1), (4,))
    compare(lambda x, y: x * y, (2, 3, 4), (3, 1))
    compare(lambda x, y: x * y, (), ())
    compare(lambda x: 3 * x * -0.5, (3,))
    compare(lambda x, c: c * x, (3, 4), consts=(C34,))


def test_div():
    compare(lambda x, y: x / y, (3, 1), (4,), positive=True)
    compare(lambda x: 2.0 / x / 4, (3,), positive=True)
    compare(lambda x, c: c / x, (4,), consts=(C34,), positive=True)


def test_matmul():
    compare(lambda x, y: x @ y, (3, 4), (4, 5))
    compare(lambda x, y: x @ y, (4,), (4, 5))
    compare(lambda x, y: x @ y, (3, 4), (4,))
    compare(lambda x, y: x @ y, (4,), (4,))
    compare(lambda x, y: x @ y, (2, 3, 4), (4, 5))
    compare(lambda x, y: x @ y, (2, 3, 4), (2, 4, 5))
    compare(lambda x, y: x @ y, (2, 3, 4), (4,))
    compare(lambda x, y: x @ y, (4,), (2, 4, 5))
    compare(lambda x, c: c @ x, (4, 2), consts=(C34,))
    compare(lambda x, c: x @ c, (2, 4), consts=(C34.T,))


def test_pow():
    compare(lambda x: x**2, (3, 4))
    compare(lambda x: x**3, (3,))
    compare(lambda x: x**0.5, (3,), positive=True)
    compare(lambda x: x**-1.5, (2, 2), positive=True)


def test_neg():
    compare(lambda x: -x, (3, 4))


def test_elementwise():
    compare(lambda x: x.exp(), (3, 4))
    compare(lambda x: x.log(), (3, 4), positive=True)
    compare(lambda x: x.tanh(), (3, 4))
    compare(lambda x: x.sigmoid(), (3, 4))
    compare(lambda x: x.relu(), (3, 4))
    compare(lambda x: x.abs(), (3, 4))
    compare(lambda x: x.leaky_relu(), (3, 4), torch_fn=lambda x: TF.leaky_relu(x, 0.01))
    compare(lambda x: x.leaky_relu(0.2), (3, 4), torch_fn=lambda x: TF.leaky_relu(x, 0.2))


def test_sigmoid_of_large_inputs():
    compare(lambda x: (x * 400).sigmoid(), (10,))


def test_tanh_and_sigmoid_of_arrays_as_large_as_the_display_grid():
    """Past TANH_BY_FORMULA_FROM elements tanh goes through exp (faster in Pyodide): still PyTorch's values
    and gradients, into the tails where exp overflows."""
    compare(lambda x: (x * 3).tanh(), (100 * 100, 2))
    compare(lambda x: (x * 3).sigmoid(), (100 * 100, 2))
    compare(lambda x: (x * 400).tanh(), (100 * 100, 2))
    compare(lambda x: (x * 400).sigmoid(), (100 * 100, 2))


def test_softmax():
    compare(lambda x: x.softmax(-1), (3, 4))
    compare(lambda x: x.softmax(0), (3, 4))
    compare(lambda x: x.softmax(1), (2, 3, 4))
    compare(lambda x: (x * 100).softmax(-1), (2, 5))  # large logits must not overflow


def test_log_softmax():
    compare(lambda x: x.log_softmax(-1), (3, 4))
    compare(lambda x: x.log_softmax(0), (2, 3, 4))
    compare(lambda x: (x * 100).log_softmax(-1), (2, 5))


def test_sum():
    compare(lambda x: x.sum(), (3, 4))
    compare(lambda x: x.sum(), ())
    compare(lambda x: x.sum(axis=0), (3, 4))
    compare(lambda x: x.sum(axis=-1, keepdims=True), (2, 3, 4))
    compare(lambda x: x.sum(axis=(0, 2)), (2, 3, 4))
    compare(lambda x: x.sum(axis=(-1, 0), keepdims=True), (2, 3, 4))


def test_mean():
    compare(lambda x: x.mean(), (3, 4))
    compare(lambda x: x.mean(axis=1), (3, 4))
    compare(lambda x: x.mean(axis=(0, -1), keepdims=True), (2, 3, 4))


def test_max():
    compare(lambda x: x.max(), (3, 4))
    compare(lambda x: x.max(axis=1), (3, 4), torch_fn=lambda x: x.amax(dim=1))
    compare(lambda x: x.max(axis=-1, keepdims=True), (2, 3, 4), torch_fn=lambda x: x.amax(dim=-1, keepdim=True))
    compare(lambda x: x.max(axis=(0, 2)), (2, 3, 4), torch_fn=lambda x: x.amax(dim=(0, 2)))


def test_max_shares_the_gradient_between_ties_like_amax():
    values = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    for ours_fn, torch_fn in [(lambda x: x.max(axis=1), lambda x: x.amax(dim=1)), (lambda x: x.max(), torch.amax)]:
        x, reference = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
        ours_fn(x).sum().backward()
        torch_fn(reference).sum().backward()
        close(x.grad, reference.grad)


def test_reshape():
    compare(lambda x: x.reshape(4, 6), (2, 3, 4))
    compare(lambda x: x.reshape((6, 4)), (2, 3, 4))
    compare(lambda x: x.reshape(-1), (3, 4))
    compare(lambda x: x.reshape(()), (1,))


def test_transpose():
    compare(lambda x: x.transpose(1, 0, 2), (2, 3, 4), torch_fn=lambda x: x.permute(1, 0, 2))
    compare(lambda x: x.transpose(), (2, 3, 4), torch_fn=lambda x: x.permute(2, 1, 0))
    compare(lambda x: x.T, (3, 4))


def test_getitem():
    compare(lambda x: x[1], (3, 4))
    compare(lambda x: x[-1, 1:3], (3, 4))
    compare(lambda x: x[:, ::2], (3, 4))
    compare(lambda x: x[..., 1], (2, 3, 4))
    compare(lambda x: x[np.array([0, 2, 2, 2])], (3, 4))  # repeated rows accumulate
    compare(lambda x: x[np.array([0, 1, 1]), np.array([3, 2, 2])], (3, 4))
    compare(lambda x: x[[2, 0, 2]], (3,))


def test_reused_nodes_accumulate():
    compare(lambda x: x * x, (3, 4))
    compare(lambda x: x * x.exp() + x, (3,))
    compare(lambda a: (lambda b: b.tanh() * b.exp())(a * 2), (3, 4))  # diamond a -> b -> (c, d) -> e
    compare(lambda a, b: (a @ b) * (a @ b).sum() + a.sum(), (2, 3), (3, 2))


def test_linear():
    compare(F.linear, (5, 3), (4, 3), (4,), torch_fn=TF.linear)
    compare(F.linear, (5, 3), (4, 3), torch_fn=TF.linear)
    compare(F.linear, (2, 5, 3), (4, 3), (4,), torch_fn=TF.linear)
    compare(F.linear, (3,), (4, 3), (4,), torch_fn=TF.linear)
    compare(lambda w, b, x: F.linear(x, w, b), (4, 3), (4,), consts=(rng.standard_normal((5, 3)),),
            torch_fn=lambda w, b, x: TF.linear(x, w, b))


def test_linear_with_as_many_inputs_as_einsum_takes(monkeypatch):
    """In Pyodide, from EINSUM_FROM_INPUTS inputs on, the forward product goes through einsum (faster there,
    without BLAS): the same values and gradients as PyTorch's. CPython takes that path here only when told."""
    wide = 32
    monkeypatch.setattr(kernels, "EINSUM_FROM_INPUTS", wide)
    compare(F.linear, (5, wide), (4, wide), (4,), torch_fn=TF.linear)
    compare(F.linear, (2, 5, 100), (7, 100), (7,), torch_fn=TF.linear)
    compare(F.linear, (100,), (3, 100), torch_fn=TF.linear)


def test_mse_loss():
    compare(F.mse_loss, (5, 2), (5, 2), torch_fn=TF.mse_loss)
    compare(F.mse_loss, (7,), consts=(rng.standard_normal(7),), torch_fn=TF.mse_loss)


def test_cross_entropy():
    labels = np.array([0, 3, 3, 1, 2, 0])
    compare(F.cross_entropy, (6, 4), consts=(labels,), torch_fn=TF.cross_entropy)
    compare(lambda x, y: F.cross_entropy(x * 50, y), (6, 4), consts=(labels,),
            torch_fn=lambda x, y: TF.cross_entropy(x * 50, y))
    compare(lambda x: F.cross_entropy(x, Tensor(labels)), (6, 4),  # labels as a Tensor
            torch_fn=lambda x: TF.cross_entropy(x, torch.tensor(labels)))


def test_binary_cross_entropy_with_logits():
    target = np.array([[0.0], [1.0], [1.0], [0.3], [0.0]])
    compare(F.binary_cross_entropy_with_logits, (5, 1), consts=(target,), torch_fn=TF.binary_cross_entropy_with_logits)
    compare(lambda x, t: F.binary_cross_entropy_with_logits(x * 60, t), (5, 1), consts=(target,),
            torch_fn=lambda x, t: TF.binary_cross_entropy_with_logits(x * 60, t))
    compare(F.binary_cross_entropy_with_logits, (4,), (4,), torch_fn=TF.binary_cross_entropy_with_logits)


def test_penalties():
    compare(lambda a, b: F.l1_penalty([a, b]), (3, 2), (2,), torch_fn=lambda a, b: a.abs().sum() + b.abs().sum())
    compare(lambda a, b: F.l2_penalty([a, b]), (3, 2), (2,), torch_fn=lambda a, b: 0.5 * ((a**2).sum() + (b**2).sum()))


def test_backward_seeds_one_for_a_scalar():
    x = Tensor([1.0, 2.0], requires_grad=True)
    reference = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    (x.tanh() * 3).sum().backward()
    (reference.tanh() * 3).sum().backward()
    close(x.grad, reference.grad)
