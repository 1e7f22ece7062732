"""One training step walked phase by phase on the playground, as a learner does it: Next phase, clicks on
neurons, edges and graph nodes, what each phase draws. The numbers are checked against PyTorch computing
the same step from the same seed's weights and data."""
from typing import NamedTuple

import numpy as np
import pytest

from app.shared.palette import LIGHT
from app.playground.stepthrough.particles_view import paint_changes
from tests.app.canvas_recorder import RecordingContext
from app.playground.run import Run
from app.playground.state import State
from tests.app.playground.reading import editing

torch = pytest.importorskip("torch")

LR = 0.03  # the default learning rate, SGD


class Reference(NamedTuple):
    pre: list       # per Linear layer, its output on the batch (retained gradients)
    act: list       # per hidden layer, tanh of it
    weights: list   # (weight, bias) leaves per Linear layer, with gradients
    loss: float


def torch_step(state):
    """The first mini-batch step of a fresh run of `state` in PyTorch: a 2-4-2-1 tanh network and binary
    cross-entropy on the logits, from the weights and data the same seed gives the engine."""
    run = Run(state)
    size = state.batch_size
    h = torch.tensor(run.inputs_train[:size])
    labels = torch.tensor(run.y_train[:size], dtype=torch.float64)[:, None]
    layers = [layer for layer in run.model if hasattr(layer, "weight")]
    weights = [(torch.tensor(l.weight.data, requires_grad=True), torch.tensor(l.bias.data, requires_grad=True))
               for l in layers]
    pre, act = [], []
    for i, (w, b) in enumerate(weights):
        z = h @ w.T + b
        z.retain_grad()
        pre.append(z)
        if i < len(weights) - 1:
            h = torch.tanh(z)
            h.retain_grad()
            act.append(h)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(pre[-1], labels)
    loss.backward()
    return Reference(pre, act, weights, loss.item())


def read(text):
    """The number an inspector cell starts with (its real minus sign read back)."""
    return float(text.split()[0].replace("\u2212", "-").rstrip(","))


def close(text, expected):
    expected = expected.detach() if hasattr(expected, "detach") else expected
    assert read(text) == pytest.approx(float(expected), rel=1e-3, abs=1e-9), (text, float(expected))


def rows(page):
    return dict(page.tables["inspector-numbers"][1:])


def graph_node_centre(playground, label):
    graph = playground.graph
    index = next(i for i, text in enumerate(graph.nodes.labels) if text.startswith(label))
    scale, dx, dy = graph.transform()
    return graph.layout.x[index] * scale + dx, graph.layout.y[index] * scale + dy


def test_the_inspector_shows_the_engines_numbers_phase_by_phase_as_pytorch_computes_them(opened, edge_middle):
    ref = torch_step(State())
    playground, page = opened()
    (w0, _), (w1, b1), (w2, b2) = ref.weights
    for phase in range(1, 6):
        playground.act("next-phase")
        playground.frame(phase * 60_000.0)
        playground.frame(phase * 60_000.0 + 30_000.0)  # every motion of the phase is over
        assert page.texts["phase-caption"].startswith(f"Phase {phase} of 5")

        playground.pointer("network", "click", *playground.pictures.layout.centres[2][1])  # hidden layer 2, neuron 2
        assert page.texts["inspector"].startswith("Hidden layer 2, neuron 2, for the batch's first example")
        numbers = rows(page)
        close(numbers["value"], ref.act[1][0, 1])
        close(numbers["pre-activation"], ref.pre[1][0, 1])
        if phase >= 4:
            close(numbers["gradient \u2202L/\u2202a"], ref.act[1].grad[0, 1])
            close(numbers["gradient \u2202L/\u2202b"], b1.grad[1])
        else:
            assert numbers["gradient \u2202L/\u2202a"] == "computed in phase 4 (gradients)"
        if phase == 5:
            before, after = numbers["bias"].split(" \u2192 ")
            close(before, b1[1])
            close(after, b1[1] - LR * b1.grad[1])
            close(numbers["last update \u0394b"], -LR * b1.grad[1])
        else:
            assert numbers["last update \u0394b"] == "taken in phase 5 (update)"

        playground.pointer("network", "click", *playground.pictures.layout.centres[3][0])  # the output
        numbers = rows(page)
        close(numbers["output"], torch.sigmoid(ref.pre[2][0, 0]))
        close(numbers["logit"], ref.pre[2][0, 0])
        if phase >= 4:
            close(numbers["gradient \u2202L/\u2202logit"], ref.pre[2].grad[0, 0])

        playground.pointer("network", "click", *edge_middle(playground, 1, 1, 3))  # hidden 1 neuron 4 -> hidden 2 neuron 2
        assert page.texts["inspector"].startswith("Weight from hidden layer 1, neuron 4 to hidden layer 2, neuron 2")
        numbers = rows(page)
        close(numbers["weight"], w1[1, 3])
        if phase >= 4:
            close(numbers["gradient \u2202L/\u2202w"], w1.grad[1, 3])
        if phase == 5:
            close(numbers["last update \u0394w"], -LR * w1.grad[1, 3])
        assert editing(page) is None  # mid-step, a click inspects; it does not open the weight editor

        playground.pointer("graph", "click", *graph_node_centre(playground, "Hidden 1 weights"))
        assert page.texts["inspector"].startswith("Graph node Hidden 1 weights (4, 2)")
        numbers = rows(page)
        value = numbers["value"]
        assert value.startswith("mean ") and value.endswith(" over 8 values")
        close(value.split("mean ")[1], w0.mean())
        if phase >= 4:
            assert numbers["gradient"].endswith(" over 8 values")
            close(numbers["gradient"].split("mean ")[1], w0.grad.mean())
        else:
            assert numbers["gradient"] == "computed in phase 4 (gradients)"
        if phase == 5:
            close(numbers["last update"].split("mean ")[1], -LR * w0.grad.mean())
    assert page.texts["phase-caption"].startswith("Phase 5 of 5")


def test_the_forward_phase_prints_each_neurons_activation_for_the_example_as_pytorch_does(opened):
    ref = torch_step(State())
    playground, page = opened()
    playground.act("next-phase")
    playground.frame(1000.0)
    walk_layer = page.pixel_layers[3].context       # the walkthrough's still picture
    printed_early = [args[0] for args in walk_layer.named("fillText")]
    playground.frame(1000.0 + 60_000.0)             # every layer lit
    printed = [args[0] for args in walk_layer.named("fillText")]
    expected = [f"{float(v):.2f}".replace("-", "\u2212") for v in (*ref.act[0][0], *ref.act[1][0])]
    expected.append(f"{float(torch.sigmoid(ref.pre[2][0, 0])):.2f}")
    assert all(text in printed for text in expected)
    assert not all(text in printed_early for text in expected)  # at first only the inputs were lit
    assert f"loss {ref.loss:.4g}" not in [a[0] for a in page.canvases["network"].context.named("fillText")]
    playground.act("next-phase")
    playground.frame(70_000.0)
    assert f"loss {ref.loss:.4g}" in [a[0] for a in page.canvases["network"].context.named("fillText")]


def test_the_network_canvas_changes_from_phase_to_phase(opened):
    playground, page = opened()
    context = page.canvases["network"].context
    seen = []
    for phase in range(5):
        playground.act("next-phase")
        start = len(context.calls)
        for ms in range(0, 1500, 50):
            playground.frame(phase * 10_000.0 + ms)
        seen.append(context.calls[start:])
    fills = [{args[0] for name, args in calls if name == "=fillStyle"} for calls in seen]
    strokes = [[args[0] for name, args in calls if name == "stroke" and args] for calls in seen]
    assert LIGHT.css(1.0) in fills[3] or LIGHT.css(-1.0) in fills[3]   # the gradients phase's particles
    assert any(path and "A" in path[1] for path in strokes[0])         # the forward phase's pulse rings
    assert len({str(calls) for calls in seen}) == 5  # each phase draws a picture of its own


def test_switching_the_activation_of_a_paused_network_keeps_its_trained_weights(opened):
    playground, page = opened()
    for t in range(5):
        playground.frame(t * 16.0)
    playground.act("toggle")  # pause
    trained = [w.data.copy() for w in playground.run.weights]
    playground.change("activation", "relu")
    assert playground.run.epoch == 5
    assert all(np.array_equal(a, w.data) for a, w in zip(trained, playground.run.weights))
    points = np.array([[1.0, -2.0], [3.0, 0.5]])
    h = points
    for i, w in enumerate(playground.run.weights):   # the forward pass re-run: the same weights through ReLU
        bias = [l.bias for l in playground.run.model if hasattr(l, "weight")][i].data
        h = h @ w.data.T + bias
        h = np.maximum(h, 0) if i < 2 else h
    np.testing.assert_allclose(playground.run.layer_outputs(points)[-1], h, rtol=1e-12)
    assert "same weights" in page.texts["note"]

    playground.act("toggle")  # playing: a new activation starts afresh, initialised for it
    playground.change("activation", "sigmoid")
    fresh = Run(State(activation="sigmoid"))
    assert playground.run.epoch == 0
    assert all(np.array_equal(a.data, b.data) for a, b in zip(fresh.weights, playground.run.weights))
    assert "fresh network" in page.texts["note"]


def test_hovering_a_graph_weight_outlines_its_layers_edges_and_a_neuron_its_graph_nodes(opened):
    playground, page = opened()
    playground.act("toggle")
    playground.paint(0.0)
    playground.pointer("graph", "move", *graph_node_centre(playground, "Hidden 2 weights"))
    assert playground.canvas_input.links.edge_layers == {1}
    playground.paint(0.0)
    context = page.canvases["network"].context
    last_outline = [args[0][1] for name, args in context.calls if name == "stroke"][-1]
    assert last_outline.count("C") == 4 * 2   # every edge of hidden 1 -> hidden 2, and only those
    assert page.texts["inspector"].startswith("Graph node Hidden 2 weights (2, 4)")

    playground.pointer("network", "move", *playground.pictures.layout.centres[2][1])
    labels = {playground.graph.nodes.labels[i].split(" (")[0] for i in playground.graph.linked_nodes}
    assert labels == {"linear", "tanh", "Hidden 2 bias"} and len(playground.graph.linked_nodes) == 3
    graph = page.canvases["graph"].context
    assert graph.assigned("lineWidth")[-1] == 2.5 and len(graph.named("strokeRect")) >= 3
    playground.pointer("network", "leave", 0, 0)
    assert playground.graph.linked_nodes == frozenset()


def test_with_reduced_motion_each_phase_shows_its_end_at_once(opened):
    playground, page = opened(reduced_motion=True)
    for _ in range(4):
        playground.act("next-phase")
    playground.frame(0.0)
    walk = playground.stepthrough.walkthrough
    assert walk.phase.name == "gradients" and not walk.moving(16.0)
    assert walk.pool.alive.any() and np.all(walk.pool.progress[walk.pool.alive] == 0.5)
    calls = len(page.canvases["network"].context.calls)
    playground.frame(16.0)
    assert len(page.canvases["network"].context.calls) == calls   # nothing moves: nothing is drawn




def key_text(page):
    """The colour key under the Network as a reader hears it."""
    return "".join(element.text for element in page.built["network-colours"])


def test_the_colour_key_under_the_network_says_what_colour_and_size_mean_in_each_phase(opened):
    playground, page = opened()
    weights = key_text(page)
    assert weights.startswith("Edge colour: the weight's sign (blue +, orange \u2212); width: |weight|")
    assert len(page.find("network-colours", "i", **{"class": "swatch"})) == 2
    keys = []
    for _ in range(5):
        playground.act("next-phase")
        keys.append(key_text(page))
    assert keys[:3] == [weights] * 3   # forward, loss, output gradient: the edges are still the weights
    assert keys[3].startswith("Particle colour: the sign of dL/dw (blue +, orange \u2212); size: |dL/dw|, log scale, "
                              "from the step's largest down to 1/10,000 of it.")
    assert keys[4].startswith("Edge colour: the weight went up or down (blue up, orange down); width: how much it "
                              "changed, log scale")
    assert "key under the Network" in page.texts["phase-caption"]
    playground.act("toggle")   # back to training: the edges are weights again
    assert key_text(page) == weights


def test_the_update_phase_draws_the_largest_change_far_wider_than_the_smallest(opened):
    playground, page = opened()
    for _ in range(5):
        playground.act("next-phase")
    walk = playground.stepthrough.walkthrough
    looks = np.unique(np.concatenate([look[look > 0] for look in walk.change_looks]))
    assert len(looks) >= 4   # a typical step's changes span several sizes on the log scale
    context = RecordingContext()
    paint_changes(context, page.path, playground.pictures.layout, walk.change_looks, 1.0, LIGHT)
    widths = context.assigned("lineWidth")
    assert len(widths) == len(context.named("stroke")) >= 4
    assert max(widths) >= 5.0 and max(widths) >= 4 * min(widths)   # wider than the faded weights' strokes
