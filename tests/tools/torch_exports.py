"""ONNX files as torch 2.13 writes them, with either of its two exporters: what the tool and the page read."""
import io
import warnings

import pytest

torch = pytest.importorskip("torch")


def export(model, example, dynamo, training=False):
    """The ONNX bytes torch writes for `model`: the default (dynamo) exporter, or the legacy TorchScript one;
    `training` exports the model in training mode (legacy exporter only), so a Dropout stays in the file."""
    model.train(training)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the legacy exporter's deprecation notice
        if dynamo:
            pytest.importorskip("onnxscript")
            return torch.onnx.export(model, (example,), dynamo=True, verbose=False).model_proto.SerializeToString()
        buffer = io.BytesIO()
        mode = torch.onnx.TrainingMode.TRAINING if training else torch.onnx.TrainingMode.EVAL
        torch.onnx.export(model, (example,), buffer, dynamo=False, training=mode)
        return buffer.getvalue()
