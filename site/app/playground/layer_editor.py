"""The hidden-layer editor: per hidden layer, its name, -/+ neuron buttons, its size and its activation menu,
built as plain data through the page's generic `build`. Its buttons and menus are marked `data-action`,
`data-setting` and `data-layer`, so their clicks reach the playground as act("add-neuron", layer) and
change("layer_activation", (layer, activation)). When the network comes from your code (or a weights file),
the editor shows that network with every control disabled, the layer count's -/+ and the toolbar's Activation
too, and says why.
"""
from app.playground.summary import ACTIVATION_NAMES

EDITOR = "layer-controls"  # the element the rows replace the children of
LAYER_COUNT = '[data-action="add-layer"], [data-action="remove-layer"]'  # the page's own -/+ hidden layer buttons
ALL_LAYERS = "activation"  # the toolbar's Activation menu, which sets every hidden layer's function at once
HELD = "layers-held"  # the id of the sentence saying why the controls cannot change the network


def layer_rows(sizes, activations, choices, held=False):
    """The editor's rows: one per hidden layer of `sizes` neurons, its menu offering `choices` by the names the
    page says them in (a function of your own by its own); with `held`, every button and menu disabled and
    described by the HELD sentence.

    >>> [row] = layer_rows([1], ["tanh"], ["relu", "tanh"])
    >>> [(tag, content) for tag, _, content in row[2][:4]]
    [('span', 'Hidden 1'), ('button', '\u2212'), ('span', '1 neuron'), ('button', '+')]
    >>> [attributes["selected"] for _, attributes, _ in row[2][4][2]]
    [False, True]
    """
    # data-held: disabled by the app on purpose, so boot.js's "Python is up" does not enable it again
    off = {"disabled": True, "data-held": True, "aria-describedby": HELD} if held else {}
    rows = []
    for layer, (size, activation) in enumerate(zip(sizes, activations)):
        number, index = layer + 1, str(layer)
        offered = list(choices) if activation in choices else [*choices, activation]  # your own, by its name
        rows.append(("div", {"class": "layer-row"}, [
            ("span", {"class": "layer-name"}, f"Hidden {number}"),
            ("button", {"type": "button", "data-action": "remove-neuron", "data-layer": index,
                        "aria-label": f"Remove a neuron from hidden layer {number}", **off}, "\u2212"),
            ("span", {"class": "layer-size"}, f"{size} neuron{'s' if size != 1 else ''}"),
            ("button", {"type": "button", "data-action": "add-neuron", "data-layer": index,
                        "aria-label": f"Add a neuron to hidden layer {number}", **off}, "+"),
            ("select", {"data-setting": "layer_activation", "data-layer": index,
                        "aria-label": f"Hidden layer {number} function", **off},
             [("option", {"value": choice, "selected": choice == activation}, ACTIVATION_NAMES.get(choice, choice))
              for choice in offered]),
        ]))
    return rows


def show_layers(page, sizes, activations, choices, held=None):
    """Rebuild the hidden-layer editor for layers of `sizes` neurons with `activations`, from `choices`. `held`
    is why the controls cannot change the network (it comes from your code), or None: with a reason, it shows
    first and every layer control, the -/+ hidden layer buttons too, is disabled."""
    reason = [("p", {"id": HELD, "class": "note"}, held)] if held else []
    page.build(EDITOR, reason + layer_rows(sizes, activations, choices, held=bool(held)))
    for controls in (LAYER_COUNT, f"#{ALL_LAYERS}"):
        page.set_attribute(controls, "disabled", bool(held))
        page.set_attribute(controls, "data-held", bool(held))
        page.set_attribute(controls, "aria-describedby", HELD if held else None)
    functions = set(activations)
    if held and len(functions) == 1 and functions <= set(choices):
        page.set_control(ALL_LAYERS, activations[0])  # the code's one function, not the controls' last choice


def edited_layers(hidden, action, layer=None):
    """The hidden layers after a layer button: add-layer repeats the last layer's size (4 with none),
    remove-layer drops the last, add-neuron and remove-neuron change hidden layer `layer` (never below one
    neuron). None when the button changes nothing.

    >>> edited_layers((4, 2), "add-layer"), edited_layers((4, 2), "remove-neuron", 1)
    ([4, 2, 2], [4, 1])
    >>> edited_layers((4, 1), "remove-neuron", 1), edited_layers((), "remove-layer")
    (None, None)
    """
    hidden = list(hidden)
    if action == "add-layer":
        return hidden + [hidden[-1] if hidden else 4]
    if action == "remove-layer":
        return hidden[:-1] if hidden else None
    if layer is None or not 0 <= layer < len(hidden):
        return None
    hidden[layer] += 1 if action == "add-neuron" else -1
    return hidden if hidden[layer] >= 1 else None
