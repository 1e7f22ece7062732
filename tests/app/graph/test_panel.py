"""The Computation graph panel as a learner uses it: what it draws, zoom, pan and refit, on a wide screen and a
phone."""
import numpy as np
from tests.app.fake_page import FakeCanvas, FakePage

from app.shared.numbers import number
from app.graph.view import OPENING_SCALE, READABLE_SCALE
from app.playground.controller import Playground


def test_the_graph_view_draws_every_node_with_its_value_and_gradient(opened):
    playground, page = opened()
    graph = playground.graph.nodes
    assert graph is not None and graph.tensors[-1].op  # the loss of the first batch, inputs first
    printed = [args[0] for args in page.canvases["graph"].context.named("fillText")]
    loss = graph.tensors[-1]
    assert f"value {loss.item():.3g}" in printed and "gradient 1" in printed  # the loss's own gradient seeds the pass
    weights = graph.labels.index("Hidden 1 weights (4, 2)")  # parameters by layer, as the Network calls them
    assert "Output bias (1,)" in graph.labels
    mean = f"{graph.tensors[weights].data.mean():.3g}".replace("-", "\u2212")
    assert f"mean {mean} over 8" in printed  # a tensor in words, not as a norm
    assert not any("\u2016" in text or "\u2207" in text for text in printed)
    boxes = page.canvases["graph"].context.named("strokeRect")
    assert len(boxes) == len(graph.tensors)
    widest = max(args[3] for args in page.canvases["graph"].context.named("fillText"))
    assert widest < min(box[2] for box in boxes)  # every line is held inside its box, e.g. "bce_with_logits 0.6931"


def test_code_that_sets_a_graph_is_drawn_as_it_is(opened):
    playground, page = opened("#preset=micrograd-expression")
    assert playground.graph.code_graph is not None
    labels = playground.graph.nodes.labels
    assert {"out = tanh", "n = add", "x", "w"} <= set(labels)  # the names the code gave its nodes
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
    assert scale == OPENING_SCALE and dx == 0.0  # the whole graph would fit only far smaller
    fonts = {int(font.split("px")[0]) for font in context.assigned("font")}
    assert min(fonts) >= 11  # the numbers as large as the page's notes, not the smallest readable size
    left = (layout.x - layout.node_width / 2) * scale + dx
    right = (layout.x + layout.node_width / 2) * scale + dx
    assert left.min() >= 0 and right.max() > 340  # the inputs in view, the loss a drag away
    assert any(text.startswith("input") for text, *_ in context.named("fillText"))  # numbers, not blank boxes
    playground.pointer("graph", "drag", 0, 0, amount=(-300.0, 0.0))
    playground.paint(16.0)
    assert np.isclose(playground.graph.transform()[1], -300.0)
    playground.pointer("graph", "wheel", 170, 150, amount=3000)  # zooming out shows all of it
    scale, dx, _ = playground.graph.transform()
    assert scale < READABLE_SCALE
    assert 0 <= (layout.x - layout.node_width / 2).min() * scale + dx
    assert (layout.x + layout.node_width / 2).max() * scale + dx <= 340


def test_next_phase_steps_the_code_graphs_backward_pass_node_by_node_with_the_engines_numbers(opened):
    playground, page = opened("#preset=micrograd-expression")
    assert page.attribute('[data-action="next-node"]', "hidden") is None  # offered beside the graph
    out = playground.graph.code_graph
    n = out.parents[0]
    xw, b = n.parents
    x, w = xw.parents
    weights = [weight.data.copy() for weight in playground.run.weights]
    captions, drawings, context = [], [], page.canvases["graph"].context
    for press in range(8):
        playground.act("next-node" if press == 3 else "next-phase")  # the graph's own button does the same
        start = len(context.calls)
        playground.paint(1000.0 * press)
        captions.append(page.texts["graph-step"])
        drawings.append(context.calls[start:])
    assert captions[0] == f"Node 1 of 6: out = tanh(n): out.grad 1 \u00d7 \u2202out/\u2202n = 1 \u2212 out\u00b2 = " \
                          f"{number(n.grad)} \u2192 n.grad += {number(n.grad)}"
    assert captions[3].startswith(f"Node 4 of 6: xw = x\u00b7w: xw.grad {number(xw.grad)} \u00d7 \u2202xw/\u2202x = "
                                  f"w = \u22123 \u2192 x.grad += {number(x.grad)};")
    assert captions[5] == f"Node 6 of 6: x, an input: its gradient is complete, x.grad = {number(x.grad)}; it " \
                          "passes nothing on."
    assert captions[6].startswith("Backward pass done") and captions[7] == captions[0]  # then from the top
    # Step 1: out is lit and passes to n; x, w, b and xw have received nothing yet.
    texts = [[args[0] for name, args in drawing if name == "fillText"] for drawing in drawings]
    assert "1. out = tanh" in texts[0] and f"gradient {number(n.grad, 3)}" in texts[0]
    assert texts[0].count("gradient not yet") == 4
    assert texts[3].count("gradient not yet") == 0 and "4. xw = mul" in texts[3]
    assert len({str(drawing) for drawing in drawings[:7]}) == 7  # every step draws a picture of its own
    assert page.canvases["graph"].context.assigned("lineWidth")[-1] == 2.5  # the current node framed
    # The network was not walked: Next phase stepped the expression only, and paused training.
    assert playground.stepthrough.walkthrough is None and not playground.playing
    assert all(np.array_equal(before, after.data) for before, after in zip(weights, playground.run.weights))


def test_a_node_used_twice_shows_both_contributions_and_their_sum_in_the_inspector(opened):
    playground, page = opened("#preset=micrograd-expression")
    code = page.editor.replace("out = n.tanh()\n", "out = n.tanh() * x\n")
    page.type_code(code)
    playground.act("run-code")
    playground.paint(0.0)
    x = next(t for t in playground.graph.nodes.tensors if t.name == "x")
    at = playground.graph.nodes.tensors.index(x)
    centre = (playground.graph.layout.x[at], playground.graph.layout.y[at])
    scale, dx, dy = playground.graph.transform()
    playground.act("next-phase")
    playground.paint(0.0)
    playground.pointer("graph", "click", centre[0] * scale + dx, centre[1] * scale + dy)
    assert page.texts["inspector"] == "Graph node x (backward pass, node 1 of 7)"
    tanh = next(t for t in playground.graph.nodes.tensors if t.op == "tanh")
    assert dict(page.tables["inspector-numbers"][1:]) == {
        "value": "2", "gradient": number(tanh.data), "+= from out": number(tanh.data)}  # out = tanh(n)·x: one so far
    while "Node 7 of 7" not in page.texts["graph-step"]:
        playground.act("next-phase")
    playground.paint(0.0)
    rows = dict(page.tables["inspector-numbers"][1:])
    assert rows["gradient"] == number(x.grad)  # the engine's own x.grad, from both
    assert rows["+= from out"] == number(tanh.data) and rows["+= from xw"] == number(x.grad - tanh.data)


def test_next_node_is_offered_only_for_an_expression_and_a_graph_it_cannot_step_is_named(opened):
    playground, page = opened()
    assert page.attribute('[data-action="next-node"]', "hidden") == ""  # the network's graph: Next phase walks it
    page.type_code("from engine import Tensor\nv = Tensor([1.0, 2.0], requires_grad=True, name='v')\ngraph = v * 2\n")
    playground.act("run-code")
    assert page.attribute('[data-action="next-node"]', "hidden") is None
    playground.act("next-node")
    assert page.texts["graph-step"] == ("`graph` has shape (2,); a backward pass starts from one number: set graph to "
                                        "a single value, e.g. its .sum()")


def test_step_numbers_sit_inside_their_boxes_even_at_the_canvas_edge():
    page = FakePage()
    page.canvases["graph"] = FakeCanvas(340, 300)  # a phone: the graph opens at its left edge
    playground = Playground(page, "")
    for _ in range(4):
        playground.act("next-phase")      # the gradients phase: the first layer's weights, leftmost, are lit
    playground.paint(0.0)
    playground.paint(600_000.0)           # its animation over: every node numbered
    graph, layout = playground.graph, playground.graph.layout
    scale, dx, _ = graph.transform()
    left = (layout.x - layout.node_width / 2) * scale + dx
    numbered = [args for args in page.canvases["graph"].context.named("fillText") if args[0][0].isdigit()
                and ". " in args[0]]
    assert len(numbered) >= len(graph.nodes.tensors) // 2 and min(left) < 15  # the leftmost column at the edge
    for text, x, y, width in numbered:
        assert x - width / 2 >= 0 and any(np.isclose(x - width / 2, edge + 3 * scale) for edge in left), text
