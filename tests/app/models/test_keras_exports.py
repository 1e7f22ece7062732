"""Models exported by Keras and laid out as TensorFlow lays them out: images channels last, (N, 28, 28, 1),
each convolution wrapped in Transposes, Casts between layers, a Dense layer as MatMul then Add, and a flatten
written as arithmetic on the input's shape. The page (onnx_file.py) and the tool read them into the engine's
own layers, channels first, and compute what Keras computes.

Keras 3 exports ONNX through its backend; with the torch backend that is torch's own exporter, so these run
with the test-only torch and no TensorFlow. A graph as tf2onnx writes it (TensorFlow's exporter, which needs
TensorFlow) is written out by hand and checked against onnx's reference implementation of each op."""
import os
import warnings

import numpy as np
import pytest

from app.digits import mnist
from app.models import onnx_file, onnx_rules

from tests.app.digits.files import MNIST

os.environ.setdefault("KERAS_BACKEND", "torch")   # before Keras is imported: it picks its backend then
keras = pytest.importorskip("keras")
onnx = pytest.importorskip("onnx")
from onnx import helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402


def digits(count=32):
    """Held-out digits in 0..1, (count, 28, 28)."""
    return mnist.load(MNIST).test_images[:count] / 255.0


def exported(model, input_shape, tmp_path):
    """The ONNX bytes Keras writes for `model` (called once first: Keras exports only a built model)."""
    model(np.zeros((1, *input_shape), np.float32))
    path = tmp_path / "model.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # torch's exporter's notes on Keras's code
        model.export(str(path), format="onnx", verbose=False)
    return path.read_bytes()


def keras_cnn():
    keras.utils.set_random_seed(0)
    layers = keras.layers
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(4, 3, activation="relu"), layers.MaxPooling2D(2),
                             layers.Conv2D(6, 3, activation="tanh"), layers.MaxPooling2D(2), layers.Flatten(),
                             layers.Dense(16, activation="relu"), layers.Dense(10, activation="softmax")])


def keras_mlp(input_shape):
    keras.utils.set_random_seed(1)
    layers = keras.layers
    flatten = [layers.Flatten()] if len(input_shape) > 1 else []
    return keras.Sequential([keras.Input(input_shape), *flatten, layers.Dense(32, activation="relu"),
                             layers.Dense(10, activation="softmax")])


def softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def test_a_keras_cnn_laid_out_channels_last_opens_channels_first_and_computes_what_keras_does(tmp_path):
    cnn = keras_cnn()
    model, meta = onnx_file.open_onnx(exported(cnn, (28, 28, 1), tmp_path))
    assert [type(layer).__name__ for layer in model] == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "Tanh", "MaxPool2d",
                                                         "Flatten", "Linear", "ReLU", "Linear"]
    assert all(layer.bias is not None for layer in model if hasattr(layer, "bias"))   # each Add became a bias
    assert (meta["opens_in"], meta["input_shape"]) == ("digits lab", (1, 28, 28))
    images = digits()
    ours = softmax(model(images.reshape(-1, 1, 28, 28)).data)
    theirs = np.asarray(cnn.predict(images.reshape(-1, 28, 28, 1).astype(np.float32), verbose=0))
    np.testing.assert_allclose(ours, theirs, atol=2e-6)   # Keras computes in float32, the engine in float64
    assert (ours.argmax(axis=1) == theirs.argmax(axis=1)).all() and len(set(theirs.argmax(axis=1))) > 1


@pytest.mark.parametrize("input_shape", [(784,), (28, 28), (28, 28, 1)])
def test_a_keras_mlp_opens_for_any_input_shape_keras_gives_a_digit(input_shape, tmp_path):
    mlp = keras_mlp(input_shape)
    model, meta = onnx_file.open_onnx(exported(mlp, input_shape, tmp_path))
    assert meta["opens_in"] == "digits lab" and meta["note"].startswith("the model's final Softmax was dropped")
    assert [repr(layer) for layer in model][-3:] == ["Linear(784, 32, bias=True)", "ReLU()", "Linear(32, 10, bias=True)"]
    images = digits()
    ours = softmax(model(images.reshape(-1, *meta["input_shape"])).data)
    theirs = np.asarray(mlp.predict(images.reshape(-1, *input_shape).astype(np.float32), verbose=0))
    np.testing.assert_allclose(ours, theirs, atol=2e-6)


def tf2onnx_cnn(rng, flatten_to):
    """A CNN as tf2onnx writes a Keras one: the input channels last, one Transpose to channels first before the
    first Conv (its bias inside it), one back after the last pooling, a Reshape to a stored shape, MatMul, Add,
    and Softmax."""
    pool = {"kernel_shape": [2, 2], "strides": [2, 2]}
    nodes = [helper.make_node("Transpose", ["input_1"], ["nchw"], perm=[0, 3, 1, 2]),
             helper.make_node("Conv", ["nchw", "w1", "b1"], ["c1"], kernel_shape=[3, 3]),
             helper.make_node("Relu", ["c1"], ["r1"]), helper.make_node("MaxPool", ["r1"], ["p1"], **pool),
             helper.make_node("Transpose", ["p1"], ["nhwc"], perm=[0, 2, 3, 1]),
             helper.make_node("Reshape", ["nhwc", "to"], ["flat"]),
             helper.make_node("MatMul", ["flat", "w2"], ["m"]), helper.make_node("Add", ["m", "b2"], ["logits"]),
             helper.make_node("Softmax", ["logits"], ["dense_1"], axis=-1)]
    stored = {"w1": rng.normal(size=(5, 1, 3, 3)), "b1": rng.normal(size=5), "to": np.array(flatten_to, np.int64),
              "w2": rng.normal(size=(5 * 13 * 13, 10)) / 10, "b2": rng.normal(size=10)}
    initializers = [numpy_helper.from_array(value if value.dtype == np.int64 else value.astype(np.float32), name)
                    for name, value in stored.items()]
    graph = helper.make_graph(nodes, "tf2onnx", [helper.make_tensor_value_info("input_1", 1, ["unk__6", 28, 28, 1])],
                              [helper.make_tensor_value_info("dense_1", 1, ["unk__7", 10])], initializers)
    return helper.make_model(graph, producer_name="tf2onnx", opset_imports=[helper.make_opsetid("", 13)])


def test_a_cnn_as_tensorflows_exporter_writes_it_computes_what_onnxs_reference_computes():
    proto = tf2onnx_cnn(np.random.default_rng(0), [-1, 5 * 13 * 13])
    model, meta = onnx_file.open_onnx(proto.SerializeToString())
    assert [type(layer).__name__ for layer in model] == ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"]
    assert meta["input_layout"] == "the engine's model takes (N, 1, 28, 28): the file's input, (N, 28, 28, 1), transposed"
    images = digits(8).astype(np.float32)
    reference, = ReferenceEvaluator(proto).run(None, {"input_1": images.reshape(-1, 28, 28, 1)})
    np.testing.assert_allclose(softmax(model(images.reshape(-1, 1, 28, 28)).data), reference, atol=1e-6)


def test_flattened_maps_the_engine_cannot_reorder_are_refused_saying_why():
    """Maps flattened channels last must reach a Linear, which takes them in the engine's order; maps handed
    to a Conv in that layout, or given out as the output so, cannot be."""
    proto = tf2onnx_cnn(np.random.default_rng(1), [-1, 5 * 13 * 13])
    graph = onnx_rules.Graph
    read = onnx_file.decode(proto.SerializeToString())
    ends_flat = graph(read.nodes[:6], read.initializers, read.inputs, ("flat",))
    with pytest.raises(ValueError, match=r"^the model's output is laid out in another order than its layers compute "
                                         r"it \(a Transpose or a flatten of channels-last maps with no layer after "
                                         r"it\)"):
        onnx_rules.read(ends_flat)
    pooled_again = graph(read.nodes[:5] + (onnx_rules.Node("MaxPool", ("nhwc",), ("p2",), {"kernel_shape": [2, 2]}),),
                         read.initializers, read.inputs, ("p2",))
    with pytest.raises(ValueError, match=r"^a MaxPool node takes its maps channels first, \(N, C, H, W\), but gets "
                                         r"them laid out as the axes \[0, 2, 3, 1\] of that"):
        onnx_rules.read(pooled_again)
