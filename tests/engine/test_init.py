"""nn.init fills weights with torch's spreads, and MLP's training options build the layers they name while
its default stays the very model it always was."""
import hashlib
import math

import numpy as np
import pytest

from engine import Tensor, nn
from engine.nn import init
from tests.engine.torch_oracle import torch

SAMPLES = (400, 300)  # fan_in 300, fan_out 400: 120,000 draws, so a std is known to about 0.3%


@pytest.mark.parametrize(("name", "param"), [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                                             ("leaky_relu", None), ("leaky_relu", 0.2), ("conv2d", None), ("selu", None)])
def test_calculate_gain_equals_torchs(name, param):
    assert init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)


def test_calculate_gain_names_the_choices_for_an_unknown_nonlinearity():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'; choose one of .*tanh.*leaky_relu"):
        init.calculate_gain("swish")


def spread(fill, shape=SAMPLES, **kwargs):
    weight = Tensor(np.full(shape, 7.0), requires_grad=True)
    assert fill(weight, rng=np.random.default_rng(0), **kwargs) is weight
    return weight.data


@pytest.mark.parametrize(("fill", "kwargs", "bound"), [
    (init.xavier_uniform_, {}, math.sqrt(6 / 700)),
    (init.xavier_uniform_, {"gain": 5 / 3}, 5 / 3 * math.sqrt(6 / 700)),
    (init.kaiming_uniform_, {}, math.sqrt(3) * math.sqrt(2) / math.sqrt(300)),  # a=0: leaky_relu of slope 0
    (init.kaiming_uniform_, {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(3) * math.sqrt(2) / math.sqrt(400)),
    (init.uniform_, {"a": -0.25, "b": 0.5}, None),
])
def test_uniform_fills_stay_inside_torchs_bound_and_fill_it(fill, kwargs, bound):
    values = spread(fill, **kwargs)
    low, high = (-bound, bound) if bound else (-0.25, 0.5)
    assert low <= values.min() < low + 1e-3 * (high - low) and high - 1e-3 * (high - low) < values.max() < high
    torch_weight = torch.empty(SAMPLES, dtype=torch.float64)
    getattr(torch.nn.init, fill.__name__)(torch_weight, **kwargs)  # torch's draws reach the same bound
    assert torch_weight.abs().max().item() <= max(-low, high) and torch_weight.abs().max().item() > 0.99 * max(-low, high)
    assert values.mean() == pytest.approx((low + high) / 2, abs=0.01 * (high - low))


@pytest.mark.parametrize(("fill", "kwargs", "std"), [
    (init.xavier_normal_, {}, math.sqrt(2 / 700)),
    (init.xavier_normal_, {"gain": 2.0}, 2 * math.sqrt(2 / 700)),
    (init.kaiming_normal_, {"nonlinearity": "relu"}, math.sqrt(2 / 300)),
    (init.kaiming_normal_, {"a": 0.2, "mode": "fan_out"}, math.sqrt(2 / 1.04) / math.sqrt(400)),
    (init.kaiming_normal_, {"nonlinearity": "tanh"}, 5 / 3 / math.sqrt(300)),
])
def test_normal_fills_have_torchs_std(fill, kwargs, std):
    values = spread(fill, **kwargs)
    assert values.std() == pytest.approx(std, rel=0.01) and abs(values.mean()) < 0.01 * std
    torch_weight = torch.empty(SAMPLES, dtype=torch.float64)
    getattr(torch.nn.init, fill.__name__)(torch_weight, **kwargs)
    assert torch_weight.std().item() == pytest.approx(std, rel=0.01)


def test_a_conv_weight_counts_its_kernel_in_both_fans():
    values = spread(init.xavier_normal_, shape=(64, 32, 3, 3))  # fan_in 288, fan_out 576
    assert values.std() == pytest.approx(math.sqrt(2 / (288 + 576)), rel=0.02)


def test_zeros_ones_and_a_fixed_seed():
    w = Tensor(np.full((2, 3), 5.0), requires_grad=True)
    assert init.zeros_(w) is w and not w.data.any() and (init.ones_(w).data == 1).all()
    assert np.array_equal(spread(init.xavier_uniform_), spread(init.xavier_uniform_))


def test_fans_of_a_vector_are_refused_naming_its_shape():
    with pytest.raises(ValueError, match=r"2 or more dimensions, got shape \(3,\)"):
        init.xavier_uniform_(Tensor(np.zeros(3)))
    with pytest.raises(ValueError, match="mode 'fan_both'"):
        init.kaiming_normal_(Tensor(np.zeros((3, 3))), mode="fan_both")


def fingerprint(model):
    return hashlib.sha256(b"".join(p.data.tobytes() for p in model.parameters())).hexdigest()[:16]


@pytest.mark.parametrize(("args", "kwargs", "expected"), [  # measured on the MLP before these options existed
    ((2, [8, 8], 1), {}, "5d78af30c687472f"),
    ((2, [4, 3], 2), {"activation": ["relu", "sigmoid"], "rng": np.random.default_rng(5)}, "ef875a43493148c5"),
    ((3, [5], 1), {"activation": "leaky_relu"}, "bc58665601a516e0"),
])
def test_the_default_mlp_keeps_every_weight_it_always_had(args, kwargs, expected):
    model = nn.MLP(*args, **kwargs)
    assert fingerprint(model) == expected
    assert repr(model).splitlines()[0] == f"MLP({args[0]}, {args[1]}, {args[2]}, activation={model.activation!r}"


def test_mlp_options_lay_out_batch_norm_and_dropout_per_hidden_layer():
    model = nn.MLP(2, [4, 3], 1, activation=["relu", "tanh"], dropout=[0.5, 0.0], batch_norm=True)
    assert [type(layer).__name__ for layer in model] == [
        "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "BatchNorm1d", "Tanh", "Linear"]
    assert repr(model).splitlines()[0] == ("MLP(2, [4, 3], 1, activation=['relu', 'tanh'], dropout=[0.5, 0.0], "
                                           "batch_norm=True")
    assert model[3].p == 0.5 and model[1].num_features == 4 and model[5].num_features == 3
    assert [name for name, _ in model.named_buffers()][:2] == ["1.running_mean", "1.running_var"]
    x = np.random.default_rng(0).standard_normal((16, 2))
    model.eval()
    np.testing.assert_array_equal(model(x).data, model(x).data)  # eval: no dropout, running statistics
    model.train()
    assert not np.array_equal(model(x).data, model(x).data)  # training: a new mask each pass
    with pytest.raises(ValueError, match="3 dropout rates for 2 hidden layers"):
        nn.MLP(2, [4, 3], 1, dropout=[0.1, 0.2, 0.3])


def test_mlp_dropout_draws_from_the_models_generator():
    def masks(seed):
        model = nn.MLP(2, [6], 1, dropout=0.5, rng=np.random.default_rng(seed))
        model(np.ones((4, 2)))
        return model[2].mask
    assert np.array_equal(masks(1), masks(1)) and not np.array_equal(masks(1), masks(2))


@pytest.mark.parametrize(("init_name", "activation", "check"), [
    ("xavier_uniform", "tanh", lambda w, fi, fo: np.abs(w).max() <= math.sqrt(6 / (fi + fo))),
    ("xavier_normal", "tanh", lambda w, fi, fo: abs(w.std() / math.sqrt(2 / (fi + fo)) - 1) < 0.05),
    ("he_normal", "relu", lambda w, fi, fo: abs(w.std() / math.sqrt(2 / fi) - 1) < 0.05),
    ("he_normal", "tanh", lambda w, fi, fo: abs(w.std() / (5 / 3 / math.sqrt(fi)) - 1) < 0.05),
    ("uniform", "relu", lambda w, fi, fo: np.abs(w).max() <= 1 / math.sqrt(fi) and np.abs(w).max() > 0.9 / math.sqrt(fi)),
    ("zeros", "relu", lambda w, fi, fo: not w.any()),
])
def test_mlp_init_fills_every_linear_weight_with_the_named_spread(init_name, activation, check):
    model = nn.MLP(300, [200], 100, activation=activation, init=init_name, rng=np.random.default_rng(0))
    hidden, output = model[0].weight.data, model[2].weight.data
    assert check(hidden, 300, 200) and not model[0].bias.data.any()
    assert init_name == "zeros" or not np.array_equal(hidden, nn.MLP(300, [200], 100, activation=activation,
                                                                     rng=np.random.default_rng(0))[0].weight.data)
    assert repr(model).splitlines()[0].endswith(f"init={init_name!r}")
    assert (init_name == "zeros") == (not output.any())  # the output layer is filled too


def test_mlp_names_the_inits_for_an_unknown_one():
    with pytest.raises(ValueError, match="unknown init 'glorot'; choose one of xavier_uniform, xavier_normal, "
                                         "he_normal, uniform, zeros"):
        nn.MLP(2, [4], 1, init="glorot")
