"""The code the editor starts with when you have none of your own: the network the controls build, written
as code, so a first Run works and a first edit has something to change."""
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
    return f"{COMMENT}model = nn.MLP({sizes[0]}, [{hidden}], {sizes[-1]}, activation={activation})\nprint(model)\n"
