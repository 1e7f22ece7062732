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
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .. import weights
from ..tensor import Tensor, no_grad

FORMAT, VERSION = "gradcanvas-trace", 1


# ---- what a trace is ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Structure:
    """The network: its layers as `engine.weights.describe` lists them, and its parameters' shapes by
    name ("0.weight", as in `state_dict`), in the model's order; its buffers' shapes likewise (batch norm's
    running statistics, "1.running_mean": values a step changes that are not parameters)."""

    layers: tuple
    parameters: dict
    buffers: dict = field(default_factory=dict)

    @classmethod
    def of(cls, layers):
        """The structure of `layers`; an unknown layer or a bad argument raises ValueError naming it."""
        model = weights.build(layers)
        return cls(tuple(layers), {name: param.shape for name, param in model.named_parameters()},
                   {name: values.shape for name, values in model.named_buffers()})

    @property
    def sizes(self):
        """Units of every Linear layer, inputs first: [2, 8, 8, 1] for a 2-8-8-1 network."""
        linears = [layer for layer in self.layers if layer["type"] == "Linear"]
        return [linears[0]["n_in"], *(layer["n_out"] for layer in linears)] if linears else []

    def stores_outputs(self, index):
        """Whether the file stores layer `index`'s outputs: it has parameters or buffers, which change from step
        to step, so its outputs cannot be recomputed from the layer before."""
        return any(name.startswith(f"{index}.") for name in (*self.parameters, *self.buffers))

    def build(self):
        """A fresh engine `nn.Sequential` with these layers (its parameters to be loaded), in evaluation, as the
        probe is measured: no unit dropped, batch norm by its running statistics."""
        return weights.build(self.layers).eval()


@dataclass(frozen=True, eq=False)
class Step:
    """One training step: arrays for one step only."""

    loss: float
    activations: tuple      # every layer's output on the probe (in evaluation, before the step), in layer order
    gradients: dict         # name -> gradient, in the order they were computed
    update: dict            # name -> the optimizer's change to that parameter, in the model's order
    training: bool = True   # the mode the step trained in: model.training (dropout dropping, batch norm on the batch)
    buffers: dict = field(default_factory=dict)  # name -> each buffer after the step (batch norm's running statistics)


@dataclass(frozen=True, eq=False)
class Trace:
    """A whole recording, every per-step quantity stacked along a first axis of length `count`
    (float32, as stored). `steps` gives the same numbers one step at a time."""

    structure: Structure
    probe: np.ndarray           # (P, ...) the inputs every step's activations were measured on
    targets: object             # (P, ...) their labels or targets, or None
    initial: dict               # name -> the parameter or buffer before the first step
    loss: np.ndarray            # (count,)
    activations: tuple          # per layer: (count, P, ...) its output on the probe
    gradient_order: tuple       # parameter names, in the order their gradients were completed
    gradients: dict             # name -> (count, *shape)
    updates: dict               # name -> (count, *shape): after the step minus before it
    meta: dict
    training: np.ndarray        # (count,) bool: the mode each step trained in
    buffers: dict               # buffer name -> (count, *shape): the buffer after each step

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
                   {name: np.array(initial[name], dtype=np.float32) for name in (*names, *structure.buffers)},
                   stack([s.loss for s in steps], ()), activations, tuple(order),
                   {name: stack([gradient(s, name) for s in steps], structure.parameters[name]) for name in names},
                   {name: stack([s.update[name] for s in steps], structure.parameters[name]) for name in names},
                   dict(meta or {}), np.array([s.training for s in steps], dtype=bool).reshape(len(steps)),
                   {name: stack([s.buffers[name] for s in steps], shape) for name, shape in structure.buffers.items()})

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
        for name in self.updates:
            start = self.initial[name].astype(np.float64)
            after = start + np.cumsum(self.updates[name], axis=0, dtype=np.float64)
            trajectories[name] = np.concatenate([start[None], after])
        return trajectories

    def parameters(self, step):
        """Every parameter as it stood before `step` (0 to count; `count` means after the last step)."""
        if not 0 <= step <= self.count:
            raise IndexError(f"step {step} is outside this trace's 0..{self.count}")
        return {name: values[step] for name, values in self._trajectories.items()}

    def state(self, step):
        """Every parameter and buffer as it stood before `step` (0 to count): what `load_state_dict` takes."""
        state = self.parameters(step)
        for name, after in self.buffers.items():
            state[name] = self.initial[name] if step == 0 else after[step - 1]
        return state

    def model(self, step):
        """An engine model with the parameters and buffers as they stood before `step`, in evaluation."""
        model = self.structure.build()
        model.load_state_dict(self.state(step))
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
                    {name: t.updates[name][i] for name in t.updates}, bool(t.training[i]),
                    {name: t.buffers[name][i] for name in t.buffers})


# ---- the JSON file --------------------------------------------------------------------------------
def encode(array):
    """A block: `{"shape": [...], "data": base64 of the little-endian float32 values}`.

    >>> encode(np.array([[1.0, 2.0]]))
    {'shape': [1, 2], 'data': 'AACAPwAAAEA='}
    """
    array = np.asarray(array, dtype="<f4")  # tobytes writes C order; ascontiguousarray would make a 0-d count 1-d
    return {"shape": list(array.shape), "data": base64.b64encode(array.tobytes()).decode("ascii")}


def dumps(trace):
    """The trace as JSON text. Layers without parameters or buffers store no outputs (null): each is a function
    of the layer before it, recomputed by `loads`, which keeps the file about half the size.

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
            "activations": [encode(a) if structure.stores_outputs(i) else None
                            for i, a in enumerate(trace.activations)],
            "gradient_order": list(trace.gradient_order),
            "gradients": {name: encode(values) for name, values in trace.gradients.items()},
            "updates": {name: encode(values) for name, values in trace.updates.items()},
            "training": trace.training.tolist(),
            **({"buffers": {name: encode(values) for name, values in trace.buffers.items()}} if trace.buffers else {}),
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
    names, shapes_by_name = list(structure.parameters), {**structure.parameters, **structure.buffers}

    probe_field = _get(document, "probe", dict)
    probe = _block(probe_field, "inputs", "probe.inputs")
    if probe.ndim < 2 or not len(probe):
        raise ValueError(f"probe.inputs.shape: expected a batch, (inputs, features...) with at least one input, "
                         f"found {list(probe.shape)}")
    shapes = _output_shapes(structure, probe)
    targets = None
    if "targets" in probe_field:
        targets = _block(probe_field, "targets", "probe.targets", leading=len(probe))

    initial_field = _named(document, "initial", list(shapes_by_name), "initial")
    initial = {name: _block(initial_field, name, f'initial["{name}"]', shape) for name, shape in shapes_by_name.items()}

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
    training = _modes(steps, count)
    buffers = {}
    if structure.buffers or "buffers" in steps:
        field = _named(steps, "buffers", list(structure.buffers), "steps.buffers")
        buffers = {name: _block(field, name, f'steps.buffers["{name}"]', (count, *shape))
                   for name, shape in structure.buffers.items()}
    return Trace(structure, probe, targets, initial, loss, activations, tuple(order), per_step["gradients"],
                 per_step["updates"], _get(document, "meta", dict) if "meta" in document else {}, training, buffers)


def _modes(steps, count):
    """steps.training: one true (training) or false (evaluation) per step; all training when absent, as every
    step of a trace written before the field was."""
    if "training" not in steps:
        return np.ones(count, dtype=bool)
    modes = _get(steps, "training", list, "steps.training")
    if len(modes) != count or not all(isinstance(mode, bool) for mode in modes):
        raise ValueError(f"steps.training: expected {count} true or false values, one per step, found "
                         f"{modes if len(modes) <= 8 else f'{len(modes)} values'}")
    return np.array(modes, dtype=bool).reshape(count)


def _activations(structure, stored, probe, shapes, count):
    """Every layer's outputs over all steps: decoded where stored (layers with parameters or buffers),
    recomputed by the engine from the layer before where not (activations, pooling, Flatten, Dropout), all
    steps at once."""
    if len(stored) != len(structure.layers):
        raise ValueError(f"steps.activations: {len(stored)} entries for {len(structure.layers)} layers; "
                         "give one per layer")
    activations = []
    with no_grad():
        for index, (layer, shape) in enumerate(zip(structure.build(), shapes)):
            path, kind = f"steps.activations[{index}]", structure.layers[index]["type"]
            if structure.stores_outputs(index):
                if stored[index] is None:
                    raise ValueError(f"{path}: layer {index} ({kind}) has parameters or buffers, so its outputs must "
                                     "be stored")
                activations.append(_block(stored, index, path, (count, *shape)))
            elif stored[index] is not None:
                raise ValueError(f"{path}: layer {index} ({kind}) has no parameters or buffers; store null, "
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
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        expected, fits = {
            "bias": ("true or false", isinstance(value, bool)),
            "affine": ("true or false", isinstance(value, bool)),
            "slope": ("a number", number),
            "p": ("a number from 0 up to (not including) 1", number and 0 <= value < 1),
            "eps": ("a number above 0", number and value > 0),
            "momentum": ("a number from 0 to 1", number and 0 <= value <= 1),
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
