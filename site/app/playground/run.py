"""One training run built from the playground's settings, advanced one epoch at a time.

An epoch is one pass over the training points in mini-batches, as in TensorFlow Playground, so the epoch
counter means the same thing here as there. Everything the page shows about the network (losses,
accuracy, activations, the decision boundary) is computed here by the engine; nothing touches the browser.
"""
import numpy as np

from engine import data, nn, no_grad, optim
from engine.nn.utils import clip_grad_norm_
from engine.kernels import sigmoid_array, tanh_array
from engine.nn import functional as F

from app.playground.state import hidden_activations, layer_sizes, output_size

_ACTIVATION_NAMES = {type(nn.activation_by_name(name)): name for name in nn.ACTIVATIONS}  # module class -> name
BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)
# Modules that sit between a Linear and its activation, or after it, without being a layer of neurons of their own.
BETWEEN_LAYERS = (nn.Dropout, *BATCH_NORMS)

INPUT_RANGE = 6.0  # datasets lie within about [-6, 6] on both axes


def make_points(state):
    """The dataset's 2-D points and labels: generated from the seed, or the user's own."""
    if state.dataset == "custom":
        points = np.array(state.custom, dtype=np.float64).reshape(-1, 3)
        labels = points[:, 2] if state.problem == "regression" else points[:, 2].astype(np.int64)
        return points[:, :2], labels
    return data.make(state.dataset, n=state.points, noise=state.noise / 100, seed=state.seed)


def held_out(count, train_ratio):
    """Which of `count` own points, in the order they were added, are test points: one wherever the running
    count of test points at `100 - train_ratio` percent ticks up. The first point always trains, and a point
    added never moves one added before between training and test, so what you clicked stays where it went.

    >>> held_out(5, 50).tolist(), held_out(4, 70).tolist()
    ([False, True, False, True, False], [False, False, False, True])
    """
    share, order = 100 - train_ratio, np.arange(count)
    return (order + 1) * share // 100 > order * share // 100


def make_optimizer(name, params, lr):
    """The optimizer called `name`; "momentum" is SGD with momentum 0.9."""
    if name == "adam":
        return optim.Adam(params, lr=lr)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr)
    return optim.SGD(params, lr=lr, momentum=0.9 if name == "momentum" else 0.0)


# The Schedule control: how the learning rate moves from the epoch it is chosen on, stepped once an epoch.
# Each choice's engine scheduler and its arguments: halve every 100 epochs; a cosine down to 0 over 300. The
# editor's starter code writes the same call (app.editor.starter).
SCHEDULES = {"step": ("StepLR", {"step_size": 100, "gamma": 0.5}), "cosine": ("CosineAnnealingLR", {"T_max": 300})}


def make_scheduler(name, optimizer):
    """The learning-rate schedule called `name` on `optimizer` ("step", "cosine"), or None for "none"."""
    if name not in SCHEDULES:
        return None
    scheduler, arguments = SCHEDULES[name]
    return getattr(optim.lr_scheduler, scheduler)(optimizer, **arguments)


def hidden_layer_ends(model):
    """Where in `model` (a Sequential) each hidden layer's values come out: the module right before each Linear
    but the first (its activation, or a Dropout after it), so a batch norm or a dropout between a Linear and the
    next one is part of the layer they follow, not a layer of their own.

    >>> sorted(hidden_layer_ends(nn.MLP(2, [3, 3], 1, dropout=0.5, batch_norm=True)))
    [3, 7]
    """
    modules = list(model)
    starts = [index for index, module in enumerate(modules) if isinstance(module, nn.Linear)][1:]
    return {start - 1 for start in starts if not isinstance(modules[start - 1], nn.Linear)}


def between_layers(model, layer):
    """The modules of `model` from the Linear that computes neuron layer `layer` (1 for the first hidden layer) up to
    the next Linear: (index in the model, module), e.g. a BatchNorm1d, a Tanh and a Dropout."""
    linears = [i for i, module in enumerate(model) if isinstance(module, nn.Linear)]
    end = linears[layer] if layer < len(linears) else len(model)
    return [(i, model[i]) for i in range(linears[layer - 1] + 1, end)]


class CodeError(ValueError):
    """The user's code set something the playground cannot train or draw; the message says what."""


def check_model(model, n_in, n_out):
    """Raise CodeError, in plain words, unless `model` maps (N, n_in) inputs to (N, n_out) logits and is
    drawn layer by layer (an `nn.Sequential` of Linear layers and activations, such as `nn.MLP`)."""
    if not isinstance(model, nn.Sequential):
        raise CodeError(f"`model` is a {type(model).__name__}; the playground trains and draws an nn.Sequential "
                        "of Linear layers and activations, such as nn.MLP(...)")
    linears = [layer for layer in model if isinstance(layer, nn.Linear)]
    if not linears or not isinstance(model[-1], nn.Linear):
        raise CodeError("`model` must end with an nn.Linear layer (its outputs are the logits)")
    if linears[0].n_in != n_in:
        raise CodeError(f"`model` takes {linears[0].n_in} inputs but the chosen features give {n_in}; "
                        f"make its first layer nn.Linear({n_in}, ...) or change the features")
    if linears[-1].n_out != n_out:
        raise CodeError(f"`model` gives {linears[-1].n_out} outputs but this problem needs {n_out}")


class Run:
    """A model learning one dataset under one `State`; `code` is what the user's code set (`model`, and
    optionally `optimizer` and `loss_fn(logits, labels)`), which takes the place of the controls' network."""

    def __init__(self, state, code=None):
        self.state = state
        code = code or {}
        X, y = make_points(state)
        if state.dataset == "custom":  # your own points: each keeps its part as you add more (see held_out)
            test = held_out(len(X), state.train_ratio)
            self.X_train, self.y_train, self.X_test, self.y_test = X[~test], y[~test], X[test], y[test]
        else:
            self.X_train, self.y_train, self.X_test, self.y_test = data.split(X, y, 1 - state.train_ratio / 100,
                                                                              seed=state.seed)
        self.inputs_train = data.features(self.X_train, state.features)
        self.inputs_test = data.features(self.X_test, state.features)
        self.classes = output_size(state)
        self.regression = state.problem == "regression"
        sizes = layer_sizes(state)
        if code.get("model") is not None:
            check_model(code["model"], sizes[0], sizes[-1])
            self.model = code["model"]
        else:
            self.model = nn.MLP(sizes[0], sizes[1:-1], sizes[-1], activation=hidden_activations(state),
                                rng=np.random.default_rng(state.seed), dropout=state.dropout,
                                batch_norm=state.batch_norm, init=None if state.init == "default" else state.init)
        # At rest the network is in evaluation mode: the plane, the test loss and every view see it as it predicts
        # (no units dropped, batch norm from its running statistics); a training step switches it to training.
        self.model.eval()
        self.loss_fn = code.get("loss_fn")
        self.optimizer = code.get("optimizer") or make_optimizer(state.optimizer, self.model.parameters(), state.lr)
        self.optimizer_name = "code" if code.get("optimizer") else state.optimizer
        self.scheduler = make_scheduler(state.schedule, self.optimizer)
        self.weights = [layer.weight for layer in self.model if isinstance(layer, nn.Linear)]
        self.epoch = 0
        self.first_bad_batch = None  # the loss graph of the first batch whose loss was not finite
        self.history = []       # per epoch: train loss, test loss, train accuracy, test accuracy
        self.best_loss = np.inf
        self.best_epoch = 0
        # A Monitor sets keep_train_pass: measure() then runs the training set's forward pass with its graph
        # and keeps it, so the monitor's gradients cost one backward pass instead of another forward too.
        self.keep_train_pass = False
        self._train_pass = None
        self.recorder = None  # an engine.trace.TraceRecorder while the learner keeps a trace of this run

    # ---- the loss the user chose -------------------------------------------------------------------
    def data_loss(self, logits, labels):
        if self.loss_fn is not None:
            return self.loss_fn(logits, labels)
        loss = self.state.loss
        if self.regression:
            return F.mse_loss(logits, labels[:, None])
        if self.classes > 1:
            if loss == "mse":
                return F.mse_loss(logits.softmax(axis=1), np.eye(self.classes)[labels])
            return F.cross_entropy(logits, labels)
        if loss == "mse":
            return F.mse_loss(logits.sigmoid(), labels[:, None].astype(np.float64))
        return F.binary_cross_entropy_with_logits(logits, labels[:, None].astype(np.float64))

    def penalty(self):
        """The regularization term: the rate times L1 or L2 of every weight (biases are left free), or
        None when there is none (so the graph gets no `+ 0` node)."""
        if self.state.regularization == "none" or not self.state.reg_rate:
            return None
        penalty = F.l1_penalty if self.state.regularization == "l1" else F.l2_penalty
        return self.state.reg_rate * penalty(self.weights)

    def training_loss(self, inputs, labels):
        """What a training step minimises: the data loss of a batch, plus the penalty when there is one."""
        loss, penalty = self.data_loss(self.model(inputs), labels), self.penalty()
        return loss if penalty is None else loss + penalty

    # ---- training ----------------------------------------------------------------------------------
    def train_epoch(self, first_batch=0):
        """One pass over the training points, one optimizer step per mini-batch; then measure. From
        mini-batch `first_batch` on when the step-through has taken the ones before, one at a time."""
        size = self.state.batch_size
        self.model.train()
        for start in range(first_batch * size, self.batched_points(), size):
            batch = slice(start, start + size)
            loss = self.training_loss(self.inputs_train[batch], self.y_train[batch])
            if self.first_bad_batch is None and not np.isfinite(loss.data):
                self.first_bad_batch = loss  # diagnostics name the op where NaN or infinity first appeared
            self.take_step(loss)
        self.model.eval()
        self.epoch += 1
        if self.scheduler is not None:
            self.scheduler.step()
        self.history.append(self.measure())
        if self.history[-1][0] < self.best_loss:
            self.best_loss, self.best_epoch = self.history[-1][0], self.epoch

    def batched_points(self):
        """How many training points an epoch's batches cover: all of them, but for a last batch of one point
        when the network has batch norm, which cannot normalise one point (PyTorch's drop_last, for that batch)."""
        count = len(self.inputs_train)
        alone = count % self.state.batch_size == 1 and count > 1
        has_batch_norm = any(isinstance(module, BATCH_NORMS) for module in self.model.modules())
        return count - 1 if alone and has_batch_norm else count

    def take_step(self, loss, observer=None):
        """One optimizer step down `loss`: zero_grad, backward (with `observer`, see `Tensor.backward`), the
        gradients clipped to the Gradient clipping norm when it is on, step; kept in the run's trace when the
        learner keeps one (`recorder`). Returns the gradients' total norm before clipping (None without it)."""
        norms = []
        clip = (lambda: norms.append(float(clip_grad_norm_(self.model.parameters(), self.state.clip)))) \
            if self.state.clip else None
        if self.recorder is not None:
            self.recorder.record_step(loss, self.optimizer, observer, before_step=clip)
        else:
            self.optimizer.zero_grad()
            loss.backward(observer=observer)
            if clip is not None:
                clip()
            self.optimizer.step()
        return norms[0] if norms else None

    def measure(self):
        """Train loss, test loss, train accuracy, test accuracy (NaN where there is nothing to measure)."""
        if self.keep_train_pass and len(self.inputs_train):
            self._train_pass = self._forward_pass(self.inputs_train, self.y_train)
            train = self._loss_and_accuracy(*self._train_pass, self.y_train)
        else:
            with no_grad():
                train = self._loss_and_accuracy(*self._forward_pass(self.inputs_train, self.y_train), self.y_train)
        with no_grad():
            test = self._loss_and_accuracy(*self._forward_pass(self.inputs_test, self.y_test), self.y_test)
        return train[0], test[0], train[1], test[1]

    def forget_passes(self):
        """Drop the kept training pass: the weights changed under it."""
        self._train_pass = None

    def __getstate__(self):
        """What a copy in another interpreter (the trainer in a worker) gets: everything but the graphs of passes
        already taken, which hold this interpreter's backward functions, and the trace being kept."""
        return {**self.__dict__, "_train_pass": None, "first_bad_batch": None, "recorder": None}

    def take_train_pass(self):
        """The training set's data loss and each layer's output, graph and all (see `_forward_pass`), as the
        last measure() left them when nothing has changed the weights since, else computed now."""
        kept, self._train_pass = self._train_pass, None
        return kept or self._forward_pass(self.inputs_train, self.y_train)

    def _forward_pass(self, inputs, labels):
        """The data loss of `inputs` and every layer's output: after each activation, and the logits last.
        (None and an empty list when there are no inputs.)"""
        if not len(inputs):
            return None, []
        h, outputs, ends = inputs, [], hidden_layer_ends(self.model)
        for index, module in enumerate(self.model):
            h = module(h)
            if index in ends:
                outputs.append(h)
        outputs.append(h)
        return self.data_loss(h, labels), outputs

    def _loss_and_accuracy(self, loss, outputs, labels):
        if loss is None:
            return np.nan, np.nan
        predicted = self.predicted_class(outputs[-1].data)
        return loss.item(), np.nan if self.regression else float((predicted == labels).mean())

    def activation_names(self):
        """The function after each Linear layer, the output's "linear" last: an activation's name (one of
        `nn.ACTIVATIONS`), or the class name of your own module, as the model has them."""
        modules = [module for module in self.model if not isinstance(module, BETWEEN_LAYERS)] + [nn.Identity()]
        return [_ACTIVATION_NAMES.get(type(after), type(after).__name__)
                for layer, after in zip(modules, modules[1:]) if isinstance(layer, nn.Linear)]

    def layer_sizes(self):
        """Neurons per layer, inputs first, as the model has them."""
        return [self.weights[0].shape[1]] + [w.shape[0] for w in self.weights]

    def predicted_class(self, logits):
        return logits.argmax(axis=1) if self.classes > 1 else (logits[:, 0] > 0).astype(np.int64)

    def stop_reason(self):
        """Why the user's auto-stop rule says to stop now, in words, or None to keep going."""
        if not self.history:
            return None
        if self.state.stop_loss is not None and self.history[-1][0] <= self.state.stop_loss:
            return f"Stopped: the training loss reached {self.history[-1][0]:.4f} (target {self.state.stop_loss:g})."
        plateau = self.state.stop_plateau
        if plateau and self.epoch - self.best_epoch >= plateau:
            return f"Stopped: no better training loss for {plateau} epochs (best {self.best_loss:.4f} at epoch {self.best_epoch})."
        return None

    # ---- what the views draw -----------------------------------------------------------------------
    def features(self, points):
        """The network's inputs at 2-D `points`: the features the run was set up with."""
        return data.features(points, self.state.features)

    def layer_outputs(self, points):
        """Every neuron's output at each 2-D point: a list of (n_points, n_neurons) arrays, one per layer
        (the input features, each hidden layer after its activation, and the output layer's logits)."""
        h = self.features(points)
        outputs, ends = [h], hidden_layer_ends(self.model)
        with no_grad():
            for index, layer in enumerate(self.model):
                h = layer(h)
                if index in ends:
                    outputs.append(h.data)
            outputs.append(h.data)
        return outputs

    def output_values(self, logits):
        """The output layer as the user reads it, (n, outputs): the probability of class 1 (binary), each
        class's probability (three classes), or the predicted value (regression)."""
        if self.regression:
            return logits
        if self.classes > 1:
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            return shifted / shifted.sum(axis=1, keepdims=True)
        return sigmoid_array(logits)

    def output_shade(self, logits):
        """The output on the diverging colour scale, in [-1, 1]: probabilities as 2p - 1, values clipped."""
        if self.regression:
            return np.clip(logits, -1.0, 1.0)
        if self.classes == 1:
            return tanh_array(0.5 * logits)  # 2p - 1 for p = sigmoid(logit), in a single pass
        return 2.0 * self.output_values(logits) - 1.0

    def use_optimizer(self, name, lr, schedule="none"):
        """Switch optimizer, learning rate or schedule mid-run, keeping the weights (as TF Playground does for the
        rate); a schedule starts again from this epoch, at the rate chosen."""
        if name == self.optimizer_name:
            self.optimizer.lr = lr  # every optimizer reads its rate at each step
        else:
            self.optimizer, self.optimizer_name = make_optimizer(name, self.model.parameters(), lr), name
        self.scheduler = make_scheduler(schedule, self.optimizer)

    def adopt(self, previous):
        """Continue from `previous`: same architecture, so take its weights, epoch and history (used when
        the user edits their own points mid-run)."""
        mine, theirs = self.model.parameters(), previous.model.parameters()
        if [p.shape for p in mine] != [p.shape for p in theirs]:
            return
        for param, old in zip(mine, theirs):
            param.data[...] = old.data
        self.forget_passes()
        self.epoch, self.history = previous.epoch, list(previous.history)
        self.best_loss, self.best_epoch = previous.best_loss, previous.best_epoch

    def set_weight(self, layer, to_neuron, from_neuron, value):
        """Let the learner overwrite one weight (clicking an edge), keeping the run going from there."""
        self.weights[layer].data[to_neuron, from_neuron] = float(value)
        self.forget_passes()
