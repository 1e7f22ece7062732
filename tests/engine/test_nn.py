"""Layers are laid out and named as in torch.nn, start from a scale that fits their activation, and learn."""
import numpy as np
import pytest

from engine import Tensor, data, nn, optim
from engine.nn import functional as F

ACTIVATIONS = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
               "linear": lambda z: z, "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z)}


def test_linear_layout_matches_pytorch():
    layer = nn.Linear(3, 2, rng=np.random.default_rng(0))
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    x = np.arange(12.0).reshape(4, 3)
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T + layer.bias.data)
    assert [name for name, _ in nn.Linear(3, 2, bias=False).named_parameters()] == ["weight"]


def test_mlp_names_its_parameters_like_sequential():
    model = nn.MLP(2, [8, 8], 1)
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert [p.shape for p in model.parameters()] == [(8, 2), (8,), (8, 8), (8,), (1, 8), (1,)]


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_mlp_applies_its_activation_between_layers_and_none_at_the_output(activation):
    model = nn.MLP(2, [5, 4], 3, activation=activation, rng=np.random.default_rng(1))
    x = np.random.default_rng(2).standard_normal((6, 2))
    w1, b1, w2, b2, w3, b3 = (p.data for p in model.parameters())
    act = ACTIVATIONS[activation]
    expected = act(act(x @ w1.T + b1) @ w2.T + b2) @ w3.T + b3
    np.testing.assert_allclose(model(x).data, expected, rtol=1e-12)


def test_unknown_activation_lists_the_valid_ones():
    with pytest.raises(ValueError, match="swish") as error:
        nn.MLP(2, [4], 1, activation="swish")
    for name in ACTIVATIONS:
        assert name in str(error.value)


def test_zero_grad_forgets_gradients():
    model = nn.MLP(2, [4], 1)
    model(np.ones((3, 2))).sum().backward()
    assert all(p.grad is not None and p.grad.any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None or not p.grad.any() for p in model.parameters())


def test_init_is_deterministic_for_a_seed():
    first = nn.MLP(2, [8, 8], 1, rng=np.random.default_rng(7)).parameters()
    again = nn.MLP(2, [8, 8], 1, rng=np.random.default_rng(7)).parameters()
    other = nn.MLP(2, [8, 8], 1, rng=np.random.default_rng(8)).parameters()
    assert all(np.array_equal(a.data, b.data) for a, b in zip(first, again))
    assert not np.array_equal(first[0].data, other[0].data)


@pytest.mark.parametrize(("activation", "expected_std"), [
    ("tanh", np.sqrt(2 / (400 + 300))),     # Xavier: keeps variance through tanh/sigmoid/linear
    ("sigmoid", np.sqrt(2 / (400 + 300))),
    ("linear", np.sqrt(2 / (400 + 300))),
    ("relu", np.sqrt(2 / 400)),              # He: makes up for ReLU zeroing half the units
])
def test_init_scale_fits_the_activation(activation, expected_std):
    weight = nn.MLP(400, [300], 1, activation=activation, rng=np.random.default_rng(0)).parameters()[0]
    assert weight.data.std() == pytest.approx(expected_std, rel=0.05)
    assert abs(weight.data.mean()) < 0.01


def train_spiral():
    """The issue's proof: MLP 2-8-8-1 tanh + Adam(0.03) on spiral; returns (accuracy, steps, weights)."""
    X, y = data.make("spiral", n=200, noise=0, seed=0)
    target = y[:, None].astype(float)
    model = nn.MLP(2, [8, 8], 1, activation="tanh")
    opt = optim.Adam(model.parameters(), lr=0.03)
    for step in range(1, 2001):
        opt.zero_grad()
        logits = model(X)
        accuracy = ((logits.data > 0) == target).mean()
        if accuracy >= 0.95:
            break
        F.binary_cross_entropy_with_logits(logits, target).backward()
        opt.step()
    return accuracy, step, [p.data.copy() for p in model.parameters()]


def test_mlp_learns_the_spiral_deterministically():
    accuracy, steps, weights = train_spiral()
    assert accuracy >= 0.95, f"{accuracy:.1%} after {steps} steps"
    again = train_spiral()
    assert again[1] == steps and all(np.array_equal(a, b) for a, b in zip(weights, again[2]))


def test_a_user_module_finds_its_parameters():
    class Affine(nn.Module):
        def __init__(self):
            self.scale = Tensor(2.0, requires_grad=True)
            self.inner = nn.Linear(2, 2)

        def forward(self, x):
            return self.inner(x) * self.scale

    names = [name for name, _ in Affine().named_parameters()]
    assert names == ["scale", "inner.weight", "inner.bias"]


def test_mlp_takes_one_activation_per_hidden_layer_and_inits_each_for_its_own():
    model = nn.MLP(2, [50, 50], 1, activation=["relu", "tanh"], rng=np.random.default_rng(0))
    assert [type(layer).__name__ for layer in model] == ["Linear", "ReLU", "Linear", "Tanh", "Linear"]
    # He for the ReLU layer (std sqrt(2/fan_in) = 1.0), Xavier for the tanh layer (std sqrt(2/(50+50)) = 0.14)
    assert 0.8 < model[0].weight.data.std() < 1.2
    assert 0.1 < model[2].weight.data.std() < 0.18
    with pytest.raises(ValueError, match="2 activations for 3 hidden layers"):
        nn.MLP(2, [4, 4, 4], 1, activation=["relu", "tanh"])
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        nn.MLP(2, [4], 1, activation=["swish"])
