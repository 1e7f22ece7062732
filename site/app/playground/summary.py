"""Words for what the canvases show: the text alternative a screen reader announces, the caption written
under a saved picture or clip, which points are test points, what a switch of activation did, and what to do
while there are no points."""
import math

from app.playground.state import SETTINGS, hidden_activations

DATASET_NAMES = {"circle": "Circle", "xor": "Exclusive or", "gauss": "Gaussian", "spiral": "Spiral",
                 "moons": "Moons", "blobs3": "Three classes", "plane": "Plane", "multigauss": "Gaussians",
                 "custom": "Your points"}  # as the page's Dataset choices say them
ACTIVATION_NAMES = {"tanh": "tanh", "relu": "ReLU", "sigmoid": "sigmoid", "linear": "linear",
                    "leaky_relu": "leaky ReLU"}
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "momentum", "rmsprop": "RMSprop", "adam": "Adam",
                   "code": "your code's optimizer"}
_WRITERS = {setting.name: setting.kind.write for setting in SETTINGS}
NO_POINTS = ("There are no points to train on yet: click the Output plane to add one (shift-click adds the other "
             "class, or −1 in regression), or paste CSV under “Your own points”.")


def label_of(feature):
    """A feature's name as the network view prints it.

    >>> label_of("x1^2"), label_of("sin(x2)")
    ('x₁²', 'sin(x₂)')
    """
    return feature.replace("x1", "x\u2081").replace("x2", "x\u2082").replace("^2", "\u00b2")


def network_shape(run):
    """Neurons per layer of the network that trains (the controls' or the code's), as "2-4-2-1"."""
    return "-".join(str(n) for n in run.layer_sizes())


def describe(state, run, point=None, output=None):
    """Plain sentences: what trains on what, how far it got, and, for the input whose activations are
    drawn, what the network answers there.

    `output` is `Run.output_values` at `point` (one row): a probability, class probabilities or a value.
    """
    dataset = "your own points" if state.dataset == "custom" else f"the {DATASET_NAMES[state.dataset].lower()} dataset"
    functions = " and ".join(dict.fromkeys(run.activation_names()[:-1]))  # the model's, be it yours or the controls'
    text = f"A {network_shape(run)} {functions}{' ' if functions else ''}network is learning {dataset}. Epoch {run.epoch}."
    if run.history:
        train, test, train_accuracy, test_accuracy = run.history[-1]
        text += f" Training loss {train:.3f}, test loss {test:.3f}."
        if not run.regression:
            text += f" Accuracy {100 * train_accuracy:.0f}% on training data, {100 * test_accuracy:.0f}% on test data."
    if point is not None and output is not None:
        where = f"At the input ({point[0]:.2f}, {point[1]:.2f})"
        if run.regression:
            text += f" {where} it predicts {output[0]:.2f}."
        elif run.classes > 1:
            text += f" {where} it gives classes 0, 1, 2 the probabilities " + ", ".join(f"{p:.2f}" for p in output) + "."
        else:
            text += f" {where} it gives class 1 a probability of {output[0]:.2f}."
    return text


INIT_NAMES = {"xavier_uniform": "Xavier uniform", "xavier_normal": "Xavier normal", "he_normal": "He normal",
              "uniform": "uniform \u00b11/\u221afan-in", "zeros": "zeros"}  # as the Initialisation menu says them
SCHEDULE_NAMES = {"step": "halved every 100 epochs", "cosine": "cosine schedule"}


def training_options(state):
    """What "More training options" has switched on, in words after its title, so it shows while it is closed:
    "" when all are at their defaults.

    >>> from app.playground.state import State
    >>> training_options(State()), training_options(State(init="zeros", schedule="cosine", clip=1))
    ('', ': zeros init, cosine schedule, clipping at 1')
    >>> training_options(State(dropout=0.3, batch_norm=True))
    ': dropout 0.3, batch norm'

    """
    on = ([f"dropout {_WRITERS['dropout'](state.dropout)}"] if state.dropout else []) + \
         (["batch norm"] if state.batch_norm else []) + \
         ([f"{INIT_NAMES[state.init]} init"] if state.init != "default" else []) + \
         ([SCHEDULE_NAMES[state.schedule]] if state.schedule != "none" else []) + \
         ([f"clipping at {_WRITERS['clip'](state.clip)}"] if state.clip else [])
    return f": {', '.join(on)}" if on else ""


def points_note(state, training, test):
    """Which points on the Output plane are test points, when any are drawn (`test` of them, hollow, beside
    `training` filled ones), or how your own points will be split: "" when there is nothing to say.

    >>> from app.playground.state import State
    >>> points_note(State(dataset="custom"), 3, 2)[:74]
    'Of your 5 points, 3 train the network; the 2 hollow ones are test points, '
    >>> points_note(State(dataset="custom", train_ratio=70), 2, 0)
    'Both your points train the network; 30% of the points you add are held out as test points, drawn hollow.'
    """
    if state.dataset != "custom":
        return "Hollow points are test points, held out from training." if test else ""
    if not training + test:
        return ""
    if not test:
        which = {1: "Your point", 2: "Both your points"}.get(training, f"All {training} of your points")
        return (f"{which} train{'s' if training == 1 else ''} the network; {100 - state.train_ratio}% of the points "
                "you add are held out as test points, drawn hollow.")
    hollow = "the hollow one is a test point" if test == 1 else f"the {test} hollow ones are test points"
    return (f"Of your {training + test} points, {training} train{'s' if training == 1 else ''} the network; {hollow}, "
            "held out to see how it does on points it never trained on.")


def activation_message(activations, playing, epoch):
    """What switching the hidden layers to `activations` did: a paused network keeps its weights (trained
    for `epoch` epochs) under the new function; a playing one starts afresh, initialised for it.

    >>> activation_message(["relu", "relu"], True, 12)[:30]
    'A fresh network for relu, init'
    """
    names = " and ".join(dict.fromkeys(activations)) or "no activation"
    if not playing:
        return (f"The same weights (epoch {epoch}), now through {names}: the pictures show what it does "
                f"with them. Play trains on from here; Reset starts a fresh network initialised for {names}.")
    return (f"A fresh network for {names}, initialised for it. To see trained weights through another "
            "function instead, pause first, then switch.")


def caption(state, run, numbers, code_model=False):
    """The two lines under a saved picture: the settings that made it, then how far training got.

    `numbers` are the training and test loss and accuracy the page shows (NaN where there is nothing to
    measure); `code_model` says the network comes from the user's code, not from the layer controls.
    """
    activations = list(dict.fromkeys(ACTIVATION_NAMES[name] for name in hidden_activations(state)))
    if code_model:
        network = f"{network_shape(run)} network from your code"
    elif activations:
        network = f"{network_shape(run)} network, {', '.join(activations)}"
    else:
        network = f"{network_shape(run)} network (no hidden layer)"
    settings = [DATASET_NAMES[state.dataset], network, "inputs " + ", ".join(map(label_of, state.features))]
    optimizer = OPTIMIZER_NAMES[run.optimizer_name]
    if run.optimizer_name != "code":
        optimizer += f", learning rate {_WRITERS['lr'](state.lr)}"
    settings += [optimizer, f"batch {state.batch_size}"]
    if state.regularization != "none" and state.reg_rate:
        settings.append(f"{state.regularization.upper()} {_WRITERS['reg_rate'](state.reg_rate)}")
    train, test, train_accuracy, test_accuracy = numbers
    progress = [f"training loss {_number(train)}"]
    if not math.isnan(test):
        progress.append(f"test loss {_number(test)}")
    if not run.regression and not math.isnan(train_accuracy):
        accuracy = f"accuracy {100 * train_accuracy:.1f}% training"
        if not math.isnan(test_accuracy):
            accuracy += f", {100 * test_accuracy:.1f}% test"
        progress.append(accuracy)
    return [" · ".join(settings), f"Epoch {run.epoch}: " + " · ".join(progress)]


def _number(value):
    """A loss as the page shows it: three decimals, or a dash when there is none."""
    return "–" if math.isnan(value) else f"{value:.3f}"
