"""Two runs raced: A, the setup the controls describe, and B, the same with the one setting the `race` setting
names changed ("lr:0.3"). Both are built from the same settings and seed, so they start from the same data and,
where the change allows, the same weights; each takes one epoch per `advance`, so they are always at the same
epoch and their curves line up.
"""
from dataclasses import replace

import numpy as np

from app.playground.run import Run
from app.playground.state import RACEABLE, SETTINGS

LABELS = {setting.name: setting.label for setting in SETTINGS}
KINDS = dict(RACEABLE)


def changed_setting(state):
    """(the setting's name, its value for B, as stored) from `state.race`."""
    name, _, text = state.race.partition(":")
    return name, KINDS[name].read(text)[0]


def change_words(state):
    """What B changes, in words: "learning rate 0.3"."""
    name, value = changed_setting(state)
    return f"{LABELS[name]} {KINDS[name].write(value)}"


def next_value(name, state):
    """The value a race on setting `name` starts from: the choice after A's in its list (the first after the
    last), so a first race on the learning rate tries the next larger one.

    >>> from app.playground.state import State
    >>> next_value("lr", State()), next_value("optimizer", State(optimizer="adam"))
    (0.1, 'sgd')
    """
    options = KINDS[name].options
    return options[(options.index(getattr(state, name)) + 1) % len(options)]


class Race:
    """Runs A and B of `state` (see the module's docstring), and why either stopped by itself."""

    def __init__(self, state):
        name, value = changed_setting(state)
        self.runs = (Run(state), Run(replace(state, **{name: value})))
        self.stopped = [None, None]  # "diverged at epoch 12" once a run's loss is no longer a number

    @property
    def epoch(self):
        return self.runs[0].epoch

    def advance(self):
        """One epoch for each run still going (none without training points); False once neither can go on."""
        for index, run in enumerate(self.runs):
            if self.stopped[index] is None and len(run.inputs_train):
                run.train_epoch()
                if not np.isfinite(run.history[-1][0]):
                    self.stopped[index] = f"diverged at epoch {run.epoch}"
        return any(stopped is None for stopped in self.stopped) and len(self.runs[0].inputs_train) > 0
