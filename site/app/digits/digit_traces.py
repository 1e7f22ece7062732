"""Traces of networks for digits, replayed in the lab. A trace (`engine.trace`: what a network did at every training
step, written by tools/torch_trace.py or the engine's `TraceRecorder`) of a network that takes 28x28 digits, (N, 784)
or (N, 1, 28, 28), and gives ten scores joins the Model menu under its file's name, as an opened model does, and
every view of the lab shows its network as it stood before the step chosen with the Digits trace step slider
(trace_panel.py): the engine gives it the parameters from the trace, as for the playground's replay
(app/traces/stepping.py).

A file is read here when it is a trace (.json) and by opened_models.py otherwise. A trace for the playground's plane,
(N, 2) in, goes there, as a weights file for the plane does; one that neither can replay is refused, saying why.
"""
import json
import math
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from engine import trace as traces

from app.digits import opened_models
from app.digits.held_out import SCALINGS
from app.digits.opened_models import DIGIT_INPUTS, DIGITS, HandOver, OpenedModel, as_viewed
from app.traces.stepping import load_step

TRACE_FILE = ".json"
# A trace is refused by its size, before it is read. A 300-step trace of a CNN of 6,810 parameters (Conv2d(1, 4, 3),
# ReLU, MaxPool2d(2), Flatten, Linear(676, 10)) with 4 probe digits is 39 MB; Pyodide under Node read it in 0.15-0.3 s
# (its JSON, then every block checked and decoded), and headless Chromium opened it in 437-642 ms, its longest task
# 269-333 ms (bench digit_traces). At the limit the page holds the file, its numbers as float32 and every step's
# parameters as float64: a few hundred MB at most.
MAX_TRACE_MB = 50


class OpenedTrace:
    """A trace of a network for digits, opened from a file or a link, with what the lab reads of a network (as an
    `OpenedModel`): its network, `model` as the lab's views show it, holds the parameters as they stood before step
    `position`, which `seek` moves; it reads digits in the scaling its probe digits were given in."""

    build = None  # Train from scratch has no recipe for it
    weights_file = OpenedModel.weights_file  # "<the file's stem>.npz", as an opened model's
    as_input = OpenedModel.as_input  # grey levels in its scaling, as an opened model's

    def __init__(self, name, trace, origin):
        self.name = self.title = self.short = name
        self.trace, self.source = trace, origin
        self.replayed = trace.model(0)  # the trace's layers, to which `seek` gives each step's parameters
        digit = trace.probe.shape[1:]
        self.model, self.views = as_viewed(self.replayed, digit)  # the MLP view's shares the layers
        self.input_shape = (784,) if self.views == "mlp" else digit
        self.scaling = probe_scaling(trace.probe)
        self.position = 0

    def seek(self, step):
        """The network as it stood before `step` (clamped to 0..count, count meaning after the last step)."""
        self.position = load_step(self.trace, self.replayed, step)

    @property
    def meta(self):
        """What its weights file (Save weights) records: the trace's own facts and the step."""
        return {**self.trace.meta, "trace_step": self.position}

    @property
    def origin(self):
        """Where its weights come from, in words: the step, and the scaling, with why."""
        probe = self.trace.probe
        return (f"{self.source}, as they stood before step {self.position} of {self.trace.count}; read with "
                f"{self.scaling.words}, the scaling of its probe digits ({probe.min():.2f} to {probe.max():.2f})")


def probe_scaling(probe):
    """The scaling (held_out.SCALINGS) that gives grey levels 0..255 the range nearest the probe's: a trace's probe
    digits are given as the network trained on them, so their range says which it is.

    >>> import numpy as np
    >>> probe_scaling(np.array([[-1.0, 0.2, 1.0]])).name, probe_scaling(np.array([[-0.4242, 2.8215]])).name
    ('-1..1', 'mnist')
    """
    low, high = float(probe.min()), float(probe.max())
    return min(SCALINGS.values(), key=lambda scaling: abs(scaling.apply(0.0) - low) + abs(scaling.apply(1.0) - high))


def read(name, data, origin, digits, dropped=False):
    """What the file `name` (its bytes `data`) holds, traces included (any other file is `opened_models.read`'s): an
    `OpenedTrace` for a trace of a network for digits; a `HandOver` to the playground for any other trace of
    (N, features) inputs or, when it was `dropped` on the page, any other file named .json (the playground says
    what it makes of it). Raises ValueError naming what is wrong with a trace neither can replay."""
    if PurePosixPath(name).suffix.lower() != TRACE_FILE:
        return opened_models.read(name, data, origin, digits, dropped)
    if len(data) > MAX_TRACE_MB * 1_000_000:
        shown = math.ceil(len(data) / 100_000) / 10  # rounded up, so a file just over the limit never reads as at it
        raise ValueError(f"the trace is {shown} MB; the lab replays traces of up to {MAX_TRACE_MB} MB: record fewer "
                         "steps, or a smaller probe")
    document = _parsed(data)
    digit = _probe_input(document)
    if digit in DIGIT_INPUTS:
        return _opened(name, traces.from_document(document), origin)
    if dropped or (digit is not None and len(digit) == 1):
        return HandOver(name, data)
    traces.validate(data if document is None else document)  # a file that is not a trace: the engine says why
    raise ValueError(f"its network takes inputs of shape (N, {', '.join(map(str, digit))}); the page replays traces "
                     f"of networks that take (N, 2) in the playground, or {' or '.join(DIGIT_INPUTS.values())} in the "
                     "digits lab")


def for_digits(text):
    """Whether the trace file `text` is of a network for digits, by its probe alone (its numbers are read when
    it is opened): where a #trace= link's trace goes."""
    return _probe_input(_parsed(text)) in DIGIT_INPUTS


def link_name(url):
    """The file name a #trace= link's trace opens under, a .json one as a trace's file is named.

    >>> link_name("data/my%20run.json"), link_name("traces/run?v=2")
    ('my run.json', 'run.json')
    """
    name = unquote(PurePosixPath(urlsplit(url).path).name)
    return name if name.lower().endswith(TRACE_FILE) else name + TRACE_FILE


def _opened(name, trace, origin):
    scores = trace.activations[-1].shape[2:] if trace.activations else trace.probe.shape[1:]
    if scores != (DIGITS,):
        raise ValueError(f"its network's output for a digit has shape {scores}; the lab replays networks that give "
                         f"{DIGITS} scores, one for each digit 0 to 9")
    return OpenedTrace(name, trace, origin)


def _parsed(data):
    """The file's JSON, or None when it is not JSON."""
    try:
        return json.loads(data)
    except ValueError:  # UnicodeDecodeError too
        return None


def _probe_input(document):
    """The shape of one probe input, (784,) say, read from a parsed trace before anything else is; None when
    it has no probe batch of whole-number sizes."""
    try:
        shape = document["probe"]["inputs"]["shape"]
    except (TypeError, KeyError):  # not an object all the way down
        return None
    if not isinstance(shape, list) or len(shape) < 2 or not all(type(size) is int for size in shape):
        return None
    return tuple(shape[1:])
