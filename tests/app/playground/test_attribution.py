"""Per-example attribution, as a learner uses it: click a training point and see its own gradient on every
weight; point at a weight or a neuron and see which points pull it which way. Every number is checked against
PyTorch, one example at a time, and against the engine's own batch gradient."""
import re
from dataclasses import replace

import numpy as np
import pytest
import torch
from tests.app.canvas_pixels import rasterize
from tests.app.playground.test_math_panel import NUMBER, read

from app.playground import plane
from app.playground.attribution import example_gradients
from app.playground.network_view import EdgeCurves, edge_width
from app.playground.output_view import PULL_RADII
from app.playground.pictures import WEIGHT_FOR_MAX_WIDTH
from app.playground.run import Run
from app.playground.state import State
from app.shared.palette import LIGHT
from engine import nn

RUNS = {"binary": {}, "regression": {"problem": "regression"},
        "three classes": {"dataset": "blobs3", "loss": "cross_entropy"},
        "relu, two layers": {"activation": "relu", "hidden": (5, 3)},
        "mse on classes": {"loss": "mse", "hidden": (3,)}}


def trained_run(**settings):
    run = Run(replace(State(), points=120, **settings))
    for _ in range(3):
        run.train_epoch()
    return run


def torch_gradients_of_each_point(run):
    """Each training point's own weight and bias gradients, from PyTorch, one point at a time."""
    linears = [layer for layer in run.model if isinstance(layer, nn.Linear)]
    acts = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda h: h}
    names = run.activation_names()
    per_point = []
    for i in range(len(run.inputs_train)):
        weights = [torch.tensor(layer.weight.data, requires_grad=True) for layer in linears]
        biases = [torch.tensor(layer.bias.data, requires_grad=True) for layer in linears]
        h = torch.tensor(run.inputs_train[i:i + 1])
        for w, b, act in zip(weights, biases, names):
            h = acts[act](h @ w.T + b)
        label = run.y_train[i:i + 1]
        if run.regression:
            loss = torch.nn.functional.mse_loss(h, torch.tensor(label)[:, None])
        elif run.classes > 1 and run.state.loss == "mse":
            loss = torch.nn.functional.mse_loss(h.softmax(1), torch.eye(run.classes, dtype=torch.float64)[label])
        elif run.classes > 1:
            loss = torch.nn.functional.cross_entropy(h, torch.tensor(label))
        elif run.state.loss == "mse":
            loss = torch.nn.functional.mse_loss(torch.sigmoid(h), torch.tensor(label, dtype=torch.float64)[:, None])
        else:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(h, torch.tensor(label, dtype=torch.float64)[:, None])
        loss.backward()
        per_point.append(([w.grad.numpy() for w in weights], [b.grad.numpy() for b in biases]))
    return per_point


@pytest.mark.parametrize("settings", RUNS.values(), ids=RUNS)
def test_each_points_own_gradients_are_pytorchs_for_that_point_alone(settings):
    run = trained_run(**settings)
    gradients = example_gradients(run)
    for i, (weights, biases) in enumerate(torch_gradients_of_each_point(run)):
        for layer, (expected_w, expected_b) in enumerate(zip(weights, biases)):
            np.testing.assert_allclose(gradients.of_example(i)[layer], expected_w, rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose([gradients.of_bias(layer, j)[i] for j in range(len(expected_b))], expected_b,
                                       rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("settings", RUNS.values(), ids=RUNS)
def test_the_points_own_gradients_average_to_the_batch_gradient(settings):
    """The mean over a mini-batch's points is the gradient of that batch's loss, penalty aside: summed over the
    batch, the points' shares (each 1/B of its own) are the gradient a training step follows."""
    run = trained_run(regularization="l2", reg_rate=0.01, **settings)
    gradients = example_gradients(run)
    batch = slice(0, run.state.batch_size)
    run.optimizer.zero_grad()
    run.penalty().backward()
    penalties = [weight.grad.copy() for weight in run.weights]  # the penalty's own gradient belongs to no point
    run.optimizer.zero_grad()
    run.training_loss(run.inputs_train[batch], run.y_train[batch]).backward()
    for layer, (weight, penalty) in enumerate(zip(run.weights, penalties)):
        assert np.abs(penalty).max() > 1e-4  # there is a penalty to set apart
        own = np.stack([gradients.of_example(i)[layer] for i in range(run.state.batch_size)])
        np.testing.assert_allclose(own.mean(axis=0) + penalty, weight.grad, rtol=1e-9, atol=1e-12)


def test_looking_leaves_the_parameters_gradients_as_they_were():
    run = trained_run()
    before = [None if p.grad is None else p.grad.copy() for p in run.model.parameters()]
    example_gradients(run)
    for parameter, grad in zip(run.model.parameters(), before):
        np.testing.assert_array_equal(parameter.grad, grad)


def built_text(page, element_id):
    """The text of what `page.build` put in `element_id`."""
    return "".join(element.text for element in page.built.get(element_id, []))


def click_training_point(playground, example):
    x, y = plane.to_plane(playground.run.X_train[example], 300, 300)
    playground.pointer("output", "click", x, y)
    playground.pointer("output", "leave", x, y)
    playground.paint(16.0)


def a_lonely_training_point(run):
    """A training point with no other point within 8 px of it on the 300 px plane, so a click there is on it."""
    centres = np.array(plane.to_plane(np.concatenate([run.X_train, run.X_test]).T, 300, 300)).T
    distances = np.hypot(*(centres[:, None, :] - centres[None, :len(run.X_train), :]).transpose(2, 0, 1))
    distances[np.arange(len(run.X_train)), np.arange(len(run.X_train))] = np.inf
    return int(np.argmax(distances.min(axis=0)))


def drawn_edges(page, layout):
    """{edge's index in EdgeCurves order: (CSS colour, width)} as the Network canvas's last paint stroked them."""
    curves = {path: k for k, path in enumerate(EdgeCurves.of(layout).paths)}
    calls = page.canvases["network"].context.calls
    start = max(i for i, (name, _) in enumerate(calls) if name == "fillRect")  # each paint begins with its background
    style, edges = {}, {}
    for name, args in calls[start:]:
        if name.startswith("="):
            style[name[1:]] = args[0]
        elif name == "stroke" and args:
            for piece in ("M" + p for p in args[0][1].split("M")[1:]):
                edges[curves[piece]] = (style["strokeStyle"], style["lineWidth"])
    return edges


def test_clicking_a_training_point_shows_its_own_gradient_on_every_edge_and_lets_go_on_a_second_click(opened):
    playground, page = opened()
    example = a_lonely_training_point(playground.run)
    click_training_point(playground, example)
    run = playground.run
    assert playground.canvas_input.chosen_example == example and playground.state.dataset == "circle"  # none added
    assert f"Training point {example + 1} of {len(run.X_train)}" in page.texts["network-note"]
    own_loss = re.search(rf"L\u1d62 = ({NUMBER}): the edges", page.texts["network-note"])[1]
    assert read(own_loss) == pytest.approx(run.data_loss(run.model(run.inputs_train[example:example + 1]),
                                                         run.y_train[example:example + 1]).item(), rel=1e-3)
    assert "\u2202L\u1d62/\u2202w" in built_text(page, "network-colours")
    own = np.concatenate([g.ravel() for g in example_gradients(run).of_example(example)])
    edges = drawn_edges(page, playground.pictures.layout)
    assert sorted(edges) == list(range(len(own)))
    scale = WEIGHT_FOR_MAX_WIDTH / np.abs(own).max()
    for k, gradient in enumerate(own):
        assert edges[k] == (LIGHT.css(1.0 if gradient >= 0 else -1.0), edge_width(gradient * scale)), k
    weights = np.concatenate([w.data.ravel() for w in run.weights])
    assert np.any(np.sign(weights) != np.sign(own))  # so the colours above are not the weights'

    click_training_point(playground, example)  # the same point again: let go, the edges are the weights again
    assert playground.canvas_input.chosen_example is None and "Training point" not in page.texts["network-note"]
    edges = drawn_edges(page, playground.pictures.layout)
    assert all(edges[k][0] == LIGHT.css(1.0 if w >= 0 else -1.0) for k, w in enumerate(weights))


def test_the_network_and_the_plane_hold_the_chosen_point_while_the_pointer_moves_on(opened):
    playground, page = opened()
    example = a_lonely_training_point(playground.run)
    click_training_point(playground, example)
    playground.pointer("output", "move", 20, 20)
    playground.paint(32.0)
    np.testing.assert_array_equal(playground.canvas_input.drawn_input(32.0), playground.run.X_train[example])
    rings = [args for args in page.canvases["output"].context.named("arc") if args[2] == 10.0]
    assert rings[-1][:2] == pytest.approx(plane.to_plane(playground.run.X_train[example], 300, 300))


def test_shift_click_on_a_training_point_adds_a_point_there(opened):
    playground, _ = opened()
    example = a_lonely_training_point(playground.run)
    x, y = plane.to_plane(playground.run.X_train[example], 300, 300)
    playground.pointer("output", "click", x, y, shift=True)
    assert playground.state.dataset == "custom" and playground.canvas_input.chosen_example is None


def test_the_keys_choose_a_training_point_and_let_go_of_it(opened):
    playground, _ = opened()
    run = playground.run
    near = np.abs(run.X_train - np.round(run.X_train / 0.5) * 0.5).sum(axis=1)
    example = next(i for i in np.argsort(near) if plane.to_plane(np.round(run.X_train[i] / 0.5) * 0.5, 300, 300)
                   and playground.canvas_input.training_point_at(tuple(np.round(run.X_train[i] / 0.5) * 0.5)) == i)
    target = np.round(run.X_train[example] / 0.5) * 0.5
    playground.canvas_input.hovered_point = (0.0, 0.0)
    steps = np.round(target / 0.5).astype(int)
    for name, count in (("ArrowRight" if steps[0] > 0 else "ArrowLeft", abs(steps[0])),
                        ("ArrowUp" if steps[1] > 0 else "ArrowDown", abs(steps[1]))):
        for _ in range(count):
            assert playground.key("output", name)
    assert playground.key("output", "Enter")
    assert playground.canvas_input.chosen_example == example and playground.state.dataset == "circle"
    assert playground.key("output", "Escape") and playground.canvas_input.chosen_example == example  # the crosshair
    assert playground.key("output", "Escape") and playground.canvas_input.chosen_example is None     # then the point


def test_pointing_at_a_weight_shades_each_training_point_by_its_pull_with_a_key(opened, edge_middle):
    playground, page = opened()
    playground.pointer("network", "click", *edge_middle(playground, 1, 0, 1))
    playground.paint(16.0)
    run = playground.run
    pulls = example_gradients(run).of_weight(1, 0, 1)
    assert "\u2202L\u1d62/\u2202w" in built_text(page, "pull-key")
    pixels = rasterize(playground.pictures.points_image.context.calls, 300, 300)
    centres = np.rint(np.array(plane.to_plane(run.X_train.T, 300, 300)).T - 0.5).astype(int)
    strongest = int(np.argmax(np.abs(pulls)))
    sx, sy = centres[strongest]
    assert pixels[sy, sx + int(PULL_RADII[1]) - 1] is not None  # the strongest pull is drawn at the largest size
    shown = [pixels[y, x] for x, y in centres]
    agree = [colour == LIGHT.css(1.0 if pull >= 0 else -1.0) for colour, pull in zip(shown, pulls)]
    assert np.mean(agree) > 0.9  # a point's centre shows its own colour unless a bigger disc lies over it
    assert agree[strongest]
    # Pointing at nothing: the points show their labels again and the key goes.
    playground.pointer("network", "click", 1.0, 1.0)
    playground.paint(32.0)
    assert built_text(page, "pull-key") == ""
    pixels = rasterize(playground.pictures.points_image.context.calls, 300, 300)
    assert pixels[sy, sx + int(PULL_RADII[1]) - 1] is None


def test_the_math_panel_works_out_the_chosen_points_gradient_on_a_weight_by_the_chain_rule(opened, edge_middle):
    playground, page = opened("#hidden=4,3")
    example = a_lonely_training_point(playground.run)
    click_training_point(playground, example)
    playground.pointer("network", "click", *edge_middle(playground, 1, 0, 1))
    playground.paint(32.0)
    run, text = playground.run, page.texts["math"]
    assert playground.canvas_input.inspected_part() == ("edge", 1, 0, 1)
    torch_w = torch_gradients_of_each_point(run)[example][0][1][0, 1]
    rule = re.search(rf"\u2202L\u1d62/\u2202w = \u2202L\u1d62/\u2202a \u00b7 tanh\u2032\(z\) \u00b7 x = "
                     rf"\(({NUMBER})\)\u00b7\(({NUMBER})\)\u00b7\(({NUMBER})\) = ({NUMBER})", text)
    assert rule, text
    upstream, slope, x, result = (read(v) for v in rule.groups())
    assert result == pytest.approx(torch_w, rel=1e-3, abs=1e-9)
    assert upstream * slope * x == pytest.approx(result, rel=1e-2, abs=1e-9)
    values = run.layer_outputs(run.X_train[example:example + 1])
    assert x == pytest.approx(values[1][0, 1], rel=1e-3)                      # hidden 1, neuron 2's value
    assert slope == pytest.approx(1 - values[2][0, 0] ** 2, rel=1e-3)         # tanh′ at hidden 2, neuron 1
    mean = re.search(rf"Mean of \u2202L\u1d62/\u2202w over all {len(run.X_train)} training points = ({NUMBER})", text)
    loss = run.data_loss(run.model(run.inputs_train), run.y_train)
    run.optimizer.zero_grad()
    loss.backward()
    assert read(mean[1]) == pytest.approx(run.weights[1].grad[0, 1], rel=1e-3, abs=1e-9)


def test_the_math_panel_gives_the_chosen_points_pull_on_a_neurons_bias(opened):
    playground, page = opened()
    example = a_lonely_training_point(playground.run)
    click_training_point(playground, example)
    playground.pointer("network", "click", *playground.pictures.layout.centres[1][0])
    playground.paint(32.0)
    own = re.search(rf"For training point {example + 1} alone: \u2202L\u1d62/\u2202b = \u2202L\u1d62/\u2202z = ({NUMBER})",
                    page.texts["math"])
    expected = torch_gradients_of_each_point(playground.run)[example][1][0][0]
    assert read(own[1]) == pytest.approx(expected, rel=1e-3, abs=1e-9)


def test_the_walkthrough_shows_its_own_batch_not_the_chosen_point(opened):
    playground, page = opened()
    click_training_point(playground, a_lonely_training_point(playground.run))
    playground.act("next-phase")
    playground.paint(32.0)
    assert playground.attribution.gradients is None
    assert "Training point" not in page.texts["network-note"]
