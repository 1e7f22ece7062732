"""Diagnostics: what a training run looks like inside, layer by layer, and what is going wrong in it.

A `Monitor` watches one `Run`. After each `run.train_epoch()`, `monitor.observe()` measures every Linear
layer (gradient statistics, how far the weights moved, histograms, dead and saturated units), raises
`Alert`s in plain words, and appends an `EpochStats` to the `timeline`. `gradient_check.check_gradients(run)` compares the
engine's gradients on the live network with finite differences.

The gradient is that of the data loss over all the training points, from one extra backward pass at the
end of the epoch, rather than accumulated over the epoch's mini-batches: it needs nothing from inside
`train_epoch`, the same pass yields every training point's activations (which dead and saturated units are
defined by), and it is the gradient of the loss the curve shows, free of any one batch's noise, so the
timeline is smooth enough to show when a problem began. Its forward pass is the one the run makes anyway
to measure the training loss (`Run.keep_train_pass` keeps it with its graph). The penalty term is left
out because its gradient (rate x weight) would hide a vanishing one. The pass puts every parameter's
`.grad` back, so a watched run trains exactly as an unwatched one.

Cost: on the 6x8 network the backward pass is worth about one of the epoch's 25 training steps and the
statistics about as much again; they stay that cheap because every number is computed for all layers at
once over concatenated arrays (no Python loop per unit or per layer) and all histograms come from one
`bincount`. Watching adds 10 to 13% to an epoch there (`python build.py bench playground`, three runs).

Rows of every per-layer array are the Linear layers in order: the hidden layers, then the output layer.

>>> from app.playground.run import Run
>>> from app.playground.state import State
>>> run = Run(State())
>>> monitor = Monitor(run)
>>> run.train_epoch()
>>> stats = monitor.observe()
>>> stats.epoch, stats.weight_gradient.shape, stats.activation_histogram.shape, stats.alerts
(1, (3, 5), (3, 20), ())
"""
import copy
from collections import deque
from typing import NamedTuple

import numpy as np

from app.diagnostics.histograms import (GRADIENT_DECADES, HISTOGRAM_BINS, SATURATING, WEIGHT_RANGE, activation_edges,
                                         bin_counts, clip_in_place)
from engine import nn, topological_order
from engine.gradcheck import set_aside_grads

# ---- what is measured ---------------------------------------------------------------------------------
STATISTICS = ("mean", "std", "min", "max", "norm")  # the columns of the gradient statistics
MEAN, STD, MIN, MAX, NORM = range(len(STATISTICS))
SATURATED_POINTS = 0.95  # saturated: at a rail (see histograms.RAIL) on more than this share of points
TIMELINE_LIMIT = 500  # past this many epochs the older half of the timeline is thinned to every other epoch

# ---- when to alert --------------------------------------------------------------------------------------
VANISHING_RATIO = 1e-3      # a hidden layer's RMS weight gradient below this times the output layer's
EXPLODING_GROWTH = 10.0     # a layer's gradient norm grew this many times ...
EXPLODING_EPOCHS = 3        # ... over this many epochs ...
EXPLODING_FLOOR = 10.0      # ... and is above this
DEAD_SHARE = 0.5            # more than this share of a ReLU layer's units are dead
SATURATED_SHARE = 0.5       # more than this share of a tanh/sigmoid layer's units are saturated
GAP_RISE = 0.1              # overfitting: the test loss is 10% ...
GAP_MIN_RISE = 0.02         # ... and 0.02 above its best (tiny losses wobble by more than 10%) ...
GAP_EPOCHS = 20             # ... for 20 epochs in a row, and the training loss is below where it was then
DIVERGED_LOSS_FACTOR = 10.0  # diverged: the training loss at >= 10x its best for 20 epochs in a row (a best
DIVERGED_EPOCHS = 20         # below DIVERGED_LOSS_FLOOR counts as the floor, so noise after a near-perfect
DIVERGED_LOSS_FLOOR = 0.01   # fit is not called divergence); or a layer's weights moving more than their own
DIVERGED_UPDATE_RATIO = 1.0  # size (update ratio > 1) somewhere in each of 5 epochs in a row (a fresh network's
DIVERGED_UPDATE_EPOCHS = 5   # first epochs often do that once or twice on runs that then train well); or a
#                              NaN or infinity in the loss, a weight or bias, a gradient or a layer's output.

_ACTIVATION_OPS = tuple(name for name in nn.ACTIVATIONS if name != "linear")  # their op labels (Identity records none)
_LOSS_OPS = ("mse_loss", "cross_entropy", "bce_with_logits", "softmax")  # Run.data_loss's ops on the logits


class Alert(NamedTuple):
    """Something wrong with the run: its `kind`, the layer rows it concerns (may be empty), and two
    sentences for the learner: what is wrong and where, and what to try."""

    kind: str  # "diverged", "vanishing", "exploding", "dead", "saturated" or "overfitting"
    layers: tuple
    message: str
    fix: str


class NonFinite(NamedTuple):
    """Where the first NaN or infinity appeared in a loss graph: the engine `node` (for the graph view to
    highlight), its `op` label ("linear", "tanh", "mse_loss", ...; "weight" or "bias" when it is a parameter)
    and the layer row to point at in the network: the op's own layer, or for the loss after the network the
    output layer it was fed by (None only for ops of the user's own that belong to no layer)."""

    node: object
    op: str
    layer: int | None


class EpochStats(NamedTuple):
    """Everything measured at the end of one epoch. Per-layer arrays have one row per Linear layer."""

    epoch: int
    loss: float                      # the data loss over all training points
    weight_gradient: np.ndarray      # (layers, 5): STATISTICS of dL/dW
    bias_gradient: np.ndarray        # (layers, 5): STATISTICS of dL/db
    update_ratio: np.ndarray         # (layers,): ||W - W before|| / ||W before|| since the previous observation
    dead: np.ndarray                 # (layers,): share of its units that are ReLUs at 0 on every training point
    saturated: np.ndarray            # (layers,): share of tanh/sigmoid units saturated (see SATURATED_POINTS)
    weight_histogram: np.ndarray     # (layers, HISTOGRAM_BINS) counts over weight_edges()
    bias_histogram: np.ndarray       # (layers, HISTOGRAM_BINS) counts over weight_edges()
    activation_histogram: np.ndarray  # (layers, HISTOGRAM_BINS) over activation_edges(name), every training point
    gradient_histogram: np.ndarray   # (layers, HISTOGRAM_BINS) of log10 |dL/dW| and |dL/db| over gradient_edges()
    alerts: tuple                    # the Alerts raised at this epoch
    nonfinite: NonFinite | None


def times(ratio):
    """A ratio as a learner reads it at a glance: two significant figures, written out in full.

    >>> times(31234.5), times(1.2e6), times(3.456), times(12.0)
    ('31,000', '1,200,000', '3.5', '12')
    """
    rounded = float(f"{ratio:.2g}")
    return f"{rounded:,.0f}" if rounded >= 10 else f"{rounded:g}"


def layer_name(row, layers):
    """How the page names a layer row: "hidden layer 2", or "the output layer" for the last."""
    return "the output layer" if row == layers - 1 else f"hidden layer {row + 1}"


def _named(rows, layers):
    """Layer rows in words: "hidden layer 2", "hidden layers 1, 2 and 3", "hidden layer 4 and the output layer"."""
    hidden = [str(row + 1) for row in rows if row < layers - 1]
    parts = []
    if hidden:
        listed = hidden[0] if len(hidden) == 1 else ", ".join(hidden[:-1]) + " and " + hidden[-1]
        parts.append(("hidden layer " if len(hidden) == 1 else "hidden layers ") + listed)
    if layers - 1 in rows:
        parts.append("the output layer")
    return (", and " if len(hidden) > 1 else " and ").join(parts)


def _rows(flags):
    """The layer rows where `flags` is set, as a tuple of ints."""
    return tuple(int(row) for row in np.flatnonzero(flags))


def _segment_statistics(values, starts, counts):
    """STATISTICS of each run of `values` beginning at `starts` (all runs non-empty), as a (runs, 5) array.

    The spread comes from one pass (mean of squares minus squared mean), which loses 2 log10(mean / std)
    of its 16 digits: only a mean about a million times the spread would show on the page.
    """
    sums = np.add.reduceat(values, starts)
    squares = np.add.reduceat(values * values, starts)
    mean = sums / counts
    std = np.sqrt(np.maximum(squares / counts - mean * mean, 0.0))
    return np.column_stack([mean, std, np.minimum.reduceat(values, starts), np.maximum.reduceat(values, starts),
                            np.sqrt(squares)])


class Monitor:
    """Measures a `Run` once per epoch and keeps the `timeline` of what it found.

    Call `observe()` after every `run.train_epoch()`. The last TIMELINE_LIMIT // 2 entries of `timeline`
    are consecutive epochs; older ones are thinned, so a long run keeps a bounded memory.
    """

    def __init__(self, run):
        self.run = run
        run.keep_train_pass = True
        self.linears = [m for m in run.model if isinstance(m, nn.Linear)]
        # Your own function after a layer (say x * x) is measured as plain values: no rule can call its
        # units dead or saturated without knowing its shape.
        self.activations = [name if name in nn.ACTIVATIONS else "linear" for name in run.activation_names()]
        self.layers = len(self.linears)
        self.timeline = []
        # Parameters side by side as one flat array: every weight matrix, then every bias, 2 * layers runs.
        self.parameters = [layer.weight for layer in self.linears] + [layer.bias for layer in self.linears]
        self._rows = {id(p): i % self.layers for i, p in enumerate(self.parameters)}
        sizes = np.array([p.data.size for p in self.parameters])
        self._sizes, self._starts = sizes, np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self._weight_count = int(sizes[:self.layers].sum())
        self._root_weight_sizes = np.sqrt(sizes[:self.layers])
        # Units are the columns of all layers' outputs side by side.
        units = np.array([layer.n_out for layer in self.linears])
        self._units, self._unit_starts = units, np.concatenate([[0], np.cumsum(units)[:-1]])
        self._can_saturate = np.repeat([a in SATURATING for a in self.activations], units)
        self._can_die = np.repeat([a == "relu" for a in self.activations], units)
        self._plan_histograms(len(run.inputs_train))
        self._previous_weights = np.concatenate([layer.weight.data.ravel() for layer in self.linears])
        with np.errstate(over="ignore"):
            self._previous_norms = self._norms(self._previous_weights)
        # What the alerts look back on, kept as running counts so no alert rereads the past.
        self._gradient_norms = deque(maxlen=EXPLODING_EPOCHS + 1)  # (epoch, weight-gradient norms)
        self._jumping_epochs, self._jumped = 0, np.zeros(self.layers, dtype=bool)
        self._read = 0  # rows of run.history followed so far
        self._best_loss, self._high_loss_epochs = np.inf, 0
        self._best_test, self._best_test_epoch, self._train_at_best_test, self._high_test_epochs = np.inf, 0, np.nan, 0

    def _plan_histograms(self, points):
        """Lay out the one bincount that counts every histogram.

        Its rows are each unit (its outputs on every training point: a unit's share of points in the rail
        bins is its saturation; units are summed into their layer's histogram afterwards), then the weights
        and the biases of each layer, then each layer's gradients (weights' and biases' together). Bins are
        numbered on from row to row. A value's bin is value * scale + shift (shift includes its row's first
        bin), kept within its row and rounded down. The arrays of positions and bin numbers are reused from
        epoch to epoch: they are the largest the monitor makes.
        """
        scale, shift = [], []
        for activation in self.activations:
            edges = activation_edges(activation)
            inner = edges[1:-1] if activation in SATURATING else edges  # rail bins: 1 bin before the inner ones
            scale.append((len(inner) - 1) / (inner[-1] - inner[0]))
            shift.append((activation in SATURATING) - inner[0] * scale[-1])
        total_units = int(self._units.sum())
        first_bins = HISTOGRAM_BINS * np.arange(total_units)
        self._unit_scale = np.repeat(scale, self._units)
        self._unit_shift = np.repeat(shift, self._units) + first_bins
        # Outputs of tanh and sigmoid cannot leave their rows, so only the columns from the first layer of
        # another activation on (at least the output layer's) need keeping within their rows.
        unbounded = next(row for row, a in enumerate(self.activations) if a not in SATURATING)
        self._unbounded = slice(int(self._unit_starts[unbounded]), None)
        self._unit_bins = first_bins[self._unbounded], first_bins[self._unbounded] + HISTOGRAM_BINS - 1
        # Then the "tail": every parameter, then every gradient as log10 |g|.
        runs = np.repeat(np.arange(2 * self.layers), self._sizes)  # which weight matrix or bias vector
        rows = np.concatenate([total_units + runs, total_units + 2 * self.layers + runs % self.layers])
        (low, high), (low_decade, high_decade) = WEIGHT_RANGE, GRADIENT_DECADES
        self._tail_scale = np.repeat([HISTOGRAM_BINS / (high - low), HISTOGRAM_BINS / (high_decade - low_decade)],
                                     len(runs))
        self._tail_shift = HISTOGRAM_BINS * rows - self._tail_scale * np.repeat([low, low_decade], len(runs))
        self._tail_bins = HISTOGRAM_BINS * rows, HISTOGRAM_BINS * rows + HISTOGRAM_BINS - 1
        self._histogram_rows = total_units + 3 * self.layers
        self._grid_size = points * total_units
        self._position = np.empty(self._grid_size + len(rows))
        self._index = np.empty(len(self._position), dtype=np.intp)

    def _norms(self, flat_weights):
        return np.sqrt(np.add.reduceat(flat_weights * flat_weights, self._starts[:self.layers]))

    @property
    def latest(self):
        """The last EpochStats, or None before the first observation."""
        return self.timeline[-1] if self.timeline else None

    @property
    def diverged(self):
        """The "diverged" Alert of the latest epoch, or None: when set, training should pause."""
        latest = self.latest
        return next((alert for alert in latest.alerts if alert.kind == "diverged"), None) if latest else None

    def locate(self, loss):
        """The NonFinite naming the first operation, inputs first, whose result in `loss`'s graph (built from
        this run's model) is NaN or infinite; None when every value in it is finite.

        This is `engine.first_nonfinite` with operations before parameters: a batch's graph keeps each
        operation's result as it was, but its parameters are the live ones, which later steps may have made
        NaN since, so stopping at them could blame weights that were still finite then. A parameter is
        named only when no operation is NaN or infinite.
        """
        parameter = None
        for node in topological_order(loss):
            if np.isfinite(node.data).all():
                continue
            if node.op:
                layer_op = node.parents[0] if node.op in _ACTIVATION_OPS else node  # an activation: its layer's
                if layer_op.op == "linear" and id(layer_op.parents[1]) in self._rows:
                    return NonFinite(node, node.op, self._rows[id(layer_op.parents[1])])
                return NonFinite(node, node.op, self.layers - 1 if node.op in _LOSS_OPS else None)
            if parameter is None and id(node) in self._rows:
                parameter = node
        return None if parameter is None else NonFinite(parameter, parameter.name, self._rows[id(parameter)])

    # ---- measuring ---------------------------------------------------------------------------------------
    def observe(self, batch_loss=None):
        """Measure the run as it is now, raise alerts, append to `timeline` and return the EpochStats
        (None when the run has no training points).

        `batch_loss`, if given, is the loss graph of a training batch that came out NaN or infinite: it
        names the op where that first happened, which this epoch-end pass cannot once the step after it has
        made the weights NaN.
        """
        run = self.run
        if not len(run.inputs_train):
            return None
        self._follow_history()
        loss, outputs, gradients = self._full_batch_pass()
        parameters = np.concatenate([p.data.ravel() for p in self.parameters])
        nonfinite = None if batch_loss is None else self.locate(batch_loss)
        # A sum is NaN or infinite whenever a term is: one cheap test first, the graph walk only when it fails.
        # (A NaN or infinite output of a layer makes the loss or a gradient so too.)
        if nonfinite is None and not np.isfinite(loss.data + parameters.sum() + gradients.sum()):
            nonfinite = self.locate(loss)

        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):  # a diverged run gets NaN statistics
            statistics = _segment_statistics(gradients, self._starts, self._sizes)
            update_ratio = self._update_ratio(parameters[:self._weight_count])
            histograms, dead = self._count(outputs, parameters, gradients, nonfinite is None)
        total_units = len(self._unit_shift)
        units = histograms[:total_units]
        saturated = ((units[:, 0] + units[:, -1]) > SATURATED_POINTS * len(run.inputs_train)) & self._can_saturate
        weight_gradient = statistics[:self.layers]
        dead = np.add.reduceat(dead, self._unit_starts) / self._units
        saturated = np.add.reduceat(saturated, self._unit_starts) / self._units
        stats = EpochStats(
            epoch=run.epoch, loss=float(loss.data),
            weight_gradient=weight_gradient, bias_gradient=statistics[self.layers:], update_ratio=update_ratio,
            dead=dead, saturated=saturated,
            weight_histogram=histograms[total_units:total_units + self.layers],
            bias_histogram=histograms[total_units + self.layers:total_units + 2 * self.layers],
            activation_histogram=np.add.reduceat(units, self._unit_starts, axis=0),
            gradient_histogram=histograms[total_units + 2 * self.layers:],
            alerts=self._alerts(nonfinite, weight_gradient[:, NORM], update_ratio, dead, saturated),
            nonfinite=nonfinite)
        self.keep(stats)
        return stats

    def keep(self, stats):
        """Append `stats` to the timeline, thinning its older half once it is long."""
        self.timeline.append(stats)
        if len(self.timeline) > TIMELINE_LIMIT:
            half = TIMELINE_LIMIT // 2
            self.timeline[:-half] = self.timeline[:-half:2]

    # What the alerts and the update ratio carry from one observation to the next (the timeline aside).
    RUNNING = ("_previous_weights", "_previous_norms", "_gradient_norms", "_jumping_epochs", "_jumped", "_read",
               "_best_loss", "_high_loss_epochs", "_best_test", "_best_test_epoch", "_train_at_best_test",
               "_high_test_epochs")

    def running(self):
        """What this monitor carries on from one epoch to the next, for a monitor of the same run in another
        interpreter to `resume` from (the page's, while its trainer measures the epochs in a worker)."""
        return {name: copy.copy(getattr(self, name)) for name in self.RUNNING}

    def resume(self, running, stats=()):
        """Go on from another monitor's `running()` of this run, with the epochs it measured, `stats`."""
        for name, value in running.items():
            setattr(self, name, value)
        for entry in stats:
            self.keep(entry)

    def _update_ratio(self, weights):
        """||W - W before|| / ||W before|| per layer, from the flat weights now and at the last observation."""
        moved = np.sqrt(np.add.reduceat((weights - self._previous_weights) ** 2, self._starts[:self.layers]))
        ratio = moved / self._previous_norms
        self._previous_weights, self._previous_norms = weights, self._norms(weights)
        return ratio

    def _count(self, outputs, parameters, gradients, finite):
        """Every histogram row (see `_plan_histograms`), and which units are dead ReLUs."""
        position, index, end = self._position, self._index, self._grid_size
        grid = position[:end].reshape(-1, len(self._unit_shift))
        np.concatenate([output.data for output in outputs], axis=1, out=grid)
        dead = ~grid.any(axis=0) & self._can_die if self._can_die.any() else self._can_die
        grid *= self._unit_scale
        grid += self._unit_shift
        clip_in_place(grid[:, self._unbounded], *self._unit_bins)
        tail = position[end:]
        tail[:len(parameters)] = parameters
        np.log10(np.abs(gradients), out=tail[len(parameters):])
        tail *= self._tail_scale
        tail += self._tail_shift
        clip_in_place(tail, *self._tail_bins)
        np.copyto(index, position, casting="unsafe")  # truncation: the floor of these non-negatives
        return bin_counts(index, position, self._histogram_rows, finite), dead

    def _full_batch_pass(self):
        """The data loss over every training point, each layer's output (after its activation; the logits
        for the output layer) and the flat gradient of every weight then every bias. The forward pass is the
        one `run.measure()` kept at the end of the epoch (see `Run.keep_train_pass`). Each parameter's
        `.grad` is put back as it was, so the optimizer's next step cannot tell this pass happened."""
        loss, outputs = self.run.take_train_pass()
        with set_aside_grads(self.parameters):
            loss.backward()
            gradients = np.concatenate([np.zeros(p.data.size) if p.grad is None else p.grad.ravel()
                                        for p in self.parameters])
        return loss, outputs, gradients

    def _follow_history(self):
        """Read the rows of `run.history` not read yet into the running counts of the loss alerts."""
        for train, test, *_ in self.run.history[self._read:]:
            self._read += 1
            # Run keeps its best loss the same way; a loss 10x its best is never a new best, so the best
            # stays what it was over the whole streak.
            self._best_loss = min(self._best_loss, train) if train == train else self._best_loss
            high = train >= DIVERGED_LOSS_FACTOR * max(self._best_loss, DIVERGED_LOSS_FLOOR)
            self._high_loss_epochs = self._high_loss_epochs + 1 if high else 0
            if test < self._best_test:
                self._best_test, self._best_test_epoch, self._train_at_best_test = test, self._read, train
                self._high_test_epochs = 0
            else:  # also NaN: no test points, or a diverged run
                rise = test - self._best_test
                high = rise >= GAP_MIN_RISE and rise >= GAP_RISE * self._best_test
                self._high_test_epochs = self._high_test_epochs + 1 if high else 0

    # ---- alerts ------------------------------------------------------------------------------------------
    def _alerts(self, nonfinite, gradient_norms, update_ratio, dead, saturated):
        """The alerts for this epoch: divergence alone when the run diverged (every other number is then
        meaningless), else any of the others. Each check is a few array operations; words are only made
        for the alerts raised."""
        if update_ratio.max() > DIVERGED_UPDATE_RATIO:
            self._jumping_epochs += 1
            self._jumped = self._jumped | (update_ratio > DIVERGED_UPDATE_RATIO)
        else:
            self._jumping_epochs, self._jumped = 0, np.zeros(self.layers, dtype=bool)
        self._gradient_norms.append((self.run.epoch, gradient_norms))
        past = self._gradient_norms[0]  # EXPLODING_EPOCHS epochs ago once the deque is full (checked below)
        if nonfinite is not None or self._high_loss_epochs >= DIVERGED_EPOCHS or (
                self._jumping_epochs >= DIVERGED_UPDATE_EPOCHS):
            return (self._diverged(nonfinite),)
        alerts = []
        rms = gradient_norms / self._root_weight_sizes
        if rms[:-1].min(initial=np.inf) < VANISHING_RATIO * rms[-1]:
            alerts.append(self._vanishing(rms))
        if past[0] == self.run.epoch - EXPLODING_EPOCHS:
            growing = (gradient_norms > EXPLODING_FLOOR) & (gradient_norms >= EXPLODING_GROWTH * past[1])
            if growing.any():
                alerts.append(self._exploding(growing, gradient_norms / past[1]))
        if dead.max() > DEAD_SHARE:
            alerts.append(self._dead(dead))
        if saturated.max() > SATURATED_SHARE:
            alerts.append(self._saturated(saturated))
        if self._high_test_epochs >= GAP_EPOCHS and self.run.history[-1][0] < self._train_at_best_test:
            alerts.append(self._overfitting())
        return tuple(alerts)

    def _diverged(self, nonfinite):
        """The divergence alert: in words first (what the loss or the weights did, and why), so that a learner
        who has never met NaN reads what happened, then where the first NaN or infinity appeared."""
        fix = f"The learning rate ({self.run.optimizer.lr:g}) is too high for this network: lower it, then press Reset."
        overshoot = "each step overshoots the minimum, so"
        rows = ()
        if nonfinite is not None:
            op, row = nonfinite.op, nonfinite.layer
            if nonfinite.node.op == "":
                where = f"the {op}s of {layer_name(row, self.layers)}"
            elif op == "linear" or op in _ACTIVATION_OPS:
                where = f"the {op} step of {layer_name(row, self.layers)}"
            else:
                where = f"the {op} step of the loss"
            rows = () if row is None else (row,)
            what = (f"The loss grew instead of shrinking: {overshoot} the weights grew until the numbers overflowed. "
                    f"A value that is not a finite number (NaN or infinity) first appeared in {where}.")
        elif self._high_loss_epochs >= DIVERGED_EPOCHS:
            what = (f"The loss grew instead of shrinking: {overshoot} the training loss has stayed at "
                    f"{DIVERGED_LOSS_FACTOR:g} times its best ({self._best_loss:.3g}) or more for "
                    f"{self._high_loss_epochs} epochs.")
        else:
            rows = _rows(self._jumped)
            what = (f"The weights jump instead of settling: {overshoot} in each of the last {self._jumping_epochs} "
                    f"epochs the weights of a layer ({_named(rows, self.layers)}) moved more than their own size.")
        return Alert("diverged", rows, f"Training diverged. {what}", fix)

    def _vanishing(self, rms):
        rows = _rows(rms[:-1] < VANISHING_RATIO * rms[-1])
        smallest = rms[list(rows)].min()
        how = (f"up to {times(rms[-1] / smallest)} times smaller than the output layer's" if smallest > 0 else
               "of exactly zero, where the output layer's are not")
        return Alert("vanishing", rows,
                     f"Vanishing gradients: the weights of {_named(rows, self.layers)} get gradients {how}, so they "
                     "barely learn.",
                     "Use ReLU (or Leaky ReLU) instead of sigmoid or tanh, or use fewer layers.")

    def _exploding(self, growing, growth):
        rows = _rows(growing)
        return Alert("exploding", rows,
                     f"Exploding gradients: the gradient of {_named(rows, self.layers)} grew "
                     f"{times(growth[list(rows)].max())} times in {EXPLODING_EPOCHS} epochs.",
                     "Lower the learning rate; with many layers, fewer layers or tanh instead of ReLU also help.")

    def _dead(self, dead):
        rows = _rows(dead > DEAD_SHARE)
        shares = ", ".join(f"{100 * dead[r]:.0f}%" for r in rows)
        return Alert("dead", rows,
                     f"Dead units: {shares} of the ReLU units in {_named(rows, self.layers)} output 0 on every "
                     "training point, so no gradient reaches them and they never recover.",
                     "Start from fresh weights (Reset; or, where your code sets them, change it and press Run), "
                     "lower the learning rate, or use Leaky ReLU.")

    def _saturated(self, saturated):
        rows = _rows(saturated > SATURATED_SHARE)
        shares = ", ".join(f"{100 * saturated[r]:.0f}%" for r in rows)
        return Alert("saturated", rows,
                     f"Saturated units: {shares} of the units in {_named(rows, self.layers)} sit at the end of "
                     "their range on almost every training point, where their slope and gradient are near 0.",
                     "Lower the learning rate, use smaller input features (x1^2 and x2^2 reach 36), or use ReLU.")

    def _overfitting(self):
        return Alert("overfitting", (),
                     f"Overfitting: the test loss ({self.run.history[-1][1]:.3g}) has stayed above its best "
                     f"({self._best_test:.3g}, at epoch {self._best_test_epoch}) for {self._high_test_epochs} epochs "
                     "while the training loss kept falling: the network is memorising its training points.",
                     "Add regularization (L2), use a smaller network, train on more of the data, or stop here.")
