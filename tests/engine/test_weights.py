"""Weights files: a saved model loads back equal, layer for layer, and bad files are refused by name."""
import io
from pathlib import Path

import numpy as np
import pytest

from engine import nn, weights


def lenet():
    rng = np.random.default_rng(3)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(64, 10, rng=rng), nn.LeakyReLU(0.2), nn.Linear(10, 3, bias=False, rng=rng))


def round_trip(model, meta=None):
    buffer = io.BytesIO()
    weights.save(model, buffer, meta=meta)
    buffer.seek(0)
    return weights.load(buffer)


def test_a_saved_model_computes_the_same_outputs_after_loading():
    model = lenet()
    copy, meta = round_trip(model, meta={"accuracy": 0.97})
    x = np.random.default_rng(0).normal(size=(5, 1, 8, 8))
    np.testing.assert_array_equal(copy(x).data, model(x).data)
    assert meta == {"accuracy": 0.97}
    assert weights.describe(copy) == weights.describe(model)
    assert copy[6].bias is None and copy[5].slope == 0.2


def test_a_model_with_dropout_and_batch_norm_round_trips_with_its_running_statistics():
    model = nn.MLP(2, [6, 4], 3, activation="relu", dropout=0.3, batch_norm=True, rng=np.random.default_rng(2))
    rng = np.random.default_rng(0)
    for _ in range(3):  # training moves the running statistics away from 0 and 1
        model(rng.standard_normal((8, 2)) * 2 + 1)
    copy, _ = round_trip(model)
    assert weights.describe(copy) == weights.describe(model)
    assert [type(layer).__name__ for layer in copy] == [type(layer).__name__ for layer in model]
    assert copy[3].p == 0.3 and copy[1].momentum == 0.1 and copy[1].affine
    for name, values in model.named_buffers():
        np.testing.assert_array_equal(dict(copy.named_buffers())[name], values)
    assert copy[1].num_batches_tracked == 3 and copy[1].running_mean.any()
    x = rng.standard_normal((5, 2))
    np.testing.assert_array_equal(copy.eval()(x).data, model.eval()(x).data)


@pytest.mark.parametrize(("name", "digits"), [("mnist-mlp", (2, 784)), ("mnist-cnn", (2, 1, 28, 28))])
def test_the_shipped_files_written_before_buffers_existed_still_load(name, digits):
    model, _ = weights.load(Path(__file__).parents[2] / "site" / "data" / f"{name}.npz")
    assert list(model.named_buffers()) == [] and model(np.zeros(digits)).shape == (2, 10)


def test_load_state_dict_refuses_missing_names_and_wrong_shapes():
    model = nn.MLP(2, [3], 1)
    state = model.state_dict()
    with pytest.raises(ValueError, match=r"missing \['2.bias'\]"):
        model.load_state_dict({k: v for k, v in state.items() if k != "2.bias"})
    with pytest.raises(ValueError, match=r"0.weight has shape \(2, 2\)"):
        model.load_state_dict({**state, "0.weight": np.zeros((2, 2))})


def test_state_dict_is_a_copy_and_load_replaces_the_values():
    model = nn.MLP(2, [3], 1)
    state = model.state_dict()
    state["0.weight"][:] = 7.0
    assert not (model[0].weight.data == 7.0).any()
    model.load_state_dict(state)
    assert (model[0].weight.data == 7.0).all()


def test_files_that_are_not_weights_files_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="not a weights file"):
        weights.load(io.BytesIO(b"certainly not a zip archive"))
    other = io.BytesIO()
    np.savez(other, something=np.zeros(3))
    other.seek(0)
    with pytest.raises(ValueError, match="'format' entry"):
        weights.load(other)


def test_only_sequential_models_of_known_layers_can_be_saved():
    class Custom(nn.Module):
        def forward(self, x):
            return x
    with pytest.raises(TypeError, match="layer 1 is a Custom"):
        weights.describe(nn.Sequential(nn.Linear(2, 2), Custom()))
    with pytest.raises(ValueError, match="unknown type 'Attention'"):
        weights.build([{"type": "Attention"}])


def test_a_damaged_archive_is_refused_as_not_a_weights_file():
    with pytest.raises(ValueError, match="not a weights file"):
        weights.load(io.BytesIO(b"PK\x03\x04 a zip header and nothing after it"))


def test_a_truncated_or_pickled_file_is_named_for_what_it_is_not_and_a_missing_path_for_what_it_is(tmp_path):
    whole = io.BytesIO()
    weights.save(nn.MLP(2, [3], 1), whole)
    pickled = io.BytesIO()
    np.savez(pickled, layers=np.array([{"type": "Linear"}], dtype=object))
    for data in (whole.getvalue()[:200], pickled.getvalue()):
        with pytest.raises(weights.UnreadableFile) as refused:
            weights.load(io.BytesIO(data))
        assert str(refused.value) == ("not a weights file (it could not be read as an .npz of arrays): save one "
                                      "with engine.weights.save")
    with pytest.raises(FileNotFoundError):
        weights.load(tmp_path / "never-saved.npz")
