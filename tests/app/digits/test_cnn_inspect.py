"""What the lab shows comes from the engine: probabilities, hooked feature maps, gradients checked numerically."""
import numpy as np

from app.digits import cnn_inspect
from app.digits import data as digits_data
from engine import Tensor, weights

from tests.app.digits.files import DIGITS, WEIGHTS


def shipped():
    return weights.load(WEIGHTS)[0], digits_data.load(DIGITS)


def test_probabilities_and_feature_maps_are_the_models_own():
    model, digits = shipped()
    image = digits.test_images[3, 0]
    seen = cnn_inspect.inspect(model, image)
    scores = model(image[None, None]).data[0]
    np.testing.assert_allclose(seen.probabilities, np.exp(scores) / np.exp(scores).sum(), rtol=1e-12)
    assert seen.target == int(scores.argmax()) == digits.test_labels[3]
    assert [layer.name for layer in seen.layers] == ["conv 1", "ReLU 1", "pool 1", "conv 2", "ReLU 2", "pool 2",
                                                     "flatten 1", "dense 1"]
    np.testing.assert_array_equal(seen.layers[0].values, model[0](image[None, None]).data[0])
    np.testing.assert_array_equal(seen.layers[2].values, model[2](model[1](model[0](image[None, None]))).data[0])


def test_saliency_and_map_gradients_match_central_differences():
    model, digits = shipped()
    # Noise breaks the ties of blank regions (equal values in a pooling window), where the score has a kink
    # and central differences would disagree with any gradient.
    image = digits.test_images[7, 0] + np.random.default_rng(0).uniform(0.01, 0.05, (8, 8))
    seen = cnn_inspect.inspect(model, image, target=4)
    score = lambda x: model(x[None, None]).data[0, 4]
    numeric = np.zeros((8, 8))
    for index in np.ndindex(8, 8):
        step = np.zeros((8, 8))
        step[index] = 1e-6
        numeric[index] = (score(image + step) - score(image - step)) / 2e-6
    np.testing.assert_allclose(seen.saliency, numeric, atol=1e-6)
    # the gradient at pool 2's output, through the dense layer, is the digit's row of weights
    np.testing.assert_allclose(seen.layers[5].gradient.ravel(), model[7].weight.data[4])


def test_inspecting_leaves_the_weights_and_their_gradients_alone():
    model, digits = shipped()
    marker = np.ones((8, 1, 3, 3))
    model[0].weight.grad = marker.copy()
    cnn_inspect.inspect(model, digits.test_images[0, 0])
    assert all(param.requires_grad for param in model.parameters())
    np.testing.assert_array_equal(model[0].weight.grad, marker)
    assert model[7].weight.grad is None
    assert all(not layer._forward_hooks for layer in model)  # the hooks are removed again


def test_statistics_name_dead_units():
    stats = cnn_inspect.statistics(Tensor([[0.0, 2.0], [0.0, 0.0]]).data)
    assert stats["zeros"] == 0.75 and stats["max"] == 2.0 and stats["mean"] == 0.5
