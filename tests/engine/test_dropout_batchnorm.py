"""Dropout and batch norm behave as torch's in training and in evaluation, forward and backward, and
`train()`/`eval()` reach every layer of a model."""
import numpy as np
import pytest

from engine import Tensor, nn
from engine.gradcheck import check_gradients
from tests.engine.torch_oracle import close, torch

rng = np.random.default_rng(4)


def test_train_and_eval_reach_every_child_and_return_the_model():
    class Net(nn.Module):
        def __init__(self):
            self.body = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5))
            self.heads = [nn.BatchNorm1d(3)]

        def forward(self, x):
            return self.heads[0](self.body(x))

    net = Net()
    layers = [net.body, net.body[0], net.body[1], net.heads[0]]
    assert list(net.modules()) == [net, *layers]
    assert net.training and all(layer.training for layer in layers)
    assert net.eval() is net and not net.training and not any(layer.training for layer in layers)
    assert net.train() is net and net.training and all(layer.training for layer in layers)
    assert net.train(False) is net and not any(layer.training for layer in layers)


def test_dropout_keeps_one_minus_p_and_scales_the_survivors_as_torch():
    x = rng.standard_normal((200, 50))
    layer = nn.Dropout(0.3, rng=np.random.default_rng(0))
    out = layer(x).data
    assert layer.mask.shape == x.shape and layer.mask.mean() == pytest.approx(0.7, abs=0.01)
    np.testing.assert_array_equal(out, np.where(layer.mask, x * (1 / 0.7), 0.0))
    theirs = torch.nn.Dropout(0.3)(torch.tensor(x)).numpy()  # torch's survivors carry the same scale, to the bit
    np.testing.assert_array_equal(theirs[theirs != 0], x[theirs != 0] * (1 / 0.7))


def test_dropout_backward_uses_the_same_mask_and_scale_as_torch_would():
    x = Tensor(rng.standard_normal((6, 5)), requires_grad=True)
    layer = nn.Dropout(0.4, rng=np.random.default_rng(1))
    out = layer(x)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    theirs = torch.tensor(x.data, requires_grad=True)
    (theirs * torch.tensor(layer.mask) / 0.6).backward(torch.tensor(upstream))
    close(x.grad, theirs.grad)


def test_dropout_masks_replay_from_a_seed_and_differ_between_steps():
    def masks(seed):
        layer = nn.Dropout(0.5, rng=np.random.default_rng(seed))
        return [(layer(np.ones((4, 8))), layer.mask)[1] for _ in range(2)]
    first, again, other = masks(3), masks(3), masks(4)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], first[1]) and not np.array_equal(first[0], other[0])


def test_dropout_passes_everything_in_eval_and_at_p_zero_as_torch():
    x = rng.standard_normal((5, 4))
    layer = nn.Dropout(0.5).eval()
    assert np.array_equal(layer(x).data, x) and layer.mask is None
    np.testing.assert_array_equal(torch.nn.Dropout(0.5).eval()(torch.tensor(x)).numpy(), x)
    zero = nn.Dropout(0.0)
    assert np.array_equal(zero(x).data, x) and zero.mask is None


@pytest.mark.parametrize("p", [1, 1.0, -0.1, "0.5", True])
def test_dropout_refuses_a_probability_outside_zero_to_one(p):
    with pytest.raises(ValueError, match=r"Dropout: p=.* must be a number in \[0, 1\)"):
        nn.Dropout(p)


def torch_batch_norm(layer):
    theirs = {1: torch.nn.BatchNorm1d, 2: torch.nn.BatchNorm2d}[1 if isinstance(layer, nn.BatchNorm1d) else 2](
        layer.num_features, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(layer.weight.data))
        theirs.bias.copy_(torch.tensor(layer.bias.data))
    return theirs


@pytest.mark.parametrize(("make", "shape"), [(lambda: nn.BatchNorm1d(3), (8, 3)), (lambda: nn.BatchNorm1d(3), (4, 3, 5)),
                                             (lambda: nn.BatchNorm2d(2), (3, 2, 4, 4))])
def test_batch_norm_matches_torch_over_several_training_steps_and_then_in_eval(make, shape):
    ours = make()
    ours.weight.data = rng.uniform(0.5, 2.0, ours.num_features)
    ours.bias.data = rng.standard_normal(ours.num_features)
    theirs = torch_batch_norm(ours)
    for mode in ["train"] * 4 + ["eval"] * 2:
        getattr(ours, mode)(), getattr(theirs, mode)()
        x = rng.standard_normal(shape) * 3 + 1
        mine, reference = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ours.zero_grad(), theirs.zero_grad()
        out, expected = ours(mine), theirs(reference)
        close(out.data, expected)
        upstream = rng.standard_normal(out.shape)
        out.backward(upstream)
        expected.backward(torch.tensor(upstream))
        close(mine.grad, reference.grad)
        close(ours.weight.grad, theirs.weight.grad)
        close(ours.bias.grad, theirs.bias.grad)
        close(ours.running_mean, theirs.running_mean)
        close(ours.running_var, theirs.running_var)
        assert ours.num_batches_tracked == theirs.num_batches_tracked.item()
    assert ours.num_batches_tracked == 4


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize(("layer", "shape"), [(nn.BatchNorm1d(3), (5, 3)), (nn.BatchNorm1d(2), (3, 2, 4)),
                                              (nn.BatchNorm2d(2), (2, 2, 3, 3))])
def test_batch_norm_gradients_pass_the_numerical_check(layer, shape, training):
    layer.train(training)
    layer.running_var[...] = rng.uniform(0.5, 2.0, layer.num_features)
    layer.weight.data, layer.bias.data = rng.uniform(0.5, 2.0, layer.num_features), rng.standard_normal(layer.num_features)
    x = Tensor(rng.standard_normal(shape), requires_grad=True)
    weights = rng.standard_normal(shape)
    statistics = [values.copy() for _, values in layer.named_buffers()]

    def loss(inputs):  # the check runs forward many times: each starts from the same running estimates
        for (_, values), start in zip(layer.named_buffers(), statistics):
            values[...] = start
        return (layer(inputs[0]) * weights).sum()
    assert check_gradients(loss, [x, layer.weight, layer.bias]) < 1e-7


def test_batch_norm_without_affine_has_no_parameters_and_matches_torch():
    x = rng.standard_normal((6, 4))
    ours, theirs = nn.BatchNorm1d(4, affine=False), torch.nn.BatchNorm1d(4, affine=False, dtype=torch.float64)
    assert ours.parameters() == []
    close(ours(x).data, theirs(torch.tensor(x)))


def test_running_statistics_are_buffers_kept_by_state_dict_and_never_given_to_an_optimizer():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert [name for name, _ in model.named_buffers()] == ["1.running_mean", "1.running_var", "1.num_batches_tracked"]
    model(rng.standard_normal((4, 2)))
    state = model.state_dict()
    assert set(state) == {"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                          "1.num_batches_tracked"}
    assert state["1.num_batches_tracked"] == 1 and state["1.running_mean"].any()
    fresh = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh[1].running_var, model[1].running_var)
    assert fresh[1].num_batches_tracked.dtype == np.int64 and fresh[1].num_batches_tracked == 1
    with pytest.raises(ValueError, match=r"missing \['1.running_var'\]"):
        fresh.load_state_dict({k: v for k, v in state.items() if k != "1.running_var"})


def test_a_batch_of_one_in_training_is_refused_as_torch_does_and_passes_in_eval():
    layer = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"expected more than 1 value per channel when training.*\(1, 3\).*model.eval"):
        layer(np.ones((1, 3)))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        torch.nn.BatchNorm1d(3)(torch.ones(1, 3))
    assert layer.num_batches_tracked == 0 and layer.eval()(np.ones((1, 3))).shape == (1, 3)


@pytest.mark.parametrize(("layer", "shape", "expected"), [(nn.BatchNorm1d(3), (4, 3, 2, 2), "2-D or 3-D"),
                                                          (nn.BatchNorm1d(3), (4, 5), "2-D or 3-D"),
                                                          (nn.BatchNorm2d(3), (4, 3), "4-D")])
def test_batch_norm_names_an_input_shape_that_does_not_fit(layer, shape, expected):
    with pytest.raises(ValueError, match=rf"input shape {re_shape(shape)} does not fit; expected {expected}"):
        layer(np.ones(shape))


def re_shape(shape):
    return str(shape).replace("(", r"\(").replace(")", r"\)")
