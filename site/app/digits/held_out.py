"""How many of the 2,000 held-out digits a network recognises, counted a slice at a time so that no frame of
the page waits for all of them; and, for a model opened from a file, which input scaling it was trained
with, found by trying each of the usual ones on some of those digits.

A network reads digits well only in the scale it was trained on: the lab's own networks take pixel/255 in
0..1, while PyTorch's MNIST examples normalise to −1..1 ((x − 0.5) / 0.5) or to MNIST's mean and standard
deviation ((x − 0.1307) / 0.3081). Given 0..1, a model trained either way reads far fewer digits right, so
the held-out digits themselves say which scale a model expects.
"""
import time
from typing import NamedTuple

import numpy as np

from app.digits import mnist, training

SCORING_SLICE = 25  # held-out digits scored at a time at most: the CNN took 145 ms for 250 in Pyodide under Node
# A slice is sized to take a quarter of the frame's budget for scoring at most, so a frame's scoring, which goes
# on while time is left, ends within about 1.25 budgets: sized to the whole budget, the lab's frames took a median
# 22 ms for a 12 ms budget while counting a 418k-parameter CNN's digits (bench open_model).
SLICES_PER_BUDGET = 4
TRIED = 250         # held-out digits, a fixed mixed sample, each scaling is tried on before the best is counted
TRIED_SEED = 1      # which ones (the file stores the held-out digits 0s first: the first 250 are all 0s)


class HeldOutScore:
    """Counts the held-out digits some weights recognise, a slice of them at a call of `advance`, so the CNN's
    2,000 (about a second of the page's time) never hold up a frame. `as_input` turns grey levels into what
    the model takes."""

    def __init__(self, model, as_input, digits):
        self.model, self.as_input, self.digits = model, as_input, digits
        self.scored = self.correct = 0
        self.slice = 1  # the first slice tells how long a digit takes; the next are sized by it

    @property
    def done(self):
        return self.scored == len(self.digits.test_labels)

    @property
    def accuracy(self):
        return self.correct / self.scored

    def advance(self, budget_s):
        """Score the next slice; returns False: the network reads the drawing as before. A slice that took
        longer than a share of `budget_s` (a model much bigger than the lab's) makes the next one smaller."""
        started = time.perf_counter()
        part = slice(self.scored, self.scored + self.slice)
        _, correct = training.evaluate(self.model, self.digits.test_images[part], self.digits.test_labels[part],
                                       self.as_input)
        self.scored = min(self.scored + self.slice, len(self.digits.test_labels))
        self.correct += correct
        took = max(time.perf_counter() - started, 1e-9)
        self.slice = max(1, min(SCORING_SLICE, int(self.slice * budget_s / SLICES_PER_BUDGET / took)))
        return False

    def __str__(self):
        count = len(self.digits.test_labels)
        if not self.done:
            return f"Scoring them on the {count:,} held-out digits ({self.scored:,} so far)…"
        return f"They recognise {self.correct:,} of the {count:,} held-out digits ({100 * self.accuracy:.1f}%)."


class Scaling(NamedTuple):
    """One way of giving a network its pixels: (pixel/255 − centre) / spread."""

    name: str      # the value of its entry in the Inputs menu
    words: str     # as a sentence names it: "... digits with inputs −1..1"
    centre: float
    spread: float

    def apply(self, values):
        """`values` (pixel/255, in 0..1) as this scaling gives them to the network.

        >>> import numpy as np
        >>> SCALINGS["-1..1"].apply(np.array([0.0, 0.5, 1.0])).tolist()
        [-1.0, 0.0, 1.0]
        """
        return (values - self.centre) / self.spread


SCALINGS = {scaling.name: scaling for scaling in (
    Scaling("0..1", "inputs 0..1", 0.0, 1.0),                         # the lab's own networks: pixel/255
    Scaling("-1..1", "inputs −1..1", 0.5, 0.5),                       # torchvision's Normalize((0.5,), (0.5,))
    Scaling("mnist", "MNIST's mean and std", 0.1307, 0.3081),         # Normalize((0.1307,), (0.3081,))
)}


class ScalingChoice:
    """Tries an opened model on TRIED held-out digits under each of SCALINGS, a slice of each in turn, then
    uses the scaling it read best (the first of equals) and counts all the held-out digits with it. The
    person may choose another in the Inputs menu: that one is counted then. Until the tries are done the
    model reads inputs 0..1. Offers `done`, `advance`, `correct` and `scored` (of the scaling in use) as
    HeldOutScore does, so the lab counts either alike."""

    def __init__(self, model, input_shape, digits):
        self.model, self.input_shape, self.digits = model, input_shape, digits
        tried = np.random.default_rng(TRIED_SEED).permutation(len(digits.test_labels))[:TRIED]
        sample = digits._replace(test_images=digits.test_images[tried], test_labels=digits.test_labels[tried])
        self.tries = {name: HeldOutScore(model, self.scaled(scaling), sample) for name, scaling in SCALINGS.items()}
        self.counts = {}  # scaling name -> its HeldOutScore over all the held-out digits, once it has been in use
        self.in_use, self.chosen = SCALINGS["0..1"], False

    def scaled(self, scaling):
        return lambda levels: scaling.apply(mnist.as_input(levels, self.input_shape))

    @property
    def tried(self):
        return all(score.done for score in self.tries.values())

    @property
    def count(self):
        """The count of all the held-out digits with the scaling in use."""
        name = self.in_use.name
        if name not in self.counts:
            self.counts[name] = HeldOutScore(self.model, self.scaled(self.in_use), self.digits)
        return self.counts[name]

    @property
    def done(self):
        return self.tried and self.count.done

    @property
    def correct(self):
        return self.count.correct

    @property
    def scored(self):
        return self.count.scored

    @property
    def best(self):
        return SCALINGS[max(self.tries, key=lambda name: self.tries[name].correct)]

    def advance(self, budget_s):
        """Try the next slice under the scaling furthest behind, or count the next with the one in use.
        Returns True when that ended the tries and the best scaling replaced the one in use: the drawing
        must be read again."""
        if self.tried:
            return self.count.advance(budget_s)
        min((s for s in self.tries.values() if not s.done), key=lambda s: s.scored).advance(budget_s)
        if not self.tried or self.chosen or self.best is self.in_use:
            return False
        self.in_use = self.best
        return True

    def choose(self, name):
        """The person's choice in the Inputs menu, kept from now on."""
        self.in_use, self.chosen = SCALINGS[name], True

    def options(self):
        """The Inputs menu's entries, (name, text), each with its share of the tried digits once tried."""
        return [(name, scaling.words if not self.tried else f"{scaling.words} ({self.percent(self.tries[name])} "
                                                             f"of {TRIED})")
                for name, scaling in SCALINGS.items()]

    @staticmethod
    def percent(score):
        return f"{100 * score.accuracy:.1f}%"

    def __str__(self):
        count = len(self.digits.test_labels)
        if not self.tried:
            tried = sum(score.scored for score in self.tries.values())
            return (f"Trying it on {TRIED} held-out digits with each input scaling, to find the one it was trained "
                    f"with ({tried:,} of {TRIED * len(self.tries):,} so far)…")
        best = self.best
        if not self.count.done:
            return (f"It reads {self.percent(self.tries[best.name])} of {TRIED} held-out digits with {best.words}, "
                    f"the best of the scalings tried; counting all {count:,} with {self.in_use.words} "
                    f"({self.count.scored:,} so far)…")
        reading = f"It reads {self.percent(self.count)} of {count:,} held-out digits with {self.in_use.words}"
        if best is self.in_use:
            others = ", ".join(f"{scaling.words} {self.percent(self.tries[name])}" for name, scaling in SCALINGS.items()
                               if scaling is not best)
            return f"{reading}, the scaling it reads best (of {TRIED} tried: {others})."
        tried = self.percent(self.tries[best.name])
        return f"{reading}, as chosen; of {TRIED} tried, it read {tried} with {best.words}."
