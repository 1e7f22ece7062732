"""The rules that turn an ONNX graph into an engine model: one implementation, shared by the page (whose
onnx_file.py reads a file's bytes) and tools/onnx_import.py (which reads them with the onnx package).

ONNX is the file PyTorch, Keras and TensorFlow all export to. A graph is read when it is one chain of the
layers the engine has: Gemm, or MatMul then Add (Linear); Conv (Conv2d), and an Add after it (its bias);
MaxPool; Flatten, or a Reshape that flattens; Relu, LeakyRelu, Tanh, Sigmoid; Identity; BatchNormalization in
its inference form (BatchNorm1d or BatchNorm2d, in evaluation) and Dropout (nn.Dropout, in evaluation). A Softmax or
LogSoftmax at the very end is dropped and the meta says so: gradcanvas models output logits, and softmax is
applied where probabilities are shown. Any other op is refused, with every unsupported op named at once.

Keras and TensorFlow keep images channels last, (N, 28, 28, 1), where the engine's Conv2d and MaxPool2d take
channels first, so their exports wrap each of those in Transposes, and flatten the maps in (height, width,
channel) order. The chain follows which layout the values are in; a Transpose is read when it only moves the
channels, an Add right after a layer is that layer's bias, and a flatten of channels-last maps reorders the
next Linear's weights to the engine's (channel, height, width) order: the model computes the same values with
the engine's own layers. Exporters also write a flatten's target shape as arithmetic on the input's shape
(Shape, Gather, Unsqueeze, Concat), and Casts to float between layers; the chain works those out as it goes.

Batch norm and dropout are kept as the layers they are, not folded into the layer before them, so the model
opened is the model exported, its running statistics there to inspect; the model is put in evaluation, where a
batch norm uses those statistics and a dropout passes every value, as the exported graph computes. (Exporters
often fold them themselves: torch's leave no Dropout in an eval export, and fold a batch norm right after a Conv,
or right after a Linear with the dynamo exporter, into that layer's weights; those files hold no such layer.)

The rules see a plain description of the graph (`Graph` and `Node`: strings, numbers and numpy arrays),
never a decoder's objects: that is what lets two decoders share them. They need no shape inference: the
shape after each layer is worked out from the input's shape and the layer's weights as the chain goes.
"""
from dataclasses import dataclass, field

import numpy as np

from engine import Tensor, nn

LAYERS = ("Gemm", "MatMul", "Add", "Conv", "MaxPool", "Flatten", "Reshape", "Relu", "LeakyRelu", "Tanh",
          "Sigmoid", "Identity", "BatchNormalization", "Dropout")
# What exporters write between layers: constants, casts to float, layout changes, and the arithmetic on an
# input's shape that works out a flatten's target.
SHAPE_ARITHMETIC = ("Shape", "Gather", "Unsqueeze", "Squeeze", "Concat")
BETWEEN_LAYERS = ("Constant", "Cast", "Transpose", *SHAPE_ARITHMETIC)
FLOATS = {1: "float", 10: "float16", 11: "double", 16: "bfloat16"}  # ONNX's TensorProto.DataType numbers
CHANNELS_LAST, CHANNELS_FIRST = (0, 2, 3, 1), (0, 3, 1, 2)  # the Transposes between (N, C, H, W) and (N, H, W, C)
FINAL = ("Softmax", "LogSoftmax")   # allowed only as the last op, and dropped
DROPPED_NOTE = ("the model's final {op} was dropped: gradcanvas models output logits, and softmax is applied "
                "where probabilities are shown")
# What the page can show, by the shape of one input (the batch axis left out), and where such a model opens.
PAGE_INPUTS = {(2,): "playground", (784,): "digits lab", (1, 28, 28): "digits lab", (28, 28, 1): "digits lab",
               (28, 28): "digits lab"}
# How the engine's model takes each of those: one channel laid out last, or none, holds the same numbers in
# the same order as (1, 28, 28), so such models take the digits as the engine's Conv2d does.
AS_THE_ENGINE_TAKES = {(28, 28, 1): (1, 28, 28), (28, 28): (1, 28, 28)}
# The page keeps every parameter as a float64 and runs every drawing through them; 2 M is about five times
# the 32-64-128 MNIST CNN (~420k parameters) that must still predict a drawing at the pace of the pen.
PARAMETER_LIMIT = 2_000_000


@dataclass(frozen=True)
class Node:
    """One ONNX node in plain values. `attributes` maps each name to an int, float, str, a list of those, or a
    numpy array (a tensor); attributes of other kinds (subgraphs) are left out: no layer the engine has takes one."""

    op_type: str
    inputs: tuple
    outputs: tuple
    attributes: dict = field(default_factory=dict)
    name: str = ""
    domain: str = ""


@dataclass(frozen=True)
class Graph:
    """An ONNX model's graph in plain values: the nodes in order, the initializers (name -> numpy array), the
    inputs that are not initializers as (name, shape), and the outputs' names. A shape is a tuple of ints and
    None (a size left symbolic, as the batch usually is), or None when the file does not state it."""

    nodes: tuple
    initializers: dict
    inputs: tuple
    outputs: tuple
    producer: str = ""
    opset: int | None = None


def read(graph):
    """The engine model (an `nn.Sequential`) and meta dict of `graph`, whatever its input: the tool's rules.

    >>> graph = Graph(nodes=(Node("Gemm", ("x", "w"), ("y",), {"transB": 1}),), initializers={"w": np.ones((3, 2))},
    ...               inputs=(("x", (None, 2)),), outputs=("y",), producer="example", opset=17)
    >>> read(graph)
    (Sequential(
      (0): Linear(2, 3, bias=False)
    ), {'source': 'onnx', 'producer': 'example', 'opset': 17})
    """
    _refuse_unsupported(graph)
    return _assemble(graph, _Chain(graph, _only_input(graph)[1]))


def read_for_the_page(graph):
    """As `read`, for a model the page can show: one input is one of PAGE_INPUTS and there are at most
    PARAMETER_LIMIT parameters. The meta also says where it opens ("opens_in": "playground" or "digits lab")
    and the shape of one input ("input_shape", e.g. (1, 28, 28)).

    >>> graph = Graph(nodes=(Node("Relu", ("x",), ("y",)),), initializers={}, inputs=(("x", (1, 3, 32, 32)),),
    ...               outputs=("y",))
    >>> read_for_the_page(graph)
    Traceback (most recent call last):
    ValueError: the model takes inputs of shape (N, 3, 32, 32); the page shows models that take (N, 2) in the playground, or (N, 784), (N, 1, 28, 28), (N, 28, 28, 1) or (N, 28, 28) in the digits lab: export one of those
    """
    _refuse_unsupported(graph)
    shape = _only_input(graph)[1]
    one_input = _page_input(shape)
    chain = _Chain(graph, (shape[0], *one_input))
    count = sum(values.size for values in chain.parameters.values())
    if count > PARAMETER_LIMIT:
        raise ValueError(f"the model has {count:,} parameters; the page opens models of up to {PARAMETER_LIMIT:,}, "
                         "so that a drawing is still read as you draw it: try a smaller model")
    model, meta = _assemble(graph, chain)
    return model, {**meta, "opens_in": PAGE_INPUTS[one_input],
                   "input_shape": AS_THE_ENGINE_TAKES.get(one_input, one_input)}


def _refuse_unsupported(graph):
    known = {*LAYERS, *BETWEEN_LAYERS, *FINAL}
    unsupported = sorted({node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}.{node.op_type}"
                          for node in graph.nodes} - known)
    if unsupported:
        raise ValueError(f"unsupported ONNX ops: {', '.join(unsupported)}; gradcanvas reads "
                         f"{', '.join(LAYERS)}, the Transposes, Casts and shape arithmetic exporters write "
                         f"between them, and a final {' or '.join(FINAL)}")


def _only_input(graph):
    if len(graph.inputs) != 1 or len(graph.outputs) != 1:
        raise ValueError(f"the graph has {len(graph.inputs)} inputs and {len(graph.outputs)} outputs; "
                         "gradcanvas models take one input and give one output")
    return graph.inputs[0]


def _page_input(shape):
    """The entry of PAGE_INPUTS that `shape` (with its batch axis) fits; sizes left symbolic fit any."""
    one_input = () if shape is None else tuple(shape[1:])
    for accepted in PAGE_INPUTS:
        if len(one_input) == len(accepted) and all(size in (None, want) for size, want in zip(one_input, accepted)):
            return accepted
    rooms = {}
    for accepted, room in PAGE_INPUTS.items():
        rooms.setdefault(room, []).append(_words((None, *accepted)))
    shown = ", or ".join(f"{_either(shapes)} in the {room}" for room, shapes in rooms.items())
    stated = "inputs of a shape the file does not state" if shape is None else f"inputs of shape {_words(shape)}"
    raise ValueError(f"the model takes {stated}; the page shows models that take {shown}: export one of those")


def _either(words):
    """["a", "b", "c"] -> "a, b or c"."""
    return " or ".join(filter(None, (", ".join(words[:-1]), words[-1])))


def _words(shape):
    """(None, 3, 32, 32) -> "(N, 3, 32, 32)": the batch is N, any other size left symbolic is "?"."""
    sizes = ["N" if index == 0 else "?" if size is None else str(size) for index, size in enumerate(shape)]
    return f"({', '.join(sizes)})"


def _assemble(graph, chain):
    broken = [name for name, values in chain.parameters.items() if not np.isfinite(values).all()]
    if broken:
        raise ValueError(f"the model's parameters {', '.join(broken)} hold NaN or infinite values, which no drawing "
                         "can be read through: export it from weights that are all finite numbers")
    model = nn.Sequential(*chain.modules)
    model.load_state_dict(chain.parameters)
    model.eval()  # as an exported graph computes: batch norm from its running statistics, dropout passing all
    meta = {"source": "onnx", "producer": graph.producer, "opset": graph.opset}
    if chain.dropped:
        meta["note"] = DROPPED_NOTE.format(op=chain.dropped)
    if chain.relaid:  # the file's first Transpose, taken by the engine's input instead
        meta["input_layout"] = (f"the engine's model takes {_words(chain.relaid[1])}: the file's input, "
                                f"{_words(chain.relaid[0])}, transposed")
    return model, meta


def _constant(node):
    """The value a Constant node makes, whichever of its attributes holds it (value, value_ints, ...)."""
    if len(node.attributes) != 1:
        raise ValueError(f"a Constant node holds {sorted(node.attributes) or 'no value the rules read'}; "
                         "it should hold one tensor, list or number")
    return np.asarray(next(iter(node.attributes.values())))


def _reordered(weight, reorder):
    """A Linear's weight (n_out, n_in) for the engine's flattened order, where the file's took its inputs so
    that its input j is the engine's `reorder[j]`."""
    engine = np.empty_like(weight)
    engine[:, reorder] = weight
    return engine


def _as_written(number):
    """A float an exporter wrote as float32, as the decimal it was written from: 1e-05 for float32(1e-5).

    >>> _as_written(float(np.float32(1e-5))), _as_written(0.1)
    (1e-05, 0.1)
    """
    return float(str(np.float32(number)))


def _slide(size, kernel, stride, padding):
    """How many places a window of `kernel` fits along `size` (None when the size is symbolic)."""
    return None if size is None else (size + 2 * padding - kernel) // stride + 1


class _Chain:
    """Walks the graph from its input to its output, one node after another, turning each into a layer and
    keeping the shape of what flows between them (None where the file leaves it open), as the engine's layers
    hold it: `order` is how the file's values are laid out against that (the axes of a transpose of it, as
    numpy's `transpose` takes them), and `reorder`, after channels-last maps were flattened, which of the
    engine's flattened values each of the file's is, until the next Linear takes them in the engine's order."""

    def __init__(self, graph, shape):
        self.constants = dict(graph.initializers)
        for node in graph.nodes:  # in graph order, so a constant is known before whatever uses it
            if node.op_type == "Constant":
                self.constants[node.outputs[0]] = _constant(node)
            elif node.op_type == "Identity" and node.inputs[0] in self.constants:
                self.constants[node.outputs[0]] = self.constants[node.inputs[0]]
        self.modules, self.parameters, self.dropped, self.relaid = [], {}, None, None
        self.current, self.shape = graph.inputs[0][0], None if shape is None else tuple(shape)
        self.order = None if shape is None else tuple(range(len(shape)))
        self.reorder, self.sizes = None, {}  # sizes: what shape arithmetic worked out, by name
        nodes = [node for node in graph.nodes if node.outputs[0] not in self.constants]
        index = 0
        while index < len(nodes):
            node = nodes[index]
            if node.op_type in SHAPE_ARITHMETIC or (node.op_type == "Cast" and node.inputs[0] in self.sizes):
                self.sizes[node.outputs[0]] = self.size_arithmetic(node)
                index += 1
                continue
            computed = [name for name in node.inputs if name and name not in self.constants and name not in self.sizes]
            if computed != [self.current] or (node.inputs[0] != self.current and node.op_type != "Add"):
                raise ValueError(f"{self.name(node)} takes {list(node.inputs)}, not the previous layer's output "
                                 f"{self.current!r}; gradcanvas models are one layer after another")
            if node.op_type in FINAL:
                if index != len(nodes) - 1:
                    raise ValueError(f"{self.name(node)} is not the last op; only a final {node.op_type} is read")
                self.dropped, self.current = node.op_type, node.outputs[0]
            else:
                self.add(node)
            index += 1
        if self.current != graph.outputs[0]:
            raise ValueError(f"the chain of layers ends at {self.current!r}, not at the graph's output")
        if not self.as_the_engine_lays_out():
            raise ValueError("the model's output is laid out in another order than its layers compute it (a "
                             "Transpose or a flatten of channels-last maps with no layer after it): export the "
                             "model's output as its last layer gives it")

    @staticmethod
    def name(node):
        return f"node {node.name!r} ({node.op_type})" if node.name else f"a {node.op_type} node"

    def add(self, node):
        """Append the layer `node` makes, or follow what it does to the values' layout or type."""
        op, attrs = node.op_type, node.attributes
        self.current = node.outputs[0]
        if op in ("Relu", "Tanh", "Sigmoid"):
            self.modules.append({"Relu": nn.ReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid}[op]())
        elif op == "LeakyRelu":
            self.modules.append(nn.LeakyReLU(float(self.number(node, "alpha", 0.01))))
        elif op == "Identity":
            pass  # passes the previous layer's output on: no layer
        elif op == "Gemm":
            self.require(node, self.number(node, "transA", 0) == 0, "transA=1 (a transposed input)")
            weight = self.constant(node, 1) * self.number(node, "alpha", 1.0)
            weight = weight if self.number(node, "transB", 0) else weight.T
            bias = (None if len(node.inputs) < 3 or not node.inputs[2]
                    else self.constant(node, 2) * self.number(node, "beta", 1.0))
            self.linear(node, weight, bias)
        elif op == "MatMul":
            weight = self.constant(node, 1).T
            self.require(node, weight.ndim == 2, f"a {weight.ndim}-D weight (a Linear layer's is 2-D)")
            self.linear(node, weight, None)
        elif op == "Add":
            self.bias(node)
        elif op == "Cast":
            self.require(node, self.number(node, "to", 1) in FLOATS,
                         f"a cast to ONNX type {attrs.get('to')} (not a float)")
        elif op == "Transpose":
            self.transpose(node, attrs.get("perm"))
        elif op == "Conv":
            self.takes_as_laid_out(node)
            self.conv(node, attrs)
        elif op == "MaxPool":
            self.takes_as_laid_out(node)
            kernel, stride = self.square(node, attrs, "kernel_shape", None), self.square(node, attrs, "strides", 1)
            self.require(node, not self.number(node, "ceil_mode", 0), "ceil_mode=1")
            self.require(node, self.square(node, attrs, "pads", 0) == 0, f"pads {attrs.get('pads')}")
            self.require(node, self.square(node, attrs, "dilations", 1) == 1, f"dilations {attrs.get('dilations')}")
            self.require(node, attrs.get("auto_pad", "NOTSET") in ("NOTSET", "VALID"),
                         f"auto_pad {attrs.get('auto_pad')}")
            self.takes(node, (None, None, None))
            self.modules.append(nn.MaxPool2d(kernel, stride))
            self.slide(kernel, stride, 0, None if self.shape is None else self.shape[1])
        elif op == "Flatten":
            self.require(node, self.number(node, "axis", 1) == 1,
                         f"axis={attrs.get('axis')} (only axis 1 keeps the batch)")
            self.flatten()
        elif op == "Reshape":  # exporters write Flatten as Reshape to (batch, -1) or (batch, features)
            self.reshape(node, self.target(node), self.number(node, "allowzero", 0))
        elif op == "BatchNormalization":
            self.batch_norm(node)
        elif op == "Dropout":
            self.dropout(node)

    def constant(self, node, position):
        if position >= len(node.inputs) or node.inputs[position] not in self.constants:
            raise ValueError(f"{self.name(node)}: input {position} must be a stored constant (weights), not computed")
        return self.constants[node.inputs[position]].astype(np.float64)

    def require(self, node, condition, what):
        if not condition:
            raise ValueError(f"{self.name(node)}: {what} is not something the engine's layers do")

    def number(self, node, key, default):
        """The attribute `key` of `node`, or `default` when it has none: one number."""
        value = node.attributes.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{self.name(node)}: its {key} is {value!r}, not a number")
        return value

    def square(self, node, attrs, key, default):
        """One number for an attribute given per spatial axis (and per side, for pads), which must agree;
        `default` None: the attribute is required."""
        if default is None and key not in attrs:
            raise ValueError(f"{self.name(node)} has no {key}")
        values = attrs.get(key, [default] * 2)
        if not isinstance(values, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise ValueError(f"{self.name(node)}: its {key} is {values!r}, not whole numbers")
        self.require(node, values and all(v == values[0] for v in values),
                     f"{key} {values} (not the same on every side)")
        return values[0]

    def takes(self, node, one_input):
        """Refuse `node` unless what reaches it fits `one_input` (sizes without the batch; None fits any)."""
        if self.shape is None:
            return
        sizes = self.shape[1:]
        if len(sizes) != len(one_input) or any(None not in (size, want) and size != want
                                              for size, want in zip(sizes, one_input)):
            raise ValueError(f"{self.name(node)} takes inputs of shape {_words((None, *one_input))}, but gets "
                             f"{_words(self.shape)}")

    def batch(self):
        return None if self.shape is None else self.shape[0]

    def linear(self, node, weight, bias):
        index, (n_out, n_in) = len(self.modules), weight.shape
        self.takes(node, (n_in,))
        if self.reorder is not None:  # the file's weights take channels-last maps, flattened: take the engine's
            weight, self.reorder = _reordered(weight, self.reorder), None
        self.modules.append(nn.Linear(n_in, n_out, bias=bias is not None))
        self.parameters[f"{index}.weight"] = weight
        if bias is not None:
            self.parameters[f"{index}.bias"] = np.broadcast_to(bias.reshape(-1), (n_out,))
        self.shape = (self.batch(), n_out)

    def conv(self, node, attrs):
        weight, index = self.constant(node, 1), len(self.modules)
        self.require(node, weight.ndim == 4, f"a {weight.ndim - 2}-D convolution (the engine's Conv2d is 2-D)")
        c_out, c_in, k, k_other = weight.shape
        self.require(node, k == k_other, f"a {k}x{k_other} kernel (not square)")
        self.require(node, self.number(node, "group", 1) == 1, f"group={attrs.get('group')}")
        self.require(node, self.square(node, attrs, "dilations", 1) == 1, f"dilations {attrs.get('dilations')}")
        self.require(node, attrs.get("auto_pad", "NOTSET") in ("NOTSET", "VALID"), f"auto_pad {attrs.get('auto_pad')}")
        self.takes(node, (c_in, None, None))
        bias = len(node.inputs) > 2 and bool(node.inputs[2])
        stride, padding = self.square(node, attrs, "strides", 1), self.square(node, attrs, "pads", 0)
        self.modules.append(nn.Conv2d(c_in, c_out, k, stride, padding, bias=bias))
        self.parameters[f"{index}.weight"] = weight
        if bias:
            self.parameters[f"{index}.bias"] = self.constant(node, 2)
        self.slide(k, stride, padding, c_out)

    def batch_norm(self, node):
        """The engine's BatchNorm1d (after a Linear: (N, C), or (N, C, L)) or BatchNorm2d (maps: (N, C, H, W))
        holding the file's scale, shift, running mean and running variance; ONNX's momentum keeps the old estimate's share, torch's
        (and the engine's) the new batch's."""
        self.takes_as_laid_out(node)
        if self.number(node, "training_mode", 0) or len([name for name in node.outputs if name]) > 1:
            raise ValueError(f"{self.name(node)} normalises each batch by its own statistics: the model was exported "
                             "in training mode; export it after model.eval(), so it uses its running statistics")
        self.require(node, self.number(node, "spatial", 1) == 1, "spatial=0 (a statistic per pixel)")
        if self.shape is None:
            raise ValueError(f"{self.name(node)} normalises an input of unstated shape: export the model with its "
                             "input's shape stated")
        self.require(node, len(self.shape) in (2, 3, 4), f"a batch norm of {_words(self.shape)} (the engine's take "
                                                         "(N, C), (N, C, L) or (N, C, H, W))")
        scale, shift, mean, var = (self.constant(node, position).reshape(-1) for position in range(1, 5))
        channels = scale.size
        self.require(node, all(values.size == channels for values in (shift, mean, var)),
                     f"a scale, shift, mean and variance of {scale.size}, {shift.size}, {mean.size} and {var.size} "
                     "values (one per channel each)")
        self.takes(node, (channels, *[None] * (len(self.shape) - 2)))
        eps = _as_written(self.number(node, "epsilon", 1e-5))
        if not (var + eps > 0).all():
            raise ValueError(f"{self.name(node)} has a running variance below zero, which no input can be "
                             "normalised by: export it from a trained model's own statistics")
        layer = (nn.BatchNorm2d if len(self.shape) == 4 else nn.BatchNorm1d)(
            channels, eps=eps, momentum=round(1 - _as_written(self.number(node, "momentum", 0.9)), 6))
        index = len(self.modules)
        self.modules.append(layer)
        self.parameters.update({f"{index}.weight": scale, f"{index}.bias": shift, f"{index}.running_mean": mean,
                                f"{index}.running_var": var, f"{index}.num_batches_tracked": np.array(0)})

    def dropout(self, node):
        """The engine's Dropout, with the file's ratio (an attribute before opset 12, an input since), when the
        file asks for inference: then it passes every value, as the model does in evaluation."""
        given = [position < len(node.inputs) and bool(node.inputs[position]) for position in range(3)]
        if given[2] and self.constant(node, 2).any():
            raise ValueError(f"{self.name(node)} drops units at random: the model was exported in training mode; "
                             "export it after model.eval()")
        ratio = self.constant(node, 1) if given[1] else np.asarray(self.number(node, "ratio", 0.5))
        self.require(node, ratio.size == 1, f"a ratio of {ratio.size} values")
        self.modules.append(nn.Dropout(_as_written(float(ratio.reshape(-1)[0]))))

    def slide(self, kernel, stride, padding, channels):
        """The shape after a window of `kernel` slid over the image, which must be at least that big."""
        height, width = (None, None) if self.shape is None else self.shape[2:]
        height, width = _slide(height, kernel, stride, padding), _slide(width, kernel, stride, padding)
        if any(size is not None and size < 1 for size in (height, width)):
            raise ValueError(f"layer {len(self.modules) - 1} ({self.modules[-1]!r}) slides a {kernel}x{kernel} window "
                             f"over an image of {_words(self.shape)}, which is smaller")
        self.shape = (self.batch(), channels, height, width)

    def features(self):
        """How many numbers one input holds at this point of the chain (None when a size is symbolic)."""
        sizes = None if self.shape is None else self.shape[1:]
        return None if sizes is None or None in sizes else int(np.prod(sizes))

    def flatten(self):
        if not self.as_the_engine_lays_out():  # the file flattens its own layout: say which value each one is
            sizes = self.shape[1:]
            self.require_known(sizes, "a flatten of maps laid out channels last")
            self.reorder = np.arange(int(np.prod(sizes))).reshape(sizes).transpose(
                [axis - 1 for axis in self.order[1:]]).reshape(-1)
        self.modules.append(nn.Flatten())
        self.shape = (self.batch(), self.features())
        self.order = (0, 1)

    def as_the_engine_lays_out(self):
        """Whether the file's values are, at this point, where the engine's layers have them."""
        return (self.order is None or self.order == tuple(range(len(self.order)))) and self.reorder is None

    def takes_as_laid_out(self, node):
        if not self.as_the_engine_lays_out():
            raise ValueError(f"{self.name(node)} takes its maps channels first, (N, C, H, W), but gets them laid "
                             f"out as the axes {list(self.order)} of that: an engine layer cannot take that order")

    def require_known(self, sizes, what):
        if sizes is None or None in sizes:
            raise ValueError(f"{what} needs every size stated, and the file leaves some open")

    def transpose(self, node, perm):
        """Before the first layer a Transpose lays out the engine's input (a 28x28 image with its one channel
        last is the same numbers channels first); after it, it changes how the file's values are laid out."""
        self.require(node, self.shape is not None, "a Transpose of an input of unstated shape")
        perm = tuple(reversed(range(len(self.shape)))) if perm is None else tuple(perm)
        self.require(node, sorted(perm) == list(range(len(self.shape))) and perm[0] == 0,
                     f"a Transpose by {list(perm)} of {_words(self.shape)} (only the axes after the batch may move)")
        if not self.modules and self.as_the_engine_lays_out():
            before, self.shape = self.shape, tuple(self.shape[axis] for axis in perm)
            self.relaid = (before, self.shape)
        else:
            self.order = tuple(self.order[axis] for axis in perm)

    def bias(self, node):
        """An Add of stored values right after a layer with weights is that layer's bias (exporters write a
        Dense layer as MatMul then Add, and Keras a Conv2D's bias as an Add after its Conv)."""
        adds = [name for name in node.inputs if name in self.constants]
        layer = self.modules[-1] if self.modules else None
        if len(adds) != 1 or not isinstance(layer, (nn.Linear, nn.Conv2d)) or self.shape is None:
            raise ValueError(f"{self.name(node)}: an Add is read only as the bias right after a MatMul, Gemm or Conv")
        laid_out = [1 if size is None else size for size in (1, *(self.shape[axis] for axis in self.order[1:]))]
        try:
            spread = np.broadcast_to(self.constants[adds[0]], laid_out)
        except ValueError:
            raise ValueError(f"{self.name(node)} adds values of shape {list(self.constants[adds[0]].shape)} to "
                             f"{_words(self.shape)}: not a bias") from None
        spread = spread.transpose(np.argsort(self.order))[0]  # as the engine's layer holds it: (channels, ...)
        per_channel = spread.reshape(spread.shape[0], -1)
        self.require(node, (per_channel == per_channel[:, :1]).all(), "an Add that is not the same at every pixel")
        name = f"{len(self.modules) - 1}.bias"
        if name not in self.parameters:
            layer.bias = Tensor(np.zeros(per_channel.shape[0]), requires_grad=True, name="bias")
        self.parameters[name] = self.parameters.get(name, 0.0) + per_channel[:, 0]

    def size_arithmetic(self, node):
        """What a Shape, Gather, Unsqueeze, Squeeze, Concat (or Cast) node works out from the shape of the
        values flowing here: an object array of sizes, None for a size the file leaves open (the batch)."""
        op, attrs = node.op_type, node.attributes
        if op == "Shape":
            if node.inputs[0] != self.current or self.shape is None:
                raise ValueError(f"{self.name(node)} reads the shape of {node.inputs[0]!r}, not of the previous "
                                 "layer's output, or of values of unstated shape")
            laid_out = [self.shape[axis] for axis in self.order]
            return np.array(laid_out, dtype=object)[attrs.get("start", 0):attrs.get("end", len(laid_out))]
        values = [self.known(node, name) for name in node.inputs if name]
        if op == "Cast":
            return values[0]
        if op == "Gather":
            return np.take(values[0], np.asarray(values[1], dtype=int), axis=int(attrs.get("axis", 0)))
        if op == "Concat":
            return np.concatenate([np.atleast_1d(value) for value in values], axis=int(attrs.get("axis", 0)))
        axes = [int(axis) for axis in (attrs["axes"] if "axes" in attrs else values[1] if len(values) > 1 else [])]
        if op == "Unsqueeze":
            return np.expand_dims(values[0], tuple(axes))
        return np.squeeze(values[0], tuple(axes) or None)  # Squeeze

    def known(self, node, name):
        """The stored or worked-out values called `name` (the sizes a Reshape flattens to, say)."""
        if name in self.sizes:
            return self.sizes[name]
        if name in self.constants:
            return np.asarray(self.constants[name]).astype(object)
        raise ValueError(f"{self.name(node)} works out a shape from {name!r}, which is neither stored nor a shape")

    def target(self, node):
        """A Reshape's target: its sizes, the batch where it keeps the batch as it flows (None)."""
        if len(node.inputs) < 2:
            raise ValueError(f"{self.name(node)} has no target shape")
        return [None if size is None else int(size) for size in np.ravel(self.known(node, node.inputs[1]))]

    def reshape(self, node, target, allowzero):
        """A Reshape is read when it flattens: to (batch, features), with -1 for either or 0 copying the batch."""
        batch, features = self.batch(), self.features()
        keeps_batch = len(target) == 2 and (target[0] is None or (batch is not None and target[0] == batch)
                                            or (target[0] == 0 and not allowzero)
                                            or (target[0] == -1 and target[1] == features))
        before = "an input of unstated shape" if self.shape is None else _words(self.shape)
        self.require(node, features is not None and keeps_batch and target[1] in (-1, features),
                     f"a reshape to {target} that does not flatten {before}")
        self.flatten()
