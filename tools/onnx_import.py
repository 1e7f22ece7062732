"""Bring a pretrained model from another framework: read an ONNX file, write a gradcanvas weights file.

ONNX is the file PyTorch, Keras and TensorFlow all export to. This reads graphs that are one chain of the
layers the engine has: Gemm, or MatMul then Add (Linear); Conv (Conv2d); MaxPool; Flatten, or a Reshape
that flattens; Relu, LeakyRelu, Tanh, Sigmoid; Identity. It writes them with `engine.weights.save`, so the
page loads them like its own models. A Softmax or LogSoftmax at the very end is dropped and the file's
meta says so: gradcanvas models output logits, and softmax is applied where probabilities are shown. Any
other op is refused, with every unsupported op named at once. onnx is imported here only::

    python -m tools.onnx_import model.onnx model.npz
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import onnx
from google.protobuf.message import DecodeError
from onnx import helper, numpy_helper, shape_inference

from engine import nn, weights

LAYERS = ("Gemm", "MatMul", "Add", "Conv", "MaxPool", "Flatten", "Reshape", "Relu", "LeakyRelu", "Tanh",
          "Sigmoid", "Identity", "Constant")
FINAL = ("Softmax", "LogSoftmax")   # allowed only as the last op, and dropped
DROPPED_NOTE = ("the model's final {op} was dropped: gradcanvas models output logits, and softmax is applied "
                "where probabilities are shown")


def read(source):
    """The engine model (an `nn.Sequential`) and meta dict of an ONNX model: a path, bytes or ModelProto."""
    try:
        if isinstance(source, onnx.ModelProto):
            proto = source
        elif isinstance(source, (bytes, bytearray)):
            proto = onnx.load_from_string(bytes(source))
        else:
            proto = onnx.load(source)
        graph = shape_inference.infer_shapes(proto, strict_mode=True).graph
    except (DecodeError, shape_inference.InferenceError) as error:
        raise ValueError(f"not a readable ONNX model: {error}") from None
    unsupported = sorted({node.op_type for node in graph.node} - set(LAYERS) - set(FINAL))
    if unsupported:
        raise ValueError(f"unsupported ONNX ops: {', '.join(unsupported)}; gradcanvas reads "
                         f"{', '.join(LAYERS[:-1])} and a final {' or '.join(FINAL)}")
    reader = _ChainReader(graph)
    meta = {"source": "onnx", "producer": f"{proto.producer_name} {proto.producer_version}".strip(),
            "opset": max((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), default=None)}
    if reader.dropped:
        meta["note"] = DROPPED_NOTE.format(op=reader.dropped)
    model = nn.Sequential(*reader.modules)
    model.load_state_dict(reader.parameters)
    return model, meta


def convert(onnx_file, weights_file):
    """Read `onnx_file` and write the engine model to `weights_file`; returns (model, meta)."""
    model, meta = read(onnx_file)
    weights.save(model, weights_file, meta={**meta, "file": Path(str(onnx_file)).name})
    return model, meta


class _ChainReader:
    """Walks the graph from its input to its output, one node after another, turning each into a layer."""

    def __init__(self, graph):
        self.constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        for node in graph.node:
            if node.op_type == "Constant":
                self.constants[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
        self.shapes = {info.name: [d.dim_value if d.HasField("dim_value") else None
                                   for d in info.type.tensor_type.shape.dim]
                       for info in (*graph.input, *graph.value_info, *graph.output)}
        inputs = [i.name for i in graph.input if i.name not in self.constants]
        if len(inputs) != 1 or len(graph.output) != 1:
            raise ValueError(f"the graph has {len(inputs)} inputs and {len(graph.output)} outputs; "
                             "gradcanvas models take one input and give one output")
        self.modules, self.parameters, self.dropped = [], {}, None
        nodes = [node for node in graph.node if node.op_type not in ("Constant", "Identity")]
        self.current, index = inputs[0], 0
        while index < len(nodes):
            node = nodes[index]
            computed = [name for name in node.input if name and name not in self.constants]
            if computed != [self.current] or node.input[0] != self.current:
                raise ValueError(f"{self.name(node)} takes {list(node.input)}, not the previous layer's output "
                                 f"{self.current!r}; gradcanvas models are one layer after another")
            if node.op_type in FINAL:
                if index != len(nodes) - 1:
                    raise ValueError(f"{self.name(node)} is not the last op; only a final {node.op_type} is read")
                self.dropped, self.current = node.op_type, node.output[0]
            else:
                follower = nodes[index + 1] if index + 1 < len(nodes) else None
                index += self.add(node, {a.name: helper.get_attribute_value(a) for a in node.attribute}, follower)
            index += 1
        if self.current != graph.output[0].name:
            raise ValueError(f"the chain of layers ends at {self.current!r}, not at the graph's output")

    @staticmethod
    def name(node):
        return f"node {node.name!r} ({node.op_type})" if node.name else f"a {node.op_type} node"

    def add(self, node, attrs, follower):
        """Append the layer `node` makes; returns how many following nodes it used up (MatMul's Add)."""
        op, used = node.op_type, 0
        self.current = node.output[0]
        if op in ("Relu", "Tanh", "Sigmoid"):
            self.modules.append({"Relu": nn.ReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid}[op]())
        elif op == "LeakyRelu":
            self.modules.append(nn.LeakyReLU(float(attrs.get("alpha", 0.01))))
        elif op == "Gemm":
            self.require(node, attrs.get("transA", 0) == 0, "transA=1 (a transposed input)")
            weight = self.constant(node, 1) * attrs.get("alpha", 1.0)
            weight = weight if attrs.get("transB", 0) else weight.T
            bias = None if len(node.input) < 3 or not node.input[2] else self.constant(node, 2) * attrs.get("beta", 1.0)
            self.linear(weight, bias)
        elif op == "MatMul":
            weight = self.constant(node, 1).T
            self.require(node, weight.ndim == 2, f"a {weight.ndim}-D weight (a Linear layer's is 2-D)")
            adds_bias = (follower is not None and follower.op_type == "Add" and self.current in follower.input
                         and any(name in self.constants for name in follower.input))
            bias = None
            if adds_bias:
                bias = next(self.constants[name] for name in follower.input if name in self.constants)
                self.current, used = follower.output[0], 1
            self.linear(weight, bias)
        elif op == "Conv":
            self.conv(node, attrs)
        elif op == "MaxPool":
            kernel = self.square(node, attrs, "kernel_shape", None)
            self.require(node, not attrs.get("ceil_mode", 0), "ceil_mode=1")
            self.require(node, self.square(node, attrs, "pads", 0) == 0, f"pads {attrs.get('pads')}")
            self.require(node, self.square(node, attrs, "dilations", 1) == 1, f"dilations {attrs.get('dilations')}")
            self.require(node, attrs.get("auto_pad", b"NOTSET") in (b"NOTSET", b"VALID"), "auto_pad")
            self.modules.append(nn.MaxPool2d(kernel, self.square(node, attrs, "strides", 1)))
        elif op == "Flatten":
            self.require(node, attrs.get("axis", 1) == 1, f"axis={attrs.get('axis')} (only axis 1 keeps the batch)")
            self.modules.append(nn.Flatten())
        elif op == "Reshape":  # exporters write Flatten as Reshape to (batch, -1) or (batch, features)
            before, target = self.shapes.get(node.input[0]), [int(n) for n in self.constant(node, 1)]
            features = int(np.prod(before[1:])) if before and None not in before[1:] else None
            self.require(node, len(target) == 2 and target[1] in (-1, features) and features is not None
                         and target[0] in (0, -1, before[0]), f"a reshape to {target} that does not flatten {before}")
            self.modules.append(nn.Flatten())
        else:  # an Add that follows no MatMul
            raise ValueError(f"{self.name(node)}: an Add is read only as the bias right after a MatMul")
        return used

    def constant(self, node, position):
        if position >= len(node.input) or node.input[position] not in self.constants:
            raise ValueError(f"{self.name(node)}: input {position} must be a stored constant (weights), not computed")
        return self.constants[node.input[position]].astype(np.float64)

    def require(self, node, condition, what):
        if not condition:
            raise ValueError(f"{self.name(node)}: {what} is not something the engine's layers do")

    def square(self, node, attrs, key, default):
        """One number for an attribute given per spatial axis (and per side, for pads), which must agree."""
        values = list(attrs.get(key, [default] * 2))
        self.require(node, values and all(v == values[0] for v in values),
                     f"{key} {values} (not the same on every side)")
        return values[0]

    def linear(self, weight, bias):
        index, (n_out, n_in) = len(self.modules), weight.shape
        self.modules.append(nn.Linear(n_in, n_out, bias=bias is not None))
        self.parameters[f"{index}.weight"] = weight
        if bias is not None:
            self.parameters[f"{index}.bias"] = np.broadcast_to(bias.reshape(-1), (n_out,))

    def conv(self, node, attrs):
        weight, index = self.constant(node, 1), len(self.modules)
        c_out, c_in, k, k_other = weight.shape
        self.require(node, k == k_other, f"a {k}x{k_other} kernel (not square)")
        self.require(node, attrs.get("group", 1) == 1, f"group={attrs.get('group')}")
        self.require(node, self.square(node, attrs, "dilations", 1) == 1, f"dilations {attrs.get('dilations')}")
        self.require(node, attrs.get("auto_pad", b"NOTSET") in (b"NOTSET", b"VALID"),
                     f"auto_pad {attrs.get('auto_pad')}")
        bias = len(node.input) > 2 and bool(node.input[2])
        self.modules.append(nn.Conv2d(c_in, c_out, k, self.square(node, attrs, "strides", 1),
                                      self.square(node, attrs, "pads", 0), bias=bias))
        self.parameters[f"{index}.weight"] = weight
        if bias:
            self.parameters[f"{index}.bias"] = self.constant(node, 2)


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
