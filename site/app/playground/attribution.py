"""Per-example attribution: how each training point alone pulls every weight.

A training step follows the mean of its examples' own gradients. Here each example's gradient is read apart:
∂Lᵢ/∂w, the gradient of point i's own loss Lᵢ, for every weight of the network and every training point at once.
So a learner can click one point and see where it pushes the network, or pick one weight and see which points
pull it up and which down.

One batched pass of the engine computes them all. For a Linear layer z = x·Wᵀ + b, the gradient of a mean loss
L = (1/N)·Σᵢ Lᵢ with respect to z has one row per example, and row i is (1/N)·∂Lᵢ/∂zᵢ, since zᵢ feeds only Lᵢ.
So N times that row, ∂Lᵢ/∂zᵢ, is example i's own; its weight gradient is the outer product ∂Lᵢ/∂zᵢ ⊗ xᵢ and its
bias gradient ∂Lᵢ/∂zᵢ itself: no loop over points, and nothing but the engine's own backward pass. That holds
while the network treats its examples apart (Linear layers and elementwise activations, as the playground
draws) and the loss is a mean over them, as every loss the playground offers is. The regularization penalty
belongs to no example: it is left out here, and the batch's gradient is the examples' mean plus its own.
"""
from dataclasses import dataclass

import numpy as np

from engine import Tensor, nn, no_grad
from app.shared.numbers import number


@dataclass(frozen=True)
class ExampleGradients:
    """Each training point's own gradients, per Linear layer l of the network (inputs first):
    `inputs[l]` (N, n_in) the values that layer multiplies (x), `pre_activations[l]` (N, n_out) what it computes
    (z), `upstream[l]` (N, n_out) ∂Lᵢ/∂a for the neurons it feeds (a, their activation's output; the logits for
    the last layer) and `deltas[l]` (N, n_out) ∂Lᵢ/∂z."""

    inputs: tuple
    pre_activations: tuple
    upstream: tuple
    deltas: tuple

    def of_weight(self, layer, to_neuron, from_neuron):
        """∂Lᵢ/∂w for one weight, one number per training point: ∂Lᵢ/∂z · x."""
        return self.deltas[layer][:, to_neuron] * self.inputs[layer][:, from_neuron]

    def of_bias(self, layer, neuron):
        """∂Lᵢ/∂b for one neuron's bias (`layer` is the Linear layer that computes it), per training point."""
        return self.deltas[layer][:, neuron]

    def of_part(self, part):
        """Per training point, the gradient of the parameter `part` stands for (see `parameter_symbol`): an edge's
        weight, or a computed neuron's bias."""
        if part[0] == "edge":
            return self.of_weight(*part[1:])
        return self.of_bias(part[1] - 1, part[2])

    def of_example(self, example):
        """Every weight's ∂Lᵢ/∂w for training point `example`: one (n_out, n_in) matrix per Linear layer, laid
        out as the layers' weights are."""
        return [np.outer(delta[example], x[example]) for delta, x in zip(self.deltas, self.inputs)]


def example_gradients(run):
    """Every training point's own gradients in `run`'s network as it stands (see the module's docstring), or
    None with no training points. The parameters' `.grad` are left as they were: this is a look, not a step."""
    if not len(run.inputs_train):
        return None
    count = len(run.inputs_train)
    h = Tensor(run.inputs_train)
    inputs, linear_outputs, after_linear = [], [], []  # per Linear: x, z, and a (what the next layer reads)
    for module in run.model:
        if isinstance(module, nn.Linear):
            if linear_outputs:
                after_linear.append(h)
            inputs.append(h.data)
            h = module(h)
            linear_outputs.append(h)
        else:
            h = module(h)
    after_linear.append(h)  # the logits
    loss = run.data_loss(h, run.y_train)
    parameters = run.model.parameters()
    kept = [None if p.grad is None else np.array(p.grad) for p in parameters]
    try:
        loss.backward()
    finally:
        for parameter, grad in zip(parameters, kept):
            parameter.grad = grad
    own = lambda tensor: count * tensor.grad  # row i of the mean loss's gradient is 1/N of Lᵢ's own
    return ExampleGradients(tuple(inputs), tuple(z.data for z in linear_outputs), tuple(own(a) for a in after_linear),
                            tuple(own(z) for z in linear_outputs))



def own_loss(run, example):
    """Training point `example`'s own loss Lᵢ: the run's data loss on a batch of that point alone."""
    with no_grad():
        chosen = slice(example, example + 1)
        return run.data_loss(run.model(run.inputs_train[chosen]), run.y_train[chosen]).item()


def chosen_note(run, example):
    """What the Network shows while training point `example` is chosen, in words, with its own loss."""
    x1, x2 = run.X_train[example]
    label = run.y_train[example]
    target = f"target {number(label)}" if run.regression else f"class {int(label)}"
    return (f"Training point {example + 1} of {len(run.X_train)}, ({number(x1, 3)}, {number(x2, 3)}), {target}, its loss "
            f"L\u1d62 = {number(own_loss(run, example))}: the edges show its own \u2202L\u1d62/\u2202w.")


class Attribution:
    """The training points' own gradients as the views need them this frame: worked out at each paint (`update`)
    when a training point is chosen on the plane or a parameter is pointed at (`canvas_input` knows which), and
    never during the walkthrough, which shows the step it recorded instead. `run()` is the run that trains,
    `walkthrough()` the walkthrough or None."""

    def __init__(self, run, canvas_input, walkthrough):
        self.run, self.canvas_input, self.walkthrough = run, canvas_input, walkthrough
        self.gradients = None  # the ExampleGradients of the last paint, or None when nothing showed them

    @property
    def chosen(self):
        """The chosen training point's index, or None."""
        return self.canvas_input.chosen_example

    def update(self):
        part = self.canvas_input.inspected_part()
        wanted = self.walkthrough() is None and (self.chosen is not None or parameter_symbol(part) is not None)
        self.gradients = example_gradients(self.run()) if wanted else None

    def pulls(self):
        """(the parameter's symbol, each training point's ∂Lᵢ/∂ of it) for the part pointed at, or None."""
        part = self.canvas_input.inspected_part()
        if self.gradients is None or parameter_symbol(part) is None:
            return None
        return parameter_symbol(part), self.gradients.of_part(part)

    def of_chosen(self):
        """The chosen training point's own ∂Lᵢ/∂w for every weight (a matrix per layer), or None."""
        return None if self.gradients is None or self.chosen is None else self.gradients.of_example(self.chosen)


def parameter_symbol(part):
    """"w" for an edge (its weight), "b" for a computed neuron (its bias), None for a part without a parameter."""
    if part is not None and part[0] == "edge":
        return "w"
    if part is not None and part[0] == "neuron" and part[1] > 0:
        return "b"
    return None
