"""The benchmark's hand-written frame floor does the same arithmetic as the engine, so comparing the app's
frame time with it compares like with like."""
import numpy as np

from benchmarks.frame_floor import FloorFrame, edge_curves, neuron_centres
from engine import Tensor, nn, optim
from engine.nn import functional as F

SIZES = [2, 8, 8, 1]


def engine_copy(floor):
    model = nn.MLP(SIZES[0], SIZES[1:-1], SIZES[-1], activation="tanh")
    for layer, (W, b) in zip(model[::2], floor.layers):
        layer.weight.data[...], layer.bias.data[...] = W, b
    return model


def test_a_floor_step_is_the_engines_training_step():
    floor = FloorFrame(SIZES)
    model = engine_copy(floor)
    x, y = floor.train[0][:10], floor.train[1][:10]
    sgd = optim.SGD(model.parameters(), lr=floor.lr)
    F.binary_cross_entropy_with_logits(model(Tensor(x)), y).backward()
    sgd.step()
    floor.step(x, y)
    for layer, (W, b) in zip(model[::2], floor.layers):
        np.testing.assert_allclose(W, layer.weight.data, rtol=0, atol=1e-14)
        np.testing.assert_allclose(b, layer.bias.data, rtol=0, atol=1e-14)


def test_the_floor_loss_and_picture_come_from_its_network():
    floor = FloorFrame(SIZES)
    train_loss, _ = floor.epoch()
    x, y = floor.train
    expected = F.binary_cross_entropy_with_logits(engine_copy(floor)(Tensor(x)), y).item()
    assert abs(train_loss - expected) < 1e-12
    heatmap, strip = floor.images()
    assert heatmap.shape == (100, 100, 4) and strip.shape == (25, 25 * sum(SIZES), 4)
    logits = engine_copy(floor)(Tensor(floor.grid)).data.reshape(100, 100)
    expected = floor.rgba(np.tanh(0.5 * logits))  # 2p - 1 for p = sigmoid(logit), as the app shades it
    same = (heatmap == expected).all(axis=-1)
    assert same.mean() > 0.999  # a pixel may round to the next level: tanh there is an exp formula


def test_every_edge_is_in_exactly_one_stroked_path():
    floor = FloorFrame(SIZES)
    centres, radius = neuron_centres(SIZES, 600, 400)
    paths = floor.edge_paths(edge_curves(centres, radius))
    weights = np.concatenate([W.ravel() for W, _ in floor.layers])
    assert sum(d.count("M") for d in paths.values()) == weights.size
    positive = sum(d.count("M") for (sign, _), d in paths.items() if sign)
    assert positive == int((weights > 0).sum())
