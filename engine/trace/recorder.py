"""Writes a trace of an engine model as it trains (the page's runs, notebooks): what it writes is `format.py`'s."""
import numpy as np

from .. import weights
from ..tensor import no_grad
from .format import Step, Trace


class TraceRecorder:
    """Records an engine `nn.Sequential` as it trains: call `record_step(loss, optimizer)` where a
    training loop would call `optimizer.zero_grad(); loss.backward(); optimizer.step()`.

    The probe batch is passed through the model before each update (forward hooks read every layer's
    output), in evaluation and with the running statistics as they stood before the step, so measuring
    changes nothing the training does; gradients are read by `backward`'s observer the moment the engine
    completes them. Each step keeps its mode (`model.training`) and the buffers after it.
    """

    def __init__(self, model, probe, targets=None, meta=None):
        self.layers = weights.describe(model)   # refuses, by name, a layer a trace cannot hold
        self.model, self.probe, self.targets = model, np.asarray(probe, dtype=np.float64), targets
        self.names = {param: name for name, param in model.named_parameters()}
        self.initial = model.state_dict()
        self.buffers = {name: values.copy() for name, values in model.named_buffers()}  # as the next step finds them
        self.meta = {"producer": "gradcanvas engine", **(meta or {})}
        self.steps = []

    def record_step(self, loss, optimizer, observer=None, before_step=None):
        """Take one optimizer step that minimises `loss` (a scalar Tensor of `model`), recording it.
        `observer`, if given, watches the same backward pass (see `Tensor.backward`); `before_step()`, if given,
        runs between the backward pass and the step (to clip the gradients). Returns the `Step`."""
        activations = self.probe_outputs()
        gradients = {}

        def observe(node):  # a leaf's gradient is complete when the observer reaches it
            if node in self.names:
                gradients[self.names[node]] = np.array(node.grad)
            if observer is not None:
                observer(node)

        before = {name: param.data.copy() for param, name in self.names.items()}
        optimizer.zero_grad()
        loss.backward(observer=observe)
        if before_step is not None:
            before_step()
        optimizer.step()
        update = {name: param.data - before[name] for param, name in self.names.items()}
        self.buffers = {name: values.copy() for name, values in self.model.named_buffers()}
        self.steps.append(Step(loss.item(), activations, gradients, update, self.model.training, self.buffers))
        return self.steps[-1]

    def probe_outputs(self):
        """Every layer's output on the probe, as the model stood before this step, in evaluation: the running
        statistics the step's forward pass already moved are put back for the while (as torch_trace.py, which
        measures before the step's forward pass, finds them), and no unit is dropped."""
        outputs, mode, moved = [], self.model.training, dict(self.model.named_buffers())
        now = {name: values.copy() for name, values in moved.items()}
        handles = [layer.register_forward_hook(lambda _m, _i, out: outputs.append(np.array(out.data)))
                   for layer in self.model]
        try:
            for name, values in moved.items():
                values[...] = self.buffers[name]
            with no_grad():
                self.model.eval()(self.probe)
        finally:
            self.model.train(mode)
            for name, values in moved.items():
                values[...] = now[name]
            for handle in handles:
                handle.remove()
        return tuple(outputs)

    def trace(self):
        """Everything recorded so far, as a `Trace`."""
        return Trace.from_steps(self.layers, self.probe, self.initial, self.steps, self.targets, self.meta)


def record_training(model, probe, optimizer, loss_fn, batches, targets=None, meta=None):
    """Train `model` on `batches` (pairs of inputs and labels), one step each, and return the Trace.

    >>> from engine import nn, optim
    >>> from engine.nn import functional as F
    >>> model = nn.MLP(2, [4], 1)
    >>> X, y = np.ones((8, 2)), np.zeros((8, 1))
    >>> trace = record_training(model, X[:2], optim.SGD(model.parameters(), lr=0.1), F.mse_loss, [(X, y)] * 5)
    >>> trace.count, trace.gradients["0.weight"].shape
    (5, (5, 4, 2))
    """
    recorder = TraceRecorder(model, probe, targets, meta)
    for inputs, labels in batches:
        recorder.record_step(loss_fn(model(inputs), labels), optimizer)
    return recorder.trace()
