"""The lab's MLP views driven as a person would, on the fake page: the network and its first layer's weights
painted with the engine's values for a real held-out digit, a neuron chosen by a click, and the walkthrough of
one training step whose every phase shows what numpy computes here by hand."""
import asyncio
import re
from functools import cache

import numpy as np
import pytest
from tests.app.fake_page import FakePage

from app.digits import lab as digits_lab
from app.digits import mnist, mnist_models
from app.digits.map_images import coloured
from app.digits.mlp_layout import edge_segments
from app.digits.mlp_step import LEARNING_RATE
from app.digits.mlp_view import strongest_connections
from app.digits.mlp_walkthrough import INTRO, LAYER_MS, short
from app.shared.numbers import number
from app.digits.slab_geometry import face_grid
from app.shared.palette import LIGHT

from tests.app.digits.files import MNIST, SITE
from tests.app.digits.mlp_digits import step_by_hand

CIRCLE = re.compile(r"M(-?[\d.]+) (-?[\d.]+)A([\d.]+) ")
LINE = re.compile(r"M(-?[\d.]+) (-?[\d.]+)L(-?[\d.]+) (-?[\d.]+)")
SEVEN = [(60.0, 50.0), (200.0, 50.0), (120.0, 250.0)]


@cache
def files():
    shipped = {str(network.weights_file): (SITE / network.weights_file).read_bytes()
               for network in mnist_models.NETWORKS.values()}
    return {str(mnist.FILE): MNIST.read_bytes(), **shipped}


def open_lab(chosen="mlp", reduced_motion=False):
    """The lab as the page starts it, its events wired, on the `chosen` network."""
    page = FakePage(reduced_motion=reduced_motion)
    page.files.update(files())
    return asyncio.run(digits_lab.start(page, chosen)), page


def expected(lab, label=None):
    """What numpy computes by hand for the digit the lab's input shows, about `label` (default: a held-out
    digit's true label, or for a drawing the digit the network reads)."""
    pixels = np.array(lab.page.data["digit-pad", "input"].split(), float) / 255
    if label is None and lab.true_label is None:
        label = int(step_by_hand(lab.model, pixels, 0, LEARNING_RATE)["probabilities"].argmax())
    return step_by_hand(lab.model, pixels, lab.true_label if label is None else label, LEARNING_RATE)


def draw_seven(page):
    """A "7" drawn on the pad with the pointer."""
    for kind, point in [("down", SEVEN[0]), *(("move", point) for point in SEVEN[1:]), ("up", SEVEN[-1])]:
        page.fire("digit-pad", kind, *point, False)


def network(page):
    return page.canvases["digit-mlp-network"].context


def grid(page):
    return page.canvases["digit-mlp-weights"].context


def painted(ctx, method):
    """(colour, path data) of every `method` ("fill" or "stroke") of a Path2D, in order."""
    style, found = None, []
    for name, args in ctx.calls:
        if name == ("=fillStyle" if method == "fill" else "=strokeStyle"):
            style = args[0]
        elif name == method and args:
            found.append((style, args[0][1]))
    return found


def neuron_fills(ctx, layout):
    """(layer, index) -> the colour each neuron was filled with (none: left empty)."""
    fills = {}
    for colour, data in painted(ctx, "fill"):
        for x, y, radius in CIRCLE.findall(data):
            centre = (float(x) - float(radius), float(y))
            layer = next(k for k in range(1, len(layout.centres)) if abs(float(radius) - layout.radii[k]) < 0.06)
            fills[layer, int(np.hypot(*(layout.centres[layer] - centre).T).argmin())] = colour
    return fills


def edge_colours(ctx):
    """Each line drawn, as its rounded x0, y0, x1, y1 -> its colour."""
    return {tuple(round(float(v), 1) for v in line): colour for colour, data in painted(ctx, "stroke")
            for line in LINE.findall(data)}


def drawn(layout, connections, layer, colours):
    """The colours of a layer's drawn connections, in the order of `connections[layer]`."""
    chosen = connections[layer]
    return [colours[tuple(round(v, 1) for v in segment)]
            for segment in edge_segments(layout, layer, chosen.to, chosen.source).tolist()]


def sign_colour(value):
    return LIGHT.outline if value == 0 else LIGHT.css(np.sign(value))


def tiles(picture, count=64, side=28):
    """The RGBA squares of the first layer's grid picture, one per hidden-1 neuron."""
    columns, _, _, _ = face_grid((count, side, side))
    return [picture[row * (side + 1):row * (side + 1) + side, column * (side + 1):column * (side + 1) + side]
            for row, column in (divmod(neuron, columns) for neuron in range(count))]


def shades(values):
    return [LIGHT.css(value) for value in values / np.abs(values).max()]


def test_the_mlp_views_show_the_engines_values_for_a_held_out_digit():
    lab, page = open_lab()
    by_hand = expected(lab)
    fills = neuron_fills(network(page), lab.mlp.layout)
    for layer in (1, 2):
        values = by_hand["activations"][layer]
        assert [fills[layer, i] for i in range(len(values))] == shades(values)
    assert [fills[3, digit] for digit in range(10)] == [LIGHT.css(p) for p in by_hand["probabilities"]]
    silent = [int(np.sum(values == 0)) for values in by_hand["activations"][1:]]
    summary = page.texts["digit-mlp-summary"]
    assert f"hidden 1: {silent[0]} of 64 silent ({100 * silent[0] / 64:.0f}%)" in summary
    assert f"hidden 2: {silent[1]} of 32 silent ({100 * silent[1] / 32:.0f}%)" in summary
    assert "showing 200 of 50,176 into hidden 1, 300 of 2,048 into hidden 2" in summary
    written = [args[0] for args in network(page).named("fillText")]
    assert f"{silent[0]} of 64 silent ({100 * silent[0] / 64:.0f}%)" in written and "showing 200 of 50,176" in written
    weights = lab.model[0].weight.data
    picture = lab.mlp.grid_picture.image  # every hidden-1 neuron's incoming weights, on one scale
    for neuron, tile in enumerate(tiles(picture)):
        np.testing.assert_array_equal(tile, LIGHT.rgba(weights[neuron].reshape(28, 28) / np.abs(weights).max()))
    assert grid(page).named("drawImage")[-1][0] is lab.mlp.grid_picture.element
    assert page.texts["digit-mlp-phase"] == INTRO


def test_the_cnn_leaves_the_mlp_views_unpainted_until_the_model_menu_chooses_the_mlp():
    lab, page = open_lab("cnn")
    draw_seven(page)
    page.run_frames(100.0)
    assert network(page).calls == [] and grid(page).calls == [] and "digit-mlp-summary" not in page.texts
    lab.follow("mlp")
    page.run_frames(200.0)
    fills = neuron_fills(network(page), lab.mlp.layout)
    assert [fills[1, i] for i in range(64)] == shades(expected(lab)["activations"][1])
    assert grid(page).named("drawImage")


def test_a_click_on_a_hidden_neuron_in_either_view_outlines_its_picture_and_says_its_activation():
    lab, page = open_lab()
    activations = expected(lab)["activations"][1]
    neuron = int(np.argmax(activations))
    page.fire("digit-mlp-network", "down", *lab.mlp.layout.centres[1][neuron], False)
    placement = lab.mlp.placement
    step, size = 29 * placement.pixel, 28 * placement.pixel
    row, column = divmod(neuron, 8)
    assert grid(page).named("strokeRect")[-1] == (placement.x + column * step, placement.y + row * step, size, size)
    assert page.texts["digit-mlp-neuron"].startswith(
        f"Hidden 1, neuron {neuron + 1} of 64: activation {number(activations[neuron])} on this digit; its 784 "
        "incoming weights are the outlined square")

    silent = int(np.flatnonzero(activations == 0)[0])
    row, column = divmod(silent, 8)
    page.fire("digit-mlp-weights", "down", placement.x + (column + 0.5) * step, placement.y + (row + 0.5) * step, False)
    assert lab.mlp.selected == (1, silent)
    assert f"neuron {silent + 1} of 64: activation 0 on this digit (silent: ReLU gave exactly 0)" in page.texts[
        "digit-mlp-neuron"]
    (x, y), radius = lab.mlp.layout.centres[1][silent], lab.mlp.layout.radii[1]
    ring = f"M{x + radius + 3:.1f} {y:.1f}A{radius + 3:.1f}"
    assert any(data.startswith(ring) for colour, data in painted(network(page), "stroke") if colour == LIGHT.text)
    page.fire("digit-mlp-weights", "down", placement.x + (column + 0.5) * step, placement.y + (row + 0.5) * step, False)
    assert lab.mlp.selected is None and page.texts["digit-mlp-neuron"].startswith("Click a neuron")
    page.fire("digit-mlp-network", "down", *lab.mlp.layout.centres[3][3], False)  # an output: no picture, its reading
    probability = expected(lab)["probabilities"][3]
    assert page.texts["digit-mlp-neuron"] == f"Output 3: probability {100 * probability:.2f}% on this digit."


def press(page, at):
    """Walk through the pass, then run a frame (which starts the phase's clock)."""
    page.fire("digit-walk", "click", 0, 0, False)
    page.run_frames(at)
    return page.texts["digit-mlp-phase"]


def test_each_phase_of_the_walkthrough_shows_the_engines_numbers():
    lab, page = open_lab()
    label = lab.true_label
    by_hand = expected(lab)
    layout = lab.mlp.layout
    connections = strongest_connections([layer.weight.data for layer in lab.model[0::2]], by_hand["activations"])

    network(page).calls.clear()
    caption = press(page, 1000.0)  # 1: the forward pass lights the layers in turn
    assert caption.startswith("1 of 5, the forward pass") and "stay silent" in caption
    assert neuron_fills(network(page), layout) == {}  # the input alone
    page.run_frames(1000.0 + LAYER_MS)
    fills = neuron_fills(network(page), layout)
    assert [fills[1, i] for i in range(64)] == shades(by_hand["activations"][1]) and (2, 0) not in fills
    page.run_frames(1000.0 + 3 * LAYER_MS)
    fills = neuron_fills(network(page), layout)
    assert [fills[2, i] for i in range(32)] == shades(by_hand["activations"][2]) and (3, 0) in fills

    caption = press(page, 3000.0)  # 2: the loss
    assert caption.startswith(f"2 of 5, the loss: cross-entropy for {label}, this held-out digit's true label")
    assert f"= {number(by_hand['loss'])}." in caption
    assert f"loss {short(by_hand['loss'])}" in [args[0] for args in network(page).named("fillText")]  # over the outputs

    network(page).calls.clear()
    caption = press(page, 4000.0)  # 3: the loss's gradient at the ten scores
    scores_gradient = by_hand["gradients"][2]
    assert caption.startswith("3 of 5, the gradient at the outputs") and number(scores_gradient[label], 3) in caption
    fills = neuron_fills(network(page), layout)
    assert [fills[3, digit] for digit in range(10)] == shades(scores_gradient)

    network(page).calls.clear()
    caption = press(page, 5000.0)  # 4: the gradients flow back, from the outputs
    assert caption.startswith("4 of 5, the gradients flow back")
    assert (2, 0) not in neuron_fills(network(page), layout)  # only the outputs' gradient so far
    page.run_frames(5000.0 + 2 * LAYER_MS)
    fills, colours = neuron_fills(network(page), layout), edge_colours(network(page))
    for layer in (1, 2):
        assert [fills[layer, i] for i in range((64, 32)[layer - 1])] == shades(by_hand["gradients"][layer - 1])
    for layer in range(3):
        chosen = connections[layer]
        gradients = by_hand["weight_gradients"][layer][chosen.to, chosen.source]
        assert drawn(layout, connections, layer, colours) == [sign_colour(g) for g in gradients]
    none = sum(int(np.sum(g[c.to, c.source] == 0)) for g, c in zip(by_hand["weight_gradients"], connections))
    assert f"{none} of the 600 drawn connections get none" in caption
    neuron = int(np.argmax(np.abs(by_hand["gradients"][0])))
    page.fire("digit-mlp-network", "down", *layout.centres[1][neuron], False)
    said = f"; \u2202loss/\u2202activation {number(by_hand['gradients'][0][neuron])}."
    assert page.texts["digit-mlp-neuron"].endswith(said)
    gradient = by_hand["weight_gradients"][0]
    for neuron, tile in enumerate(tiles(lab.mlp.grid_picture.image)):  # each square: the digit x the neuron's dL/dz
        np.testing.assert_array_equal(tile, coloured(gradient[neuron].reshape(28, 28), LIGHT, np.abs(gradient).max()))

    network(page).calls.clear()
    caption = press(page, 7000.0)  # 5: the update, -learning rate x each gradient
    changes = [-LEARNING_RATE * g for g in by_hand["weight_gradients"]]
    largest = max(np.abs(change).max() for change in changes)
    assert caption.startswith("5 of 5, the update: plain SGD at learning rate 0.1")
    assert f"the largest change: {short(largest)})" in caption
    colours = edge_colours(network(page))
    for layer in range(3):
        chosen = connections[layer]
        shown = changes[layer][chosen.to, chosen.source]
        assert drawn(layout, connections, layer, colours) == [sign_colour(change) for change in shown]
    for neuron, tile in enumerate(tiles(lab.mlp.grid_picture.image)):
        np.testing.assert_array_equal(tile, coloured(changes[0][neuron].reshape(28, 28), LIGHT,
                                                     np.abs(changes[0]).max()))

    assert press(page, 8000.0) == INTRO  # a sixth press leaves the walkthrough
    assert [neuron_fills(network(page), layout)[1, i] for i in range(64)] == shades(by_hand["activations"][1])


def test_the_walkthroughs_loss_is_about_the_chosen_digit_a_true_label_or_the_networks_reading():
    lab, page = open_lab(reduced_motion=True)
    press(page, 100.0)
    assert len(neuron_fills(network(page), lab.mlp.layout)) == 64 + 32 + 10  # less motion: lit at once
    caption = press(page, 200.0)
    assert f"{lab.true_label}, this held-out digit's true label" in caption
    page.fire("digit-test-digit", "click", 0, 0, False)  # another held-out digit: the walkthrough follows it
    page.run_frames(300.0)
    assert f"= {number(expected(lab)['loss'])}." in page.texts["digit-mlp-phase"]
    page.fire("digit-target", "change", "3")
    page.run_frames(400.0)
    caption = page.texts["digit-mlp-phase"]
    assert "cross-entropy for 3, the digit chosen under Saliency of" in caption
    assert f"= {number(expected(lab, 3)['loss'])}." in caption
    page.fire("digit-target", "change", "auto")
    draw_seven(page)
    page.run_frames(500.0)
    assert "cross-entropy for 7, the network's own reading (a drawing has no label" in page.texts["digit-mlp-phase"]
    assert lab.weights["mlp"].model is lab.model and all(param.grad is None for param in lab.model.parameters())


@pytest.mark.parametrize("phase", range(5))
def test_each_phase_has_a_colour_key_that_says_what_blue_and_orange_mean(phase):
    lab, page = open_lab(reduced_motion=True)
    for at in range(phase + 1):
        press(page, 100.0 * at)
    key = "".join(element.text for element in page.built["digit-mlp-key"])
    assert "blue" in key and "orange" in key
    assert ("change" in key) == (phase == 4) and ("\u2202loss" in key) == (phase in (2, 3))
