"""The Computation graph panel as a learner uses it: what it draws, zoom, pan and refit, on a wide screen and a
phone."""
import numpy as np
from tests.app.fake_page import FakeCanvas, FakePage

from app.graph.view import READABLE_SCALE
from app.playground.controller import Playground


def test_the_graph_view_draws_every_node_with_its_value_and_gradient(opened):
    playground, page = opened()
    graph = playground.graph.nodes
    assert graph is not None and graph.tensors[-1].op  # the loss of the first batch, inputs first
    printed = [args[0] for args in page.canvases["graph"].context.named("fillText")]
    loss = graph.tensors[-1]
    assert any(text.startswith(f"{loss.item():.3g}".replace("-", "\u2212")) for text in printed)
    assert "\u2207 1" in " ".join(printed)  # the loss's own gradient seeds the pass
    boxes = page.canvases["graph"].context.named("strokeRect")
    assert len(boxes) == len(graph.tensors)
    widest = max(args[3] for args in page.canvases["graph"].context.named("fillText"))
    assert widest < min(box[2] for box in boxes)  # every line is held inside its box, e.g. "bce_with_logits 0.6931"


def test_code_that_sets_a_graph_is_drawn_as_it_is(opened):
    playground, page = opened("#preset=micrograd-expression")
    assert playground.graph.code_graph is not None
    labels = playground.graph.nodes.labels
    assert any(label.startswith("tanh") for label in labels) and any(label.startswith("x") for label in labels)
    x = next(t for t in playground.graph.nodes.tensors if t.name == "x")
    assert x.grad is not None  # the code ran backward, and the view shows its gradients
    scale, dx, _ = playground.graph.transform()
    assert scale > 1 and dx < 900 * 0.2  # a small graph is drawn larger than true size, across the panel


def test_the_graph_zooms_about_the_pointer_pans_by_drag_and_refits(opened):
    playground, page = opened()
    layout = playground.graph.layout
    scale, dx, dy = playground.graph.transform()
    node = (layout.x[3] * scale + dx, layout.y[3] * scale + dy)  # where node 3 is on screen
    playground.pointer("graph", "wheel", *node, amount=-500)     # zoom in over it
    new_scale, new_dx, new_dy = playground.graph.transform()
    assert new_scale > scale
    assert np.allclose((layout.x[3] * new_scale + new_dx, layout.y[3] * new_scale + new_dy), node)  # it stayed put
    playground.pointer("graph", "drag", 0, 0, amount=(30.0, -10.0))
    assert np.allclose(playground.graph.transform()[1:], (new_dx + 30, new_dy - 10))
    playground.pointer("graph", "dblclick", 0, 0)
    assert np.allclose(playground.graph.transform(), (scale, dx, dy))


def test_on_a_phone_the_graph_opens_readable_from_its_inputs_and_drags_along():
    page = FakePage()
    page.canvases["graph"] = FakeCanvas(340, 300)  # a phone's width
    playground = Playground(page, "")
    playground.paint(0.0)
    layout, context = playground.graph.layout, page.canvases["graph"].context
    scale, dx, dy = playground.graph.transform()
    assert scale == READABLE_SCALE and dx == 0.0  # the whole graph would fit only far smaller
    left = (layout.x - layout.node_width / 2) * scale + dx
    right = (layout.x + layout.node_width / 2) * scale + dx
    assert left.min() >= 0 and right.max() > 340  # the inputs in view, the loss a drag away
    assert any(text.startswith("input") for text, *_ in context.named("fillText"))  # numbers, not blank boxes
    playground.pointer("graph", "drag", 0, 0, amount=(-300.0, 0.0))
    playground.paint(16.0)
    assert np.isclose(playground.graph.transform()[1], -300.0)
    playground.pointer("graph", "wheel", 170, 150, amount=2000)  # zooming out shows all of it
    scale, dx, _ = playground.graph.transform()
    assert scale < READABLE_SCALE
    assert 0 <= (layout.x - layout.node_width / 2).min() * scale + dx
    assert (layout.x + layout.node_width / 2).max() * scale + dx <= 340
