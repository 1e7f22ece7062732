"""The rules that turn an ONNX graph into an engine model: one implementation, shared by the page (whose
onnx_file.py reads a file's bytes) and tools/onnx_import.py (which reads them with the onnx package).

ONNX is the file PyTorch, Keras and TensorFlow all export to. A graph is read when it is one chain of the
layers the engine has: Gemm, or MatMul then Add (Linear); Conv (Conv2d); MaxPool; Flatten, or a Reshape
that flattens; Relu, LeakyRelu, Tanh, Sigmoid; Identity. A Softmax or LogSoftmax at the very end is dropped
and the meta says so: gradcanvas models output logits, and softmax is applied where probabilities are shown.
Any other op is refused, with every unsupported op named at once.

The rules see a plain description of the graph (`Graph` and `Node`: strings, numbers and numpy arrays),
never a decoder's objects: that is what lets two decoders share them. They need no shape inference: the
shape after each layer is worked out from the input's shape and the layer's weights as the chain goes.
"""
from dataclasses import dataclass, field

import numpy as np

from engine import nn

LAYERS = ("Gemm", "MatMul", "Add", "Conv", "MaxPool", "Flatten", "Reshape", "Relu", "LeakyRelu", "Tanh",
          "Sigmoid", "Identity", "Constant")
FINAL = ("Softmax", "LogSoftmax")   # allowed only as the last op, and dropped
DROPPED_NOTE = ("the model's final {op} was dropped: gradcanvas models output logits, and softmax is applied "
                "where probabilities are shown")
# What the page can show, by the shape of one input (the batch axis left out), and where such a model opens.
PAGE_INPUTS = {(2,): "playground", (784,): "digits lab", (1, 28, 28): "digits lab"}
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
    ValueError: the model takes inputs of shape (N, 3, 32, 32); the page shows models that take (N, 2) in the playground, or (N, 784) or (N, 1, 28, 28) in the digits lab: export one of those
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
    return model, {**meta, "opens_in": PAGE_INPUTS[one_input], "input_shape": one_input}


def _refuse_unsupported(graph):
    known = set(LAYERS) | set(FINAL)
    unsupported = sorted({node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}.{node.op_type}"
                          for node in graph.nodes} - known)
    if unsupported:
        advice = " (export in eval mode, after model.eval(), to leave Dropout out)" if "Dropout" in unsupported else ""
        raise ValueError(f"unsupported ONNX ops: {', '.join(unsupported)}; gradcanvas reads "
                         f"{', '.join(LAYERS[:-1])} and a final {' or '.join(FINAL)}{advice}")


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
    shown = ", or ".join(f"{' or '.join(shapes)} in the {room}" for room, shapes in rooms.items())
    stated = "inputs of a shape the file does not state" if shape is None else f"inputs of shape {_words(shape)}"
    raise ValueError(f"the model takes {stated}; the page shows models that take {shown}: export one of those")


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
    meta = {"source": "onnx", "producer": graph.producer, "opset": graph.opset}
    if chain.dropped:
        meta["note"] = DROPPED_NOTE.format(op=chain.dropped)
    return model, meta


def _constant(node):
    """The value a Constant node makes, whichever of its attributes holds it (value, value_ints, ...)."""
    if len(node.attributes) != 1:
        raise ValueError(f"a Constant node holds {sorted(node.attributes) or 'no value the rules read'}; "
                         "it should hold one tensor, list or number")
    return np.asarray(next(iter(node.attributes.values())))


def _slide(size, kernel, stride, padding):
    """How many places a window of `kernel` fits along `size` (None when the size is symbolic)."""
    return None if size is None else (size + 2 * padding - kernel) // stride + 1


class _Chain:
    """Walks the graph from its input to its output, one node after another, turning each into a layer and
    keeping the shape of what flows between them (None where the file leaves it open)."""

    def __init__(self, graph, shape):
        self.constants = dict(graph.initializers)
        for node in graph.nodes:  # in graph order, so a constant is known before whatever uses it
            if node.op_type == "Constant":
                self.constants[node.outputs[0]] = _constant(node)
            elif node.op_type == "Identity" and node.inputs[0] in self.constants:
                self.constants[node.outputs[0]] = self.constants[node.inputs[0]]
        self.modules, self.parameters, self.dropped = [], {}, None
        self.current, self.shape = graph.inputs[0][0], None if shape is None else tuple(shape)
        nodes = [node for node in graph.nodes if node.outputs[0] not in self.constants]
        index = 0
        while index < len(nodes):
            node = nodes[index]
            computed = [name for name in node.inputs if name and name not in self.constants]
            if computed != [self.current] or node.inputs[0] != self.current:
                raise ValueError(f"{self.name(node)} takes {list(node.inputs)}, not the previous layer's output "
                                 f"{self.current!r}; gradcanvas models are one layer after another")
            if node.op_type in FINAL:
                if index != len(nodes) - 1:
                    raise ValueError(f"{self.name(node)} is not the last op; only a final {node.op_type} is read")
                self.dropped, self.current = node.op_type, node.outputs[0]
            else:
                follower = nodes[index + 1] if index + 1 < len(nodes) else None
                index += self.add(node, follower)
            index += 1
        if self.current != graph.outputs[0]:
            raise ValueError(f"the chain of layers ends at {self.current!r}, not at the graph's output")

    @staticmethod
    def name(node):
        return f"node {node.name!r} ({node.op_type})" if node.name else f"a {node.op_type} node"

    def add(self, node, follower):
        """Append the layer `node` makes; returns how many following nodes it used up (MatMul's Add)."""
        op, attrs, used = node.op_type, node.attributes, 0
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
            adds_bias = (follower is not None and follower.op_type == "Add" and self.current in follower.inputs
                         and any(name in self.constants for name in follower.inputs))
            bias = None
            if adds_bias:
                bias = next(self.constants[name] for name in follower.inputs if name in self.constants)
                self.current, used = follower.outputs[0], 1
            self.linear(node, weight, bias)
        elif op == "Conv":
            self.conv(node, attrs)
        elif op == "MaxPool":
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
            self.reshape(node, [int(n) for n in self.constant(node, 1)], self.number(node, "allowzero", 0))
        else:  # an Add that follows no MatMul
            raise ValueError(f"{self.name(node)}: an Add is read only as the bias right after a MatMul")
        return used

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
        self.modules.append(nn.Flatten())
        self.shape = (self.batch(), self.features())

    def reshape(self, node, target, allowzero):
        """A Reshape is read when it flattens: to (batch, features), with -1 for either or 0 copying the batch."""
        batch, features = self.batch(), self.features()
        keeps_batch = len(target) == 2 and ((batch is not None and target[0] == batch)
                                            or (target[0] == 0 and not allowzero)
                                            or (target[0] == -1 and target[1] == features))
        before = "an input of unstated shape" if self.shape is None else _words(self.shape)
        self.require(node, features is not None and keeps_batch and target[1] in (-1, features),
                     f"a reshape to {target} that does not flatten {before}")
        self.flatten()
