"""Each optimizer follows torch.optim step for step: 20 updates of the same parameters on the same loss."""
import numpy as np
import pytest

from engine import Tensor, optim

torch = pytest.importorskip("torch")

rng = np.random.default_rng(2)
W0, B0 = rng.standard_normal((3, 4)), rng.standard_normal(3)
X, Y = rng.standard_normal((16, 4)), rng.standard_normal((16, 3))


def loss(w, b, x, y):
    """A small regression whose gradients change every step (tanh keeps it non-quadratic)."""
    return (((x @ w.T + b).tanh() - y) ** 2).mean()


def train(make_optimizer, tensor, steps=20):
    """Run `steps` updates from (W0, B0); `tensor` makes a leaf in one framework. Returns (w, b) as ndarrays."""
    w, b = tensor(W0.copy()), tensor(B0.copy())
    opt = make_optimizer([w, b])
    x, y = (X, Y) if isinstance(w, Tensor) else (torch.tensor(X), torch.tensor(Y))
    for _ in range(steps):
        opt.zero_grad()
        loss(w, b, x, y).backward()
        opt.step()
    return [p.detach().numpy() for p in (w, b)]


@pytest.mark.parametrize(("name", "kwargs"), [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.01)),
    ("Adam", dict(lr=0.03)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.003, alpha=0.9, eps=1e-6)),
])
def test_optimizer_matches_torch(name, kwargs):
    ours = train(lambda p: getattr(optim, name)(p, **kwargs), lambda a: Tensor(a, requires_grad=True))
    theirs = train(lambda p: getattr(torch.optim, name)(p, **kwargs), lambda a: torch.tensor(a, requires_grad=True))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine, reference, rtol=1e-10, atol=1e-12)
    assert not np.allclose(ours[0], W0)  # the optimizer did move the weights


def test_step_skips_parameters_without_gradient():
    used, unused = Tensor([1.0], requires_grad=True), Tensor([5.0], requires_grad=True)
    opt = optim.Adam([used, unused], lr=0.1)
    (used * 2).sum().backward()
    opt.step()
    assert unused.data[0] == 5.0 and used.data[0] != 1.0
