"""The trace format: what a trace holds (`Trace`, its `Step`s, its network's `Structure`) and its JSON file,
written by `dumps` and read by `loads`, which checks every field against the others and names the one
that is wrong. docs/trace-format.md describes the file; docs/trace.schema.json is its JSON Schema.

Numbers travel as blocks, base64 of little-endian float32 with their shape (`encode`), one block per
quantity for all steps at once, so a 1,000-step trace of a 6x8 network stays near 5 MB and loads in one
pass.
"""
import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .. import weights
from ..tensor import Tensor, no_grad

FORMAT, VERSION = "gradcanvas-trace", 1


# ---- what a trace is ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Structure:
    """The network: its layers as `engine.weights.describe` lists them, and its parameters' shapes by
    name ("0.weight", as in `state_dict`), in the model's order."""

    layers: tuple
    parameters: dict

    @classmethod
    def of(cls, layers):
        """The structure of `layers`; an unknown layer or a bad argument raises ValueError naming it."""
        model = weights.build(layers)
        return cls(tuple(layers), {name: param.shape for name, param in model.named_parameters()})

    @property
    def sizes(self):
        """Units of every Linear layer, inputs first: [2, 8, 8, 1] for a 2-8-8-1 network."""
        linears = [layer for layer in self.layers if layer["type"] == "Linear"]
        return [linears[0]["n_in"], *(layer["n_out"] for layer in linears)] if linears else []

    def has_parameters(self, index):
        return any(name.startswith(f"{index}.") for name in self.parameters)

    def build(self):
        """A fresh engine `nn.Sequential` with these layers (its parameters to be loaded)."""
        return weights.build(self.layers)


@dataclass(frozen=True, eq=False)
class Step:
    """One training step: arrays for one step only."""

    loss: float
    activations: tuple      # every layer's output on the probe, in layer order
    gradients: dict         # name -> gradient, in the order they were computed
    update: dict            # name -> the optimizer's change to that parameter, in the model's order


@dataclass(frozen=True, eq=False)
class Trace:
    """A whole recording, every per-step quantity stacked along a first axis of length `count`
    (float32, as stored). `steps` gives the same numbers one step at a time."""

    structure: Structure
    probe: np.ndarray           # (P, ...) the inputs every step's activations were measured on
    targets: object             # (P, ...) their labels or targets, or None
    initial: dict               # name -> the parameter before the first step
    loss: np.ndarray            # (count,)
    activations: tuple          # per layer: (count, P, ...) its output on the probe
    gradient_order: tuple       # parameter names, in the order their gradients were completed
    gradients: dict             # name -> (count, *shape)
    updates: dict               # name -> (count, *shape): after the step minus before it
    meta: dict

    @classmethod
    def from_steps(cls, layers, probe, initial, steps, targets=None, meta=None):
        """Stack recorded `Step`s into a Trace. Every step must compute its gradients in one order (a
        trace holds one graph); parameters the loss never reached come last, with zero gradients."""
        structure = Structure.of(layers)
        names = list(structure.parameters)
        order = list(steps[0].gradients) if steps else []
        order += [name for name in names if name not in order]
        for index, step in enumerate(steps):
            if list(step.gradients) != order[:len(step.gradients)]:
                raise ValueError(f"step {index} computed its gradients in the order {list(step.gradients)}, "
                                 f"step 0 in {order}; a trace records one graph")

        def stack(arrays, shape):
            return np.array(arrays, dtype=np.float32).reshape(len(steps), *shape)

        def gradient(step, name):
            return step.gradients.get(name, np.zeros(structure.parameters[name]))

        probe = np.array(probe, dtype=np.float32)
        shapes = _output_shapes(structure, probe)
        activations = tuple(stack([s.activations[i] for s in steps], shape) for i, shape in enumerate(shapes))
        return cls(structure, probe, None if targets is None else np.array(targets, dtype=np.float32),
                   {name: np.array(initial[name], dtype=np.float32) for name in names},
                   stack([s.loss for s in steps], ()), activations, tuple(order),
                   {name: stack([gradient(s, name) for s in steps], structure.parameters[name]) for name in names},
                   {name: stack([s.update[name] for s in steps], structure.parameters[name]) for name in names},
                   dict(meta or {}))

    @property
    def count(self):
        """The number of steps."""
        return len(self.loss)

    @property
    def steps(self):
        """The training steps as a sequence of `Step`s (views into the stacked arrays), each made only
        when asked for, so a timeline can jump to any step of a long trace at once."""
        return _Steps(self)

    @cached_property
    def _trajectories(self):  # name -> (count + 1, *shape) float64: before step 0, ..., after the last
        trajectories = {}
        for name, start in self.initial.items():
            start = start.astype(np.float64)
            after = start + np.cumsum(self.updates[name], axis=0, dtype=np.float64)
            trajectories[name] = np.concatenate([start[None], after])
        return trajectories

    def parameters(self, step):
        """Every parameter as it stood before `step` (0 to count; `count` means after the last step)."""
        if not 0 <= step <= self.count:
            raise IndexError(f"step {step} is outside this trace's 0..{self.count}")
        return {name: values[step] for name, values in self._trajectories.items()}

    def model(self, step):
        """An engine model with the parameters as they stood before `step`."""
        model = self.structure.build()
        model.load_state_dict(self.parameters(step))
        return model


class _Steps(Sequence):
    def __init__(self, trace):
        self.trace = trace

    def __len__(self):
        return self.trace.count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        t, i = self.trace, range(self.trace.count)[index]   # negative indices count from the end
        return Step(float(t.loss[i]), tuple(a[i] for a in t.activations),
                    {name: t.gradients[name][i] for name in t.gradient_order},
                    {name: t.updates[name][i] for name in t.updates})


# ---- the JSON file --------------------------------------------------------------------------------
def encode(array):
    """A block: `{"shape": [...], "data": base64 of the little-endian float32 values}`.

    >>> encode(np.array([[1.0, 2.0]]))
    {'shape': [1, 2], 'data': 'AACAPwAAAEA='}
    """
    array = np.ascontiguousarray(array, dtype="<f4")
    return {"shape": list(array.shape), "data": base64.b64encode(array.tobytes()).decode("ascii")}


def dumps(trace):
    """The trace as JSON text. Layers without parameters store no outputs (null): each is a function of
    the layer before it, recomputed by `loads`, which keeps the file about half the size.

    >>> layers = [{"type": "Linear", "n_in": 2, "n_out": 1, "bias": True}]
    >>> untrained = Trace.from_steps(layers, np.zeros((1, 2)), {"0.weight": np.ones((1, 2)), "0.bias": [0.0]}, [])
    >>> text = dumps(untrained)
    >>> text[:40], loads(text).initial["0.weight"].tolist()
    ('{"format":"gradcanvas-trace","version":1', [[1.0, 1.0]])
    """
    structure = trace.structure
    return json.dumps({
        "format": FORMAT, "version": VERSION, "meta": trace.meta,
        "structure": {"layers": list(structure.layers)},
        "probe": {"inputs": encode(trace.probe),
                  **({} if trace.targets is None else {"targets": encode(trace.targets)})},
        "initial": {name: encode(values) for name, values in trace.initial.items()},
        "steps": {
            "count": trace.count,
            "loss": encode(trace.loss),
            "activations": [encode(a) if structure.has_parameters(i) else None
                            for i, a in enumerate(trace.activations)],
            "gradient_order": list(trace.gradient_order),
            "gradients": {name: encode(values) for name, values in trace.gradients.items()},
            "updates": {name: encode(values) for name, values in trace.updates.items()},
        },
    }, separators=(",", ":"))


def loads(text):
    """The Trace in `text` (JSON, str or bytes); anything wrong raises ValueError naming the field.

    >>> loads(b"not json")
    Traceback (most recent call last):
    ValueError: not a trace: the file is not JSON (Expecting value: line 1 column 1 (char 0))
    """
    return from_document(_parse(text))


def validate(trace):
    """Raise ValueError naming the field if `trace` (JSON text, or the parsed object) is not a valid trace.

    >>> validate({"format": "a-spreadsheet"})
    Traceback (most recent call last):
    ValueError: format: expected 'gradcanvas-trace', found 'a-spreadsheet'; is this a gradcanvas trace?
    """
    from_document(_parse(trace) if isinstance(trace, (str, bytes, bytearray)) else trace)


def _parse(text):
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"not a trace: the file is not JSON ({error})") from None


def from_document(document):
    """The Trace held by a parsed JSON object, every field checked against the others."""
    document = _get(document, None, dict, "(the whole file)")
    if document.get("format") != FORMAT:
        raise ValueError(f"format: expected {FORMAT!r}, found {document.get('format')!r}; is this a gradcanvas trace?")
    if document.get("version") != VERSION:
        raise ValueError(f"version: this trace is version {document.get('version')!r}; "
                         f"this gradcanvas reads version {VERSION}")
    structure_field = _get(document, "structure", dict)
    layers = _get(structure_field, "layers", list, "structure.layers")
    for index in range(len(layers)):
        _check_layer(layers, index)
    try:
        structure = Structure.of(layers)
    except ValueError as error:
        raise ValueError(f"structure.layers: {error}") from None
    names = list(structure.parameters)

    probe_field = _get(document, "probe", dict)
    probe = _block(probe_field, "inputs", "probe.inputs")
    if probe.ndim < 2 or not len(probe):
        raise ValueError(f"probe.inputs.shape: expected a batch, (inputs, features...) with at least one input, "
                         f"found {list(probe.shape)}")
    shapes = _output_shapes(structure, probe)
    targets = None
    if "targets" in probe_field:
        targets = _block(probe_field, "targets", "probe.targets", leading=len(probe))

    initial_field = _named(document, "initial", names, "initial")
    initial = {name: _block(initial_field, name, f'initial["{name}"]', structure.parameters[name]) for name in names}

    steps = _get(document, "steps", dict)
    count = _get(steps, "count", int, "steps.count")
    if count < 0:
        raise ValueError(f"steps.count: expected a number of steps (0 or more), found {count!r}")
    loss = _block(steps, "loss", "steps.loss", (count,))
    activations = _activations(structure, _get(steps, "activations", list, "steps.activations"), probe, shapes, count)
    order = _get(steps, "gradient_order", list, "steps.gradient_order")
    if not all(isinstance(name, str) for name in order) or sorted(order) != sorted(names):
        raise ValueError(f"steps.gradient_order: expected each parameter once ({', '.join(names)}), found {order}")
    per_step = {}
    for key in ("gradients", "updates"):
        field = _named(steps, key, names, f"steps.{key}")
        per_step[key] = {name: _block(field, name, f'steps.{key}["{name}"]', (count, *structure.parameters[name]))
                         for name in names}
    return Trace(structure, probe, targets, initial, loss, activations, tuple(order), per_step["gradients"],
                 per_step["updates"], _get(document, "meta", dict) if "meta" in document else {})


def _activations(structure, stored, probe, shapes, count):
    """Every layer's outputs over all steps: decoded where stored (layers with parameters), recomputed by
    the engine from the layer before where not (activations, pooling, Flatten), all steps at once."""
    if len(stored) != len(structure.layers):
        raise ValueError(f"steps.activations: {len(stored)} entries for {len(structure.layers)} layers; "
                         "give one per layer")
    activations = []
    with no_grad():
        for index, (layer, shape) in enumerate(zip(structure.build(), shapes)):
            path, kind = f"steps.activations[{index}]", structure.layers[index]["type"]
            if structure.has_parameters(index):
                if stored[index] is None:
                    raise ValueError(f"{path}: layer {index} ({kind}) has parameters, so its outputs must be stored")
                activations.append(_block(stored, index, path, (count, *shape)))
            elif stored[index] is not None:
                raise ValueError(f"{path}: layer {index} ({kind}) has no parameters; store null, "
                                 "its outputs are recomputed from the layer before")
            else:
                previous = activations[-1] if activations else np.broadcast_to(probe, (count, *probe.shape))
                flat = previous.reshape(count * len(probe), *previous.shape[2:])
                output = layer(Tensor(flat)).data if count else np.empty((0, *shape))
                activations.append(output.astype(np.float32).reshape(count, *shape))
    return tuple(activations)


def _get(container, key, kind, path=None):
    """container[key], which must be a `kind`; else a ValueError naming `path`."""
    path = path or key
    if key is None:
        value = container
    elif isinstance(container, dict) and key not in container:
        raise ValueError(f"{path}: missing")
    else:
        value = container[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = {dict: "an object", list: "a list", int: "an integer"}
        raise ValueError(f"{path}: expected {names[kind]}, found {type(value).__name__}")
    return value


def _check_layer(layers, index):
    """A layer's arguments must be what its constructor expects (the schema says the same)."""
    path, spec = f"structure.layers[{index}]", _get(layers, index, dict, f"structure.layers[{index}]")
    for key, value in spec.items():
        if key == "type":
            continue
        integer = isinstance(value, int) and not isinstance(value, bool)
        expected, fits = {
            "bias": ("true or false", isinstance(value, bool)),
            "slope": ("a number", isinstance(value, (int, float)) and not isinstance(value, bool)),
            "padding": ("an integer >= 0", integer and value >= 0),
            "stride": ("an integer >= 1" + (" or null" if spec.get("type") == "MaxPool2d" else ""),
                       (integer and value >= 1) or (value is None and spec.get("type") == "MaxPool2d")),
        }.get(key, ("an integer >= 1", integer and value >= 1))
        if not fits:
            raise ValueError(f"{path}.{key}: expected {expected}, found {value!r}")


def _named(container, key, names, path):
    """An object keyed by exactly the parameter names."""
    field = _get(container, key, dict, path)
    missing, unexpected = [n for n in names if n not in field], [n for n in field if n not in names]
    if missing or unexpected:
        raise ValueError(f"{path}: missing {missing}, unexpected {unexpected}; the layers' parameters are {names}")
    return field


def _block(container, key, path, shape=None, leading=None):
    """Decode a block, checking its shape (`shape` exactly, or a first axis of `leading`) and its bytes."""
    block = _get(container, key, dict, path)
    dims = _get(block, "shape", list, f"{path}.shape")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in dims):
        raise ValueError(f"{path}.shape: expected a list of sizes (integers >= 0), found {dims}")
    if shape is not None and tuple(dims) != tuple(shape):
        raise ValueError(f"{path}.shape: expected {list(shape)}, found {dims}")
    if leading is not None and (not dims or dims[0] != leading):
        raise ValueError(f"{path}.shape: expected a first axis of {leading} (one per probe input), found {dims}")
    try:
        raw = base64.b64decode(_get(block, "data", str, f"{path}.data"), validate=True)
    except binascii.Error as error:
        raise ValueError(f"{path}.data: not base64 ({error})") from None
    if len(raw) != 4 * int(np.prod(dims)):
        raise ValueError(f"{path}.data: holds {len(raw)} bytes; shape {dims} needs {4 * int(np.prod(dims))} "
                         "(4 per float32)")
    return np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(dims)


def _output_shapes(structure, probe):
    """Each layer's output shape on the probe, found by running the engine on zeros of its shape."""
    shapes, model = [], structure.build()
    handles = [layer.register_forward_hook(lambda _m, _i, out: shapes.append(out.shape)) for layer in model]
    try:
        with no_grad():
            model(np.zeros(probe.shape))
    except (ValueError, IndexError) as error:
        raise ValueError(f"probe.inputs: shape {list(probe.shape)} does not fit the layers: {error}") from None
    finally:
        for handle in handles:
            handle.remove()
    return shapes
