"""The code the editor starts with when you have none of your own: the network the controls build, written
as code, so a first Run works and a first edit has something to change."""
from app.playground.run import SCHEDULES
from app.playground.state import hidden_activations, layer_sizes

# Short lines: the editor is about 60 characters wide on a laptop (and scrolls sideways on a phone).
COMMENT = """\
# The network the controls build, as code:
# nn.MLP(inputs, [hidden layer sizes], outputs).
# Change it and press Run: from then on, your
# code builds the network.
"""


def starter_code(state):
    """The controls' network for the settings `state` as editor code (one activation, or one per layer).

    >>> from app.playground.state import State
    >>> print(starter_code(State()).splitlines()[-2])
    model = nn.MLP(2, [4, 2], 1, activation="tanh")
    >>> print(starter_code(State(hidden=(3, 3), layer_activations=("relu", "tanh"))).splitlines()[-2])
    model = nn.MLP(2, [3, 3], 1, activation=["relu", "tanh"])
    """
    sizes, per_layer = layer_sizes(state), hidden_activations(state)
    if len(set(per_layer)) > 1:
        activation = "[" + ", ".join(f'"{name}"' for name in per_layer) + "]"
    else:
        activation = f'"{per_layer[0] if per_layer else state.activation}"'
    hidden = ", ".join(map(str, sizes[1:-1]))
    options = (f", dropout={state.dropout:g}" if state.dropout else "") + (", batch_norm=True" if state.batch_norm else "")
    options += "" if state.init == "default" else f', init="{state.init}"'
    model = f"model = nn.MLP({sizes[0]}, [{hidden}], {sizes[-1]}, activation={activation}{options})"
    return f"{COMMENT}{model}\nprint(model)\n{training_comment(state)}"


def training_comment(state):
    """The schedule and the clipping the controls add to every run, as the engine code that does them, in
    comments: the training loop is the page's, not the editor's, so they are not code to change here.

    >>> from app.playground.state import State
    >>> print(training_comment(State(schedule="cosine", clip=1)), end="")
    # The controls also step the learning rate once an epoch and
    # clip each step's gradients, as this engine code does:
    # scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=300)
    # nn.utils.clip_grad_norm_(model.parameters(), max_norm=1)
    """
    lines = []
    if state.schedule != "none":
        scheduler, arguments = SCHEDULES[state.schedule]
        written = ", ".join(f"{name}={value:g}" for name, value in arguments.items())
        lines.append(f"# scheduler = optim.lr_scheduler.{scheduler}(optimizer, {written})")
    if state.clip:
        lines.append(f"# nn.utils.clip_grad_norm_(model.parameters(), max_norm={state.clip:g})")
    if not lines:
        return ""
    what = " and\n# ".join(part for part, on in (("step the learning rate once an epoch", state.schedule != "none"),
                                                  ("clip each step's gradients", state.clip)) if on)
    return f"# The controls also {what}, as this engine code does:\n" + "\n".join(lines) + "\n"
