"""One training step of the MLP on one digit, taken by the engine, for the lab's walkthrough: the forward
pass (forward hooks on the activations and the scores), the cross-entropy loss, the backward pass (the
hooked tensors keep the gradient the engine gave them, and its observer tells in which order it finished
them) and plain SGD's update.

The step is taken on a copy of the network, so walking through it never changes the weights the lab
shows; only Train from scratch trains them.
"""
import copy
from typing import NamedTuple

import numpy as np

from engine import no_grad, optim
from engine.nn import functional as F

from app.digits.mlp_inspect import mlp_layers, one_digit

LEARNING_RATE = 0.1  # plain SGD's, for the step the walkthrough shows; the walkthrough's captions say it


class MlpStep(NamedTuple):
    """What one SGD step on one digit did, per layer. Neuron layer 0 is the input; `activations[l]` is what
    `weights[l]` multiplies (the input's pixels, then each hidden layer's activations); `gradients[l]` is
    dloss/d(neuron layer l + 1's values): each hidden layer's activations, then the ten scores."""

    label: int                  # the digit the loss is about
    activations: list           # (784,), then (units,) per hidden layer
    scores: np.ndarray          # (10,): the output layer's values, before softmax
    probabilities: np.ndarray   # (10,)
    loss: float                 # cross-entropy: -log probabilities[label]
    gradients: list             # per neuron layer after the input, dloss/d its values
    reached: tuple              # neuron layers in the order the engine finished their gradients
    weights: list               # per Linear layer, (n_out, n_in) before the step
    weight_gradients: list      # dloss/dweight, the same shapes
    changes: list               # each weight's change in the optimizer's step: -learning_rate x its gradient
    learning_rate: float
    loss_after: float           # the loss for the same digit and label with the weights after the step
    probabilities_after: np.ndarray


def record_mlp_step(model, pixels, label, learning_rate=LEARNING_RATE):
    """Take one SGD step of a copy of `model` (an MLP `mlp_inspect.mlp_layers` accepts) on the digit
    `pixels` (784 values in [0, 1]) labelled `label`, and return what it did. `model` is left as it was."""
    learner = copy.deepcopy(model)  # a copy: its gradients and its step stay out of the lab's network
    learner.zero_grad()  # a network in training holds its last batch's gradients, and leaves accumulate
    linears, activations = mlp_layers(learner)
    pixels = one_digit(linears, pixels, "record_mlp_step")
    if not 0 <= label < linears[-1].n_out:
        raise ValueError(f"record_mlp_step: label {label} is not one of the model's {linears[-1].n_out} outputs "
                         f"(0 to {linears[-1].n_out - 1}); pass the digit the loss is about")
    outputs = []  # the tensors themselves, with their graph: after backward each holds its gradient
    handles = [module.register_forward_hook(lambda module, inputs, output: outputs.append(output))
               for module in (*activations, linears[-1])]
    try:
        scores = learner(pixels)
    finally:
        for handle in handles:
            handle.remove()
    loss = F.cross_entropy(scores, np.array([label]))
    finished = []
    loss.backward(observer=finished.append)
    rank = {id(node): place for place, node in enumerate(finished)}
    weights = [layer.weight.data.copy() for layer in linears]
    optim.SGD(learner.parameters(), lr=learning_rate).step()
    with no_grad():
        scores_after = learner(pixels)
    probabilities = scores.softmax().data[0]
    return MlpStep(
        label=int(label), activations=[pixels[0], *(output.data[0] for output in outputs[:-1])],
        scores=scores.data[0], probabilities=probabilities, loss=loss.item(),
        gradients=[output.grad[0] for output in outputs],
        reached=tuple(1 + layer for layer in sorted(range(len(outputs)), key=lambda k: rank[id(outputs[k])])),
        weights=weights, weight_gradients=[layer.weight.grad.copy() for layer in linears],
        changes=[layer.weight.data - before for layer, before in zip(linears, weights)],
        learning_rate=learning_rate, loss_after=F.cross_entropy(scores_after, np.array([label])).item(),
        probabilities_after=scores_after.softmax().data[0])
