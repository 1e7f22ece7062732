"""An ONNX file's bytes, read in the page: the protobuf wire format, decoded here for the few fields of ONNX's
schema that the rules (onnx_rules.py) read, into the same plain description the onnx package gives the tool.

Why read the wire format by hand, when the project prefers kept libraries? The ones there are do not fit:
- npm's `onnx-proto` 8.0.1 (ONNX's schema compiled for protobufjs) is CommonJS only: its one file,
  dist/onnx.js, does `require("protobufjs/minimal")` and there is no ES module entry ("module" or an
  "import" export), so build.py's vendoring (each package's one ES module, loaded by an import map, no
  bundler) cannot ship it; the browser bundle its package.json names (dist/onnx.min.js) is not in the
  package. It pins protobufjs ^6 (the current line is 8) and ONNX 1.10's schema, and has one maintainer.
  `protobufjs` itself (8.8.1, and 6.11) is CommonJS too ("type": "commonjs", no ES module entry).
- Pyodide's own `protobuf` (5.29.2) needs ONNX's schema compiled for Python, which only the onnx package
  (not in Pyodide) carries; it would also be one more download before a model opens.
- The wire format is small and fixed: a field is a number and a kind (varint, 8 bytes, length-prefixed, 4
  bytes); ONNX's weights are length-prefixed raw little-endian bytes that numpy reads whole. So about 200
  lines here read what the page needs, in the page's own Python, with no JavaScript objects to convert; and
  tests/app/models/test_onnx_file.py proves the description equals the onnx package's, on torch's exports.
The field numbers are ONNX's (onnx/onnx.proto), named below as the schema names them.
"""
import numpy as np

from app.models import onnx_rules

VARINT, FIXED64, LENGTH_PREFIXED, FIXED32 = 0, 1, 2, 5  # the wire types ONNX's fields use

# ModelProto
IR_VERSION, PRODUCER_NAME, PRODUCER_VERSION, GRAPH, OPSET_IMPORT = 1, 2, 3, 7, 8
OPSET_DOMAIN, OPSET_VERSION = 1, 2  # OperatorSetIdProto
GRAPH_NODE, GRAPH_INITIALIZER, GRAPH_INPUT, GRAPH_OUTPUT = 1, 5, 11, 12  # GraphProto
NODE_INPUT, NODE_OUTPUT, NODE_NAME, NODE_OP_TYPE, NODE_ATTRIBUTE, NODE_DOMAIN = 1, 2, 3, 4, 5, 7  # NodeProto
# AttributeProto: its name and type, and the field that holds a value of each type (type number: field)
ATTRIBUTE_NAME, ATTRIBUTE_TYPE = 1, 20
FLOAT, INT, STRING, TENSOR, FLOATS, INTS, STRINGS = 1, 2, 3, 4, 6, 7, 8
ATTRIBUTE_FIELD = {FLOAT: 2, INT: 3, STRING: 4, TENSOR: 5, FLOATS: 7, INTS: 8, STRINGS: 9}
# TensorProto
TENSOR_DIMS, TENSOR_DATA_TYPE, TENSOR_NAME, TENSOR_RAW_DATA, TENSOR_DATA_LOCATION = 1, 2, 8, 9, 14
EXTERNAL = 1  # a data_location: the values are in another file
# The tensor types the page reads (ONNX's number: numpy's type), and the field that holds the values when
# there is no raw_data: float_data, double_data, int64_data, or int32_data for the rest (float16's as bits).
FLOAT32, FLOAT64, INT64, FLOAT16 = 1, 11, 7, 10
TENSOR_TYPES = {FLOAT32: "<f4", 2: "u1", 3: "i1", 4: "<u2", 5: "<i2", 6: "<i4", INT64: "<i8", 9: "?", FLOAT16: "<f2",
                FLOAT64: "<f8"}
TENSOR_FIELDS = {FLOAT32: 4, FLOAT64: 10, INT64: 7}
INT32_DATA = 5
OTHER_TENSOR_TYPES = {8: "string", 12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128", 16: "bfloat16"}
VALUE_NAME, VALUE_TYPE = 1, 2          # ValueInfoProto
TYPE_TENSOR = 1                        # TypeProto: tensor_type
TENSOR_TYPE_SHAPE = 2                  # TypeProto.Tensor: shape
SHAPE_DIM = 1                          # TensorShapeProto
DIM_VALUE = 1                          # TensorShapeProto.Dimension (a dim_param, or nothing, is symbolic)

NOT_ONNX = ("this file is not an ONNX model ({reason}); open a .onnx file exported by PyTorch "
            "(torch.onnx.export), Keras or TensorFlow")
CUT_SHORT = ("this ONNX file is cut short: it ends in the middle of its contents (a download that did not "
             "finish?); export or download it again")


class _Unreadable(ValueError):
    """The bytes break the wire format; `cut_short` when they only end too soon."""

    def __init__(self, reason, cut_short=False):
        super().__init__(reason)
        self.cut_short = cut_short


def open_onnx(data):
    """The engine model and meta of an ONNX file's bytes, for the page: `onnx_rules.read_for_the_page`.
    Anything wrong (not ONNX, cut short, an op the engine lacks, an input the page cannot show, too many
    parameters) raises ValueError in words for the person who chose the file.

    >>> open_onnx(b"not a model")
    Traceback (most recent call last):
    ValueError: this file is not an ONNX model (its bytes do not follow ONNX's format: wire type 6 at byte 1); open a .onnx file exported by PyTorch (torch.onnx.export), Keras or TensorFlow
    """
    return onnx_rules.read_for_the_page(decode(data))


def decode(data):
    """The plain description (`onnx_rules.Graph`) of an ONNX file's bytes."""
    data, model = memoryview(data), {}
    try:
        for number, value in _each_field(data):
            model.setdefault(number, []).append(value)
    except _Unreadable as error:
        # Protobuf writes fields in order, so an ONNX file starts with its IR version: bytes that started
        # so and then ran out are an ONNX file cut short.
        if error.cut_short and _one(model, IR_VERSION, int) is not None:
            raise ValueError(CUT_SHORT) from None
        raise ValueError(NOT_ONNX.format(reason=f"its bytes do not follow ONNX's format: {error}")) from None
    if _one(model, IR_VERSION, int) is None or _one(model, GRAPH, memoryview) is None:
        raise ValueError(NOT_ONNX.format(reason="it holds no ONNX graph"))
    try:
        return _graph(model)
    except (_Unreadable, UnicodeDecodeError) as error:
        raise ValueError(NOT_ONNX.format(reason=f"it is damaged: {error}")) from None


def _graph(model):
    graph = _fields(_one(model, GRAPH, memoryview))
    initializers = dict(_tensor(_fields(field)) for field in graph.get(GRAPH_INITIALIZER, ()))
    inputs = tuple(_value_info(_fields(field)) for field in graph.get(GRAPH_INPUT, ()))
    opsets = [_fields(field) for field in model.get(OPSET_IMPORT, ())]
    producer = f"{_text(model, PRODUCER_NAME)} {_text(model, PRODUCER_VERSION)}".strip()
    return onnx_rules.Graph(
        nodes=tuple(_node(_fields(field)) for field in graph.get(GRAPH_NODE, ())),
        initializers=initializers,
        inputs=tuple((name, shape) for name, shape in inputs if name not in initializers),
        outputs=tuple(_value_info(_fields(field))[0] for field in graph.get(GRAPH_OUTPUT, ())),
        producer=producer,
        opset=max((_signed(_one(o, OPSET_VERSION, int) or 0) for o in opsets
                   if _text(o, OPSET_DOMAIN) in ("", "ai.onnx")), default=None))


def _node(node):
    attributes = {}
    for field in node.get(NODE_ATTRIBUTE, ()):
        attribute = _fields(field)
        kind = _one(attribute, ATTRIBUTE_TYPE, int)
        if kind in ATTRIBUTE_FIELD:
            values = attribute.get(ATTRIBUTE_FIELD[kind], [])
            attributes[_text(attribute, ATTRIBUTE_NAME)] = _attribute_value(kind, values)
    return onnx_rules.Node(_text(node, NODE_OP_TYPE), tuple(_texts(node, NODE_INPUT)),
                           tuple(_texts(node, NODE_OUTPUT)), attributes, _text(node, NODE_NAME),
                           _text(node, NODE_DOMAIN))


def _attribute_value(kind, values):
    if kind == FLOAT:
        return float(_numbers(values[-1:], "<f4")[-1]) if values else 0.0
    if kind == INT:
        return _varints(values[-1:])[-1] if values else 0
    if kind == STRING:
        return _string(values[-1]) if values else ""
    if kind == TENSOR:
        return _tensor(_fields(values[-1]))[1]
    if kind == FLOATS:
        return [float(v) for v in _numbers(values, "<f4")]
    if kind == INTS:
        return _varints(values)
    return [_string(text) for text in values]


def _tensor(tensor):
    """(name, numpy array) of a TensorProto."""
    name, kind = _text(tensor, TENSOR_NAME), _one(tensor, TENSOR_DATA_TYPE, int) or 0
    dims = tuple(_varints(tensor.get(TENSOR_DIMS, ())))
    if _one(tensor, TENSOR_DATA_LOCATION, int) == EXTERNAL:
        raise ValueError(f"the values of tensor {name!r} are kept in a separate file (ONNX external data); "
                         "export the model with its weights inside the .onnx file")
    if kind not in TENSOR_TYPES:
        raise ValueError(f"tensor {name!r} holds {OTHER_TENSOR_TYPES.get(kind, f'type {kind}')} values; the page "
                         "reads tensors of numbers: floats, integers and booleans")
    dtype, field = TENSOR_TYPES[kind], TENSOR_FIELDS.get(kind, INT32_DATA)
    raw = _one(tensor, TENSOR_RAW_DATA, memoryview)
    if raw is not None:
        values = _numbers([raw], dtype)
    elif kind in (FLOAT32, FLOAT64):
        values = _numbers(tensor.get(field, ()), dtype)
    elif kind == FLOAT16:
        values = np.array(_varints(tensor.get(field, ())), np.uint16).view(np.float16)
    else:
        values = np.array(_varints(tensor.get(field, ())), np.int64).astype(dtype)
    if values.size != int(np.prod(dims)):
        raise _Unreadable(f"tensor {name!r} holds {values.size} values for its shape {dims}")
    return name, values.astype(np.dtype(dtype).newbyteorder("=")).reshape(dims)


def _value_info(info):
    """(name, shape) of a ValueInfoProto; the shape is None when the file does not state it."""
    tensor_type = _one(_fields(_one(info, VALUE_TYPE, memoryview) or b""), TYPE_TENSOR, memoryview)
    shape = None if tensor_type is None else _one(_fields(tensor_type), TENSOR_TYPE_SHAPE, memoryview)
    if shape is None:
        return _text(info, VALUE_NAME), None
    sizes = (_one(_fields(dim), DIM_VALUE, int) for dim in _fields(shape).get(SHAPE_DIM, ()))
    return _text(info, VALUE_NAME), tuple(None if size is None else _signed(size) for size in sizes)


# ---- the wire format ------------------------------------------------------------------------------

def _each_field(data):
    """(field number, value) for each field of one message: an int for a varint, a memoryview of the bytes
    for the other wire types."""
    position, end = 0, len(data)
    while position < end:
        key, position = _varint(data, position)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise _Unreadable(f"field number 0 at byte {position}")
        if wire == VARINT:
            value, position = _varint(data, position)
        else:
            if wire == LENGTH_PREFIXED:
                size, position = _varint(data, position)
            elif wire in (FIXED64, FIXED32):
                size = 8 if wire == FIXED64 else 4
            else:
                raise _Unreadable(f"wire type {wire} at byte {position}")
            if position + size > end:
                raise _Unreadable(f"a field of {size} bytes at byte {position}, past the end", cut_short=True)
            value, position = data[position:position + size], position + size
        yield number, value


def _fields(data):
    """{field number: [values, in order]} of one message."""
    if isinstance(data, int):
        raise _Unreadable("a number where a message belongs")
    found = {}
    for number, value in _each_field(memoryview(data)):
        found.setdefault(number, []).append(value)
    return found


def _varint(data, position):
    value = shift = 0
    while True:
        if position >= len(data):
            raise _Unreadable(f"a number that runs past the end, at byte {position}", cut_short=True)
        byte = data[position]
        value, position, shift = value | (byte & 0x7F) << shift, position + 1, shift + 7
        if byte < 0x80:
            return value, position
        if shift >= 70:
            raise _Unreadable(f"a number longer than 10 bytes at byte {position}")


def _signed(value):
    """A varint read as a signed 64-bit int (negative numbers are written as their two's complement)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _varints(values):
    """The signed ints of a repeated integer field, written one by one or packed into one run of bytes."""
    numbers = []
    for value in values:
        if isinstance(value, int):
            numbers.append(_signed(value))
        else:
            position = 0
            while position < len(value):
                number, position = _varint(value, position)
                numbers.append(_signed(number))
    return numbers


def _numbers(values, dtype):
    """The numbers of raw data, or of a repeated float or double field written one by one or packed."""
    if any(isinstance(value, int) for value in values):
        raise _Unreadable(f"a whole number where {np.dtype(dtype).name} values belong")
    data = b"".join(bytes(value) for value in values) if len(values) != 1 else values[0]
    if len(data) % np.dtype(dtype).itemsize:
        raise _Unreadable(f"{len(data)} bytes of {np.dtype(dtype).name} values")
    return np.frombuffer(data, dtype)


def _one(message, number, kind):
    """The last value of field `number` (protobuf's rule for a field given twice), if it is of `kind`."""
    values = message.get(number)
    return values[-1] if values and isinstance(values[-1], kind) else None


def _string(value):
    if isinstance(value, int):
        raise _Unreadable("a number where text belongs")
    return bytes(value).decode("utf-8")


def _text(message, number):
    value = _one(message, number, memoryview)
    return "" if value is None else _string(value)


def _texts(message, number):
    return [_string(value) for value in message.get(number, ())]
