"""ONNX import: models exported by torch 2.13 (both of its exporters) become weights files whose engine
models compute what torch computes; graphs with ops the engine lacks are refused, each op named."""
import numpy as np
import pytest

from engine import weights

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from tests.tools.torch_exports import export  # noqa: E402
from tools import onnx_import  # noqa: E402

t = torch.nn
rng = np.random.default_rng(0)


def through_a_weights_file(onnx_bytes, tmp_path):
    source = tmp_path / "model.onnx"
    source.write_bytes(onnx_bytes)
    onnx_import.convert(source, tmp_path / "model.npz")
    return weights.load(tmp_path / "model.npz")


@pytest.mark.parametrize("dynamo", [False, True], ids=["legacy exporter", "dynamo exporter"])
def test_an_mlp_with_a_final_softmax_imports_as_logits(dynamo, tmp_path):
    torch.manual_seed(0)
    model = t.Sequential(t.Linear(2, 8), t.Tanh(), t.Linear(8, 8), t.ReLU(), t.Linear(8, 6), t.LeakyReLU(0.2),
                         t.Linear(6, 3), t.Softmax(dim=1))
    ours, meta = through_a_weights_file(export(model, torch.zeros(4, 2), dynamo), tmp_path)
    assert [type(layer).__name__ for layer in ours] == ["Linear", "Tanh", "Linear", "ReLU", "Linear", "LeakyReLU", "Linear"]
    assert ours[5].slope == pytest.approx(0.2)
    assert meta["note"].startswith("the model's final Softmax was dropped: gradcanvas models output logits")
    assert meta["file"] == "model.onnx" and meta["source"] == "onnx"
    x = rng.normal(size=(50, 2)) * 3          # a batch size the export never saw
    with torch.no_grad():
        logits = model[:-1](torch.tensor(x, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(ours(x).data, logits, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours(x).softmax(axis=1).data, model(torch.tensor(x, dtype=torch.float32)).detach().numpy(),
                               atol=1e-6)


@pytest.mark.parametrize("dynamo", [False, True], ids=["legacy exporter", "dynamo exporter"])
def test_a_small_cnn_imports_and_computes_what_torch_computes(dynamo, tmp_path):
    torch.manual_seed(1)
    model = t.Sequential(t.Conv2d(1, 4, 3, padding=1), t.ReLU(), t.MaxPool2d(2), t.Conv2d(4, 6, 3, stride=2, padding=1),
                         t.Sigmoid(), t.Flatten(), t.Linear(24, 10), t.Tanh(), t.Linear(10, 3, bias=False))
    ours, meta = through_a_weights_file(export(model, torch.zeros(2, 1, 8, 8), dynamo), tmp_path)
    assert weights.describe(ours)[3] == {"type": "Conv2d", "c_in": 4, "c_out": 6, "kernel_size": 3, "stride": 2,
                                         "padding": 1, "bias": True}
    assert weights.describe(ours)[2] == {"type": "MaxPool2d", "kernel_size": 2, "stride": 2}
    assert ours[8].bias is None and "note" not in meta
    x = rng.normal(size=(5, 1, 8, 8))
    with torch.no_grad():
        expected = model(torch.tensor(x, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(ours(x).data, expected, rtol=1e-5, atol=1e-5)


def graph(nodes, initializers, inputs=(("x", [None, 3]),), output=("y", None)):
    """A hand-made ONNX model, as Keras or TensorFlow exporters write them (MatMul weights are (in, out))."""
    made = helper.make_graph(
        nodes, "hand-made",
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape) for name, shape in inputs],
        [helper.make_tensor_value_info(output[0], TensorProto.FLOAT, output[1])],
        [numpy_helper.from_array(np.asarray(v, dtype=np.float32), name) for name, v in initializers.items()])
    return helper.make_model(made, producer_name="hand", opset_imports=[helper.make_opsetid("", 17)])


def test_matmul_then_add_layers_as_keras_writes_them_become_linear_layers():
    w1, b1, w2 = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2))
    model = graph([helper.make_node("MatMul", ["x", "w1"], ["h"]), helper.make_node("Add", ["b1", "h"], ["z"]),
                   helper.make_node("Sigmoid", ["z"], ["a"]), helper.make_node("MatMul", ["a", "w2"], ["y"])],
                  {"w1": w1, "b1": b1, "w2": w2})
    ours, meta = onnx_import.read(model.SerializeToString())
    assert [repr(layer) for layer in ours] == ["Linear(3, 4, bias=True)", "Sigmoid()", "Linear(4, 2, bias=False)"]
    assert meta["producer"] == "hand" and meta["opset"] == 17
    x = rng.normal(size=(6, 3))
    w1, b1, w2 = (np.float32(v).astype(np.float64) for v in (w1, b1, w2))
    np.testing.assert_allclose(ours(x).data, (1 / (1 + np.exp(-(x @ w1 + b1)))) @ w2, rtol=1e-12)


def test_unsupported_ops_are_all_named():
    model = graph([helper.make_node("Gemm", ["x", "w", "b"], ["h"], transB=1), helper.make_node("Elu", ["h"], ["e"]),
                   helper.make_node("LRN", ["e"], ["n"], size=3), helper.make_node("Softplus", ["n"], ["y"])],
                  {"w": np.ones((2, 3)), "b": np.zeros(2)})
    with pytest.raises(ValueError, match=r"^unsupported ONNX ops: Elu, LRN, Softplus; gradcanvas reads Gemm"):
        onnx_import.read(model)


def test_graphs_that_are_not_one_chain_of_layers_are_refused_saying_why():
    skip = graph([helper.make_node("Gemm", ["x", "w", "b"], ["h"], transB=1), helper.make_node("Relu", ["h"], ["r"]),
                  helper.make_node("Add", ["r", "x"], ["y"])], {"w": np.ones((3, 3)), "b": np.zeros(3)})
    with pytest.raises(ValueError, match=r"a Add node takes \['r', 'x'\], not the previous layer's output 'r'"):
        onnx_import.read(skip)
    middle = graph([helper.make_node("Softmax", ["x"], ["s"]), helper.make_node("Relu", ["s"], ["y"])], {})
    with pytest.raises(ValueError, match="a Softmax node is not the last op"):
        onnx_import.read(middle)
    dilated = graph([helper.make_node("Conv", ["x", "w"], ["y"], dilations=[2, 2])], {"w": np.ones((2, 1, 3, 3))},
                    inputs=(("x", [1, 1, 9, 9]),))
    with pytest.raises(ValueError, match=r"a Conv node: dilations \[2, 2\] is not something the engine's layers do"):
        onnx_import.read(dilated)


def test_the_command_writes_the_weights_file_and_refuses_a_file_that_is_not_onnx(tmp_path, capsys):
    torch.manual_seed(2)
    source = tmp_path / "net.onnx"
    source.write_bytes(export(t.Sequential(t.Linear(2, 4), t.Tanh(), t.Linear(4, 2), t.Softmax(dim=1)),
                              torch.zeros(1, 2), dynamo=False))
    assert onnx_import.main([str(source), str(tmp_path / "net.npz")]) == 0
    printed = capsys.readouterr().out
    assert "Linear(2, 4, bias=True), Tanh(), Linear(4, 2, bias=True)" in printed and "final Softmax was dropped" in printed
    model, meta = weights.load(tmp_path / "net.npz")
    assert len(model) == 3 and meta["file"] == "net.onnx"

    (tmp_path / "notes.onnx").write_text("not a model")
    with pytest.raises(SystemExit):
        onnx_import.main([str(tmp_path / "notes.onnx"), str(tmp_path / "out.npz")])
    assert "notes.onnx: not a readable ONNX model" in capsys.readouterr().err
    assert not (tmp_path / "out.npz").exists()
