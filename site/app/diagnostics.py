"""Diagnostics: what a training run looks like inside, layer by layer, and what is going wrong in it.

A `Monitor` watches one `Run`. After each `run.train_epoch()`, `monitor.observe()` makes one extra forward
and backward pass of the data loss over all the training points and records, per Linear layer, the
gradient statistics, how far the weights moved, histograms, and how many units are dead or saturated; then
it raises `Alert`s in plain words. The full-batch pass was chosen over accumulating the epoch's
mini-batches because it needs nothing from inside `train_epoch`, it yields the activations on every
training point (which dead and saturated units are defined by) in the same pass, and its gradient is the
one the whole epoch followed on average, free of the last batch's noise. It costs about one training step
of the 25 in an epoch. The pass uses its own graph and puts every parameter's `.grad` back, so a watched
run trains exactly as an unwatched one.

Every number is computed for all layers at once over concatenated arrays, so the cost does not grow with
a Python loop per unit or per layer. Rows of every per-layer array are the Linear layers in order: the
hidden layers, then the output layer.

>>> from app.run import Run
>>> from app.state import State
>>> run = Run(State())
>>> monitor = Monitor(run)
>>> run.train_epoch()
>>> stats = monitor.observe()
>>> stats.epoch, stats.weight_gradient.shape, stats.activation_histogram.shape, stats.alerts
(1, (3, 5), (3, 20), ())
"""
from typing import NamedTuple

import numpy as np

from engine import first_nonfinite, nn, no_grad
from engine.gradcheck import numerical_gradient

# ---- what is measured ---------------------------------------------------------------------------------
STATISTICS = ("mean", "std", "min", "max", "norm")  # the columns of the gradient statistics
MEAN, STD, MIN, MAX, NORM = range(len(STATISTICS))
HISTOGRAM_BINS = 20
# Fixed ranges, so a histogram can be compared with the same layer's at another epoch. Values beyond a
# range are counted in its end bins (a weight of 50 is "off the scale", not absent); NaN is not counted.
WEIGHT_RANGE = (-3.0, 3.0)      # weights and biases
GRADIENT_DECADES = (-8.0, 2.0)  # gradients are binned by log10 |g|, half a decade per bin; 0 falls in the first
ACTIVATION_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "relu": (0.0, 4.0), "leaky_relu": (-1.0, 4.0),
                     "linear": (-4.0, 4.0)}  # the output layer's logits count as "linear"
# A unit is saturated when it sits at a rail (|tanh| > 0.99, sigmoid < 0.01 or > 0.99: its slope is then
# below 2% of its peak, so almost no gradient passes) on more than SATURATED_POINTS of the training points.
SATURATED_TANH = 0.99
SATURATED_SIGMOID = 0.01
SATURATED_POINTS = 0.95
TIMELINE_LIMIT = 500  # past this many epochs the older half of the timeline is thinned to every other epoch

# ---- when to alert --------------------------------------------------------------------------------------
VANISHING_RATIO = 1e-3      # a hidden layer's RMS weight gradient below this times the output layer's
EXPLODING_GROWTH = 10.0     # a layer's gradient norm grew this many times ...
EXPLODING_EPOCHS = 5        # ... over this many epochs ...
EXPLODING_FLOOR = 10.0      # ... and is above this
DEAD_SHARE = 0.5            # at least this share of a ReLU layer's units are dead
SATURATED_SHARE = 0.5       # at least this share of a tanh/sigmoid layer's units are saturated
GAP_EPOCHS = 10             # the mean test loss of the last 10 epochs ...
GAP_RISE = 0.1              # ... is 10% above that of the 10 before, while the mean training loss fell
DIVERGED_LOSS_FACTOR = 10.0  # diverged: the training loss at >= 10x its best ...
DIVERGED_EPOCHS = 20         # ... for 20 epochs in a row (a best below DIVERGED_LOSS_FLOOR counts as the
DIVERGED_LOSS_FLOOR = 1e-3   # floor, so noise after a near-perfect fit is not called divergence) ...
DIVERGED_UPDATE_RATIO = 1.0  # ... or a layer's weights moved more than their own size in one epoch,
#                              or any loss, weight, gradient or activation is NaN or infinite.

# ---- "Check gradients" ------------------------------------------------------------------------------------
GRADCHECK_POINTS = 8     # training points in the checked batch: enough to exercise every unit, quick
GRADCHECK_EPS = 1e-6
GRADCHECK_FLOOR = 1e-6   # relative errors divide by at least this (times the loss when above 1): central
#                          differences carry ~1e-10 of rounding noise per unit of loss

_ACTIVATION_NAMES = {nn.Tanh: "tanh", nn.Sigmoid: "sigmoid", nn.ReLU: "relu", nn.LeakyReLU: "leaky_relu",
                     nn.Identity: "linear"}


class Alert(NamedTuple):
    """Something wrong with the run: its `kind`, the layer rows it concerns (may be empty), and two
    sentences for the learner: what is wrong and where, and what to try."""

    kind: str  # "diverged", "vanishing", "exploding", "dead", "saturated" or "overfitting"
    layers: tuple
    message: str
    fix: str


class NonFinite(NamedTuple):
    """Where the first NaN or infinity appeared in the loss graph: the engine `node` (for the graph view to
    highlight), its `op` label ("linear", "mse_loss", ...; "weight" or "bias" when a parameter itself is
    no longer a number) and its layer row, or None when it is not inside a layer (the loss)."""

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
    dead: np.ndarray                 # (layers,): share of ReLU units that are 0 on every training point
    saturated: np.ndarray            # (layers,): share of tanh/sigmoid units saturated (see SATURATED_POINTS)
    weight_histogram: np.ndarray     # (layers, HISTOGRAM_BINS) counts over weight_edges()
    bias_histogram: np.ndarray       # (layers, HISTOGRAM_BINS) counts over weight_edges()
    activation_histogram: np.ndarray  # (layers, HISTOGRAM_BINS) over activation_edges(name), every training point
    gradient_histogram: np.ndarray   # (layers, HISTOGRAM_BINS) of log10 |dL/dW| and |dL/db| over gradient_edges()
    alerts: tuple                    # the Alerts raised at this epoch
    nonfinite: NonFinite | None


def weight_edges():
    """The bin edges of weight and bias histograms."""
    return np.linspace(*WEIGHT_RANGE, HISTOGRAM_BINS + 1)


def gradient_edges():
    """The bin edges of gradient histograms, in log10 |gradient|."""
    return np.linspace(*GRADIENT_DECADES, HISTOGRAM_BINS + 1)


def activation_edges(activation):
    """The bin edges of the activation histogram of a layer with this activation ("linear" for the output)."""
    return np.linspace(*ACTIVATION_RANGES[activation], HISTOGRAM_BINS + 1)


def layer_name(row, layers):
    """How the page names a layer row: "hidden layer 2", or "the output layer" for the last."""
    return "the output layer" if row == layers - 1 else f"hidden layer {row + 1}"


def _named(rows, layers):
    names = [layer_name(row, layers) for row in rows]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _histograms(values, row_offsets, rows, low, scale):
    """HISTOGRAM_BINS counts per row: `values` binned from `low` in bins 1/`scale` wide, each added to the
    histogram of its row (`row_offsets` = row * HISTOGRAM_BINS, broadcast against `values`). Everything
    below the range counts in the first bin, above it in the last; NaN is left out."""
    position = np.clip((values - low) * scale, 0, HISTOGRAM_BINS - 1)
    nan = np.isnan(position)
    if nan.any():
        position[nan] = HISTOGRAM_BINS * rows  # one spill bin past the last row, dropped below
        row_offsets = np.where(nan, 0, row_offsets)
    index = position.astype(np.intp) + row_offsets
    counts = np.bincount(index.ravel(), minlength=rows * HISTOGRAM_BINS + 1)
    return counts[:rows * HISTOGRAM_BINS].reshape(rows, HISTOGRAM_BINS)


def _segment_statistics(values, starts, counts):
    """STATISTICS of each run of `values` beginning at `starts` (all runs non-empty), as a (runs, 5) array."""
    sums = np.add.reduceat(values, starts)
    squares = np.add.reduceat(values * values, starts)
    mean = sums / counts
    deviation = values - np.repeat(mean, counts)  # two passes: no cancellation when the mean dwarfs the spread
    std = np.sqrt(np.add.reduceat(deviation * deviation, starts) / counts)
    return np.column_stack([mean, std, np.minimum.reduceat(values, starts), np.maximum.reduceat(values, starts),
                            np.sqrt(squares)])


class Monitor:
    """Measures a `Run` once per epoch and keeps the `timeline` of what it found.

    Call `observe()` after every `run.train_epoch()`. The last TIMELINE_LIMIT // 2 entries of `timeline`
    are always consecutive epochs; older ones are thinned so a long run keeps a bounded memory.
    """

    def __init__(self, run):
        self.run = run
        modules = list(run.model)
        self.linears = [m for m in modules if isinstance(m, nn.Linear)]
        after = [modules[i + 1] if i + 1 < len(modules) else nn.Identity()
                 for i, m in enumerate(modules) if isinstance(m, nn.Linear)]
        try:
            self.activations = [_ACTIVATION_NAMES[type(m)] for m in after]
        except KeyError as missing:
            raise ValueError(f"Monitor: a Linear layer is followed by {missing.args[0].__name__}; it watches "
                             f"networks of Linear layers each followed by one of {', '.join(_ACTIVATION_NAMES)}")
        self.layers = len(self.linears)
        self.timeline = []
        # The layout of the concatenated arrays: all weights then all biases, flattened, 2 * layers runs.
        self.parameters = [layer.weight for layer in self.linears] + [layer.bias for layer in self.linears]
        sizes = np.array([p.data.size for p in self.parameters])
        self._sizes, self._starts = sizes, np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self._weight_count = int(sizes[:self.layers].sum())
        # Histogram row offsets per entry: weights then biases in rows of their own; or both in their layer's.
        self._parameter_offsets = np.repeat(np.arange(2 * self.layers) * HISTOGRAM_BINS, sizes)
        self._layer_offsets = np.repeat(np.tile(np.arange(self.layers), 2) * HISTOGRAM_BINS, sizes)
        # Per unit (column of all layers' outputs side by side): its row, histogram scale, and rails.
        units = np.array([layer.n_out for layer in self.linears])
        self._unit_starts = np.concatenate([[0], np.cumsum(units)[:-1]])
        self._units = units
        per_unit = lambda values: np.repeat(np.array(values, dtype=np.float64), units)  # noqa: E731
        self._unit_offsets = np.repeat(np.arange(self.layers) * HISTOGRAM_BINS, units)
        self._unit_low = per_unit([ACTIVATION_RANGES[a][0] for a in self.activations])
        self._unit_scale = per_unit([HISTOGRAM_BINS / np.ptp(ACTIVATION_RANGES[a]) for a in self.activations])
        # At a rail: |output * scale + shift| > limit, which reads |tanh| > 0.99 and |2 sigmoid - 1| > 0.98.
        self._rail_scale = per_unit([2.0 if a == "sigmoid" else 1.0 for a in self.activations])
        self._rail_shift = per_unit([-1.0 if a == "sigmoid" else 0.0 for a in self.activations])
        rail = {"tanh": SATURATED_TANH, "sigmoid": 1.0 - 2.0 * SATURATED_SIGMOID}
        self._rail_limit = per_unit([rail.get(a, np.inf) for a in self.activations])
        self._can_die = per_unit([a == "relu" for a in self.activations]).astype(bool)
        self._previous_weights = self._flat_weights()
        self._previous_norms = self._norms(self._previous_weights)

    def _flat_weights(self):
        return np.concatenate([layer.weight.data.ravel() for layer in self.linears])

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

    # ---- measuring ---------------------------------------------------------------------------------------
    def observe(self):
        """Measure the run as it is now, raise alerts, append to `timeline` and return the EpochStats
        (None when the run has no training points)."""
        run = self.run
        if not len(run.inputs_train):
            return None
        loss, outputs, gradients = self._full_batch_pass()
        parameters = np.concatenate([p.data.ravel() for p in self.parameters])
        activations = np.concatenate([o.data for o in outputs], axis=1)
        finite = (np.isfinite(loss.data) and np.isfinite(parameters).all() and np.isfinite(gradients).all()
                  and np.isfinite(activations).all())
        nonfinite = None if finite else self._blame(first_nonfinite(loss))

        with np.errstate(invalid="ignore", over="ignore"):  # a diverged run still gets (NaN) statistics
            statistics = _segment_statistics(gradients, self._starts, self._sizes)
            weights = parameters[:self._weight_count]
            moved = np.sqrt(np.add.reduceat((weights - self._previous_weights) ** 2, self._starts[:self.layers]))
            norms = self._norms(weights)
            with np.errstate(divide="ignore"):
                update_ratio = moved / self._previous_norms
            self._previous_weights, self._previous_norms = weights, norms
            dead = ~activations.any(axis=0) & self._can_die
            at_rail = np.abs(activations * self._rail_scale + self._rail_shift) > self._rail_limit
            saturated = at_rail.mean(axis=0) > SATURATED_POINTS
            low, high = WEIGHT_RANGE
            parameter_histograms = _histograms(parameters, self._parameter_offsets, 2 * self.layers, low,
                                               HISTOGRAM_BINS / (high - low))
            with np.errstate(divide="ignore"):
                magnitudes = np.log10(np.abs(gradients))
            low, high = GRADIENT_DECADES
            gradient_histogram = _histograms(magnitudes, self._layer_offsets, self.layers, low,
                                             HISTOGRAM_BINS / (high - low))
            activation_histogram = _histograms(activations, self._unit_offsets, self.layers, self._unit_low,
                                               self._unit_scale)
        stats = EpochStats(
            epoch=run.epoch, loss=float(loss.data),
            weight_gradient=statistics[:self.layers], bias_gradient=statistics[self.layers:],
            update_ratio=update_ratio,
            dead=np.add.reduceat(dead, self._unit_starts) / self._units,
            saturated=np.add.reduceat(saturated, self._unit_starts) / self._units,
            weight_histogram=parameter_histograms[:self.layers], bias_histogram=parameter_histograms[self.layers:],
            activation_histogram=activation_histogram, gradient_histogram=gradient_histogram,
            alerts=(), nonfinite=nonfinite)
        stats = stats._replace(alerts=tuple(self._alerts(stats)))
        self._remember(stats)
        return stats

    def _full_batch_pass(self):
        """The data loss over every training point, each layer's output (after its activation; the logits
        for the output layer) and the flat gradient of every weight then every bias. Each parameter's
        `.grad` is put back as it was, so the optimizer's next step cannot tell this pass happened."""
        run = self.run
        h, outputs = run.inputs_train, []
        for module in run.model:
            h = module(h)
            if not isinstance(module, nn.Linear):
                outputs.append(h)
        outputs.append(h)
        loss = run.data_loss(h, run.y_train)
        saved = [p.grad for p in self.parameters]
        try:
            for p in self.parameters:
                p.grad = None
            loss.backward()
            gradients = np.concatenate([np.zeros(p.data.size) if p.grad is None else p.grad.ravel()
                                        for p in self.parameters])
        finally:
            for p, grad in zip(self.parameters, saved):
                p.grad = grad
        return loss, outputs, gradients

    def _blame(self, node):
        """The NonFinite for graph node `node`: its op and the layer it belongs to."""
        rows = {id(p): i % self.layers for i, p in enumerate(self.parameters)}
        if id(node) in rows:
            return NonFinite(node, node.name or "parameter", rows[id(node)])
        for candidate in (node, *node.parents):  # a layer's own op, or an activation right after it
            if candidate.op == "linear" and id(candidate.parents[1]) in rows:
                return NonFinite(node, node.op, rows[id(candidate.parents[1])])
        return NonFinite(node, node.op, None)

    def _remember(self, stats):
        self.timeline.append(stats)
        if len(self.timeline) > TIMELINE_LIMIT:
            half = TIMELINE_LIMIT // 2
            self.timeline[:-half] = self.timeline[:-half:2]

    def _past(self, epochs_ago):
        """The EpochStats from exactly `epochs_ago` epochs before the latest, or None if not kept."""
        if len(self.timeline) <= epochs_ago:
            return None
        past = self.timeline[-1 - epochs_ago]
        return past if past.epoch == self.timeline[-1].epoch - epochs_ago else None

    # ---- alerts ------------------------------------------------------------------------------------------
    def _alerts(self, stats):
        """Divergence alone when the run diverged (every other number is then meaningless), else the rest."""
        diverged = self._diverged(stats)
        if diverged:
            return [diverged]
        return [alert for alert in (self._vanishing(stats), self._exploding(stats), self._dead(stats),
                                    self._saturated(stats), self._overfitting()) if alert]

    def _diverged(self, stats):
        lr = f"The learning rate ({self.run.optimizer.lr:g}) is too high for this network: lower it, then press Reset."
        if stats.nonfinite is not None:
            op, row = stats.nonfinite.op, stats.nonfinite.layer
            where = f"the {op} step of the loss" if row is None else f"the {op} step of {layer_name(row, self.layers)}"
            if op in ("weight", "bias"):
                where = f"the {op}s of {layer_name(row, self.layers)}"
            return Alert("diverged", () if row is None else (row,),
                         f"Training diverged: {where} produced a value that is not a finite number (NaN or infinity).",
                         lr)
        history = [row[0] for row in self.run.history[-DIVERGED_EPOCHS:]]
        limit = DIVERGED_LOSS_FACTOR * max(self.run.best_loss, DIVERGED_LOSS_FLOOR)
        if len(history) == DIVERGED_EPOCHS and min(history) >= limit:
            return Alert("diverged", (), f"Training diverged: the training loss has stayed at {DIVERGED_LOSS_FACTOR:g}x "
                         f"its best ({self.run.best_loss:.3g}) or more for {DIVERGED_EPOCHS} epochs.", lr)
        jumped = np.flatnonzero(stats.update_ratio > DIVERGED_UPDATE_RATIO)
        if len(jumped):
            row = int(jumped[np.argmax(stats.update_ratio[jumped])])
            return Alert("diverged", tuple(int(r) for r in jumped),
                         f"Training diverged: in one epoch the weights of {layer_name(row, self.layers)} moved "
                         f"{stats.update_ratio[row]:.3g} times their own size.", lr)
        return None

    def _vanishing(self, stats):
        rms = stats.weight_gradient[:, NORM] / np.sqrt(self._sizes[:self.layers])
        if not rms[-1] > 0:
            return None
        rows = tuple(int(r) for r in np.flatnonzero(rms[:-1] < VANISHING_RATIO * rms[-1]))
        if not rows:
            return None
        return Alert("vanishing", rows,
                     f"Vanishing gradients: the weights of {_named(rows, self.layers)} get a gradient "
                     f"{rms[-1] / rms[rows[0]]:.2g} times smaller than the output layer's, so they barely learn.",
                     "Use ReLU (or Leaky ReLU) instead of sigmoid or tanh, or use fewer layers.")

    def _exploding(self, stats):
        past = self._past(EXPLODING_EPOCHS)
        if past is None:
            return None
        norm, before = stats.weight_gradient[:, NORM], past.weight_gradient[:, NORM]
        rows = tuple(int(r) for r in np.flatnonzero((norm > EXPLODING_FLOOR) & (norm >= EXPLODING_GROWTH * before)))
        if not rows:
            return None
        return Alert("exploding", rows,
                     f"Exploding gradients: the gradient of {_named(rows, self.layers)} grew "
                     f"{norm[rows[0]] / before[rows[0]]:.3g} times in {EXPLODING_EPOCHS} epochs.",
                     "Lower the learning rate; with many layers, fewer layers or tanh instead of ReLU also help.")

    def _dead(self, stats):
        rows = tuple(int(r) for r in np.flatnonzero(stats.dead >= DEAD_SHARE))
        if not rows:
            return None
        shares = ", ".join(f"{100 * stats.dead[r]:.0f}%" for r in rows)
        return Alert("dead", rows,
                     f"Dead units: {shares} of the ReLU units in {_named(rows, self.layers)} output 0 on every "
                     "training point, so no gradient reaches them and they never recover.",
                     "Press Reset to start from fresh weights, lower the learning rate, or use Leaky ReLU.")

    def _saturated(self, stats):
        rows = tuple(int(r) for r in np.flatnonzero(stats.saturated >= SATURATED_SHARE))
        if not rows:
            return None
        shares = ", ".join(f"{100 * stats.saturated[r]:.0f}%" for r in rows)
        return Alert("saturated", rows,
                     f"Saturated units: {shares} of the units in {_named(rows, self.layers)} sit at the end of "
                     "their range on almost every training point, where their slope and gradient are near 0.",
                     "Lower the learning rate, use smaller input features (x1^2 and x2^2 reach 36), or use ReLU.")

    def _overfitting(self):
        history = np.array(self.run.history[-2 * GAP_EPOCHS:], dtype=np.float64).reshape(-1, 4)
        if len(history) < 2 * GAP_EPOCHS or np.isnan(history[:, 1]).any():
            return None
        (train_before, test_before), (train_now, test_now) = history[:, :2].reshape(2, GAP_EPOCHS, 2).mean(axis=1)
        if not (test_now > (1 + GAP_RISE) * test_before and train_now < train_before):
            return None
        return Alert("overfitting", (),
                     f"Overfitting: over the last {GAP_EPOCHS} epochs the test loss rose {100 * (test_now / test_before - 1):.0f}% "
                     "while the training loss fell: the network is memorising the training points.",
                     "Add regularization (L2), use a smaller network, train on more of the data, or stop here.")


class GradientCheck(NamedTuple):
    """The outcome of `check_gradients`: the `largest` relative error, and one error per parameter as
    (layer row, "weight" or "bias", error)."""

    largest: float
    errors: tuple


def check_gradients(run, points=GRADCHECK_POINTS, eps=GRADCHECK_EPS):
    """Compare the engine's gradients of the data loss on the first `points` training points with central
    differences (`engine.gradcheck.numerical_gradient`), for every weight and bias of the current network.

    The error of one entry is |backward - numerical| / max(|backward| + |numerical|, floor), with floor =
    GRADCHECK_FLOOR x max(1, |loss|): relative even for the small gradients networks have, yet not dividing
    rounding noise by noise where both are ~0. Correct gradients score below about 1e-4 (usually ~1e-8); a
    wrong rule scores near 1. Costs two forward passes per parameter entry; the weights, their gradients and
    the run's next step are left exactly as they were.
    """
    model, inputs, labels = run.model, run.inputs_train[:points], run.y_train[:points]
    linears = [m for m in model if isinstance(m, nn.Linear)]
    parameters = [(row, kind, getattr(layer, kind)) for row, layer in enumerate(linears) for kind in ("weight", "bias")]
    tensors = [tensor for _, _, tensor in parameters]

    def loss(_):
        return run.data_loss(model(inputs), labels)

    saved = [t.grad for t in tensors]
    try:
        for t in tensors:
            t.grad = None
        value = loss(tensors)
        value.backward()
        analytic = [np.zeros_like(t.data) if t.grad is None else t.grad.copy() for t in tensors]
    finally:
        for t, grad in zip(tensors, saved):
            t.grad = grad
    with no_grad():
        numerical = numerical_gradient(loss, tensors, eps)
    floor = GRADCHECK_FLOOR * max(1.0, abs(value.item()))
    errors = tuple((row, kind, float((np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)).max()))
                   for (row, kind, _), a, n in zip(parameters, analytic, numerical))
    return GradientCheck(max(error for _, _, error in errors), errors)
