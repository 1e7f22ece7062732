"""The page reads ONNX files itself (app.models.onnx_file, no onnx package): from what torch 2.13's two
exporters write it gets the very description the onnx package gives the tool, and models that compute what
torch computes; a file it cannot open is refused in words that say what is wrong and what to do."""
import copy
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.external_data_helper import set_external_data  # noqa: E402

from app.models import onnx_file, onnx_rules  # noqa: E402
from tests.tools.torch_exports import export  # noqa: E402
from tools import onnx_import  # noqa: E402

t = torch.nn
SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "screenshot.png"
EXPORTERS = {"legacy exporter": False, "dynamo exporter": True}


def tanh_mlp():
    return t.Sequential(t.Linear(2, 8), t.Tanh(), t.Linear(8, 8), t.Tanh(), t.Linear(8, 1)), (2,)


def digits_mlp():
    return t.Sequential(t.Linear(784, 64), t.ReLU(), t.Linear(64, 32), t.ReLU(), t.Linear(32, 10)), (784,)


def mnist_cnn():
    return t.Sequential(t.Conv2d(1, 8, 3, padding=1), t.ReLU(), t.MaxPool2d(2), t.Conv2d(8, 16, 3, padding=1),
                        t.ReLU(), t.MaxPool2d(2), t.Flatten(), t.Linear(16 * 7 * 7, 10)), (1, 28, 28)


MODELS = {"2-8-8-1 tanh MLP": (tanh_mlp, "playground"), "784-64-32-10 MLP": (digits_mlp, "digits lab"),
          "MNIST CNN": (mnist_cnn, "digits lab")}
CASES = [pytest.param(name, dynamo, id=f"{name}, {exporter}")
         for name in MODELS for exporter, dynamo in EXPORTERS.items()]


@pytest.fixture(scope="module")
def exported():
    """`exported(name, dynamo)`: (torch model with random weights, one input's shape, ONNX bytes), made once."""
    made = {}

    def get(name, dynamo):
        if (name, dynamo) not in made:
            torch.manual_seed(len(made))
            model, one_input = MODELS[name][0]()
            made[name, dynamo] = model, one_input, export(model, torch.zeros(4, *one_input), dynamo)
        return made[name, dynamo]
    return get


def assert_same_values(ours, theirs):
    """Two dicts of plain values hold the same keys, and values of the same type (arrays: dtype and shape)."""
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        if isinstance(value, np.ndarray):
            assert (ours[key].dtype, ours[key].shape) == (value.dtype, value.shape), key
            np.testing.assert_array_equal(ours[key], value, err_msg=key)
        else:
            assert type(ours[key]) is type(value) and ours[key] == value, key


def assert_same_description(data):
    """The page's decoding of the ONNX bytes `data` is the onnx package's, as the tool describes it."""
    ours, theirs = onnx_file.decode(data), onnx_import.describe(onnx.load_from_string(data))
    assert (ours.inputs, ours.outputs, ours.producer, ours.opset) == \
           (theirs.inputs, theirs.outputs, theirs.producer, theirs.opset)
    assert [(n.op_type, n.inputs, n.outputs, n.name, n.domain) for n in ours.nodes] == \
           [(n.op_type, n.inputs, n.outputs, n.name, n.domain) for n in theirs.nodes]
    for mine, its in zip(ours.nodes, theirs.nodes):
        assert_same_values(mine.attributes, its.attributes)
    assert_same_values(ours.initializers, theirs.initializers)
    return ours


@pytest.mark.parametrize("name, dynamo", CASES)
def test_the_page_decodes_torchs_exports_as_the_onnx_package_does(name, dynamo, exported):
    description = assert_same_description(exported(name, dynamo)[2])
    assert description.producer.startswith("pytorch 2.13.0") and description.opset == 20
    assert len(description.initializers) >= 6  # every layer's weight and bias


@pytest.mark.parametrize("name, dynamo", CASES)
def test_the_page_and_the_tool_compute_what_torch_computes(name, dynamo, exported):
    model, one_input, data = exported(name, dynamo)
    x = np.random.default_rng(1).normal(size=(7, *one_input))  # a batch size the export never saw
    with torch.no_grad():   # torch in float64 from the same float32 weights the file holds
        expected = copy.deepcopy(model).double()(torch.tensor(x)).numpy()
    ours, meta = onnx_file.open_onnx(data)
    assert meta["opens_in"] == MODELS[name][1] and meta["input_shape"] == one_input
    np.testing.assert_allclose(ours(x).data, expected, rtol=0, atol=1e-9)
    tools_model, _ = onnx_import.read(data)
    np.testing.assert_allclose(tools_model(x).data, expected, rtol=0, atol=1e-9)


def hand_made(nodes, initializers, inputs, outputs):
    made = helper.make_graph(nodes, "hand-made", inputs, outputs, initializers)
    return helper.make_model(made, producer_name="hand", opset_imports=[helper.make_opsetid("", 17)])


def test_every_way_onnx_stores_values_is_decoded_as_the_onnx_package_decodes_it():
    """Exporters other than torch's keep tensors in typed fields instead of raw bytes, and nodes carry
    attributes of every plain kind; negative ints are written as 10-byte varints."""
    rng = np.random.default_rng(2)
    halves = rng.normal(size=(2, 3)).astype(np.float16)
    initializers = [
        helper.make_tensor("floats", TensorProto.FLOAT, (2, 3), rng.normal(size=6).astype(np.float32)),
        helper.make_tensor("doubles", TensorProto.DOUBLE, (3,), rng.normal(size=3)),
        helper.make_tensor("int64s", TensorProto.INT64, (2,), [-1, 400]),
        helper.make_tensor("int32s", TensorProto.INT32, (2, 2), [-7, 0, 3, 2 ** 31 - 1]),
        helper.make_tensor("halves", TensorProto.FLOAT16, (2, 3), halves.view(np.uint16).ravel().tolist()),
        helper.make_tensor("bytes", TensorProto.INT8, (3,), [-128, 0, 127]),
        helper.make_tensor("flags", TensorProto.BOOL, (2,), [True, False]),
        numpy_helper.from_array(np.array([True, False, True]), "raw flags"),
        numpy_helper.from_array(halves, "raw halves"),
        numpy_helper.from_array(rng.normal(size=(4, 1, 2, 2)), "raw doubles"),
        numpy_helper.from_array(np.float32(3.5), "a scalar"),
        numpy_helper.from_array(np.zeros((0, 3), np.float32), "empty"),
    ]
    node = helper.make_node("Custom", ["x", "floats", ""], ["y"], name="every kind", domain="example.com", f=0.1,
                            i=-3, s="same", t=numpy_helper.from_array(np.arange(3, dtype=np.int64)),
                            floats=[0.5, -2.25], ints=[-1, 2, 2 ** 40], strings=["a", "é"])
    model = hand_made([node], initializers, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, None])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    description = assert_same_description(model.SerializeToString())
    assert description.inputs == (("x", (None, 3, None)),)
    assert description.nodes[0].attributes["ints"] == [-1, 2, 2 ** 40]


# ---- files the page refuses ------------------------------------------------------------------------

@pytest.mark.parametrize("data", [SCREENSHOT.read_bytes(), np.random.default_rng(3).bytes(5000), b"x,y,label\n1,2,1\n",
                                  b""], ids=["a PNG", "random bytes", "a CSV file", "an empty file"])
def test_a_file_that_is_not_onnx_is_refused_saying_so(data):
    with pytest.raises(ValueError, match=r"^this file is not an ONNX model \(.+\); open a \.onnx file exported "
                                         r"by PyTorch \(torch\.onnx\.export\), Keras or TensorFlow$"):
        onnx_file.open_onnx(data)


@pytest.mark.parametrize("kept", [0.02, 0.5, 0.98])
def test_a_file_cut_short_is_refused_saying_so(kept, exported):
    data = exported("784-64-32-10 MLP", False)[2]
    with pytest.raises(ValueError, match=r"^this ONNX file is cut short: it ends in the middle of its contents "
                                         r"\(a download that did not finish\?\); export or download it again$"):
        onnx_file.open_onnx(data[:int(len(data) * kept)])


class Recurrent(t.Module):
    """An LSTM over a sequence of points, then a Linear on its last state."""

    def __init__(self):
        super().__init__()
        self.lstm, self.out = t.LSTM(2, 4, batch_first=True), t.Linear(4, 1)

    def forward(self, x):
        return self.out(self.lstm(x)[0][:, -1])


def test_ops_the_engine_lacks_are_all_named_at_once():
    torch.manual_seed(3)
    tanh_shrink = t.Sequential(t.Linear(784, 32), t.Tanhshrink(), t.Softsign(), t.Linear(32, 10))
    with pytest.raises(ValueError) as refused:
        onnx_file.open_onnx(export(tanh_shrink, torch.zeros(1, 784), dynamo=False))
    assert str(refused.value) == (
        "unsupported ONNX ops: Abs, Div, Sub; gradcanvas reads Gemm, MatMul, Add, Conv, MaxPool, Flatten, Reshape, "
        "Relu, LeakyRelu, Tanh, Sigmoid, Identity, BatchNormalization, Dropout, the Transposes, Casts and shape "
        "arithmetic exporters write between them, and a final Softmax or LogSoftmax")
    for dynamo in EXPORTERS.values():
        data = export(Recurrent(), torch.zeros(1, 3, 2), dynamo)
        lacking = sorted({node.op_type for node in onnx.load_from_string(data).graph.node}
                         - {*onnx_rules.LAYERS, *onnx_rules.BETWEEN_LAYERS, *onnx_rules.FINAL})
        assert "LSTM" in lacking
        with pytest.raises(ValueError, match=f"^unsupported ONNX ops: {', '.join(lacking)}; gradcanvas reads Gemm"):
            onnx_file.open_onnx(data)


def test_an_input_the_page_cannot_show_is_refused_naming_the_shapes_it_can(exported):
    torch.manual_seed(4)
    colour = t.Sequential(t.Conv2d(3, 4, 3), t.ReLU(), t.Flatten(), t.Linear(4 * 30 * 30, 10))
    with pytest.raises(ValueError, match=r"^the model takes inputs of shape \(N, 3, 32, 32\); the page shows models "
                                         r"that take \(N, 2\) in the playground, or \(N, 784\), \(N, 1, 28, 28\), "
                                         r"\(N, 28, 28, 1\) or \(N, 28, 28\) in the digits lab: export one of those$"):
        onnx_file.open_onnx(export(colour, torch.zeros(1, 3, 32, 32), dynamo=False))


def test_a_model_over_the_parameter_limit_is_refused_by_the_page_but_not_by_the_tool():
    torch.manual_seed(5)
    wide = t.Sequential(t.Linear(784, 2560), t.ReLU(), t.Linear(2560, 10))   # 2,035,210 parameters
    data = export(wide, torch.zeros(1, 784), dynamo=False)
    with pytest.raises(ValueError, match=r"^the model has 2,035,210 parameters; the page opens models of up to "
                                         r"2,000,000, so that a drawing is still read as you draw it: try a "
                                         r"smaller model$"):
        onnx_file.open_onnx(data)
    assert sum(p.size for p in onnx_import.read(data)[0].parameters()) == 2_035_210


def test_weights_kept_outside_the_file_or_of_a_type_the_page_lacks_are_named():
    outside = numpy_helper.from_array(np.ones((1, 2), np.float32), "w")
    set_external_data(outside, "weights.bin")   # as onnx.save_model(..., save_as_external_data=True) leaves it
    outside.ClearField("raw_data")
    words = helper.make_tensor("w", TensorProto.STRING, (1, 2), [b"a", b"b"])
    for tensor, message in [(outside, r"^the values of tensor 'w' are kept in a separate file \(ONNX external data\); "
                                      r"export the model with its weights inside the \.onnx file$"),
                            (words, r"^tensor 'w' holds string values; the page reads tensors of numbers: floats, "
                                    r"integers and booleans$")]:
        model = hand_made([helper.make_node("Gemm", ["x", tensor.name], ["y"], transB=1)], [tensor],
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])])
        with pytest.raises(ValueError, match=message):
            onnx_file.open_onnx(model.SerializeToString())


def test_a_damaged_file_opens_or_is_refused_in_words_never_otherwise(exported):
    """Bytes changed at random, as a bad disk or a careless editor leaves them: each damaged file either
    still opens (a changed weight) or is refused with a ValueError, which the page shows; nothing else."""
    rng = np.random.default_rng(6)
    original, opened = exported("MNIST CNN", True)[2], 0
    for _ in range(500):
        damaged = bytearray(original)
        damaged[rng.integers(len(damaged))] = rng.integers(256)
        try:
            onnx_file.open_onnx(bytes(damaged))
            opened += 1
        except ValueError:
            pass
    assert 0 < opened < 500


@pytest.mark.parametrize("graph, what", [(b"\x08\x05", "a number where a message belongs"),
                                         (b"\x0a\x02\x08\x05", "a number where text belongs")],
                         ids=["a node that is a number", "a node's input named by a number"])
def test_a_field_of_the_wrong_kind_is_named_as_damage(graph, what):
    """Well-formed protobuf that breaks ONNX's schema: IR version 9, then a graph (field 7, length-prefixed)
    whose node (field 1) is a varint, or a node whose first input (field 1, text) is one."""
    with pytest.raises(ValueError, match=rf"^this file is not an ONNX model \(it is damaged: {what}\); open a \.onnx"):
        onnx_file.open_onnx(b"\x08\x09" + b"\x3a" + bytes([len(graph)]) + graph)
