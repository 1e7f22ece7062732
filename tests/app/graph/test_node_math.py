"""A computation-graph node in the Math panel: its op's local derivative and the `+=` contributions that made its
gradient, read back and checked against the engine's gradients and PyTorch's."""
import re

import numpy as np
import pytest

from app.playground.math_panel import MathPanel
from app.shared.numbers import number, values_text

NUMBER = r"[\u2212\d.e+]+"


def read(text):
    return float(text.replace("\u2212", "-"))


def math_of(playground, page, tensor):
    """The Math region's text for graph node `tensor`, as the panel writes it for that node."""
    panel = MathPanel(page, playground.pictures, lambda: playground.run, lambda: playground.stepthrough.walkthrough,
                      lambda: None, graph=playground.graph, attribution=playground.attribution)
    panel.show(("node", playground.graph.layout.keys[playground.graph.nodes.tensors.index(tensor)]))
    return page.texts["math"].split("\n")


def x_used_twice(opened):
    """The micrograd lesson with out = tanh(n)·x: x feeds xw and out, so two contributions make its gradient."""
    playground, page = opened("#preset=micrograd-expression")
    page.type_code(page.editor.replace("out = n.tanh()\n", "out = n.tanh() * x\n"))
    playground.act("run-code")
    playground.paint(0.0)
    tensors = {t.name: t for t in playground.graph.nodes.tensors if t.name}
    return playground, page, tensors


def test_a_node_used_twice_sums_both_contributions_to_the_engines_and_pytorchs_gradient(opened):
    torch = pytest.importorskip("torch")
    playground, page, tensors = x_used_twice(opened)
    lines = math_of(playground, page, tensors["x"])
    assert lines[:2] == ["Graph node x", "x = 2"]
    assert lines[2] == "\u2202out/\u2202x = \u2202out/\u2202out \u00b7 \u2202out/\u2202x + \u2202out/\u2202xw \u00b7 \u2202xw/\u2202x"
    pairs = [(read(g), read(local)) for g, local in re.findall(rf"\(({NUMBER})\)\u00b7\(({NUMBER})\)", lines[3])]
    total = read(lines[4].removeprefix("  = "))
    x = torch.tensor(2.0, requires_grad=True, dtype=torch.float64)
    xw = x * -3.0
    xw.retain_grad()
    n = xw + 6.5
    (torch.tanh(n) * x).backward()
    assert pairs == [(1.0, pytest.approx(float(torch.tanh(n).detach()), rel=1e-3)),
                     (pytest.approx(float(xw.grad), rel=1e-3), -3.0)]
    assert sum(g * local for g, local in pairs) == pytest.approx(tensors["x"].grad, rel=1e-3)
    assert lines[4] == f"  = {number(tensors['x'].grad)}" and total == pytest.approx(float(x.grad), rel=1e-3)


def test_local_derivatives_are_the_ops_rules_with_the_engines_numbers(opened):
    playground, page, tensors = x_used_twice(opened)
    xw = tensors["xw"]
    assert math_of(playground, page, xw)[2:4] == ["\u2202xw/\u2202x = w = (\u22123)", "\u2202xw/\u2202w = x = (2)"]
    tanh = next(t for t in playground.graph.nodes.tensors if t.op == "tanh")
    lines = math_of(playground, page, tanh)
    assert lines[2] == f"\u2202tanh(n)/\u2202n = 1 \u2212 tanh(n)\u00b2 = ({number(1 - tanh.data ** 2)})"
    assert math_of(playground, page, tensors["out"])[-1] == "\u2202out/\u2202out = 1: the backward pass starts here"


def test_while_next_node_steps_a_gradient_shows_only_what_has_arrived(opened):
    playground, page, tensors = x_used_twice(opened)
    playground.act("next-node")  # node 1: out passes tanh(n) to x, nothing yet to xw's side
    lines = math_of(playground, page, tensors["x"])
    assert lines[0] == "Graph node x (backward pass)"
    assert lines[2:] == ["\u2202out/\u2202x = \u2202out/\u2202out \u00b7 \u2202out/\u2202x, so far",
                         f"  = (1)\u00b7({number(np.tanh(tensors['n'].data))})",
                         f"  = {number(np.tanh(tensors['n'].data))}"]
    assert math_of(playground, page, tensors["w"])[-1].startswith("\u2202out/\u2202w: nothing added yet")
    while "Backward pass done" not in page.texts["graph-step"]:
        playground.act("next-node")
    assert math_of(playground, page, tensors["x"])[-1] == f"  = {number(tensors['x'].grad)}"


def test_a_network_nodes_weights_rule_is_written_per_element_and_sums_to_its_gradient(opened):
    playground, page = opened()
    graph = playground.graph.nodes
    weights = graph.tensors[graph.labels.index("Hidden 1 weights (4, 2)")]
    lines = math_of(playground, page, weights)
    assert lines[0] == "Graph node Hidden 1 weights (4, 2)"
    assert not [line for line in lines if "\u2202(Hidden 1 weights)/" in line]  # a leaf: no local derivative
    linear = next(t for t in graph.tensors if t.op == "linear" and weights in t.parents)
    rule = next(line for line in math_of(playground, page, linear) if "/\u2202(Hidden 1 weights)" in line)
    assert "\u2202out\u2099\u2c7c/\u2202W\u2c7c\u2096 = x\u2099\u2096, the input it multiplies" in rule
    first = re.search(rf"for the first, \(({NUMBER})\)$", rule)
    assert read(first[1]) == pytest.approx(playground.run.inputs_train[0, 0], rel=1e-3)  # ∂out₁₁/∂W₁₁ = x₁₁
    lines = math_of(playground, page, weights)
    assert lines[-3] == "\u2202L/\u2202(Hidden 1 weights) = the sum of what the nodes that use it pass back:"
    assert lines[-2].startswith("  += from linear: ") and lines[-1] == f"  = {values_text(weights.grad)}"
    assert math_of(playground, page, graph.tensors[-1])[-1] == "\u2202L/\u2202L = 1: the backward pass starts here"


def test_before_any_backward_pass_it_says_how_to_fill_the_gradient_in(opened):
    playground, page = opened("#preset=micrograd-expression")
    page.type_code(page.editor.replace("out.backward()\n", "").replace("print(f\"d out", "# print(f\"d out"))
    playground.act("run-code")
    playground.paint(0.0)
    x = next(t for t in playground.graph.nodes.tensors if t.name == "x")
    assert x.grad is None
    assert math_of(playground, page, x)[-1] == ("\u2202out/\u2202x: filled in by the backward pass: press Next node "
                                                "to step through it")


def test_during_the_walkthrough_a_node_is_worked_out_with_the_weights_of_the_step_as_far_as_it_has_come(opened):
    playground, page = opened()
    playground.act("next-phase")
    playground.paint(0.0)
    graph = playground.graph.nodes
    weights = graph.tensors[graph.labels.index("Hidden 2 weights (2, 4)")]  # its input, hidden 1, takes a gradient
    linear = next(t for t in graph.tensors if t.op == "linear" and weights in t.parents)
    lines = math_of(playground, page, linear)
    assert lines[0] == f"Graph node {graph.labels[graph.tensors.index(linear)]} (phase 1 of 5, forward)"
    assert lines[-1].endswith("filled in by the backward pass: press Next phase to step through it")
    for _ in range(4):  # to the update: the optimizer has changed the weights in place by now
        playground.act("next-phase")
    playground.paint(0.0)
    recording = playground.stepthrough.walkthrough.steps.recording
    before = recording.weights_before[recording.parameter_names[weights]]
    assert not np.allclose(weights.data, before)
    lines = math_of(playground, page, linear)
    rule = next(line for line in lines if "= W\u2c7c\u2096, the weight it is multiplied by" in line)
    first = re.search(rf"for the first, \(({NUMBER})\)$", rule)
    assert read(first[1]) == pytest.approx(before[0, 0], rel=1e-3)  # ∂out₁₁/∂x₁₁ = W₁₁ as the step had it
    assert read(first[1]) != pytest.approx(weights.data[0, 0], rel=1e-3)
    recorded = next(event.gradient for event in recording.backward if event.node is linear)
    assert lines[-1] == f"  = {values_text(recorded)}"  # its gradient: what the engine computed in the step
    np.testing.assert_array_equal(weights.data, recording.weights_after[recording.parameter_names[weights]])


def test_a_batch_norm_node_names_its_rule_for_each_input_with_the_engines_number(opened):
    playground, page = opened("#v=1&batch_norm=true&hidden=4,3")
    graph = playground.graph.nodes
    norm = next(t for t in graph.tensors if t.op == "batch_norm")
    lines = math_of(playground, page, norm)
    gamma = next(line for line in lines if "\u2202out\u2099\u2c7c/" not in line and "normalised value" in line)
    first = re.search(rf"for the first, \(({NUMBER})\)$", gamma)
    x, module = norm.parents[0].data[0, 0], playground.run.model[1]  # the graph's pass is in evaluation mode
    x_hat = (x - module.running_mean[0]) / np.sqrt(module.running_var[0] + 1e-5)
    assert read(first[1]) == pytest.approx(x_hat, rel=1e-3)  # x̂ of the first element
    assert any(line.endswith(", for each element: 1 (for each example n, summed over the batch); for the first, (1)")
               for line in lines)
