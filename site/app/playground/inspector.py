"""The inspector: what it says about the neuron, edge or graph node pointed at, the engine's numbers as the
current phase of the step-through knows them, in rows of (quantity, number).

A gradient appears once the backward pass has computed it (phase 4) and an update once the optimizer has
taken its step (phase 5); before that the row says when it will. Outside the step-through there is no
recorded step, so only values and weights show. The rows are made by plain functions from arrays;
`Inspector` reads the numbers of the part pointed at and shows them.
"""
import numpy as np

from engine import nn
from app.playground.run import BATCH_NORMS, between_layers
from app.shared.numbers import number, values_text
from app.graph.panel import biases
from app.playground.stepthrough.recorded_step import PHASES, forward_reading
from app.playground.stepthrough.walkthrough import EXAMPLE

GRADIENTS, UPDATE = PHASES.index("gradients"), PHASES.index("update")
NOT_STEPPING = "press Next phase (or N) to take a recorded step"
HEADER = ("Quantity", "Value")


def _later(phase, needed, what):
    if phase is None:
        return NOT_STEPPING
    return f"{what} in phase {needed + 1} ({PHASES[needed].replace('_', ' ')})"


def parameter_rows(name, triple, phase, symbol):
    """Rows for one weight or bias: (before, gradient, after) from the recorded step, or (value, None,
    None) outside it. `symbol` names it in the derivative, e.g. "w"."""
    before, gradient, after = triple
    rows = [(name, number(before))]
    if phase is not None and phase >= UPDATE:
        rows[0] = (name, f"{number(before, 6)} \u2192 {number(after, 6)}")  # enough digits to see it move
    if gradient is None and phase is not None and phase >= GRADIENTS:
        rows.append((f"gradient \u2202L/\u2202{symbol}", "none: it does not require one"))
    else:
        rows.append((f"gradient \u2202L/\u2202{symbol}", number(gradient) if phase is not None and phase >= GRADIENTS
                     else _later(phase, GRADIENTS, "computed")))
    rows.append((f"last update \u0394{symbol}", number(after - before) if phase is not None and phase >= UPDATE
                 else _later(phase, UPDATE, "taken")))
    return rows


def neuron_rows(value, pre_activation, gradient, bias, phase, output_value=None):
    """Rows for one neuron. `value`, `pre_activation` and `gradient` (dL/d value) are numbers or None
    (an input has no pre-activation and needs no gradient); `bias` is a parameter triple or None; for
    an output neuron, `output_value` is what it shows (a probability, or the predicted value) and
    `value` its logit, whose gradient the engine computes."""
    rows = []
    if output_value is not None:
        rows.append(("output", number(output_value)))
    if value is not None:
        rows.append(("logit" if output_value is not None else "value", number(value)))
    if pre_activation is not None and output_value is None:
        rows.append(("pre-activation", number(pre_activation)))
    if pre_activation is None:
        rows.append(("gradient", "none: the inputs need no gradient"))
    else:
        symbol = "logit" if output_value is not None else "a"
        rows.append((f"gradient \u2202L/\u2202{symbol}", number(gradient) if gradient is not None and phase is not None
                     and phase >= GRADIENTS else _later(phase, GRADIENTS, "computed")))
    if bias is not None:
        rows += parameter_rows("bias", bias, phase, "b")
    return rows


def node_rows(data, gradient, phase, reached, change=None):
    """Rows for one graph node: its data; its gradient, once the replay has `reached` it (always, outside
    the step-through), or None when nothing the loss depends on flows through it (a constant); and for a
    parameter its `change` (after - before) in the update phase."""
    rows = [("value", values_text(data))]
    if gradient is None and (reached or phase is None):
        rows.append(("gradient", "none: the loss does not depend on it"))
    elif reached:
        rows.append(("gradient", values_text(gradient)))
    else:
        rows.append(("gradient", _later(phase, GRADIENTS, "computed")))
    if change is not None:
        rows.append(("last update", values_text(change) if phase >= UPDATE else _later(phase, UPDATE, "taken")))
    return rows


def stepped_node_rows(data, gradient, reached, received):
    """Rows for a node of the code's expression while Next node steps its backward pass: its value, its
    gradient as far as the pass has come, and each contribution added into it so far, by where it came from
    (`received`: (name, amount) pairs), so a node used twice shows both and their sum."""
    rows = [("value", values_text(data))]
    if not reached:
        rows.append(("gradient", "not reached yet: press Next node"))
    elif gradient is None:
        rows.append(("gradient", "none: the expression does not depend on it"))
    else:
        rows.append(("gradient", values_text(gradient)))
    return rows + [(f"+= from {name}", values_text(amount)) for name, amount in received]


def between_rows(modules, index, batch_z=None, dropped=None):
    """Rows for what a batch norm or a dropout after neuron `index`'s Linear did (`modules`: (place, module)): the
    statistics batch norm normalised by (the step's batch's, from its pre-activations `batch_z`, in the walkthrough;
    else its running averages) and, in a walked step, whether dropout kept the unit (`dropped`)."""
    rows = []
    for _, module in modules:
        if isinstance(module, BATCH_NORMS) and batch_z is not None:
            rows += [("batch mean \u03bc", number(batch_z.mean())), ("batch variance \u03c3\u00b2", number(batch_z.var()))]
        elif isinstance(module, BATCH_NORMS):
            rows += [("running mean \u03bc", number(module.running_mean[index])),
                     ("running variance \u03c3\u00b2", number(module.running_var[index]))]
        elif isinstance(module, nn.Dropout) and dropped is not None:
            rows.append(("dropout", "switched off this step" if dropped else f"kept, \u00d71/(1 \u2212 {number(module.p)})"))
    return rows


def phase_words(walk):
    """Where the walkthrough `walk` is, to follow a title: " (phase 2 of 5, loss)", or "" outside it."""
    return f" (phase {walk.index + 1} of {len(PHASES)}, {walk.phase.name.replace('_', ' ')})" if walk else ""


def capitalised(name):
    return f"{name[0].upper()}{name[1:]}"


class Inspector:
    """The inspector's title and table on `page`. It names neurons and edges as the Network view does
    (`pictures`), reads graph nodes from the graph panel (`graph`), and the numbers from `run()` and
    `walkthrough()` as they are now; outside the walkthrough a neuron is read at `inspected_input()`, the
    input the Network view shows."""

    def __init__(self, page, pictures, graph, run, walkthrough, inspected_input):
        self.page, self.pictures, self.graph = page, pictures, graph
        self.run, self.walkthrough, self.inspected_input = run, walkthrough, inspected_input
        self.rows = None  # the rows shown: the table is built again only when they change

    def show(self, part):
        """Show `part` ("neuron", layer, index), ("edge", layer, to, from), ("node", key) or None, with the
        engine's numbers as the walkthrough's phase knows them (or the network's as it stands, outside it)."""
        title, rows = "", []
        if part is not None and part[0] == "neuron" and self.pictures.layout is not None:
            title, rows = self.inspect_neuron(*part[1:])
        elif part is not None and part[0] == "edge":
            title, rows = self.inspect_edge(part[1:])
        elif part is not None and part[0] == "node" and self.graph.index_of(part[1]) is not None:
            title, rows = self.inspect_node(self.graph.index_of(part[1]))
        self.page.set_text("inspector", title)
        if rows != self.rows:
            self.rows = rows
            self.page.show_table("inspector-numbers", HEADER if rows else (), rows)

    def inspect_neuron(self, layer, index):
        name = self.pictures.neuron_name(layer, index)
        last = layer == len(self.pictures.layout.centres) - 1
        walk, run = self.walkthrough(), self.run()
        if walk is not None:
            story = walk.story
            pre = None if layer == 0 else story.pre_activations[layer][EXAMPLE, index]
            gradient = None if story.gradients[layer] is None else story.gradients[layer][EXAMPLE, index]
            bias = None if layer == 0 or story.biases[layer - 1] is None else \
                tuple(None if part is None else part[index] for part in story.biases[layer - 1])
            rows = neuron_rows(story.values[layer][EXAMPLE, index], pre, gradient, bias, walk.index,
                               walk.values[-1][index] if last else None)
            if 0 < layer and not last:
                dropped = story.dropped[layer]
                rows += between_rows(between_layers(run.model, layer), index, story.pre_activations[layer][:, index],
                                     None if dropped is None else bool(dropped[EXAMPLE, index]))
            return f"{capitalised(name)}, for the batch's first example{phase_words(walk)}", rows
        point = self.inspected_input()
        if point is None:
            return name, []
        values, pre_activations, _ = forward_reading(run.model, run.features(np.asarray(point)[None]))
        layer_bias = None if layer == 0 else biases(run)[layer - 1]
        bias = None if layer_bias is None else (layer_bias.data[index], None, None)
        rows = neuron_rows(values[layer][0, index], None if layer == 0 else pre_activations[layer][0, index], None,
                           bias, None, run.output_values(values[-1])[0][index] if last else None)
        if 0 < layer and not last:
            rows += between_rows(between_layers(run.model, layer), index)
        return f"{capitalised(name)} at the input ({point[0]:.2f}, {point[1]:.2f})".replace("-", "\u2212"), rows

    def inspect_edge(self, edge):
        layer, to_neuron, from_neuron = edge
        walk = self.walkthrough()
        if walk is None:
            weight = self.run().weights[layer].data[to_neuron, from_neuron]
            return self.pictures.describe_edge(edge), parameter_rows("weight", (weight, None, None), None, "w")
        triple = tuple(None if part is None else part[to_neuron, from_neuron] for part in walk.story.weights[layer])
        name = self.pictures.neuron_name
        title = f"Weight from {name(layer, from_neuron)} to {name(layer + 1, to_neuron)}{phase_words(walk)}"
        return title, parameter_rows("weight", triple, walk.index, "w")

    def inspect_node(self, index):
        data, gradient, reached, change = self.graph.node_numbers(index)
        walk, stepping = self.graph.shown_walkthrough(), self.graph.stepping()
        title = f"Graph node {self.graph.nodes.labels[index]}"
        if stepping is not None:
            where = "done" if stepping.done else f"node {stepping.position + 1} of {len(stepping.steps)}"
            received = stepping.received_by(self.graph.nodes.tensors[index])
            return f"{title} (backward pass, {where})", stepped_node_rows(data, gradient, reached, received)
        return f"{title}{phase_words(walk)}", node_rows(data, gradient, walk.index if walk else None, reached, change)
