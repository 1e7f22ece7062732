"""One training step recorded from the engine itself, replayed in five phases, and read back per neuron
and per edge for the Network view.

Nothing here is simulated: layer outputs come from forward hooks, gradients from `backward(observer=...)`
at the moment the engine completed each one, and the weights from before and after the optimizer's step.
"""
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from engine import nn, no_grad


@dataclass(frozen=True)
class Arrival:
    """One child's contribution reaching a node (`grad +=`): `total` is the node's gradient right after
    it arrived; `count` > 1 when the child uses the node more than once (as `x * x` does)."""

    child: object
    count: int
    total: np.ndarray


@dataclass(frozen=True)
class GradientEvent:
    """The engine finished `node`'s gradient: a copy of it, and the contributions in the order they came."""

    node: object
    label: str
    gradient: np.ndarray
    arrivals: tuple


def record_backward(root, labels=None, backward=None):
    """Run `root.backward()` and return its GradientEvents in the order the engine completed them.
    `backward(observer)`, if given, runs the pass instead: a training step's, which also steps.

    The observer is called right before a node passes its gradient on, so the contributions a node sent
    are read at the next call (or when backward returns): by then each parent's gradient holds the sum
    so far. Gradients are copied because leaves accumulate in place. `labels` maps tensors to names.

    >>> from engine import Tensor
    >>> x = Tensor(3.0, requires_grad=True, name="x")
    >>> events = record_backward(x * x + x)
    >>> [e.node.op or e.node.name for e in events], [float(a.total) for a in events[-1].arrivals]
    (['add', 'mul', 'x'], [1.0, 7.0])
    """
    labels = labels or {}
    events, arrivals, sender = [], {}, []

    def deliver(child):  # `child` has just passed its gradient to its parents: read their running sums
        if not child.op or child.grad is None:
            return
        for parent, count in _counts(child.parents).items():
            if parent.requires_grad:
                arrivals.setdefault(parent, []).append(Arrival(child, count, np.array(parent.grad)))

    def observe(node):
        if sender:
            deliver(sender.pop())
        gradient = None if node.grad is None else np.array(node.grad)
        label = labels.get(node) or node.op or node.name or ""
        events.append(GradientEvent(node, label, gradient, tuple(arrivals.pop(node, ()))))
        sender.append(node)

    if backward is None:
        root.backward(observer=observe)
    else:
        backward(observe)
    return events


def _counts(parents):
    counts = {}
    for parent in parents:  # dict keyed by identity: Tensor keeps object identity and hashing
        counts[parent] = counts.get(parent, 0) + 1
    return counts


@dataclass(frozen=True)
class ForwardEvent:
    """Module `layer` of the model (e.g. 0 for the first Linear) produced `output` on the batch; `node` is
    the engine's tensor of it, whose gradient the backward pass computes later."""

    layer: int
    module: str
    output: np.ndarray
    node: object


@dataclass(frozen=True)
class StepRecording:
    """Everything one training step did, in the order it did it."""

    inputs: np.ndarray
    forward: tuple          # ForwardEvents, layer by layer
    loss: object            # the loss tensor (its graph is the one the graph view draws)
    backward: tuple         # GradientEvents in the engine's completion order
    parameter_names: dict   # tensor -> "2.weight"
    weights_before: dict    # name -> array
    weights_after: dict
    optimizer_before: dict  # the optimizer's state_dict() before the step and after it (its running averages), or
    optimizer_after: dict   # None for your own optimizer that has none
    clipping: tuple | None  # (the gradients' total norm before clipping, the largest norm allowed), or None when off
    kept_units: dict        # each Dropout's mask in this step (module index -> (batch, n) bool, True: kept)


def record_step(run, batch=None):
    """Take one optimizer step of `run` on `batch` (a slice of the training points; the first
    mini-batch by default), exactly as `Run.train_epoch` takes it (`Run.take_step`, so a run keeping a
    trace keeps this step too), and record it."""
    batch = slice(0, run.state.batch_size) if batch is None else batch
    inputs = run.inputs_train[batch]
    forward = []

    def hook_for(index):
        return lambda module, _inputs, output: forward.append(
            ForwardEvent(index, type(module).__name__, np.array(output.data), output))

    handles = [layer.register_forward_hook(hook_for(i)) for i, layer in enumerate(run.model)]
    run.model.train()  # a training step: units dropped, batch norm from the batch (the run goes back to eval after)
    try:
        loss = run.training_loss(inputs, run.y_train[batch])
    finally:
        for handle in handles:
            handle.remove()
    kept_units = {index: np.array(module.mask) for index, module in enumerate(run.model)
                  if isinstance(module, nn.Dropout) and module.mask is not None}
    names = {param: name for name, param in run.model.named_parameters()}
    before = {name: np.array(param.data) for param, name in names.items()}
    optimizer_before, norms = state_of(run.optimizer), []
    try:
        backward = record_backward(loss, names, lambda observe: norms.append(run.take_step(loss, observe)))
    finally:
        run.model.eval()
    after = {name: np.array(param.data) for param, name in names.items()}
    clipping = None if norms[0] is None else (norms[0], run.state.clip)
    return StepRecording(np.array(inputs), tuple(forward), loss, tuple(backward), names, before, after,
                         optimizer_before, state_of(run.optimizer), clipping, kept_units)


def state_of(optimizer):
    """The optimizer's `state_dict()`, or None for your own optimizer that keeps none the engine's way."""
    return optimizer.state_dict() if callable(getattr(optimizer, "state_dict", None)) else None


@contextmanager
def weights_before_the_step(recording):
    """Inside, the recorded step's parameters hold the values its forward and backward passes computed with: the
    optimizer updated them in place afterwards, so a backward rule of its graph run again (to write it out)
    would otherwise read the weights after the step. What they held is put back on leaving."""
    held = {param: np.array(param.data) for param in recording.parameter_names}
    for param, name in recording.parameter_names.items():
        param.data[...] = recording.weights_before[name]
    try:
        yield
    finally:
        for param, data in held.items():
            param.data[...] = data


@dataclass(frozen=True)
class WeightChange:
    """A parameter before and after the optimizer's step."""

    name: str
    before: np.ndarray
    after: np.ndarray

    @property
    def change(self):
        return self.after - self.before


@dataclass(frozen=True)
class Phase:
    """What the page shows at one press of "Next phase": a name, a caption in plain words, and the
    recorded items this phase highlights."""

    name: str
    caption: str
    items: tuple


PHASES = ("forward", "loss", "output_gradient", "gradients", "update")


class StepThrough:
    """The five phases of one recorded step, advanced by the "Next phase" button.

    forward done -> loss highlighted -> output gradient = 1 -> gradients in the order the engine
    completed them (parameters, layer by layer from the output back) -> each weight's change.
    """

    def __init__(self, recording):
        self.recording = recording
        self.index = 0

    @property
    def done(self):
        return self.index == len(PHASES) - 1

    def next_phase(self):
        """Move on and return the new phase; at the last phase, stay there (the page records a new step)."""
        self.index = min(self.index + 1, len(PHASES) - 1)
        return self.phase()

    def phase(self):
        recording, name = self.recording, PHASES[self.index]
        if name == "forward":
            return Phase(name, "Forward pass: each layer's output on the batch.", recording.forward)
        if name == "loss":
            return Phase(name, f"Loss on this batch: {recording.loss.item():.4g}, how far the network's answers are "
                               "from the right ones; the step will make it smaller.", (recording.loss.item(),))
        if name == "output_gradient":
            root = recording.backward[0]
            return Phase(name, "The backward pass starts at the loss, with dL/dL = 1: from here back, each value's "
                               "gradient says how much the loss changes when that value changes.", (root,))
        if name == "gradients":
            params = tuple(e for e in recording.backward if e.node in recording.parameter_names)
            return Phase(name, "Gradients, in the order the engine completed them.", params)
        changes = tuple(WeightChange(n, recording.weights_before[n], recording.weights_after[n])
                        for n in recording.weights_before)
        return Phase(name, "The optimizer's step: each weight moves against its gradient, to make the loss smaller.",
                     changes)


@dataclass(frozen=True)
class NetworkStep:
    """A recorded step as the Network view shows it: neuron layers (inputs first) and the Linear layers
    between them, every number read from the recording.

    Per neuron layer, (batch, n) arrays: `values` (the inputs, each hidden layer's activation output, the
    output layer's logits), `pre_activations` (the Linear's output; None for the inputs) and `gradients`
    (dL/d value; None for the inputs, which need none). Per Linear layer l, joining neuron layer l to l + 1:
    `weights` and `biases` as (before, gradient, after) triples. `completed[l]` is the place of Linear
    layer l's weight among the recording's GradientEvents: when the engine finished its gradient.
    """

    values: tuple
    pre_activations: tuple
    gradients: tuple
    weights: tuple
    biases: tuple
    completed: tuple
    loss: float
    dropped: tuple  # per neuron layer, (batch, n) bool of the units dropout switched off in this step, or None

    @property
    def order(self):
        """The Linear layers in the order the engine completed their weights' gradients: the order the
        backward animation reaches them (the output's first)."""
        return tuple(sorted(range(len(self.completed)), key=self.completed.__getitem__))


def network_step(recording, model):
    """Read `recording` (a step of `model`, an `nn.Sequential` of Linear layers and activations) back per
    neuron and per edge."""
    completed = {id(event.node): (rank, event.gradient) for rank, event in enumerate(recording.backward)}

    def gradient(node):
        return completed[id(node)][1] if id(node) in completed else None

    values, pre_activations, gradients = read_layers(recording.inputs, recording.forward, model, gradient)
    weights, biases, finished = [], [], []
    for module in model:
        if isinstance(module, nn.Linear):
            for param, triples in ((module.weight, weights), (module.bias, biases)):
                name = recording.parameter_names.get(param)
                triples.append(None if name is None else
                               (recording.weights_before[name], gradient(param), recording.weights_after[name]))
            finished.append(completed.get(id(module.weight), (len(completed), None))[0])
    dropped = [None] * len(values)
    for index, kept in recording.kept_units.items():  # a Dropout belongs to the layer of the Linear before it
        dropped[sum(isinstance(module, nn.Linear) for module in list(model)[:index])] = ~kept
    return NetworkStep(values, pre_activations, gradients, tuple(weights), tuple(biases), tuple(finished),
                       recording.loss.item(), tuple(dropped))


def read_layers(inputs, events, model, gradient=lambda node: None):
    """(values, pre-activations, gradients) per neuron layer from the ForwardEvents of one pass of `model`:
    a Linear makes a layer's pre-activations, the activation after it (if any; else the pre-activations)
    its values; `gradient(node)` gives a node's dL/d node, or None."""
    values, pre_activations, gradients = [inputs], [None], [None]
    for event, module in zip(events, model):
        if isinstance(module, nn.Linear):
            pre_activations.append(event.output)
            values.append(event.output)
            gradients.append(gradient(event.node))
        else:
            values[-1], gradients[-1] = event.output, gradient(event.node)
    return tuple(values), tuple(pre_activations), tuple(gradients)


def module_outputs(model, inputs):
    """Each module's output of `model` at `inputs`, in order, keeping no graph: what a batch norm or a dropout
    between two Linear layers made of a neuron's sum."""
    outputs = []
    handles = [layer.register_forward_hook(lambda module, _inputs, output: outputs.append(output.data))
               for layer in model]
    try:
        with no_grad():
            model(inputs)
    finally:
        for handle in handles:
            handle.remove()
    return outputs


def forward_reading(model, inputs):
    """(values, pre-activations) per neuron layer of `model` at `inputs`, and each module's output, from one
    hooked pass keeping no graph: what the inspector and the Math region show of a neuron outside the
    step-through (the modules' outputs: what a batch norm or a dropout did between two Linear layers)."""
    outputs = module_outputs(model, inputs)
    events = [ForwardEvent(index, type(module).__name__, output, None)
              for index, (module, output) in enumerate(zip(model, outputs))]
    values, pre_activations, _ = read_layers(np.asarray(inputs), events, model)
    return values, pre_activations, outputs
