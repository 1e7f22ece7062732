"""Bring a pretrained model from another framework: read an ONNX file, write a gradcanvas weights file.

ONNX is the file PyTorch, Keras and TensorFlow all export to. The onnx package decodes the file here into
the plain description that site/app/models/onnx_rules.py reads: the page reads ONNX files by the same rules
(decoding them itself, without the onnx package), so a model opens alike in both. The rules read one chain
of the layers the engine has and name every op they do not; see that module. The weights file is written
with `engine.weights.save`, so the page loads it like its own models. onnx is imported here only::

    python -m tools.onnx_import model.onnx model.npz
"""
import argparse
import sys
from pathlib import Path

import onnx
from google.protobuf.message import DecodeError
from onnx import AttributeProto, helper, numpy_helper

from engine import weights

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "site"))  # where the app's packages live
from app.models import onnx_rules  # noqa: E402  (after the path it is found on)

# The attribute kinds a layer can take, as the rules see them (others, such as subgraphs, are left out).
_PLAIN_ATTRIBUTES = (AttributeProto.FLOAT, AttributeProto.INT, AttributeProto.STRING, AttributeProto.TENSOR,
                     AttributeProto.FLOATS, AttributeProto.INTS, AttributeProto.STRINGS)


def read(source):
    """The engine model (an `nn.Sequential`) and meta dict of an ONNX model: a path, bytes or ModelProto."""
    try:
        if isinstance(source, onnx.ModelProto):
            proto = source
        elif isinstance(source, (bytes, bytearray)):
            proto = onnx.load_from_string(bytes(source))
        else:
            proto = onnx.load(source)
    except DecodeError as error:
        raise ValueError(f"not a readable ONNX model: {error}") from None
    return onnx_rules.read(describe(proto))


def describe(proto):
    """The plain description (`onnx_rules.Graph`) of a ModelProto that the rules read."""
    graph = proto.graph
    initializers = {tensor.name: numpy_helper.to_array(tensor) for tensor in graph.initializer}
    nodes = tuple(onnx_rules.Node(node.op_type, tuple(node.input), tuple(node.output),
                                  {a.name: _attribute(a) for a in node.attribute if a.type in _PLAIN_ATTRIBUTES},
                                  node.name, node.domain) for node in graph.node)
    inputs = tuple((info.name, _shape(info)) for info in graph.input if info.name not in initializers)
    return onnx_rules.Graph(
        nodes, initializers, inputs, tuple(info.name for info in graph.output),
        producer=f"{proto.producer_name} {proto.producer_version}".strip(),
        opset=max((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), default=None))


def _attribute(attribute):
    if attribute.type == AttributeProto.TENSOR:
        return numpy_helper.to_array(attribute.t)
    value = helper.get_attribute_value(attribute)
    if attribute.type == AttributeProto.STRING:
        return value.decode("utf-8")
    if attribute.type == AttributeProto.STRINGS:
        return [text.decode("utf-8") for text in value]
    return list(value) if attribute.type in (AttributeProto.FLOATS, AttributeProto.INTS) else value


def _shape(info):
    tensor_type = info.type.tensor_type
    if not tensor_type.HasField("shape"):
        return None
    return tuple(d.dim_value if d.HasField("dim_value") else None for d in tensor_type.shape.dim)


def convert(onnx_file, weights_file):
    """Read `onnx_file` and write the engine model to `weights_file`; returns (model, meta)."""
    model, meta = read(onnx_file)
    weights.save(model, weights_file, meta={**meta, "file": Path(str(onnx_file)).name})
    return model, meta


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("onnx_file", help="the .onnx model to read")
    parser.add_argument("weights_file", help="where to write the gradcanvas weights file (.npz)")
    args = parser.parse_args(argv)
    try:
        model, meta = convert(args.onnx_file, args.weights_file)
    except (ValueError, OSError) as error:
        parser.error(f"{args.onnx_file}: {error}")
    layers = ", ".join(repr(layer) for layer in model)
    print(f"wrote {args.weights_file}: {layers}" + (f"\nnote: {meta['note']}" if "note" in meta else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
