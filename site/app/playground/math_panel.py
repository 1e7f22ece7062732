"""The Math panel: what the engine computed for the part pointed at, written out with today's numbers filled
in, so a learner can check the picture by hand. A neuron: its sum `z = w₁·x₁ + … + b = …`, then
`a = tanh(z) = …`. A weight, during the walkthrough: the chain rule for the shown example, the batch's gradient,
then the optimizer's step.

The lines are made by plain functions from arrays; `MathPanel` reads the numbers of the part pointed at (the
walkthrough's recorded step and its example while it runs, else the input the Network view shows) and shows them.
"""
from contextlib import nullcontext

import numpy as np

from engine import Tensor, nn
from app.graph.backward_steps import backward_steps, node_names
from app.graph.node_math import bracketed, node_lines
from app.graph.panel import biases, linear_layers
from app.graph.layout import parameter_labels
from app.playground.inspector import NOT_STEPPING, phase_words
from app.playground.run import between_layers
from app.playground.stepthrough.recorded_step import PHASES, forward_reading, weights_before_the_step
from app.playground.stepthrough.walkthrough import EXAMPLE
from app.shared.numbers import number

MAX_TERMS = 6  # past this many inputs, the smallest terms are summed into one: a wide layer stays one readable line
NOTHING_CHOSEN = "Point at a neuron in the Network to see its sum written out with the numbers filled in."
GRADIENTS, UPDATE = PHASES.index("gradients"), PHASES.index("update")
# The optimizers whose rule the panel writes out, from the state the recorded step kept (your own: its step only).
RULES = ("sgd", "momentum", "rmsprop", "adam")
SUBSCRIPTS = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")


def subscript(count):
    """`count` in subscript digits, as in w₁₂."""
    return str(count).translate(SUBSCRIPTS)


def weighted_sum(weights, inputs, bias, z):
    """The lines of `z = w·x + b` for one neuron: the symbols, the numbers, the result. `weights` and `inputs`
    are its row of the layer's weights and the previous layer's values, `bias` a number or None (a layer
    without one), `z` the engine's own result. Terms go largest |w·x| first; past MAX_TERMS the rest are
    added up and shown as one number, so the numbers shown always add up to z.

    >>> weighted_sum(np.array([0.5, -2.0]), np.array([1.0, 0.25]), 0.1, 0.1)
    ['z = w\u2081\u00b7x\u2081 + w\u2082\u00b7x\u2082 + b', '  = (0.5)\u00b7(1) + (\u22122)\u00b7(0.25) + (0.1)', '  = 0.1']
    """
    terms = np.asarray(weights) * np.asarray(inputs)
    order = np.argsort(-np.abs(terms), kind="stable")
    shown, rest = order[:MAX_TERMS], order[MAX_TERMS:]
    symbols = [f"w{subscript(i + 1)}\u00b7x{subscript(i + 1)}" for i in shown]
    values = [f"{bracketed(weights[i])}\u00b7{bracketed(inputs[i])}" for i in shown]
    if len(rest):
        symbols.append(f"\u2026 ({len(rest)} more)")
        values.append(bracketed(terms[rest].sum()))
    if bias is not None:
        symbols.append("b")
        values.append(bracketed(bias))
    return [f"z = {' + '.join(symbols)}", f"  = {' + '.join(values)}", f"  = {number(z)}"]


def chain_lines(chain, index, z, activation, training, batch_z=None):
    """How neuron `index`'s sum `z` becomes its value through the modules after its Linear (`chain`: (module, its
    output for this neuron) each): a batch norm, its `activation` (by name), a dropout. `training` says whether
    this was a training step (batch norm from the batch, `batch_z` its z for every example; dropout on) or not."""
    lines, symbol, value = [], "z", z
    for module, output in chain:
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            if training:
                mean, var, whose = batch_z.mean(), batch_z.var(), "the batch's mean and variance of z (a training step)"
            else:
                mean, var = module.running_mean[index], module.running_var[index]
                whose = "the running averages of the batches' (training is over)"
            gamma = 1.0 if module.weight is None else module.weight.data[index]
            beta = 0.0 if module.bias is None else module.bias.data[index]
            lines.append(f"batch norm, μ and σ² {whose}:")
            lines.append(f"ẑ = γ·(z − μ)/√(σ² + ε) + β = {bracketed(gamma)}·({bracketed(z)} − {bracketed(mean)})/"
                         f"√({bracketed(var)} + {number(module.eps)}) + {bracketed(beta)} = {number(output)}")
            symbol = "ẑ"
        elif isinstance(module, nn.Dropout):
            if not training or module.p == 0:
                lines.append(f"dropout (p = {number(module.p)}) is off outside a training step: a passes as it is")
            elif output == 0 and value != 0:
                lines.append(f"dropout (p = {number(module.p)}) switched this unit off in this step: a ← 0")
            else:
                lines.append(f"dropout (p = {number(module.p)}) kept this unit, scaled: a ← a / (1 − p) = "
                             f"{bracketed(value)}/{bracketed(1 - module.p)} = {number(output)}")
        else:
            lines.append(f"a = {activation}({symbol}) = {activation}({number(value)}) = {number(output)}")
            symbol = "a"
        value = output
    return lines


def output_line(index, z, output, classes, regression):
    """How the output neuron `index` (its logit `z`) becomes what the user reads (`output`): the predicted
    value, or a probability through the sigmoid (one class against the other) or the softmax (`classes`)."""
    if regression:
        return f"\u0177 = z = {number(output)}, the predicted value"
    if classes > 1:
        k = subscript(index + 1)
        return f"p{k} = exp(z{k}) / \u03a3\u2c7c exp(z\u2c7c) = {number(output)}, the probability of class {index}"
    return f"p = \u03c3(z) = \u03c3({number(z)}) = {number(output)}, the probability of class 1"


def neuron_lines(name, inputs_name, weights, inputs, bias, z, after, output=None):
    """Everything the panel writes for one computed neuron called `name`: where its inputs xᵢ come from
    (`inputs_name`), its weighted sum, then how z becomes its value (`after`: the lines of `chain_lines`), or for
    an output neuron (`output`: (index, value, classes, regression)) how its logit becomes the output."""
    lines = [f"{name}: x\u1d62 are the values of {inputs_name}", *weighted_sum(weights, inputs, bias, z)]
    if output is not None:
        return lines + [output_line(output[0], z, output[1], *output[2:])]
    return lines + after


def chain_rule_lines(upstream, slope, x, activation, lead, loss="L"):
    """The chain rule for one weight and one example, after the line `lead` that says which: `upstream` is ∂L/∂a
    for the neuron it feeds, `slope` its activation's f′(z) (None for the output's logit, which has none), `x` the
    value it multiplies; `loss` names the loss differentiated (L, or Lᵢ for one example's own)."""
    if slope is None:
        return [lead, f"∂{loss}/∂w = ∂{loss}/∂z · x = {bracketed(upstream)}·{bracketed(x)} = {number(upstream * x)}"]
    return [lead, f"∂{loss}/∂w = ∂{loss}/∂a · {activation}′(z) · x = {bracketed(upstream)}·"
                  f"{bracketed(slope)}·{bracketed(x)} = {number(upstream * slope * x)}"]


def batch_share(batch):
    """The lead of the walkthrough's chain rule: the batch's loss is the mean over its `batch` examples, so the
    first example's part is 1/batch of its own loss's gradient."""
    return (f"For the batch's first example (its share of the batch's mean loss, 1/{batch} of the gradient of its "
            "own loss):")


def mean_lines(pulls, symbol, batch_size):
    """What the training points' own gradients `pulls` (∂Lᵢ/∂`symbol`, one per point) add up to: their mean is the
    gradient of the training loss, and a step on a batch of `batch_size` follows its points' mean."""
    return [f"Mean of ∂Lᵢ/∂{symbol} over all {len(pulls)} training points = {number(pulls.mean())}: the gradient of "
            "the training loss (the points on the Output plane show each one).",
            f"A step on a batch of {min(batch_size, len(pulls))} follows its points' mean (plus the penalty's "
            f"∂/∂{symbol}, if any)."]


def batch_lines(shares, gradient):
    """The batch's ∂L/∂w (`gradient`, the engine's) as the sum of its examples' `shares`; what the loss adds
    besides them (a regularization penalty) is shown as its own term."""
    lines = [f"∂L/∂w for the batch = the sum of its {len(shares)} examples' shares (the mean of their own "
             f"gradients) = {number(shares.sum())}"]
    penalty = gradient - shares.sum()
    if not np.isclose(penalty, 0.0, rtol=0.0, atol=1e-12 + 1e-9 * np.abs(shares).sum()):
        lines.append(f"  + the penalty's ∂/∂w {bracketed(penalty)} = {number(gradient)}")
    return lines


def update_lines(optimizer, before, gradient, after, states=None):
    """The optimizer's step on one weight, its rule written out with the numbers: `before`, `gradient` and `after`
    are the weight's, `states` (the optimizer's state for this weight before and after the step, and its
    settings: see `weight_state`) what SGD with momentum, RMSprop and Adam keep. Your own optimizer's step is read
    from `before` and `after`."""
    b, g, a = bracketed(before), bracketed(gradient), number(after)
    if optimizer not in RULES or states is None:
        return [f"Your optimizer's step: Δw = {number(after - before)}, so w ← {b} + "
                f"{bracketed(after - before)} = {a}"]
    earlier, now, settings = states
    eta = bracketed(settings["lr"])
    if optimizer == "sgd":
        return [f"w ← w − η·∂L/∂w = {b} − {eta}·{g} = {a}"]
    if optimizer == "momentum":
        v = now["momentum_buffer"]
        if "momentum_buffer" not in earlier:
            first = f"v ← ∂L/∂w = {number(v)}: its first step, so the velocity starts as the gradient"
        else:
            first = (f"v ← μ·v + ∂L/∂w = {bracketed(settings['momentum'])}·{bracketed(earlier['momentum_buffer'])} + "
                     f"{g} = {number(v)}")
        return [first, f"w ← w − η·v = {b} − {eta}·{bracketed(v)} = {a}"]
    if optimizer == "rmsprop":
        alpha, eps, square = settings["alpha"], settings["eps"], now["square_avg"]
        return [f"s ← α·s + (1 − α)·(∂L/∂w)² = {bracketed(alpha)}·{bracketed(earlier['square_avg'])} + "
                f"{bracketed(1 - alpha)}·{g}² = {number(square)}",
                f"w ← w − η·∂L/∂w / (√s + ε) = {b} − {eta}·{g} / (√{bracketed(square)} + {number(eps)}) = {a}"]
    (beta1, beta2), eps, t = settings["betas"], settings["eps"], now["step"]
    mean, square = now["exp_avg"], now["exp_avg_sq"]
    mean_hat, square_hat = mean / (1 - beta1 ** t), square / (1 - beta2 ** t)
    return [f"m ← β₁·m + (1 − β₁)·∂L/∂w = {bracketed(beta1)}·{bracketed(earlier['exp_avg'])} + "
            f"{bracketed(1 - beta1)}·{g} = {number(mean)}",
            f"v ← β₂·v + (1 − β₂)·(∂L/∂w)² = {bracketed(beta2)}·{bracketed(earlier['exp_avg_sq'])} + "
            f"{bracketed(1 - beta2)}·{g}² = {number(square)}",
            f"step t = {t}: m̂ = m / (1 − β₁ᵗ) = {number(mean_hat)}, v̂ = v / (1 − β₂ᵗ) = {number(square_hat)}",
            f"w ← w − η·m̂ / (√v̂ + ε) = {b} − {eta}·{bracketed(mean_hat)} / (√{bracketed(square_hat)} + "
            f"{number(eps)}) = {a}"]


def clipping_line(gradient, norm, max_norm):
    """(the gradient the optimizer used, the line saying why) when the step clipped its gradients to `max_norm`
    and they had the total norm `norm` (over every parameter) before: scaled by max_norm / (norm + 10⁻⁶) when
    above, as clip_grad_norm_ does, else used as they are."""
    if norm <= max_norm:
        return gradient, (f"Gradient clipping at {number(max_norm)}: the step's gradients have total norm "
                          f"{number(norm)}, within it, so they are used as they are.")
    factor = max_norm / (norm + 1e-6)
    return gradient * factor, (f"Gradient clipping at {number(max_norm)}: the step's gradients have total norm "
                               f"{number(norm)}, so each is scaled by {number(max_norm)} / ({number(norm)} + 10⁻⁶) = "
                               f"{number(factor)}: ∂L/∂w becomes {bracketed(gradient)}·{bracketed(factor)} = "
                               f"{number(gradient * factor)}")


def weight_state(recording, optimizer, parameter, element):
    """(the optimizer's state for one element of `parameter` before the step, after it, its settings) from the
    `recording`: each array of the state read at `element`, the step count as it is."""
    index = next(i for i, p in enumerate(optimizer.params) if p is parameter)
    read = lambda state: {name: value[element] if isinstance(value, np.ndarray) else value
                          for name, value in state["state"].get(index, {}).items()}
    return read(recording.optimizer_before), read(recording.optimizer_after), recording.optimizer_after["param_groups"][0]


def activation_slopes(module, z):
    """f′(z) of an activation `module` at each of the pre-activations `z`, computed by the engine's own backward
    pass (so your own module's slope is right too); None when there is no activation (`module` None)."""
    if module is None:
        return None
    z = Tensor(np.array(z, dtype=np.float64), requires_grad=True)
    module(z).sum().backward()
    return z.grad


def capitalised(name):
    return f"{name[0].upper()}{name[1:]}"


class MathPanel:
    """The Math region on `page`, for the part pointed at. It names neurons as the Network view does
    (`pictures`) and reads the numbers from `run()` and `walkthrough()` as they are now; outside the
    walkthrough at `inspected_input()`, the input the Network view shows."""

    def __init__(self, page, pictures, run, walkthrough, inspected_input, graph, attribution):
        self.page, self.pictures, self.graph, self.attribution = page, pictures, graph, attribution
        self.run, self.walkthrough, self.inspected_input = run, walkthrough, inspected_input
        self.text = None  # what is shown: the page's text changes only when it does
        self.pass_of = (None, ())  # (a graph's root, its backward pass and names): worked out once per graph

    def show(self, part):
        """Write out `part` (as the inspector gets it: ("neuron", layer, index), an edge, a graph node or None)."""
        lines = None
        if part is not None and part[0] == "neuron" and self.pictures.layout is not None:
            lines = self.neuron(*part[1:])
        elif part is not None and part[0] == "edge":
            lines = self.edge(*part[1:])
        elif part is not None and part[0] == "node" and self.graph.index_of(part[1]) is not None:
            lines = self.node(self.graph.index_of(part[1]))
        text = "\n".join(lines or [NOTHING_CHOSEN])
        if text != self.text:
            self.text = text
            self.page.set_text("math", text)

    def neuron(self, layer, index):
        name, run, walk = self.pictures.neuron_name, self.run(), self.walkthrough()
        if walk is not None:  # the recorded step: its example, and the weights the step began with
            story = walk.story
            values, pre_activations = [v[EXAMPLE] for v in story.values], [None] + [p[EXAMPLE] for p in
                                                                                    story.pre_activations[1:]]
            weights = story.weights[layer - 1][0] if layer else None
            bias = story.biases[layer - 1] if layer else None
            bias = None if bias is None else bias[0][index]
            outputs, where = walk.values[-1], "the batch's first example"
            by_module = {event.layer: event.output[EXAMPLE] for event in walk.steps.recording.forward}
        else:
            point = self.inspected_input()
            if point is None:
                return None
            values, pre_activations, by_module = forward_reading(run.model, run.features(np.asarray(point)[None]))
            values, pre_activations = [v[0] for v in values], [None if p is None else p[0] for p in pre_activations]
            by_module = [output[0] for output in by_module]
            weights = run.weights[layer - 1].data if layer else None
            bias = biases(run)[layer - 1] if layer else None
            bias = None if bias is None else bias.data[index]
            outputs = run.output_values(values[-1][None])[0]
            where = f"the input ({number(point[0], 3)}, {number(point[1], 3)})"
        title = f"{capitalised(name(layer, index))}, at {where}"
        if layer == 0:
            return [f"{title}: x{subscript(index + 1)} = {number(values[0][index])}, a feature of the point: "
                    "nothing is computed here"]
        last = layer == len(self.pictures.layout.centres) - 1
        output = (index, outputs[index], run.classes, run.regression) if last else None
        previous = "the input features" if layer == 1 else f"hidden layer {layer - 1}"
        z = pre_activations[layer][index]
        chain = [(module, by_module[i][index]) for i, module in between_layers(run.model, layer)]
        with weights_before_the_step(walk.steps.recording) if walk is not None else nullcontext():  # its γ and β
            after = [] if last else chain_lines(chain, index, z, run.activation_names()[layer - 1], walk is not None,
                                                None if walk is None else walk.story.pre_activations[layer][:, index])
        lines = neuron_lines(title, previous, weights[index], values[layer - 1], bias, z, after, output)
        return lines if walk is not None or bias is None else lines + self.pulls_on_bias(layer, index)

    def edge(self, layer, to_neuron, from_neuron):
        """A weight: during the walkthrough its gradient by the chain rule (from phase 4) and its update (phase 5),
        with the recorded step's numbers; outside it, its value and how to see the rest."""
        name, run, walk = self.pictures.neuron_name, self.run(), self.walkthrough()
        title = f"Weight from {name(layer, from_neuron)} to {name(layer + 1, to_neuron)}{phase_words(walk)}"
        if walk is None:
            return [title, *self.pulls_on_weight(layer, to_neuron, from_neuron)]
        story = walk.story
        before, gradient, after = (None if part is None else part[to_neuron, from_neuron]
                                   for part in story.weights[layer])
        lines = [title]
        if walk.index < GRADIENTS:
            return lines + [f"w = {number(before)}; its gradient is worked out in phase {GRADIENTS + 1} (gradients)"]
        after_linear = self.activation_module(run.model, layer)
        z = story.pre_activations[layer + 1][:, to_neuron]
        slopes = activation_slopes(after_linear, z)
        upstream, x = story.gradients[layer + 1][:, to_neuron], story.values[layer][:, from_neuron]
        shares = upstream * x if slopes is None else upstream * slopes * x
        activation = run.activation_names()[layer]
        lines += chain_rule_lines(upstream[EXAMPLE], None if slopes is None else slopes[EXAMPLE], x[EXAMPLE],
                                  activation, batch_share(len(x)))
        lines += batch_lines(shares, gradient)
        if walk.index >= UPDATE:
            recording = walk.steps.recording
            if recording.clipping is not None:
                clipped, words = clipping_line(gradient, *recording.clipping)
                lines.append(words)
                gradient = clipped
            states = (weight_state(recording, run.optimizer, run.weights[layer], (to_neuron, from_neuron))
                      if run.optimizer_name in RULES else None)
            lines += update_lines(run.optimizer_name, before, gradient, after, states)
        else:
            lines.append(f"Its update comes in phase {UPDATE + 1} (update).")
        return lines

    def pulls_on_weight(self, layer, to_neuron, from_neuron):
        """A weight outside the walkthrough: its value, the chosen training point's own gradient on it by the chain
        rule, and the training points' mean; without them, how to see its gradient."""
        run, gradients = self.run(), self.attribution.gradients
        value = f"w = {number(run.weights[layer].data[to_neuron, from_neuron])}"
        if gradients is None:
            return [f"{value}: {NOT_STEPPING} and see its gradient worked out"]
        lines, chosen = [value], self.attribution.chosen
        if chosen is not None:
            z = gradients.pre_activations[layer][chosen, to_neuron]
            slope = activation_slopes(self.activation_module(run.model, layer), [z])
            lines += chain_rule_lines(gradients.upstream[layer][chosen, to_neuron], None if slope is None else slope[0],
                                      gradients.inputs[layer][chosen, from_neuron], run.activation_names()[layer],
                                      f"For training point {chosen + 1} alone (its own loss L\u1d62):", loss="L\u1d62")
        return lines + mean_lines(gradients.of_weight(layer, to_neuron, from_neuron), "w", run.state.batch_size)

    def pulls_on_bias(self, layer, index):
        """A computed neuron outside the walkthrough: the chosen training point's pull on its bias, ∂Lᵢ/∂b = ∂Lᵢ/∂z,
        and the training points' mean; nothing without them."""
        gradients, chosen = self.attribution.gradients, self.attribution.chosen
        if gradients is None:
            return []
        lines = []
        if chosen is not None:
            lines.append(f"For training point {chosen + 1} alone: \u2202L\u1d62/\u2202b = \u2202L\u1d62/\u2202z = "
                         f"{number(gradients.of_bias(layer - 1, index)[chosen])}")
        return lines + mean_lines(gradients.of_bias(layer - 1, index), "b", self.run().state.batch_size)

    def node(self, index):
        """A graph node: its op's local derivatives and the contributions that made its gradient, as far as Next
        node has stepped the backward pass, or the walkthrough's replay of its step has come (all of it outside
        both, once the gradients are computed)."""
        graph = self.graph
        tensor, walk, stepping = graph.nodes.tensors[index], graph.shown_walkthrough(), graph.stepping()
        title = f"Graph node {graph.nodes.labels[index]}"
        if walk is not None:  # the step's graph, worked out with the weights it was taken with
            with weights_before_the_step(walk.steps.recording):
                steps, names = self.backward_pass(graph.nodes.tensors[-1])
                return [f"{title}{phase_words(walk)}", *node_lines(tensor, steps, names,
                                                                   walk.reached_events(graph.moment()), "Next phase")]
        if stepping is not None:
            return [f"{title} (backward pass)", *node_lines(tensor, stepping.steps, stepping.names,
                                                             len(stepping.reached()))]
        root = graph.nodes.tensors[-1]
        steps, names = self.backward_pass(root)
        return [title, *node_lines(tensor, steps, names, len(steps) if root.grad is not None else 0)]

    def backward_pass(self, root):
        """(the steps of the backward pass from `root`, the nodes' names), worked out once per graph."""
        graph = self.graph
        if self.pass_of[0] is not root:
            names = node_names(root)
            if graph.code_graph is None:  # the network's loss L and its parameters, as the Network view calls them
                names.update((t, label) for t, label in parameter_labels(linear_layers(self.run())).items()
                             if t in names)
                names[root] = "L"
            self.pass_of = (root, (backward_steps(root), names))
        return self.pass_of[1]

    @staticmethod
    def activation_module(model, layer):
        """The activation right after Linear layer `layer` of `model`, or None when another Linear (or the end)
        comes next: the logits, or a layer left linear."""
        linears = [i for i, module in enumerate(model) if isinstance(module, nn.Linear)]
        following = linears[layer] + 1
        if following >= len(model) or isinstance(model[following], nn.Linear):
            return None
        return model[following]
