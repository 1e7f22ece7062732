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


@pytest.mark.parametrize(("name", "kwargs"), [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.03)),
                                              ("RMSprop", dict(lr=0.01))])
def test_a_state_handed_on_trains_on_as_one_run_would_and_as_torch_does(name, kwargs):
    """Ten steps here, the state handed to a fresh optimizer (as the page hands a run to its trainer), ten more
    there: the same weights as twenty in one go; and PyTorch's state after ten, loaded here, goes on alike."""
    make = getattr(optim, name)
    w, b = Tensor(W0.copy(), requires_grad=True), Tensor(B0.copy(), requires_grad=True)
    first = make([w, b], **kwargs)
    for _ in range(10):
        first.zero_grad()
        loss(w, b, X, Y).backward()
        first.step()
    second = make([w, b], lr=1.0)   # the settings come with the state too
    second.load_state_dict(first.state_dict())
    for _ in range(10):
        second.zero_grad()
        loss(w, b, X, Y).backward()
        second.step()
    whole = train(lambda p: make(p, **kwargs), lambda a: Tensor(a, requires_grad=True))
    np.testing.assert_array_equal(w.data, whole[0])

    tw, tb = torch.tensor(W0.copy(), requires_grad=True), torch.tensor(B0.copy(), requires_grad=True)
    theirs = getattr(torch.optim, name)([tw, tb], **kwargs)
    for _ in range(10):
        theirs.zero_grad()
        loss(tw, tb, torch.tensor(X), torch.tensor(Y)).backward()
        theirs.step()
    handed = {"state": {index: {key: value.numpy() if torch.is_tensor(value) else value for key, value in state.items()}
                        for index, state in theirs.state_dict()["state"].items()},
              "param_groups": theirs.state_dict()["param_groups"]}
    w2, b2 = Tensor(tw.detach().numpy().copy(), requires_grad=True), Tensor(tb.detach().numpy().copy(), requires_grad=True)
    ours = make([w2, b2], **kwargs)
    ours.load_state_dict(handed)
    for _ in range(10):
        ours.zero_grad()
        loss(w2, b2, X, Y).backward()
        ours.step()
    np.testing.assert_allclose(w2.data, whole[0], rtol=1e-10, atol=1e-12)


def test_a_state_for_parameters_of_another_shape_is_refused_naming_it():
    w = Tensor(W0.copy(), requires_grad=True)
    saved = optim.Adam([w], lr=0.1).state_dict()
    with pytest.raises(ValueError, match=r"^Adam.load_state_dict: parameter 0's exp_avg has shape \(3, 4\), but the "
                                         r"parameter has \(2,\)$"):
        optim.Adam([Tensor(np.zeros(2), requires_grad=True)], lr=0.1).load_state_dict(saved)
