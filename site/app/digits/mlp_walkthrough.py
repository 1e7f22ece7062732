"""The lab's walkthrough of one training step of the MLP on the digit in the lab, phase by phase, as the
playground's walkthrough does for its network: the forward pass lights the layers in turn, the loss, its
gradient at the ten scores, the gradients flowing back layer by layer (in the order the engine finished
them), and the optimizer's update.

Pure: a `mlp_step.MlpStep` in, and out what each phase shows: a `mlp_view.Scene` for the network, an array
for the first layer's grid, and words (a caption and a colour key).
"""
import re

import numpy as np

from app.digits.map_images import magnitude
from app.digits.mlp_view import shades
from app.shared.colour_key import key_line
from app.shared.numbers import number

PHASES = ("forward", "loss", "output gradient", "gradients", "update")
LAYER_MS = 450  # the forward pass lights a layer, and the gradient reaches one, this often
FADED = 0.25    # the connections behind the outputs' gradient step back: that phase is about the outputs
MINUS = "\u2212"
INTRO = ("Walk through the pass takes one training step on this digit, on a copy of the network, a phase at "
         "each press: the forward pass, the loss, its gradient at the outputs, the gradients flowing back, and "
         "the update.")


def short(value):
    """A small number as the page writes it (`numbers.number`), to two digits, its exponent unpadded: there is
    little room beside an output.

    >>> short(-0.0000094), short(0.25)
    ('\u22129.4e\u22126', '0.25')
    """
    return re.sub("e(\u2212?)[+0]*", r"e\1", number(value, 2))


def signed(value):
    """`short(value)` with its sign: a gradient's sign is its meaning.

    >>> signed(-0.25), signed(0.00025), signed(0.0)
    ('\u22120.25', '+0.00025', '0')
    """
    return ("+" if value > 0 else "") + short(value)


def loss_label(chosen, true_label, predicted):
    """(digit, the reason in words) the walkthrough's loss is about: the digit chosen under Saliency of, else a
    held-out digit's true label, else (a drawing has no label) the network's own reading.

    >>> loss_label(None, None, 7)[1]
    "7, the network's own reading (a drawing has no label: choose a digit under Saliency of for another)"
    """
    if chosen is not None:
        return chosen, f"{chosen}, the digit chosen under Saliency of"
    if true_label is not None:
        return true_label, f"{true_label}, this held-out digit's true label"
    return predicted, (f"{predicted}, the network's own reading (a drawing has no label: choose a digit under "
                       "Saliency of for another)")


class MlpWalk:
    """Where a walkthrough is: its phase, and how far the phase's motion has got in `shown` steps: the neuron
    layers the forward pass has lit (the input first), or those the gradient has reached (the output first).
    `layers` counts the network's neuron layers; `still` (the viewer prefers less motion) shows each phase's
    end at once.

    >>> walk = MlpWalk(4)
    >>> walk.advance(1000.0), walk.advance(1000.0 + 2 * LAYER_MS), walk.shown, walk.moving
    (False, True, 3, True)
    """

    def __init__(self, layers, still=False):
        self.layers, self.still = layers, still
        self.index = 0
        self.begin()

    @property
    def phase(self):
        return PHASES[self.index]

    @property
    def last(self):
        return self.index == len(PHASES) - 1

    @property
    def steps(self):
        """The steps of this phase's motion: a layer each, or one for a phase that does not move."""
        return {"forward": self.layers, "gradients": self.layers - 1}.get(self.phase, 1)

    @property
    def moving(self):
        return self.shown < self.steps

    def begin(self):
        self.started = None  # the phase's clock starts at its first frame
        self.shown = self.steps if self.still else 1

    def next_phase(self):
        self.index += 1
        self.begin()

    def advance(self, timestamp_ms):
        """Move the motion on to `timestamp_ms`; True when it now shows more than before."""
        if self.started is None:
            self.started = timestamp_ms
        shown = min(self.steps, 1 + int((timestamp_ms - self.started) // LAYER_MS))
        more, self.shown = shown > self.shown, max(shown, self.shown)
        return more


def phase_scene(step, plain, phase, shown):
    """The network's picture in `phase` after `shown` steps of its motion (see `MlpWalk`), made from `plain`,
    the digit's picture outside the walkthrough (`mlp_view.reading_scene`): the same connections are drawn."""
    if phase == "forward":  # neuron layers 0 .. shown - 1 are lit, and the connections between them
        lit = shown == len(step.weights) + 1
        return plain._replace(
            edge_values=[values if layer + 1 < shown else None for layer, values in enumerate(plain.edge_values)],
            shades=[values if layer < shown else None for layer, values in enumerate(plain.shades, start=1)],
            output_texts=plain.output_texts if lit else [str(digit) for digit in range(len(step.scores))],
            ringed=plain.ringed if lit else None,
            details=[words if layer < shown else "" for layer, words in enumerate(plain.details)])
    about_label = plain._replace(ringed=step.label)
    if phase == "loss":
        probability = step.probabilities[step.label]
        return about_label._replace(details=[*plain.details[:-1], f"loss {short(step.loss)} ({MINUS}log "
                                                                  f"{100 * probability:.1f}%)"])
    score_gradient = step.gradients[-1]
    gradient_texts = [f"{digit} {signed(value)}" for digit, value in enumerate(score_gradient.tolist())]
    if phase == "output gradient":
        return about_label._replace(shades=[*plain.shades[:-1], shades(score_gradient)], output_texts=gradient_texts,
                                    details=[*plain.details[:-1], "\u2202loss/\u2202score"], edge_alpha=FADED)
    if phase == "gradients":  # from the output back, in the engine's order: layer l + 1's gradient, then W_l's
        reached = step.reached[:shown]
        return about_label._replace(
            edge_values=[gradient[chosen.to, chosen.source] if layer + 1 in reached else None
                         for layer, (chosen, gradient) in enumerate(zip(plain.connections, step.weight_gradients))],
            shades=[shades(gradient) if layer in reached else None
                    for layer, gradient in enumerate(step.gradients, start=1)],
            output_texts=gradient_texts,
            details=[plain.details[0], *(f"\u2202loss/\u2202activation (largest {short(magnitude(gradient))})"
                                         if layer in reached else "" for layer, gradient in
                                         enumerate(step.gradients[:-1], start=1)), "\u2202loss/\u2202score"])
    return about_label._replace(
        edge_values=[change[chosen.to, chosen.source] for chosen, change in zip(plain.connections, step.changes)],
        shades=[*(None for _ in plain.shades[:-1]), step.probabilities_after],
        output_texts=[f"{digit}  {100 * p:.0f}%" for digit, p in enumerate(step.probabilities_after.tolist())],
        details=[*plain.details[:-1], f"loss {short(step.loss_after)} (was {short(step.loss)})"])


def first_layer_grid(step, phase, shown):
    """(values (hidden-1 neurons, 784), what they are in words) for the grid of first-layer pictures in `phase`:
    the weights, their gradient once the backward pass has reached them, or their change in the update."""
    if phase == "gradients" and 1 in step.reached[:shown]:
        gradient = step.weight_gradients[0]
        return gradient, (f"\u2202loss/\u2202weight for each hidden-1 neuron's weights: the digit itself times that "
                          "neuron's \u2202loss/\u2202(its sum), so each square is a copy of the digit, blue or "
                          f"orange, and blank for a silent neuron (largest {short(magnitude(gradient))}).")
    if phase == "update":
        change = step.changes[0]
        return change, (f"Each first-layer weight's change in this step: blue up, orange down (largest "
                        f"{short(magnitude(change))}). Every square moves by a faint copy of the digit.")
    return step.weights[0], weights_note(step.weights[0])


def weights_note(first_layer):
    """What the grid shows outside the gradients and the update: the first layer's weights themselves."""
    return (f"Each square is one hidden-1 neuron's {first_layer.shape[1]} incoming weights, where their pixels are: "
            f"blue where ink raises the neuron, orange where it lowers it, on one scale for all {len(first_layer)} "
            f"(the largest |weight|, {short(magnitude(first_layer))}, is full colour).")


def phase_caption(step, plain, phase, why):
    """What `phase` shows, in a learner's words, with its numbers; `plain` is the digit's picture outside the
    walkthrough, whose connections the phases draw; `why` says which digit the loss is about (`loss_label`)."""
    place = f"{PHASES.index(phase) + 1} of {len(PHASES)}"
    label, probability = step.label, step.probabilities[step.label]
    if phase == "forward":
        silent = ", ".join(f"{np.count_nonzero(values == 0)} of {values.size} in hidden {layer}"
                           for layer, values in enumerate(step.activations[1:], start=1))
        return (f"{place}, the forward pass: the pixels go in and each layer lights up in turn with its real "
                "activations for this digit. A neuron adds up weight \u00d7 activation over the layer before, plus "
                "its bias; ReLU keeps a positive sum and silences the rest (exactly 0): "
                f"{silent} stay silent. Softmax makes the ten scores probabilities.")
    if phase == "loss":
        return (f"{place}, the loss: cross-entropy for {why}: {MINUS}log of the probability the network gives "
                f"it, {MINUS}log {100 * probability:.2f}% = {number(step.loss)}. A sure right answer costs almost "
                "nothing; a sure wrong one costs a lot.")
    if phase == "output gradient":
        return (f"{place}, the gradient at the outputs, where the backward pass starts: \u2202loss/\u2202score "
                f"is each digit's probability, less 1 for {label} ({number(step.gradients[-1][label], 3)}). "
                f"Stepping against it raises {label}'s score and lowers the others', each the more the more "
                "probable it is.")
    if phase == "gradients":
        gradients = [gradient[chosen.to, chosen.source] for chosen, gradient in
                     zip(plain.connections, step.weight_gradients)]
        drawn, none = sum(map(len, gradients)), sum(int(np.count_nonzero(values == 0)) for values in gradients)
        return (f"{place}, the gradients flow back, layer by layer from the outputs, as the engine's backward "
                "pass finished them: each neuron coloured by \u2202loss/\u2202activation, each drawn connection "
                "by \u2202loss/\u2202weight, which is \u2202loss/\u2202(its neuron's sum) \u00d7 the activation "
                f"it carries. {none} of the {drawn:,} drawn connections get none (grey): they end in a silent "
                "neuron, and ReLU passes nothing back through it.")
    largest = max(magnitude(change) for change in step.changes)
    return (f"{place}, the update: plain SGD at learning rate {step.learning_rate:g} moves each weight by "
            f"{MINUS}{step.learning_rate:g} \u00d7 \u2202loss/\u2202weight (the largest change: {short(largest)}). "
            f"After it the loss for this digit is {number(step.loss_after)} (it was {number(step.loss)}). The step is "
            "taken on a copy: the lab's network keeps its weights (Train from scratch trains it). Press again "
            "to leave the walkthrough.")


def colour_key(phase=None):
    """What colour and width mean in the network's picture during `phase` (None: outside the walkthrough),
    as `page.build` children."""
    relative = "against the layer's largest drawn"
    neurons = ("span", {}, " Neuron colour: its activation, full blue for its layer's largest; neutral is silent "
                           "(exactly 0). Outputs: their probability.")
    if phase == "output gradient":
        return (key_line("Output colour", "\u2202loss/\u2202score", "blue +: a lower score lowers the loss",
                         f"orange {MINUS}: a higher one does", "strength", "its size against the largest")
                + [("span", {}, " The faded connections are the forward pass's.")])
    if phase == "gradients":
        return (key_line("Neuron and edge colour", "the gradient, \u2202loss/\u2202 its activation or weight",
                         "blue +: less of it lowers the loss", f"orange {MINUS}: more of it does", "width",
                         f"|\u2202loss/\u2202weight|, {relative}")
                + [("span", {}, " Grey edges get no gradient; empty neurons are not reached yet.")])
    if phase == "update":
        return (key_line("Edge colour", "the weight's change", "blue up", "orange down", "width",
                         f"how much it changed, {relative}")
                + [("span", {}, " Outputs: their probability after the step.")])
    return key_line("Edge colour", "weight \u00d7 incoming activation, what it adds to the neuron's sum", "blue +",
                    f"orange {MINUS}", "width", f"its size, {relative}") + [neurons]
