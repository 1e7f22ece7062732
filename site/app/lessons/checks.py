"""The words a step's check is made of: each check reads a `Reading` of the page and returns "" when the learner
has done what it asks, else a short phrase saying what is still missing. Checks combine with `all_of`.

Pure functions of the reading, so tests/app/lessons prove each one with the engine's real runs.

>>> from app.lessons.reading import Reading
>>> test_accuracy_above(0.9)(Reading(latest=(0.5, 0.6, 0.7, 0.62)))
'the test accuracy is 62%, not yet above 90%'
>>> all_of(hidden_layers(0), trained_for(50))(Reading(epoch=60))
''
"""


def all_of(*checks):
    """Done when every one of `checks` is; else what the first one not done is missing."""
    def check(page):
        return next((missing for missing in (one(page) for one in checks) if missing), "")
    return check


def trained_for(epochs):
    """The run has trained `epochs` epochs (counted from its last Reset or change of the network)."""
    return lambda page: "" if page.epoch >= epochs else f"epoch {page.epoch} of {epochs}: let it train"


def last_epoch(column, passes, not_yet):
    """A check on the last epoch's `column` of the run's history (0: training loss, 3: test accuracy): done when
    `passes(value)`, else `not_yet(value)` in words."""
    def check(page):
        if page.latest is None:
            return "no epoch has trained yet: press Play"
        value = page.latest[column]
        return "" if passes(value) else not_yet(value)
    return check


def test_accuracy_above(share):
    return last_epoch(3, lambda accuracy: accuracy > share,
                      lambda accuracy: f"the test accuracy is {accuracy:.0%}, not yet above {share:.0%}")


def training_loss_below(value):
    return last_epoch(0, lambda loss: loss < value,
                      lambda loss: f"the training loss is {loss:.3g}, not yet below {value:g}")


def training_loss_above(value):
    """The training loss is still above `value` (what the learner is asked to notice)."""
    return last_epoch(0, lambda loss: loss > value,
                      lambda loss: f"the training loss fell to {loss:.3g}, below {value:g}")


def alert(kind, words):
    """The diagnostics raise the alert `kind` (the learner's `words` for it)."""
    return lambda page: "" if kind in page.alerts else f"no {words} yet: let it train"


def no_alert(kind, words):
    """The diagnostics have measured this run and do not raise the alert `kind`."""
    def check(page):
        if not page.measured:
            return "no epoch has trained yet: press Play"
        return f"the Diagnostics still warn of {words}" if kind in page.alerts else ""
    return check


def hidden_layers(count):
    """The network has exactly `count` hidden layers."""
    def check(page):
        have = len(page.hidden)
        if have == count:
            return ""
        if have == 0:
            return "the network still has no hidden layer"
        return f"the network has {have} hidden layer{'s' if have != 1 else ''}, not {count or 'none'}"
    return check


def hidden_sizes(*sizes):
    """The hidden layers are exactly `sizes` neurons wide."""
    def check(page):
        if page.hidden == sizes:
            return ""
        want = ", ".join(map(str, sizes))
        return f"the hidden layers are {', '.join(map(str, page.hidden)) or 'none'}, not {want}"
    return check


def activation(name, words):
    """Every hidden layer uses the activation `name` (`words`: as the Activation menu says it)."""
    def check(page):
        others = sorted(set(page.activations) - {name})
        return f"the hidden layers still use {', '.join(others)}, not {words}" if others else ""
    return check


def learning_rate_at_most(rate):
    return lambda page: "" if page.state.lr <= rate else f"the learning rate is still {page.state.lr:g}"


def regularization(kind, words):
    """The Regularization menu says `kind` ("none": off, or at rate 0)."""
    def check(page):
        now = page.state.regularization if page.state.reg_rate > 0 else "none"
        return "" if now == kind else f"Regularization is not {words}"
    return check


def training_share_at_least(percent):
    def check(page):
        share = page.state.train_ratio
        return "" if share >= percent else f"the training data are {share}% of the points, not {percent}%"
    return check


def features_include(*names):
    """The Features checkboxes include `names` (as the link writes them, "sin(x1)")."""
    def check(page):
        missing = [name.replace("x1", "x\u2081").replace("x2", "x\u2082") for name in names
                   if name not in page.state.features]
        return f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not switched on" if missing else ""
    return check


def features_only(*names):
    def check(page):
        return "" if set(page.state.features) == set(names) else "switch the Features back to x\u2081 and x\u2082"
    return check


def race_changes(setting):
    """The Race room's run B changes `setting` (the `race` setting names it)."""
    def check(page):
        changed = page.state.race.partition(":")[0]
        return "" if changed == setting else f"B changes {changed}, not {setting}: choose {setting} in the Race room"
    return check


def raced_for(epochs):
    """The Race room's runs have raced `epochs` epochs (from Start the race, in the setup of the moment)."""
    def check(page):
        if page.race_epoch >= epochs:
            return ""
        return "the race has not started: press Start the race" if not page.race_epoch else \
            f"the race is at epoch {page.race_epoch} of {epochs}: let it run"
    return check


def race_gap_narrower(page):
    """Run B's gap between its test and training loss is narrower than run A's."""
    if page.race_gaps is None:
        return "the race has not started: press Start the race"
    a, b = page.race_gaps
    return "" if b < a else f"B's gap ({b:.3f}) is not narrower than A's ({a:.3f}) yet"


def code_in_charge(page):
    return "" if page.code_in_charge else "the network no longer comes from the lesson's code: press Run"


def expression_ends_in(op, words):
    """The code's expression, as the graph draws it, has `op` at its top (`words`: how the code writes it)."""
    def check(page):
        if not page.expression:
            return "there is no expression: press Run on the lesson's code"
        return "" if page.expression == op else f"the expression still ends in {page.expression}, not {words}"
    return check


def backward_walked(page):
    return "" if page.backward_walked else "Next node has not reached the last node yet"


def pointing_at_hidden_neuron(page):
    pointed = page.pointed_neuron
    inside = pointed is not None and 0 < pointed[0] <= len(page.hidden)
    return "" if inside else "the pointer is not on a neuron of a hidden layer"
