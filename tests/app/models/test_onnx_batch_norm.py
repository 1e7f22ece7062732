"""Batch norm and dropout in ONNX files: a BatchNormalization torch 2.13 leaves in an eval export opens as the
engine's BatchNorm1d or BatchNorm2d holding torch's running statistics, in evaluation, and a model computes what
torch and onnx's reference implementation compute, whichever exporter wrote it and whatever it folded away; a
Dropout (other exporters keep one) opens as nn.Dropout in evaluation; an export in training mode is refused."""
import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

from app.models import onnx_file  # noqa: E402
from engine import nn  # noqa: E402
from tests.tools.torch_exports import export  # noqa: E402
from tools import onnx_import  # noqa: E402

t = torch.nn
EXPORTERS = {"legacy exporter": False, "dynamo exporter": True}


def mlp_with_batch_norm():
    """A batch norm right after a Linear, which the dynamo exporter folds, and one after a ReLU, which none does."""
    return t.Sequential(t.Linear(784, 32), t.BatchNorm1d(32), t.ReLU(), t.Dropout(0.3), t.Linear(32, 16), t.ReLU(),
                        t.BatchNorm1d(16), t.Linear(16, 10)), (784,)


def cnn_with_batch_norm():
    """Batch norms after a ReLU, which no exporter folds, and one right after a Conv, which the exporters fold."""
    return t.Sequential(t.Conv2d(1, 4, 3, padding=1), t.BatchNorm2d(4), t.ReLU(), t.MaxPool2d(2),
                        t.Conv2d(4, 6, 3, padding=1), t.ReLU(), t.BatchNorm2d(6), t.MaxPool2d(2), t.Dropout(0.2),
                        t.Flatten(), t.BatchNorm1d(6 * 7 * 7), t.Linear(6 * 7 * 7, 10)), (1, 28, 28)


MODELS = {"784-32-16-10 MLP with batch norm and dropout": mlp_with_batch_norm,
          "CNN with batch norm and dropout": cnn_with_batch_norm}


def trained_a_little(build):
    """A torch model after five training steps, so its running statistics and affine weights are not the
    defaults a reader could get right by accident."""
    torch.manual_seed(5)
    model, one_input = build()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(5):
        optimizer.zero_grad()
        model(torch.randn(16, *one_input)).square().mean().backward()
        optimizer.step()
    return model.eval(), one_input


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("dynamo", EXPORTERS.values(), ids=EXPORTERS.keys())
def test_batch_norm_in_an_eval_export_opens_as_the_engines_and_computes_what_torch_computes(name, dynamo):
    model, one_input = trained_a_little(MODELS[name])
    data = export(model, torch.zeros(4, *one_input), dynamo)
    proto = onnx.load_from_string(data)
    ours, meta = onnx_file.open_onnx(data)

    kept = [node for node in proto.graph.node if node.op_type == "BatchNormalization"]
    norms = [layer for layer in ours if isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d))]
    assert len(norms) == len(kept) >= 1 and not ours.training and not any(layer.training for layer in ours)
    assert not any(node.op_type == "Dropout" for node in proto.graph.node)  # torch leaves it out in eval
    theirs = [layer for layer in model if isinstance(layer, (t.BatchNorm1d, t.BatchNorm2d))][-len(norms):]
    for mine, its in zip(norms, theirs):  # the last batch norms, which no exporter folds, kept as they were
        assert type(mine).__name__ == type(its).__name__ and mine.eps == its.eps and mine.momentum == its.momentum
        np.testing.assert_array_equal(mine.running_mean, its.running_mean.numpy())
        np.testing.assert_array_equal(mine.running_var, its.running_var.numpy())
        np.testing.assert_array_equal(mine.weight.data, its.weight.detach().numpy())

    x = np.random.default_rng(1).normal(size=(7, *one_input))  # a batch size the export never saw
    with torch.no_grad():
        expected = copy.deepcopy(model).double()(torch.tensor(x)).numpy()
    batch = x[:4].astype(np.float32)  # the dynamo exporter writes the example's batch size into its Reshapes
    reference, = ReferenceEvaluator(proto).run(None, {proto.graph.input[0].name: batch})
    folded = sum(isinstance(layer, (t.BatchNorm1d, t.BatchNorm2d)) for layer in model) - len(norms)
    # What the file holds is computed to the float64 rounding; a batch norm the exporter folded into a layer's
    # float32 weights moves torch's values by float32's rounding, as onnx's reference evaluator shows.
    np.testing.assert_allclose(ours(x).data, expected, rtol=0, atol=1e-9 if not folded else 1e-5)
    np.testing.assert_allclose(ours(batch).data, reference, rtol=1e-6, atol=1e-5)
    assert (ours(x).data.argmax(axis=1) == expected.argmax(axis=1)).all()
    assert meta["opens_in"] == "digits lab"
    tools_model, _ = onnx_import.read(data)
    np.testing.assert_array_equal(tools_model(x).data, ours(x).data)


def dropout_graph(opset):
    """Linear 4 -> 3, Dropout(0.25) as inference writes it, ReLU: before opset 12 the ratio is an attribute,
    since then an input, with an input saying whether it trains."""
    rng = np.random.default_rng(4)
    stored = [numpy_helper.from_array(rng.normal(size=(3, 4)).astype(np.float32), "w"),
              numpy_helper.from_array(rng.normal(size=3).astype(np.float32), "b")]
    if opset < 12:
        dropout = helper.make_node("Dropout", ["h"], ["d"], ratio=0.25)
    else:
        stored += [numpy_helper.from_array(np.array(0.25, np.float32), "ratio"),
                   numpy_helper.from_array(np.array(False), "training")]
        dropout = helper.make_node("Dropout", ["h", "ratio", "training"], ["d"])
    nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["h"], transB=1), dropout,
             helper.make_node("Relu", ["d"], ["y"])]
    graph = helper.make_graph(nodes, "dropout", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])], stored)
    return helper.make_model(graph, producer_name="hand", opset_imports=[helper.make_opsetid("", opset)])


@pytest.mark.parametrize("opset", [11, 13])
def test_a_dropout_kept_in_the_file_opens_as_the_engines_in_evaluation(opset):
    proto = dropout_graph(opset)
    model, _ = onnx_import.read(proto.SerializeToString())
    assert [repr(layer) for layer in model] == ["Linear(4, 3, bias=True)", "Dropout(p=0.25)", "ReLU()"]
    assert not model[1].training
    x = np.random.default_rng(5).normal(size=(6, 4)).astype(np.float32)
    reference, = ReferenceEvaluator(proto).run(None, {"x": x})
    np.testing.assert_allclose(model(x).data, reference, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("layer, words", [
    (lambda: t.BatchNorm1d(32), "normalises each batch by its own statistics: the model was exported in training mode; "
                                "export it after model.eval(), so it uses its running statistics"),
    (lambda: t.Dropout(0.5), "drops units at random: the model was exported in training mode; export it after "
                             "model.eval()")], ids=["batch norm", "dropout"])
def test_an_export_in_training_mode_is_refused_saying_to_export_after_eval(layer, words):
    torch.manual_seed(3)
    model = t.Sequential(t.Linear(784, 32), layer(), t.ReLU(), t.Linear(32, 10))
    with pytest.raises(ValueError, match=r"^node '.+' \((BatchNormalization|Dropout)\) " + words.replace(".", r"\.")
                       .replace("(", r"\(").replace(")", r"\)") + "$"):
        onnx_file.open_onnx(export(model, torch.zeros(2, 784), dynamo=False, training=True))
