"""Pointing at the canvases with the mouse and the keyboard: hovering, clicking, the arrow keys, Enter and
Escape, each showing what it points at in the other views and the inspector."""
import numpy as np
import pytest
from tests.app.fake_page import FakeCanvas, FakePage

from app.playground import plane
from app.playground.controller import Playground
from app.playground.pictures import CROSSHAIR_NOTE
from app.playground.state import decode
from app.shared.palette import LIGHT
from engine import no_grad
from tests.app.playground.reading import editing


def test_hovering_a_neuron_shows_its_heatmap_large(opened):
    playground, page = opened()
    x, y = playground.pictures.layout.centres[1][2]
    playground.pointer("network", "move", x, y)
    playground.paint(0.0)
    assert page.texts["output-caption"] == f"Showing hidden layer 1, neuron 3 over the plane. {CROSSHAIR_NOTE}"
    values = playground.run.layer_outputs(plane.plane_grid())[1][:, 2]
    expected = LIGHT.rgba(plane.BACKDROP * np.clip(values, -1, 1).reshape(100, 100))
    assert np.array_equal(page.pixel_layers[0].image, expected)
    playground.pointer("network", "leave", 0, 0)
    playground.paint(0.0)
    assert page.texts["output-caption"] == f"Showing the network's output over the plane. {CROSSHAIR_NOTE}"


def test_hovering_an_edge_shows_its_weight_and_clicking_lets_the_user_set_it(opened, edge_middle):
    playground, page = opened()
    x, y = edge_middle(playground, 1, 1, 3)
    weight = playground.run.weights[1].data[1, 3]
    playground.pointer("network", "move", x, y)
    assert page.texts["inspector"] == f"Weight from hidden layer 1, neuron 4 to hidden layer 2, neuron 2: {weight:.3f}"
    playground.pointer("network", "click", x, y)
    assert float(editing(page)[1]) == pytest.approx(weight, rel=1e-3)  # the field shows 4 significant digits
    playground.change("weight", "1.25")
    assert playground.run.weights[1].data[1, 3] == 1.25
    playground.change("weight", "lots")
    assert playground.run.weights[1].data[1, 3] == 1.25 and "not a number" in page.lists["notes"][0]


def test_hovering_the_plane_shows_every_neurons_value_there(opened):
    playground, page = opened()
    point = (1.5, -2.0)
    x, y = plane.to_plane(point, 300, 300)
    playground.pointer("output", "move", x, y)
    assert np.allclose(playground.canvas_input.inspected_input(0.0), point)
    values, _ = playground.pictures.neurons_at(point)
    with no_grad():
        logit = playground.run.model(np.array([point])).data[0, 0]
    assert values[-1][0] == pytest.approx(1 / (1 + np.exp(-logit)))
    playground.paint(0.0)
    printed = [args[0] for args in page.canvases["network"].context.named("fillText")]
    assert f"{values[-1][0]:.2f}" in printed


def test_reduced_motion_holds_the_drawn_input_still(opened):
    still = opened(reduced_motion=True)[0].canvas_input
    assert np.array_equal(still.inspected_input(0.0), still.inspected_input(10_000.0))
    moving = opened()[0].canvas_input
    assert not np.array_equal(moving.inspected_input(0.0), moving.inspected_input(10_000.0))


def test_clicking_the_plane_adds_a_point_and_keeps_the_ones_shown(opened):
    playground, page = opened()
    x, y = plane.to_plane((2.0, 3.0), 300, 300)
    playground.pointer("output", "click", x, y)
    assert playground.state.dataset == "custom" and len(playground.state.custom) == 501
    assert playground.state.custom[-1] == (2.0, 3.0, 1)
    playground.pointer("output", "click", x, y, shift=True)
    assert playground.state.custom[-1] == (2.0, 3.0, 0)
    assert decode(page.fragment).state.custom == playground.state.custom


def test_the_keyboard_points_at_the_plane_as_the_mouse_does(opened):
    playground, page = opened()
    pointing = playground.canvas_input
    playground.act("toggle")
    start = pointing.drawn_input(0.0)
    assert playground.key("output", "ArrowRight") and playground.key("output", "ArrowUp", shift=True)
    assert np.allclose(pointing.hovered_point, (start[0] + 0.5, start[1] + 2.0))  # Shift: four steps
    playground.paint(0.0)
    values = playground.pictures.neurons_at(pointing.hovered_point)[0]
    assert np.allclose(pointing.drawn_input(0.0), pointing.hovered_point)  # the network shows that point
    assert f"{values[-1][0]:.2f}" in playground.summary(0.0)
    for _ in range(40):
        playground.key("output", "ArrowLeft")
    assert pointing.hovered_point[0] == -6.0  # held on the plane
    assert playground.key("output", "Enter", shift=True)  # a point of the other class, where the input is
    assert playground.state.dataset == "custom" and playground.state.custom[-1] == (-6.0, round(start[1] + 2.0, 3), 0)
    assert playground.key("output", "Escape") and pointing.hovered_point is None
    assert not playground.key("output", "a") and not playground.key("network", "ArrowLeft")  # left to the page


def test_the_keyboard_steps_through_the_networks_neurons_into_the_inspector(opened):
    playground, page = opened()
    pointing = playground.canvas_input
    assert playground.key("network", "ArrowDown")  # the first press picks the first input
    assert pointing.hovered_neuron == (0, 0)
    for name in ("ArrowRight", "ArrowDown", "ArrowDown", "ArrowDown", "ArrowDown", "ArrowRight"):
        playground.key("network", name)
    assert pointing.hovered_neuron == (2, 1)  # down to hidden 1's last neuron (3), across to hidden 2's last
    playground.paint(0.0)
    assert page.texts["inspector"].startswith("Hidden layer 2, neuron 2")
    assert "hidden layer 2, neuron 2" in page.texts["output-caption"]  # its output over the plane, as on hover
    for _ in range(5):
        playground.key("network", "ArrowRight")
    assert pointing.hovered_neuron == (3, 0)  # held to the output layer
    assert playground.key("network", "Escape") and pointing.hovered_neuron is None
    playground.paint(16.0)
    assert page.texts["inspector"] == "" and not playground.key("network", "Enter")


def test_the_keyboard_steps_through_the_graph_into_the_inspector_and_the_view_follows():
    page = FakePage()
    page.canvases["graph"] = FakeCanvas(340, 300)  # a phone: the graph is wider than the panel
    playground = Playground(page, "")
    playground.act("toggle")
    playground.paint(0.0)
    layout = playground.graph.layout
    assert playground.key("graph", "ArrowRight")  # the first press picks the first input
    assert playground.canvas_input.selected_part == ("node", layout.keys[0])
    for _ in range(len(layout.keys)):
        playground.key("graph", "ArrowRight")
    node = layout.keys.index(playground.canvas_input.selected_part[1])
    assert layout.x[node] == layout.x.max()  # walked to the loss, at the right end
    playground.paint(16.0)
    scale, dx, _ = playground.graph.transform()
    assert 0 <= layout.x[node] * scale + dx <= 340  # the view followed it
    assert page.texts["inspector"].startswith("Graph node bce_with_logits")
    assert playground.key("graph", "Escape") and playground.canvas_input.selected_part is None
