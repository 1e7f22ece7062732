"""What the MLP view shows is the engine's own forward pass: each layer's activations and the probabilities
for a real held-out digit, checked against the same arithmetic done here in numpy from the weights."""
import numpy as np
import pytest

from app.digits import mnist_models
from app.digits.mlp_inspect import inspect_mlp
from engine import nn

from tests.app.digits.mlp_digits import held_out, trained_mlp


def test_activations_and_probabilities_are_the_networks_own():
    model, _ = trained_mlp()
    pixels, _ = held_out(7)
    reading = inspect_mlp(model, pixels.reshape(28, 28))  # a picture is read as its 784 pixels

    first, second, output = model[0], model[2], model[4]
    hidden_1 = np.maximum(first.weight.data @ pixels + first.bias.data, 0.0)
    hidden_2 = np.maximum(second.weight.data @ hidden_1 + second.bias.data, 0.0)
    scores = output.weight.data @ hidden_2 + output.bias.data
    np.testing.assert_array_equal(reading.activations[0], pixels)
    np.testing.assert_allclose(reading.activations[1], hidden_1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(reading.activations[2], hidden_2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(reading.probabilities, np.exp(scores) / np.exp(scores).sum(), rtol=1e-9)
    assert int(reading.probabilities.argmax()) == 7
    assert [w.shape for w in reading.weights] == [(64, 784), (32, 64), (10, 32)]
    assert reading.weights[1] is second.weight.data
    # ReLU's sparsity is real for this digit: some hidden neurons are exactly zero, some are not
    assert 0 < np.count_nonzero(reading.activations[1] == 0) < 64
    # the hooks are gone: the model runs as before
    assert all(not module.__dict__.get("_forward_hooks") for module in model)


def test_a_model_the_view_cannot_draw_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match="module 0 is Conv2d, where an nn.Linear belongs.*CNN's views"):
        inspect_mlp(mnist_models.lenet(np.random.default_rng(0)), np.zeros(784))
    with pytest.raises(ValueError, match="ends with ReLU: remove it"):
        inspect_mlp(nn.Sequential(nn.Linear(784, 10), nn.ReLU()), np.zeros(784))
    model, _ = trained_mlp()
    with pytest.raises(ValueError, match=r"takes 784 inputs, but the digit has 64 pixels \(shape \(8, 8\)\)"):
        inspect_mlp(model, np.zeros((8, 8)))
