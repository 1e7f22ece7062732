"""What the lab shows comes from the engine: probabilities, hooked feature maps, gradients checked numerically."""
import numpy as np

from app.digits import cnn_inspect, mnist, mnist_models
from engine import Tensor, weights

from tests.app.digits.files import MNIST, SITE


def shipped(name="cnn"):
    return weights.load(SITE / mnist_models.NETWORKS[name].weights_file)[0], mnist.load(MNIST)


def test_probabilities_and_feature_maps_are_the_models_own():
    model, digits = shipped()
    image = digits.test_images[3] / 255
    seen = cnn_inspect.inspect(model, image)
    scores = model(image[None, None]).data[0]
    np.testing.assert_allclose(seen.probabilities, np.exp(scores) / np.exp(scores).sum(), rtol=1e-12)
    assert seen.target == int(scores.argmax()) == digits.test_labels[3]
    assert [layer.name for layer in seen.layers] == ["conv 1", "ReLU 1", "pool 1", "conv 2", "ReLU 2", "pool 2",
                                                     "flatten 1", "dense 1", "ReLU 3", "dense 2", "ReLU 4", "dense 3"]
    assert [layer.values.shape for layer in seen.layers[:7]] == [(6, 28, 28), (6, 28, 28), (6, 14, 14), (16, 10, 10),
                                                                  (16, 10, 10), (16, 5, 5), (400,)]
    np.testing.assert_array_equal(seen.layers[0].values, model[0](image[None, None]).data[0])
    np.testing.assert_array_equal(seen.layers[2].values, model[2](model[1](model[0](image[None, None]))).data[0])


def test_the_mlp_reads_the_same_image_flat():
    model, digits = shipped("mlp")
    image = digits.test_images[5] / 255
    seen = cnn_inspect.inspect(model, image, input_shape=(784,))
    np.testing.assert_allclose(seen.probabilities, model(image.reshape(1, 784)).softmax().data[0], rtol=1e-12)
    assert seen.saliency.shape == (28, 28) and [layer.values.shape for layer in seen.layers] == [
        (64,), (64,), (32,), (32,), (10,)]
    np.testing.assert_allclose(seen.saliency.ravel(), (seen.layers[0].gradient @ model[0].weight.data), atol=1e-12)


def test_saliency_and_map_gradients_match_central_differences():
    model, digits = shipped()
    # Noise breaks the ties of blank regions (equal values in a pooling window), where the score has a kink
    # and central differences would disagree with any gradient.
    image = digits.test_images[7] / 255 + np.random.default_rng(0).uniform(0.01, 0.05, (28, 28))
    seen = cnn_inspect.inspect(model, image, target=4)
    score = lambda x: model(x[None, None]).data[0, 4]
    checked = np.random.default_rng(1).choice(784, 60, replace=False)  # 60 pixels: each costs two passes
    for flat in checked:
        index = np.unravel_index(flat, (28, 28))
        step = np.zeros((28, 28))
        step[index] = 1e-6
        numeric = (score(image + step) - score(image - step)) / 2e-6
        np.testing.assert_allclose(seen.saliency[index], numeric, atol=1e-6)
    # the gradient at the last ReLU's output, through the last dense layer, is the digit's row of weights
    np.testing.assert_allclose(seen.layers[10].gradient, model[11].weight.data[4])


def test_inspecting_leaves_the_weights_and_their_gradients_alone():
    model, digits = shipped()
    marker = np.ones((6, 1, 5, 5))
    model[0].weight.grad = marker.copy()
    cnn_inspect.inspect(model, digits.test_images[0] / 255)
    assert all(param.requires_grad for param in model.parameters())
    np.testing.assert_array_equal(model[0].weight.grad, marker)
    assert model[11].weight.grad is None
    assert all(not layer._forward_hooks for layer in model)  # the hooks are removed again


def test_statistics_name_dead_units():
    stats = cnn_inspect.statistics(Tensor([[0.0, 2.0], [0.0, 0.0]]).data)
    assert stats["zeros"] == 0.75 and stats["max"] == 2.0 and stats["mean"] == 0.5
