"""What a lesson's checks may look at: a small, read-only reading of the page, taken once per frame while a
lesson is open, so a check is a pure function of it and is tested without a page.
"""
from dataclasses import dataclass

from app.playground.state import State


@dataclass(frozen=True)
class Reading:
    """The page as a lesson's check sees it."""

    state: State = State()          # the settings
    epoch: int = 0                  # epochs the run has trained
    latest: tuple | None = None     # the last epoch's (training loss, test loss, training accuracy, test accuracy)
    hidden: tuple = ()              # the hidden layers' sizes, as the network in charge has them
    activations: tuple = ()         # the hidden layers' activation names, as the network in charge has them
    code_in_charge: bool = False    # the network comes from code the learner (or the lesson) ran
    alerts: frozenset = frozenset() # the kinds of the diagnostics' latest alerts, and "diverged" once it diverged
    measured: bool = False          # the diagnostics have measured an epoch of this run
    expression: str = ""            # the op at the top of the code's expression (the graph it draws), or ""
    backward_walked: bool = False   # Next node has walked the expression's backward pass to its end
    pointed_neuron: tuple | None = None  # (layer, index) of the neuron under the pointer on the Network view
    race_epoch: int = 0             # how far the Race room's two runs have raced
    race_gaps: tuple | None = None  # each raced run's test loss minus its training loss now (A's, B's), or None


def read_page(state, run, monitor, code_in_charge, code_graph, backward_walk, pointed_neuron, race=None):
    """The reading of a playground: its settings, its `run` and that run's `monitor`, whether code is in charge,
    the code's expression (`code_graph`, a Tensor or None) and Next node's walk through it (or None), the
    neuron pointed at, and the Race room's `race` (or None)."""
    latest = monitor.latest
    alerts = {alert.kind for alert in latest.alerts} if latest is not None else set()
    if monitor.diverged is not None:
        alerts.add("diverged")
    sizes, activations = run.layer_sizes(), run.activation_names()
    return Reading(state, run.epoch, tuple(run.history[-1]) if run.history else None, tuple(sizes[1:-1]),
                   tuple(activations[:-1]), code_in_charge, frozenset(alerts), latest is not None,
                   code_graph.op if code_graph is not None else "",
                   backward_walk is not None and backward_walk.done, pointed_neuron, race.epoch if race else 0,
                   race_gaps(race))


def race_gaps(race):
    """Each raced run's test loss minus its training loss at its last epoch, or None before an epoch is raced."""
    if race is None or not all(run.history for run in race.runs):
        return None
    return tuple(run.history[-1][1] - run.history[-1][0] for run in race.runs)
