"""The rules that make an engine model of an ONNX graph, on graphs written out as the plain description both
readers give them: the shape between layers is worked out as the chain goes (no shape inference), and what
the page cannot show is refused saying why. Real files, from torch, are read in test_onnx_file.py."""
import numpy as np
import pytest

from app.models.onnx_rules import Graph, Node, read, read_for_the_page

rng = np.random.default_rng(0)


def lenet(reshape_to, image=(1, 28, 28), last_layer=400):
    """LeNet's chain as exporters write it: Conv (5x5, padded), MaxPool, Conv (5x5), MaxPool, Reshape, Gemm."""
    pool = {"kernel_shape": [2, 2], "strides": [2, 2]}
    nodes = (Node("Conv", ("x", "w1", "b1"), ("c1",), {"kernel_shape": [5, 5], "pads": [2, 2, 2, 2]}),
             Node("Relu", ("c1",), ("r1",)), Node("MaxPool", ("r1",), ("p1",), pool),
             Node("Conv", ("p1", "w2"), ("c2",), {"kernel_shape": [5, 5]}), Node("MaxPool", ("c2",), ("p2",), pool),
             Node("Reshape", ("p2", "to"), ("flat",)), Node("Gemm", ("flat", "w3"), ("y",), {"transB": 1}))
    weights = {"w1": rng.normal(size=(6, 1, 5, 5)), "b1": rng.normal(size=6), "w2": rng.normal(size=(16, 6, 5, 5)),
               "to": np.array(reshape_to), "w3": rng.normal(size=(10, last_layer))}
    return Graph(nodes, weights, (("x", (None, *image)),), ("y",))


def test_a_cnn_is_read_with_its_shapes_worked_out_layer_by_layer():
    model, meta = read_for_the_page(lenet([-1, 400]))
    assert [type(layer).__name__ for layer in model] == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "MaxPool2d",
                                                         "Flatten", "Linear"]
    assert model(np.zeros((3, 1, 28, 28))).shape == (3, 10)
    assert (meta["opens_in"], meta["input_shape"]) == ("digits lab", (1, 28, 28))
    assert len(read_for_the_page(lenet([0, -1]))[0]) == 7   # 0 copies the batch size
    with pytest.raises(ValueError, match=r"^a Reshape node: a reshape to \[-1, 401\] that does not flatten "
                                         r"\(N, 16, 5, 5\) is not something the engine's layers do$"):
        read(lenet([-1, 401]))
    with pytest.raises(ValueError, match=r"^a Gemm node takes inputs of shape \(N, 400\), but gets \(N, 10\)$"):
        read(Graph(lenet([-1, 400]).nodes + (Node("Gemm", ("y", "w3"), ("z",), {"transB": 1}),),
                   lenet([-1, 400]).initializers, (("x", (None, 1, 28, 28)),), ("z",)))


def test_sizes_left_symbolic_are_the_pages_own_but_the_tool_needs_them_stated():
    graph = lenet([-1, 400], image=(1, None, None))
    model, meta = read_for_the_page(graph)   # read as 28x28 digits, so the flattened maps hold 400 numbers
    assert meta["input_shape"] == (1, 28, 28) and model(np.zeros((2, 1, 28, 28))).shape == (2, 10)
    with pytest.raises(ValueError, match=r"a reshape to \[-1, 400\] that does not flatten \(N, 16, \?, \?\)"):
        read(graph)


def test_a_layer_that_does_not_fit_what_reaches_it_is_refused_naming_both_shapes():
    with pytest.raises(ValueError, match=r"^a Gemm node takes inputs of shape \(N, 401\), but gets \(N, 400\)$"):
        read(lenet([-1, 400], last_layer=401))
    with pytest.raises(ValueError, match=r"^layer 3 \(Conv2d\(6, 16, kernel_size=5, stride=1, padding=0, "
                                         r"bias=False\)\) slides a 5x5 window over an image of \(N, 6, 4, 4\), "
                                         r"which is smaller$"):
        read(lenet([-1, 400], image=(1, 8, 8)))


def test_identity_and_constant_nodes_are_read_as_exporters_use_them():
    """An Identity passes the chain on, or names a weight again (shared weights); a Constant node holds a
    reshape's target shape."""
    w = rng.normal(size=(3, 12))
    nodes = (Node("Constant", (), ("shape",), {"value_ints": [0, -1]}), Node("Reshape", ("x", "shape"), ("flat",)),
             Node("Identity", ("flat",), ("same",)), Node("Identity", ("w",), ("w again",)),
             Node("Gemm", ("same", "w again"), ("y",), {"transB": 1}))
    model, _ = read(Graph(nodes, {"w": w}, (("x", (None, 3, 2, 2)),), ("y",)))
    assert [repr(layer) for layer in model] == ["Flatten()", "Linear(12, 3, bias=False)"]
    x = rng.normal(size=(5, 3, 2, 2))
    np.testing.assert_allclose(model(x).data, x.reshape(5, 12) @ w.T, rtol=1e-12)


def test_ops_from_other_domains_are_named_with_their_domain():
    nodes = (Node("LSTM", ("x",), ("h",)), Node("Attention", ("h",), ("y",), domain="com.microsoft"),
             Node("Relu", ("y",), ("z",), domain="com.microsoft"))
    with pytest.raises(ValueError,
                       match=r"^unsupported ONNX ops: LSTM, com\.microsoft\.Attention, com\.microsoft\.Relu;"):
        read_for_the_page(Graph(nodes, {}, (("x", (None, 2)),), ("z",)))


@pytest.mark.parametrize("shape, words", [((None, 3, 32, 32), "inputs of shape (N, 3, 32, 32)"),
                                          ((None, 1, 32, 32), "inputs of shape (N, 1, 32, 32)"),
                                          (None, "inputs of a shape the file does not state")])
def test_inputs_the_page_cannot_show_are_refused(shape, words):
    graph = Graph((Node("Relu", ("x",), ("y",)),), {}, (("x", shape),), ("y",))
    with pytest.raises(ValueError, match=rf"^the model takes {words.replace('(', '[(]').replace(')', '[)]')}; "
                                         r"the page shows models that take \(N, 2\) in the playground"):
        read_for_the_page(graph)
    assert len(read(graph)[0]) == 1   # the tool writes a weights file for any input


def test_attributes_and_weights_that_make_no_layer_are_refused_in_words():
    """What a damaged file, or an odd exporter, can leave: a pooling with no window, a number that is text, a
    weight that is not a number at all."""
    weights = {"w": rng.normal(size=(3, 4))}
    for node, message in [
            (Node("MaxPool", ("x",), ("y",), {"strides": [2, 2]}), r"^a MaxPool node has no kernel_shape$"),
            (Node("MaxPool", ("x",), ("y",), {"kernel_shape": [2.5, 2.5]}),
             r"^a MaxPool node: its kernel_shape is \[2\.5, 2\.5\], not whole numbers$"),
            (Node("Gemm", ("x", "w"), ("y",), {"alpha": "1", "transB": 1}, name="dense"),
             r"^node 'dense' \(Gemm\): its alpha is '1', not a number$")]:
        with pytest.raises(ValueError, match=message):
            read(Graph((node,), weights, (("x", (None, 1, 4, 4)),), ("y",)))
    weights["w"][1, 2] = np.nan
    with pytest.raises(ValueError, match=r"^the model's parameters 0\.weight hold NaN or infinite values, which no "
                                         r"drawing can be read through: export it from weights that are all finite"):
        read(Graph((Node("Gemm", ("x", "w"), ("y",), {"transB": 1}),), weights, (("x", (None, 4)),), ("y",)))
    sparse = Node("Constant", (), ("shape",))   # its sparse_value is a kind of attribute the readers leave out
    with pytest.raises(ValueError, match=r"^a Constant node holds no value the rules read; it should hold one tensor"):
        read(Graph((sparse, Node("Reshape", ("x", "shape"), ("y",))), {}, (("x", (None, 4)),), ("y",)))


def test_a_batch_norm_that_makes_no_engine_layer_is_refused_naming_what_is_wrong():
    """A batch norm's four vectors must hold one value per channel of what reaches it, its variance must leave
    something to divide by, and the rules must know how many axes it normalises over."""
    per_channel = {name: np.ones(3) for name in ("scale", "shift", "mean", "var")}
    norm = Node("BatchNormalization", ("x", "scale", "shift", "mean", "var"), ("y",), name="bn")
    for weights, shape, message in [
            (per_channel, (None, 4), r"^node 'bn' \(BatchNormalization\) takes inputs of shape \(N, 3\), but gets "
                                     r"\(N, 4\)$"),
            ({**per_channel, "mean": np.ones(2)}, (None, 3), r"^node 'bn' \(BatchNormalization\): a scale, shift, "
                                                             r"mean and variance of 3, 3, 2 and 3 values"),
            ({**per_channel, "var": -np.ones(3)}, (None, 3), r"^node 'bn' \(BatchNormalization\) has a running "
                                                             r"variance below zero"),
            (per_channel, None, r"^node 'bn' \(BatchNormalization\) normalises an input of unstated shape: export")]:
        with pytest.raises(ValueError, match=message):
            read(Graph((norm,), weights, (("x", shape),), ("y",)))
    model, _ = read(Graph((norm,), per_channel, (("x", (None, 3, 5, 5)),), ("y",)))
    assert repr(model[0]) == "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True)" and not model.training
