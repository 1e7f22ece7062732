"""Every op passes the shipped central-difference checker (float64, no torch), and the checker can fail.

Each expression is reduced to a scalar with fixed random weights, so every output entry contributes a
different amount and a gradient routed to the wrong entry would show.
"""
import numpy as np
import pytest

from engine import Tensor, nn
from engine.gradcheck import check_gradients, gradient_errors, numerical_gradient, set_aside_grads
from engine.nn import functional as F

rng = np.random.default_rng(1)
TOLERANCE = 1e-7


def gradcheck(fn, *shapes, positive=False, consts=()):
    """check_gradients on sum(fn(*inputs, *consts) * W) for a fixed random W."""
    inputs = [Tensor(rng.uniform(0.5, 2.0, s) if positive else rng.standard_normal(s), requires_grad=True)
              for s in shapes]
    weights = rng.standard_normal(fn(*inputs, *consts).shape)
    error = check_gradients(lambda xs: (fn(*xs, *consts) * weights).sum(), inputs)
    assert error < TOLERANCE


def test_arithmetic_with_broadcasting():
    gradcheck(lambda x, y: x + y, (3, 1), (4,))
    gradcheck(lambda x, y: x - y, (2, 3, 4), (4,))
    gradcheck(lambda x, y: x * y, (), (3,))
    gradcheck(lambda x, y: x / y, (3, 1), (1, 4), positive=True)
    gradcheck(lambda x: 2.0 / x - 3 * x + 1 - x * 0.5, (3,), positive=True)
    gradcheck(lambda x, c: c * x + c - x, (3, 4), consts=(rng.standard_normal(4),))
    gradcheck(lambda x: -x, (2, 2))


def test_matmul():
    gradcheck(lambda x, y: x @ y, (3, 4), (4, 2))
    gradcheck(lambda x, y: x @ y, (4,), (4, 2))
    gradcheck(lambda x, y: x @ y, (3, 4), (4,))
    gradcheck(lambda x, y: x @ y, (4,), (4,))
    gradcheck(lambda x, y: x @ y, (2, 3, 4), (2, 4, 2))
    gradcheck(lambda x, y: x @ y, (2, 3, 4), (4, 2))


def test_pow():
    gradcheck(lambda x: x**2, (3,))
    gradcheck(lambda x: x**3, (3,))
    gradcheck(lambda x: x**0.5, (3,), positive=True)
    gradcheck(lambda x: x**-2, (3,), positive=True)


def test_elementwise():
    gradcheck(lambda x: x.exp(), (3, 2))
    gradcheck(lambda x: x.log(), (3, 2), positive=True)
    gradcheck(lambda x: x.tanh(), (3, 2))
    gradcheck(lambda x: x.sigmoid(), (3, 2))
    gradcheck(lambda x: x.relu(), (3, 2))
    gradcheck(lambda x: x.leaky_relu(0.1), (3, 2))
    gradcheck(lambda x: x.abs(), (3, 2))
    gradcheck(lambda x: x.softmax(axis=0), (3, 2))
    gradcheck(lambda x: x.log_softmax(), (2, 3, 2))


def test_reductions():
    gradcheck(lambda x: x.sum(axis=(0, -1), keepdims=True), (2, 3, 2))
    gradcheck(lambda x: x.mean(axis=1), (2, 3, 2))
    gradcheck(lambda x: x.mean(), (3, 2))
    gradcheck(lambda x: x.max(axis=0), (3, 2))
    gradcheck(lambda x: x.max(), (3, 2))


def test_shapes_and_indexing():
    gradcheck(lambda x: x.reshape(3, 4), (2, 6))
    gradcheck(lambda x: x.transpose(2, 0, 1), (2, 3, 2))
    gradcheck(lambda x: x.T, (2, 3))
    gradcheck(lambda x: x[1:, ::2], (3, 4))
    gradcheck(lambda x: x[np.array([2, 0, 2, 2])], (3, 2))


def test_reused_nodes_accumulate():
    gradcheck(lambda x: x * x, (3,))
    gradcheck(lambda a: (lambda b: b.tanh() * b.exp())(a * 2), (3,))  # diamond a -> b -> (c, d) -> e
    gradcheck(lambda x, w: (x @ w).tanh() @ w.T + x, (2, 3), (3, 3))


def test_functional():
    gradcheck(F.linear, (5, 3), (2, 3), (2,))
    gradcheck(F.mse_loss, (4, 1), (4, 1))
    gradcheck(F.cross_entropy, (5, 3), consts=(np.array([0, 2, 2, 1, 0]),))
    gradcheck(F.binary_cross_entropy_with_logits, (4, 1), consts=(np.array([[0.0], [1.0], [1.0], [0.4]]),))
    gradcheck(lambda a, b: F.l1_penalty([a, b]) + F.l2_penalty([a, b]), (2, 2), (3,))


def test_a_whole_network():
    model = nn.MLP(2, [5, 4], 1, activation="tanh", rng=np.random.default_rng(0))
    X, y = rng.standard_normal((8, 2)), rng.integers(0, 2, (8, 1)).astype(float)
    params = model.parameters()
    errors = gradient_errors(lambda _: F.binary_cross_entropy_with_logits(model(X), y), params)
    assert len(errors) == len(params) and max(errors) < TOLERANCE


def test_numerical_gradient_of_a_known_function():
    x = Tensor([1.0, -2.0, 0.5], requires_grad=True)
    (estimate,) = numerical_gradient(lambda xs: (xs[0] ** 3).sum(), [x])
    np.testing.assert_allclose(estimate, 3 * x.data**2, rtol=1e-8)
    np.testing.assert_array_equal(x.data, [1.0, -2.0, 0.5])  # every nudge was undone


def test_the_checker_keeps_existing_gradients():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.grad = np.array([7.0, 7.0])
    check_gradients(lambda xs: (xs[0] * xs[0]).sum(), [x])
    np.testing.assert_array_equal(x.grad, [7.0, 7.0])


def test_the_checker_catches_a_wrong_gradient():
    # x * x.detach() computes x**2, but backward sees only one factor: gradient x instead of 2x.
    x = Tensor(rng.standard_normal(4) + 3.0, requires_grad=True)
    assert check_gradients(lambda xs: (xs[0] * xs[0].detach()).sum(), [x]) > 0.1


def test_the_checker_catches_a_wrong_backward_rule(monkeypatch):
    correct_tanh = Tensor.tanh

    def tanh_with_sigmoid_gradient(self):  # right value, wrong derivative
        return correct_tanh(self.detach()) + (self.sigmoid() - self.sigmoid().detach())

    monkeypatch.setattr(Tensor, "tanh", tanh_with_sigmoid_gradient)
    x = Tensor(rng.standard_normal(3), requires_grad=True)
    with pytest.raises(AssertionError):
        gradcheck(lambda x: x.tanh(), (3,))
    assert check_gradients(lambda xs: xs[0].tanh().sum(), [x]) > 0.1


def test_a_low_floor_catches_a_wrong_gradient_too_small_for_the_default_one():
    x = Tensor(rng.standard_normal(4) + 3.0, requires_grad=True)

    def wrong_and_small(xs):  # backward sees one factor of x * x, in gradients near 1e-6, far below a floor of 1
        return (xs[0] * xs[0].detach()).sum() * 1e-6

    assert check_gradients(wrong_and_small, [x]) < 1e-5
    assert check_gradients(wrong_and_small, [x], floor=1e-12) > 0.1


def test_set_aside_grads_puts_them_back_even_when_the_block_fails():
    w = Tensor([1.0], requires_grad=True)
    w.grad = np.array([5.0])
    with pytest.raises(RuntimeError, match="does not require a gradient"):
        with set_aside_grads([w]):
            assert w.grad is None
            Tensor(1.0).backward()
    np.testing.assert_array_equal(w.grad, [5.0])
