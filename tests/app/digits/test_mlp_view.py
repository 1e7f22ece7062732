"""The MLP view, checked through what it asks the canvas to draw for real held-out digits: every colour, caption
and line is compared with the network's numbers computed here, in numpy, from its weights."""
import re

import numpy as np
import pytest
from tests.app.canvas_recorder import RecordingContext
from tests.app.fake_page import FakePixels

from app.digits.mlp_inspect import inspect_mlp
from app.digits.mlp_layout import edge_segments, layout_mlp
from app.digits.mlp_view import (EDGE_WIDTHS, STRONGEST, first_layer_neuron_at, paint_first_layer_weights,
                                 paint_mlp)
from app.shared.palette import DARK, LIGHT

from tests.app.digits.mlp_digits import held_out, trained_mlp

LAYOUT = layout_mlp([784, 64, 32, 10], 760, 540)
CIRCLE = re.compile(r"M(-?[\d.]+) (-?[\d.]+)A([\d.]+) ")
LINE = re.compile(r"M-?[\d.]+ -?[\d.]+L-?[\d.]+ -?[\d.]+")


def by_hand(pixels):
    """The network's activations and probabilities for `pixels`, computed here from its weights and biases."""
    model, _ = trained_mlp()
    activations = [pixels]
    for linear in model[0:4:2]:
        activations.append(np.maximum(linear.weight.data @ activations[-1] + linear.bias.data, 0.0))
    scores = model[4].weight.data @ activations[-1] + model[4].bias.data
    return activations, np.exp(scores) / np.exp(scores).sum()


def painted(pixels, theme=LIGHT, selected=None):
    """The recorded drawing calls and the input picture of the view of `pixels`."""
    model, _ = trained_mlp()
    reading = inspect_mlp(model, pixels)
    ctx, picture = RecordingContext(), FakePixels()
    paint_mlp(ctx, lambda d: ("Path2D", d), picture, LAYOUT, reading.activations, reading.probabilities,
              reading.weights, theme, selected)
    return ctx, picture


def path_calls(ctx, method):
    """(colour, line width, path data) of every `method` ("fill" or "stroke") of a Path2D, in order."""
    state, found = {}, []
    for name, args in ctx.calls:
        if name.startswith("="):
            state[name[1:]] = args[0]
        elif name == method and args:
            colour = state.get("fillStyle" if method == "fill" else "strokeStyle")
            found.append((colour, state.get("lineWidth"), args[0][1]))
    return found


def unit_of(x, y, layers=range(1, 4)):
    """(layer, index) of the neuron centred at (x, y), as read back from path data."""
    for layer in layers:
        distances = np.hypot(*(LAYOUT.centres[layer] - (x, y)).T)
        if distances.min() <= 0.15:  # x is written as x + r and r, each to 0.1 px
            return layer, int(distances.argmin())
    raise AssertionError(f"no neuron at ({x}, {y})")


def circles(data):
    return [(float(x) - float(r), float(y), float(r)) for x, y, r in CIRCLE.findall(data)]


def texts(ctx):
    return [args[0] for args in ctx.named("fillText")]


@pytest.mark.parametrize("theme", [LIGHT, DARK])
def test_each_neuron_is_filled_with_its_real_activation_and_silent_ones_are_neutral(theme):
    pixels, _ = held_out(7)
    activations, probabilities = by_hand(pixels)
    ctx, _ = painted(pixels, theme)

    filled = {}
    for colour, _, data in path_calls(ctx, "fill"):
        for x, y, radius in circles(data):
            unit = unit_of(x, y)
            assert unit not in filled and radius == pytest.approx(LAYOUT.radii[unit[0]], abs=0.05)
            filled[unit] = colour
    assert len(filled) == 64 + 32 + 10  # every neuron, once
    for layer in (1, 2):
        values = activations[layer]
        silent = values == 0
        assert 0 < silent.sum() < len(values)
        for index, value in enumerate(values):
            # the layer's strongest neuron is full blue, a silent one the neutral middle of the scale
            assert filled[layer, index] == theme.css(value / values.max())
        assert {filled[layer, index] for index in np.flatnonzero(silent)} == {theme.css(0.0)}
        assert filled[layer, int(values.argmax())] == theme.css(1.0)
    assert [filled[3, digit] for digit in range(10)] == [theme.css(p) for p in probabilities]


def test_each_layer_says_how_many_of_its_neurons_are_silent():
    pixels, _ = held_out(3)
    activations, _ = by_hand(pixels)
    ctx, _ = painted(pixels)
    silent_1, silent_2 = (int(np.sum(values == 0)) for values in activations[1:])
    written = texts(ctx)
    assert f"{silent_1} of 64 silent ({round(100 * silent_1 / 64)}%)" in written
    assert f"{silent_2} of 32 silent ({round(100 * silent_2 / 32)}%)" in written
    inked = np.count_nonzero(pixels)
    assert f"{inked} of 784 inked ({round(100 * inked / 784)}%)" in written
    assert {"Input 28\u00d728", "Hidden 1 \u00b7 64", "Hidden 2 \u00b7 32", "Output"} <= set(written)


def test_on_a_narrow_canvas_a_caption_breaks_before_its_share_instead_of_being_squeezed():
    model, _ = trained_mlp()
    pixels, _ = held_out(3)
    reading = inspect_mlp(model, pixels)
    silent = int(np.sum(reading.activations[1] == 0))
    for width, lines in ((760, [f"{silent} of 64 silent ({round(100 * silent / 64)}%)"]),
                         (375, [f"{silent} of 64 silent", f"({round(100 * silent / 64)}%)"])):
        layout, ctx = layout_mlp([784, 64, 32, 10], width, 420), RecordingContext()
        paint_mlp(ctx, lambda d: ("Path2D", d), FakePixels(), layout, reading.activations, reading.probabilities,
                  reading.weights, LIGHT)
        x = layout.centres[1][:, 0].mean()
        caption = [args for args in ctx.named("fillText") if args[1] == x and args[2] > 15]
        assert [args[0] for args in caption] == lines


@pytest.mark.parametrize("label", [2, 5, 8])
def test_the_lines_drawn_are_exactly_the_strongest_contributions_coloured_by_sign(label):
    pixels, _ = held_out(label)
    activations, _ = by_hand(pixels)
    model, _ = trained_mlp()
    ctx, _ = painted(pixels)
    lines = {}  # path data of one line -> (colour, width)
    for colour, width, data in path_calls(ctx, "stroke"):
        for line in LINE.findall(data):
            assert line not in lines
            lines[line] = (colour, width)

    shown_counts = []
    for layer, (linear, incoming, count) in enumerate(zip(model[0::2], activations, STRONGEST)):
        contributions = linear.weight.data * incoming  # [j, i]: what unit i adds to neuron j's sum
        order = np.argsort(-np.abs(contributions).ravel(), kind="stable")
        strongest = [k for k in order[:count] if contributions.flat[k] != 0]
        shown_counts.append(len(strongest))
        to, source = np.divmod(strongest, contributions.shape[1])
        segments = edge_segments(LAYOUT, layer, to, source)
        widths = []
        for segment, value in zip(segments, contributions.flat[strongest]):
            colour, width = lines.pop("M%.1f %.1fL%.1f %.1f" % tuple(segment))
            assert colour == LIGHT.css(1.0 if value > 0 else -1.0)
            widths.append(width)
        assert widths[0] == EDGE_WIDTHS[1] and widths == sorted(widths, reverse=True)  # wider the stronger
    assert lines == {}  # nothing else is drawn
    assert shown_counts[1] == 300 and shown_counts[2] <= 100
    written = texts(ctx)
    for count, total in zip(shown_counts, (50176, 2048, 320)):
        assert f"showing {count:,} of {total:,}" in written


def test_the_outputs_show_each_digits_probability_and_ring_the_prediction():
    pixels, _ = held_out(4)
    _, probabilities = by_hand(pixels)
    predicted = int(probabilities.argmax())
    assert predicted == 4
    ctx, _ = painted(pixels)
    written = texts(ctx)
    for digit, probability in enumerate(probabilities):
        assert f"{digit}  {100 * probability:.0f}%" in written
    assert f"reads {predicted} ({100 * probabilities[predicted]:.0f}%)" in written
    rings = [circle for colour, width, data in path_calls(ctx, "stroke") if colour == LIGHT.text and width == 2.0
             for circle in circles(data)]
    (x, y, radius), = rings
    assert unit_of(x, y) == (3, predicted) and radius > LAYOUT.radii[3]


def test_a_selected_neuron_is_ringed_as_the_prediction_is():
    pixels, _ = held_out(4)
    ctx, _ = painted(pixels, selected=(1, 40))
    rings = [unit_of(x, y) for colour, width, data in path_calls(ctx, "stroke")
             if colour == LIGHT.text and width == 2.0 for x, y, _ in circles(data)]
    assert rings == [(3, 4), (1, 40)]


def test_the_input_is_drawn_as_the_digit_in_grey_levels_and_a_selected_pixel_is_marked():
    _, digits = trained_mlp()
    pixels, index = held_out(9)
    ctx, picture = painted(pixels, selected=(0, 14 * 28 + 9))
    levels = digits.test_images[index]  # the stored bytes: 0 paper .. 255 full ink
    ink, paper = picture.image[levels == 255][:, :3], picture.image[levels == 0][:, :3]
    assert (ink == (0x1d, 0x23, 0x29)).all() and (paper == 255).all()  # LIGHT's text colour and background
    # every grey level in between, in proportion: level 51 is a fifth of the way from paper to ink
    share = levels / 255
    text = np.array([0x1d, 0x23, 0x29])
    np.testing.assert_array_equal(picture.image[..., :3], np.rint(255 + share[..., None] * (text - 255)))
    assert 0 < np.sum((levels > 0) & (levels < 255))  # this digit has grey edges to check
    left, top, pixel = LAYOUT.image
    placed = [args for args in ctx.named("drawImage") if args[0] is picture.element]
    assert placed == [(picture.element, 0, 0, 28, 28, left, top, 28 * pixel, 28 * pixel)] * 2
    x, y = LAYOUT.centres[0][14 * 28 + 9]
    assert (x - pixel / 2 - 1, y - pixel / 2 - 1, pixel + 2, pixel + 2) in ctx.named("strokeRect")


def test_a_blank_pad_draws_no_line_from_the_input():
    ctx, _ = painted(np.zeros(784))
    written = texts(ctx)
    assert "showing 0 of 50,176" in written and "0 of 784 inked (0%)" in written
    starts = [float(line[1:].split()[0]) for _, _, data in path_calls(ctx, "stroke") for line in LINE.findall(data)]
    left, _, pixel = LAYOUT.image
    assert starts and min(starts) > left + 28 * pixel  # lines between neurons (their biases), none from the picture


def test_the_first_layer_grid_shows_each_neurons_weights_on_one_symmetric_scale():
    model, _ = trained_mlp()
    weights = model[0].weight.data
    ctx, pixels = RecordingContext(), FakePixels()
    placement = paint_first_layer_weights(ctx, pixels, weights, 470, 470, LIGHT, selected=19)
    grid = pixels.image
    assert grid.shape == (8 * 29 - 1, 8 * 29 - 1, 4)
    largest = np.abs(weights).max()
    for neuron in (0, 19, 63):
        row, column = divmod(neuron, 8)
        tile = grid[row * 29:row * 29 + 28, column * 29:column * 29 + 28]
        np.testing.assert_array_equal(tile, LIGHT.rgba(weights[neuron].reshape(28, 28) / largest))
    assert (grid[28, :, 3] == 0).all() and (grid[:, 28, 3] == 0).all()  # transparent gaps between tiles
    strongest = np.unravel_index(np.abs(weights).argmax(), weights.shape)
    row, column = divmod(int(strongest[0]), 8)
    y, x = divmod(int(strongest[1]), 28)
    end = LIGHT.rgb(np.sign(weights[strongest])).tolist()
    assert grid[row * 29 + y, column * 29 + x, :3].tolist() == end  # the largest |weight| is a full end colour

    step = 29 * placement.pixel
    for neuron in range(64):
        row, column = divmod(neuron, 8)
        centre = (placement.x + (column + 0.5) * step, placement.y + (row + 0.5) * step)
        assert first_layer_neuron_at(placement, weights, *centre) == neuron
    assert first_layer_neuron_at(placement, weights, placement.x + 28.5 * placement.pixel, placement.y + 3) is None
    row, column = divmod(19, 8)
    assert ctx.named("strokeRect") == [(placement.x + column * step, placement.y + row * step,
                                        28 * placement.pixel, 28 * placement.pixel)]


def test_the_outputs_words_are_squeezed_to_end_at_the_canvas_edge_never_cut():
    pixels, _ = held_out(4)
    ctx, _ = painted(pixels)
    beside = [args for args in ctx.named("fillText") if re.fullmatch(r"\d  \d+%", args[0])]
    assert len(beside) == 10
    for _, x, _, room in beside:
        assert x + room == LAYOUT.width - 2
