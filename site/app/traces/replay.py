"""Traces in the playground: keep one while a run trains, and replay one from a file step by step.

A trace (`engine.trace`) is what a network did at every training step. The page writes one from its own
run when the learner asks it to keep one, and reads one a notebook or `tools/torch_trace.py` wrote. To
replay, the trace's network is built by the engine and given the parameters as they stood before the
chosen step (its first parameters plus every update until then), so everything the playground draws
for a live run (the decision boundary, each neuron's heatmap, the edges, diagnostics) is computed the
same way for a replayed one.

A trace written by the page carries the page's link in `meta`, so its replay shows the same dataset and
features. A trace from elsewhere names its input `features` in `meta` (default x1, x2); its probe batch
becomes the points drawn on the plane.
"""
import math

import numpy as np

from engine import trace as traces

from app.playground.run import Run
from app.playground.state import FEATURES, PLANE, State, decode, with_change
from app.traces.stepping import describe_step, load_step

PROBE_POINTS = 4          # the training points every step's activations are measured on
MAX_TRACE_STEPS = 2_000   # about 10 MB for the 6x8 network; then the page stops keeping and says so


def start_trace(run, link, first_batch=0):
    """A recorder for `run` from its next step, its probe the first training points; `link` (the page's
    fragment) lets a replay rebuild the same dataset and features, and `first_batch` (the mini-batch of
    the epoch that step takes) the batch each step trained on."""
    steps_per_epoch = math.ceil(len(run.inputs_train) / run.state.batch_size)
    meta = {"producer": "gradcanvas page", "link": link, "features": list(run.state.features),
            "first_epoch": run.epoch, "first_batch": first_batch, "steps_per_epoch": steps_per_epoch}
    return traces.TraceRecorder(run.model, probe=run.inputs_train[:PROBE_POINTS],
                                targets=run.y_train[:PROBE_POINTS], meta=meta)


def state_for(trace):
    """The playground settings that show `trace`: its own link's, or x1, x2 (or `meta.features`) with its
    probe as the points. Raises ValueError, in plain words, when the playground cannot show it."""
    meta = trace.meta
    if isinstance(meta.get("link"), str):
        return decode(meta["link"]).state
    features = tuple(meta.get("features") or ("x1", "x2"))
    if any(f not in FEATURES for f in features):
        raise ValueError(f"meta.features: {list(features)} are not all playground features ({', '.join(FEATURES)})")
    if trace.probe.ndim != 2 or trace.probe.shape[1] != len(features):
        raise ValueError(f"the trace's network takes inputs of shape {list(trace.probe.shape[1:])}; the "
                         f"playground replays networks of the plane's features ({', '.join(features)}): "
                         "name them in meta.features")
    outputs = trace.structure.sizes[-1] if trace.structure.sizes else 0
    regression = outputs == 1 and trace.targets is not None and not np.isin(trace.targets, (0, 1)).all()
    points = []
    if trace.targets is not None and features[:2] == ("x1", "x2"):
        for (x, y), label in zip(trace.probe[:, :2].tolist(), trace.targets.reshape(len(trace.probe), -1)[:, 0]):
            if abs(x) <= PLANE and abs(y) <= PLANE:
                points.append((round(x, 3), round(y, 3), float(label) if regression else int(label)))
    state, _ = with_change(State(), problem="regression" if regression else "classification",
                           features=",".join(features), dataset="custom", custom=points)
    return state


def _whole(meta, key, default):
    """meta[key] when it is a whole number; `meta` is free-form, so anything else is not used."""
    value = meta.get(key)
    return value if isinstance(value, int) else default


class TraceReplay:
    """A trace being replayed: a `Run` whose model holds the trace's parameters before step `position`
    (0 to `trace.count`, the last meaning after the last step)."""

    def __init__(self, trace, name=""):
        self.trace, self.name = trace, name
        self.state = state_for(trace)
        self.run = Run(self.state, {"model": trace.model(0)})  # CodeError if the network does not fit
        self.position = 0
        self.steps_per_epoch = _whole(trace.meta, "steps_per_epoch", None)
        self.first_epoch = _whole(trace.meta, "first_epoch", 0)
        self.first_batch = _whole(trace.meta, "first_batch", 0)
        # The loss curve's rows, made once: each step's batch loss (a trace holds no test loss). Each seek
        # shows a slice of them, so a step at the end of a long trace builds no rows.
        self.curve = [(loss, np.nan, np.nan, np.nan) for loss in trace.loss.astype(np.float64).tolist()]
        self.seek(0)

    def seek(self, step):
        """Show the network as it stood before `step` (clamped to the trace); returns the step shown."""
        self.position = load_step(self.trace, self.run.model, step)
        self.run.epoch = self.epoch()
        self.run.history = self.curve[:self.position]
        return self.position

    def advance(self):
        """One step on; False at the end of the trace."""
        if self.position >= self.trace.count:
            return False
        self.seek(self.position + 1)
        return True

    def epoch(self):
        """The epoch the shown step falls in, when the trace says how many steps an epoch has."""
        if not self.steps_per_epoch:
            return self.position
        return self.first_epoch + (self.first_batch + self.position) // self.steps_per_epoch

    def batch(self):
        """The training points (a slice of the run's) the shown step trained on, or None when the trace
        does not say (it came from elsewhere) or has no step here."""
        if not self.steps_per_epoch or self.position >= self.trace.count:
            return None
        size = self.state.batch_size
        start = (self.first_batch + self.position) % self.steps_per_epoch * size
        return slice(start, start + size)

    def describe(self):
        """What the replay shows now, in words."""
        return describe_step(self.trace, self.position, self.name)
