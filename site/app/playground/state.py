"""The playground's whole configuration as one frozen `State`, and its pure codec to and from the link's
URL fragment (`#v=1&key=value&...`).

The fields of `State` are the table: each field carries its plain-words label and the kind of value it
takes, so encoding, decoding, validation and the UI's choice lists all read one table and cannot drift
apart. Nothing decoded is trusted: a bad value falls back (to its default when read from a link, to the
current value when set from a control) with a note in plain text saying what was wrong and what was used
instead. Apart from the two name lists it takes from the engine, standard library only, because this
module runs in CPython tests and in Pyodide alike.
"""
from dataclasses import dataclass, field, fields, replace
from typing import NamedTuple
from urllib.parse import quote, unquote

from app.playground.setting_kinds import (Change, Invalid, Kind, LayerSizes, NameList, OneOf, OneOfNumbers, OneOfOrFile,
                                          OptionalNumber, PointList, Selection, Switch, WholeNumber, capped, decimal,
                                          shown, whole)
from engine.data import FEATURES
from engine.nn import ACTIVATIONS

VERSION = 1
MAX_FRAGMENT_BYTES = 64 * 1024
EXTRA_KEYS = ("preset", "step", "code", "trace", "model")  # link keys that lessons (a preset and its step), the
                                                            # code editor, traces and the digits lab (a model's
                                                            # URL) own; passed as text

# The choice lists, written once (ACTIVATIONS and FEATURES in the engine, which builds them); the table
# below and the UI's controls both read them.
DATASETS = {
    "classification": ("circle", "xor", "gauss", "spiral", "moons", "blobs3", "custom"),
    "regression": ("plane", "multigauss", "custom"),
}
PROBLEMS = tuple(DATASETS)
ALL_DATASETS = tuple(dict.fromkeys(name for names in DATASETS.values() for name in names))
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)  # TF Playground's
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)          # TF Playground's
REGULARIZATIONS = ("none", "l1", "l2")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
LOSSES = ("auto", "mse", "cross_entropy")
# How the weights start ("default": scaled for each layer's activation, as nn.MLP draws them), how the learning
# rate moves during a run, and the largest total gradient norm a step may take (0: no clipping).
INITS = ("default", "xavier_uniform", "xavier_normal", "he_normal", "uniform", "zeros")
SCHEDULES = ("none", "step", "cosine")
CLIP_NORMS = (0, 0.1, 0.5, 1, 5)
DROPOUT_RATES = (0, 0.1, 0.2, 0.3, 0.4, 0.5)  # the share of each hidden layer's units dropped at each training step
# The Speed control: epochs a second, or "max", as many as training takes (in the worker, hundreds a second
# for small networks; in the page's own frames, one a frame). Slow speeds are for watching each epoch.
SPEEDS = ("1", "5", "15", "60", "max")
MAX_LAYERS = 10
MAX_NEURONS = 100
MAX_WEIGHTS = 11_000  # "about 10,000": 2-100-100-1 (10,300) fits, even with all 7 features and 3 outputs
MAX_POINTS = 1_000
PLANE = 6.0  # datasets and the heatmaps span [-6, 6] on both axes; a custom point must lie on them
CLASS_LABELS = (0, 1, 2)
# The rooms under the core picture, one open at a time (the page shows the one on body's data-room); the
# first opens by default. The core itself (the controls, Data, the Network with Next phase, the Output) is
# always there.
ROOMS = ("graph", "code", "diagnostics", "traces", "digits", "race")
# The digits lab's networks (app.digits.mnist_models.NETWORKS, which the playground may not import: a test
# keeps the two lists equal); the first opens by default, the CNN, whose layers the lab shows most of. A model
# opened in the lab, or a trace, is chosen by its file's name (app.digits.opened_models.MODEL_FILES and
# digit_traces.TRACE_FILE: the same test).
# What an embedded page (embed=1) may leave out with hide=: panels of the core picture, the rooms, and the
# toolbar's settings one by one (TF Playground's *_hide flags). The transport (Play, Step, Reset) always stays.
HIDEABLE = ("data", "start", "rooms", "speed", "lr", "activation", "regularization", "reg_rate", "problem",
            "optimizer", "loss", "features", "layers", "walkthrough", "options")
DIGITS_MODELS = ("cnn", "mlp")
MODEL_FILES = (".onnx", ".npz", ".json")
_URL_SAFE = ",;()/:"  # kept as they are in links: they separate lists and points, and URLs read well

# The settings a race may change (see app.compare), each with the kind its own field has.
RACEABLE = (("lr", OneOfNumbers(LEARNING_RATES)), ("activation", OneOf(ACTIVATIONS)),
            ("regularization", OneOf(REGULARIZATIONS)), ("reg_rate", OneOfNumbers(REGULARIZATION_RATES)),
            ("optimizer", OneOf(OPTIMIZERS)), ("loss", OneOf(LOSSES)), ("init", OneOf(INITS)),
            ("schedule", OneOf(SCHEDULES)), ("clip", OneOfNumbers(CLIP_NORMS)),
            ("dropout", OneOfNumbers(DROPOUT_RATES)), ("batch_norm", Switch()))


def _setting(label, default, kind):
    return field(default=default, metadata={"label": label, "kind": kind})


@dataclass(frozen=True)
class State:
    """Everything a link reproduces. Each field is one link key (its name), in link order.

    Make changed copies with `with_change` (checked, with notes) or `dataclasses.replace` (unchecked).

    >>> State().hidden, State().lr
    ((4, 2), 0.03)
    """

    dataset: str = _setting("dataset", "circle", OneOf(ALL_DATASETS))
    problem: str = _setting("problem type", "classification", OneOf(PROBLEMS))
    lr: float = _setting("learning rate", 0.03, dict(RACEABLE)["lr"])
    activation: str = _setting("activation", "tanh", dict(RACEABLE)["activation"])
    layer_activations: tuple[str, ...] = _setting(
        "layer activations", (), NameList(ACTIVATIONS, empty="the main activation in every layer"))
    regularization: str = _setting("regularization", "none", dict(RACEABLE)["regularization"])
    reg_rate: float = _setting("regularization rate", 0, dict(RACEABLE)["reg_rate"])
    train_ratio: int = _setting("training data percent", 50, WholeNumber(10, 90, step=10))
    noise: int = _setting("noise", 0, WholeNumber(0, 50, step=5))
    batch_size: int = _setting("batch size", 10, WholeNumber(1, 30))
    points: int = _setting("number of points", 500, WholeNumber(50, 2000))
    hidden: tuple[int, ...] = _setting("hidden layers", (4, 2), LayerSizes(MAX_LAYERS, MAX_NEURONS))
    features: tuple[str, ...] = _setting("features", ("x1", "x2"), Selection(FEATURES))
    optimizer: str = _setting("optimizer", "sgd", dict(RACEABLE)["optimizer"])
    loss: str = _setting("loss", "auto", dict(RACEABLE)["loss"])
    init: str = _setting("initialisation", "default", dict(RACEABLE)["init"])
    schedule: str = _setting("schedule", "none", dict(RACEABLE)["schedule"])
    clip: float = _setting("gradient clipping", 0, dict(RACEABLE)["clip"])
    dropout: float = _setting("dropout rate", 0, dict(RACEABLE)["dropout"])
    batch_norm: bool = _setting("batch norm", False, dict(RACEABLE)["batch_norm"])
    race: str = _setting("race against", "lr:0.3", Change(RACEABLE))
    seed: int = _setting("seed", 0, WholeNumber(0, 2**32 - 1))
    show_test: bool = _setting("show test data", False, Switch())
    discretize: bool = _setting("discretize output", False, Switch())
    stop_loss: float | None = _setting("stop at loss", None, OptionalNumber(0, 10))
    stop_plateau: int = _setting("stop after epochs without improvement", 0, WholeNumber(0, 1000))
    speed: str = _setting("speed", "max", OneOf(SPEEDS))
    custom: tuple[tuple[float, float, float], ...] = _setting("your points", (), PointList(MAX_POINTS, PLANE))
    room: str = _setting("room", ROOMS[0], OneOf(ROOMS))
    embed: bool = _setting("embed", False, Switch())
    hide: tuple[str, ...] = _setting("hidden parts", (), NameList(HIDEABLE, empty="nothing hidden"))
    digits_model: str = _setting("digits lab model", DIGITS_MODELS[0], OneOfOrFile(DIGITS_MODELS, MODEL_FILES))


@dataclass(frozen=True)
class Setting:
    """One row of the table: a field of `State`, its plain-words label, default and kind of value."""

    name: str
    label: str
    default: object
    kind: Kind

    def note(self, value, problem, fallback, verb="using"):
        return f"{self.label} {shown(value)} {problem}; {verb} {self.kind.describe(fallback)}"


SETTINGS = tuple(Setting(f.name, f.metadata["label"], f.default, f.metadata["kind"]) for f in fields(State))
_BY_NAME = {setting.name: setting for setting in SETTINGS}


def output_size(state):
    """Output neurons: 3 for a three-class problem (blobs3, or own points using label 2), else 1."""
    if state.problem == "classification" and (
            state.dataset == "blobs3" or (state.dataset == "custom" and any(p[2] == 2 for p in state.custom))):
        return 3
    return 1


def hidden_activations(state):
    """The activation of each hidden layer: the per-layer choices, else the main activation everywhere.

    >>> hidden_activations(State()), hidden_activations(State(hidden=(3,), layer_activations=("relu",)))
    (['tanh', 'tanh'], ['relu'])
    """
    return list(state.layer_activations) or [state.activation] * len(state.hidden)


def layer_sizes(state):
    """Neurons per layer, inputs first: one per feature, the hidden layers, then the outputs.

    >>> layer_sizes(State())
    [2, 4, 2, 1]
    """
    return [len(state.features), *state.hidden, output_size(state)]


def weight_count(state):
    """Connection weights in the network (biases not counted); at most MAX_WEIGHTS.

    >>> weight_count(State(hidden=(100, 90)))
    9290
    """
    sizes = layer_sizes(state)
    return sum(a * b for a, b in zip(sizes, sizes[1:]))


# Rules between fields, applied in this order (the budget needs the features and outputs settled, and
# the per-layer activations need the final hidden layers). Each returns the state, fixed, and its notes.

def _dataset_fits_problem(state):
    if state.dataset in DATASETS[state.problem]:
        return state, []
    fix = DATASETS[state.problem][0]
    return replace(state, dataset=fix), [f"dataset '{state.dataset}' is not a {state.problem} dataset; using {fix}"]


def _points_fit_classes(state):
    if state.dataset != "custom" or state.problem != "classification":
        return state, []
    kept, problems = [], []
    for point in state.custom:
        if point[2] in CLASS_LABELS:
            kept.append(point)
        else:
            problems.append(f"your points: point {shown(','.join(map(decimal, point)))} has label "
                            f"{decimal(point[2])}, which is not a class ({', '.join(map(str, CLASS_LABELS))}); "
                            "dropped")
    return replace(state, custom=tuple(kept)), capped(problems, "points with labels that are not classes dropped")


def _loss_fits_problem(state):
    if state.loss == "cross_entropy" and state.problem == "regression":
        return replace(state, loss="auto"), ["loss 'cross_entropy' needs classes, not regression targets; "
                                             "using auto (mean squared error)"]
    return state, []


def _network_fits_budget(state):
    weights = weight_count(state)
    if weights <= MAX_WEIGHTS:
        return state, []
    hidden = _BY_NAME["hidden"]
    shape = "-".join(map(str, layer_sizes(state)))
    return replace(state, hidden=hidden.default), [
        f"hidden layers {shown(hidden.kind.write(state.hidden))} make a {shape} network with {weights:,} "
        f"weights, more than the {MAX_WEIGHTS:,} allowed; using {hidden.kind.describe(hidden.default)}"]


def _layer_activations_fit_layers(state):
    if not state.layer_activations or len(state.layer_activations) == len(state.hidden):
        return state, []
    return replace(state, layer_activations=()), [
        f"layer activations {shown(','.join(state.layer_activations))} list {len(state.layer_activations)} "
        f"for {len(state.hidden)} hidden layers; using the main activation in every layer"]


def _batches_fit_batch_norm(state):
    if not state.batch_norm or state.batch_size >= 2:
        return state, []
    return replace(state, batch_size=2), ["batch norm needs batches of at least 2 points (one point has no spread to "
                                          "normalise by); using batch size 2"]


_RULES = (_dataset_fits_problem, _points_fit_classes, _loss_fits_problem, _network_fits_budget,
          _layer_activations_fit_layers, _batches_fit_batch_norm)


def _repaired(state):
    """`state` with every bad field replaced by its default (or as its rule says), and one note per fix."""
    notes, values = [], {}
    for setting in SETTINGS:
        value = getattr(state, setting.name)
        try:
            values[setting.name], dropped = setting.kind.coerce(value)
        except Invalid as problem:
            values[setting.name] = setting.default
            notes.append(setting.note(value, problem, setting.default))
            continue
        notes += [f"{setting.label}: {note}" for note in dropped]
        if not dropped and values[setting.name] != value:  # e.g. a list where the state keeps a tuple
            notes.append(f"{setting.label} {shown(value)} should be stored as "
                         f"{setting.kind.write(values[setting.name])!r}")
    state = State(**values)
    for rule in _RULES:
        state, rule_notes = rule(state)
        notes += rule_notes
    return state, notes


def validate(state):
    """Every problem with `state` in plain words; [] means it is valid and survives a link unchanged.

    >>> validate(State())
    []
    >>> validate(State(problem="regression"))
    ["dataset 'circle' is not a regression dataset; using plane"]
    """
    return _repaired(state)[1]


def with_change(state, **changes):
    """A copy of `state` with `changes` applied, and notes on any that could not be.

    This is how every control changes the state. A change a setting cannot take keeps the current
    value; a change that would break a rule between fields is fixed as the rule says, except one that would
    exceed MAX_WEIGHTS, which leaves the state as it was. Switching the problem type picks that type's first
    dataset without a note (the Data panel shows the choice). Values may be Python values or a control's text.
    Changing `hidden` clears per-layer activations of another length unless `layer_activations` changes with it.

    >>> state, notes = with_change(State(), hidden="8,8,8", lr="0.1")
    >>> state.hidden, state.lr, notes
    ((8, 8, 8), 0.1, [])
    >>> state, notes = with_change(state, hidden=(4,) * 11)
    >>> state.hidden, notes
    ((8, 8, 8), ["hidden layers '4,4,4,4,4,4,4,4,4,4,4' lists 11 layers, more than the 10 allowed; keeping 8,8,8"])
    """
    state, notes = _repaired(state)
    values = {}
    for name, value in changes.items():
        if name not in _BY_NAME:
            raise TypeError(f"State has no setting {name!r}; the settings are {', '.join(_BY_NAME)}")
        setting = _BY_NAME[name]
        try:
            values[name], dropped = setting.kind.coerce(value)
        except Invalid as problem:
            notes.append(setting.note(value, problem, getattr(state, name), verb="keeping"))
            continue
        notes += [f"{setting.label}: {note}" for note in dropped]
    changed = replace(state, **values)
    if "problem" in values and "dataset" not in values and changed.dataset not in DATASETS[changed.problem]:
        changed = replace(changed, dataset=DATASETS[changed.problem][0])  # as the Data panel's choices change: no note
    if weight_count(changed) > MAX_WEIGHTS:
        shape = "-".join(map(str, layer_sizes(changed)))
        return state, notes + [f"that would make a {shape} network with {weight_count(changed):,} weights, "
                               f"more than the {MAX_WEIGHTS:,} allowed; nothing was changed"]
    changed, rule_notes = _repaired(changed)
    return changed, notes + rule_notes


class Decoded(NamedTuple):
    """What a link holds: the settings, plain-text notes on anything replaced, and the values of the keys
    other parts of the page own (EXTRA_KEYS: `preset`, `step`, `code`, `trace`, `model`), percent-decoded but
    otherwise untouched."""

    state: State
    notes: list
    extras: dict


def encode(state, extras=None):
    """The URL fragment (without '#') for a valid `state`: `v=1`, then each field that differs from its
    default, in table order; then `extras` (keys from EXTRA_KEYS), which `decode` hands back.

    >>> encode(State())
    'v=1'
    >>> encode(State(features=("x1", "x1^2", "sin(x1)"), dataset="xor"), {"preset": "xor-hidden"})
    'v=1&dataset=xor&features=x1,x1%5E2,sin(x1)&preset=xor-hidden'
    """
    extras = dict(extras or {})
    unknown = set(extras) - set(EXTRA_KEYS)
    if unknown:
        raise ValueError(f"extras may only hold {', '.join(EXTRA_KEYS)}, not {', '.join(sorted(unknown))}")
    parts = [f"v={VERSION}"]
    for setting in SETTINGS:
        value = getattr(state, setting.name)
        if value != setting.default:
            parts.append(f"{setting.name}={quote(setting.kind.write(value), safe=_URL_SAFE)}")
    parts += [f"{key}={quote(extras[key], safe=_URL_SAFE)}" for key in EXTRA_KEYS if key in extras]
    return "&".join(parts)


def decode(fragment):
    """The `Decoded` state, notes and extras of a URL fragment (with or without '#'). Never raises.

    A missing or bad field gets its default and a note; unknown keys are ignored with a note; a fragment
    over MAX_FRAGMENT_BYTES is ignored whole.

    >>> decoded = decode("#lr=0.030&hidden=8,8&preset=xor-hidden")
    >>> decoded.state.lr, decoded.state.hidden, decoded.notes, decoded.extras
    (0.03, (8, 8), [], {'preset': 'xor-hidden'})
    >>> decode("v=1&noise=7&colour=red").notes
    ["noise '7' is not one of 0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50; using 0", "unknown setting 'colour' ignored"]
    """
    text = fragment[1:] if fragment.startswith("#") else fragment
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FRAGMENT_BYTES:
        return Decoded(State(), [f"the link's settings are {size:,} bytes, more than the {MAX_FRAGMENT_BYTES:,} "
                                 "allowed; ignored them all and used the defaults"], {})
    given, extras, version_notes, unknown = {}, {}, [], []
    for piece in text.split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        key, value = unquote(key), unquote(value)
        if key == "v":
            version_notes = _version_notes(value)
        elif key in EXTRA_KEYS:
            extras[key] = value
        elif key in _BY_NAME:
            given.setdefault(key, []).append(value)
        else:
            unknown.append(f"unknown setting {shown(key)} ignored")
    notes, values = list(version_notes), {}
    for setting in SETTINGS:
        if setting.name not in given:
            continue
        texts = given[setting.name]
        if len(texts) > 1:
            notes.append(f"{setting.label} is given {len(texts)} times; using the last")
        try:
            values[setting.name], dropped = setting.kind.read(texts[-1])
        except Invalid as problem:
            notes.append(setting.note(texts[-1], problem, setting.default))
            continue
        notes += [f"{setting.label}: {note}" for note in dropped]
    if "dataset" not in values and values.get("problem") in DATASETS:
        values["dataset"] = DATASETS[values["problem"]][0]  # `#problem=regression` alone means its first dataset
    state, rule_notes = _repaired(State(**values))
    return Decoded(state, notes + rule_notes + capped(unknown, "unknown settings ignored"), extras)


def _version_notes(text):
    try:
        version = whole(text)
    except Invalid:
        return [f"link version {shown(text)} is not a whole number; read the link as version {VERSION}"]
    if version > VERSION:
        return [f"this link comes from a newer version of gradcanvas (v={version}); the settings this version "
                "knows were read where possible"]
    if version < VERSION:
        return [f"link version {version} is unknown; read the link as version {VERSION}"]
    return []
