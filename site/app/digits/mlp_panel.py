"""The digits lab's MLP part: the network drawn as neurons and its first layer's weights as 64 pictures,
painted for the lab's digit on every update; a neuron chosen by a click on either; and the walkthrough of
one training step on that digit (Walk through the pass). The lab gives it the digit when the Model is the
MLP, and its frames; it takes its own events from the page.
"""
from app.digits.mlp_inspect import inspect_mlp
from app.digits.mlp_layout import layout_mlp, neuron_at
from app.digits.mlp_step import record_mlp_step
from app.digits.mlp_view import first_layer_neuron_at, paint_first_layer_weights, paint_scene, reading_scene
from app.digits.mlp_walkthrough import (INTRO, MlpWalk, colour_key, first_layer_grid, loss_label, phase_caption,
                                        phase_scene, weights_note)
from app.shared.numbers import number

NETWORK, WEIGHTS = "mlp-network", "mlp-weights"
CANVASES = (NETWORK, WEIGHTS)  # `digit-<name>` in site/index.html, as is the button, `digit-walk`
HINT = ("Click a neuron of hidden layer 1, in the network or in the grid, to outline its weights' picture and "
        "read its activation on this digit.")


class MlpPanel:
    """Owns the MLP's two canvases, the neuron chosen and the walkthrough; `show` gives it the lab's digit,
    `press` is the walkthrough's button, `click` a click on one of its canvases, `animate` a frame."""

    def __init__(self, page, theme, still=False):
        self.page, self.theme, self.still = page, theme, still
        self.canvases = {name: page.canvas(f"digit-{name}") for name in CANVASES}
        self.input_picture, self.grid_picture = page.pixels(), page.pixels()
        self.reading = self.walk = self.step = self.selected = self.layout = self.placement = None
        self.keyed = False  # the phase whose colour key the page shows (False: none yet)

    def listen(self, page, waking):
        """Take the page's events for this part: the walkthrough's button and a press on either canvas, each
        handler wrapped by `waking` (the lab's: it asks for frames, to show what the event changed)."""
        page.listen("digit-walk", ("click",), waking(lambda kind, x, y, shift: self.press()))
        for name in CANVASES:
            page.listen(f"digit-{name}", ("down",), waking(lambda kind, x, y, shift, name=name: self.click(name, x, y)))

    def show(self, model, pixels, chosen, true_label):
        """Read the digit `pixels` (the model's 784 inputs) with `model`, an MLP `mlp_inspect.mlp_layers`
        accepts, and paint it. The walkthrough's loss is about `chosen` (the Saliency of menu's digit, or None),
        else `true_label` (a held-out digit's; None for a drawing), else the network's prediction."""
        self.model, self.pixels, self.reading = model, pixels, inspect_mlp(model, pixels)
        self.label, self.why = loss_label(chosen, true_label, int(self.reading.probabilities.argmax()))
        if self.walk is not None:  # the walkthrough follows the digit, and the weights as they train
            self.step = record_mlp_step(model, pixels, self.label)
        self.paint()

    def press(self):
        """Walk through the pass: start the walkthrough at its first phase, go to the next, or after the last
        go back to the plain view."""
        if self.walk is None:
            self.walk = MlpWalk(len(self.reading.weights) + 1, self.still)
            self.step = record_mlp_step(self.model, self.pixels, self.label)
        elif self.walk.last:
            self.walk = self.step = None
        else:
            self.walk.next_phase()
        self.paint()

    def animate(self, timestamp_ms):
        """One frame: the phase's motion moves on, painted when it shows more. True while there is more."""
        if self.walk is None:
            return False
        if self.walk.advance(timestamp_ms):
            self.paint()
        return self.walk.moving

    def click(self, canvas, x, y):
        """A click on the network (a neuron after the input) or on the grid (a hidden-1 neuron's picture)
        chooses that neuron; a click on the chosen one, or beside every neuron, lets it go."""
        if canvas == NETWORK:
            unit = neuron_at(self.layout, x, y)
            unit = unit if unit is not None and unit[0] > 0 else None
        else:
            index = first_layer_neuron_at(self.placement, self.reading.weights[0], x, y)
            unit = None if index is None else (1, index)
        self.selected = None if unit == self.selected else unit
        self.paint()

    # ---- painting ------------------------------------------------------------------------------------
    def paint(self):
        """Both canvases and every caption, for the plain view or the walkthrough's phase."""
        reading, walk = self.reading, self.walk
        network, grid = self.canvases[NETWORK], self.canvases[WEIGHTS]
        network.fit()
        grid.fit()
        sizes = [*(weight.shape[1] for weight in reading.weights), len(reading.probabilities)]
        self.layout = layout_mlp(sizes, network.width, network.height)
        plain = reading_scene(reading.activations, reading.probabilities, reading.weights)
        if walk is None:
            scene, grid_values, grid_note = plain, reading.weights[0], weights_note(reading.weights[0])
            self.page.set_text("digit-mlp-phase", INTRO)
        else:
            scene = phase_scene(self.step, plain, walk.phase, walk.shown)
            grid_values, grid_note = first_layer_grid(self.step, walk.phase, walk.shown)
            self.page.set_text("digit-mlp-phase", phase_caption(self.step, plain, walk.phase, self.why))
        paint_scene(network.context, self.page.path, self.input_picture, self.layout, scene, self.theme, self.selected)
        tile = self.selected[1] if self.selected is not None and self.selected[0] == 1 else None
        self.placement = paint_first_layer_weights(grid.context, self.grid_picture, grid_values, grid.width,
                                                   grid.height, self.theme, tile)
        phase = None if walk is None else walk.phase
        if phase != self.keyed:
            self.keyed = phase
            self.page.build("digit-mlp-key", colour_key(phase))
        self.page.set_text("digit-mlp-summary", view_summary(plain))
        self.page.set_text("digit-mlp-weights-note", grid_note)
        self.page.set_text("digit-mlp-neuron", self.neuron_words())

    def neuron_words(self):
        """The chosen neuron and what it does with this digit (in the walkthrough, its gradient too once the
        backward pass has reached it)."""
        if self.selected is None:
            return HINT
        layer, index = self.selected
        reading, outputs = self.reading, len(self.reading.weights)
        if layer == outputs:
            text = f"Output {index}: probability {100 * reading.probabilities[index]:.2f}% on this digit"
        else:
            value = reading.activations[layer][index]
            text = (f"Hidden {layer}, neuron {index + 1} of {len(reading.activations[layer])}: activation "
                    f"{number(value)} on this digit" + (" (silent: ReLU gave exactly 0)" if value == 0 else ""))
            if layer == 1:
                text += f"; its {len(reading.activations[0])} incoming weights are the outlined square"
        walk = self.walk
        if walk is not None and (walk.phase == "update" or walk.phase == "gradients" and layer in
                                 self.step.reached[:walk.shown]):
            wrt = "score" if layer == outputs else "activation"
            text += f"; \u2202loss/\u2202{wrt} {number(self.step.gradients[layer - 1][index])}"
        return text + "."


def view_summary(plain):
    """The words the network's picture writes, in one sentence for the page: what share of each hidden layer
    is silent, and how many connections of how many it draws."""
    hidden = [f"hidden {layer}: {words}" for layer, words in enumerate(plain.details[1:-1], start=1)]
    into = [f"hidden {layer}" for layer in range(1, len(plain.connections))] + ["the outputs"]
    drawn = [f"{len(chosen.to):,} of {chosen.total:,} into {name}" for chosen, name in zip(plain.connections, into)]
    return (f"Silent neurons (exactly 0): {'; '.join(hidden)}. Connections drawn, the strongest weight "
            f"\u00d7 activation for this digit: showing {', '.join(drawn)}.")
