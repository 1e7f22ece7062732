"""The Math panel in Chromium: point at a neuron and read its sum written out, in the region named Math."""
import re

import numpy as np
import pytest

from app.playground.network_layout import layout_network
from app.playground.network_view import edge_curve
from app.playground.run import Run
from app.playground.state import State
from app.playground.stepthrough.recorded_step import network_step, record_step

NUMBER = r"[\u2212\d.e+]+"


def read(text):
    return float(text.replace("\u2212", "-"))


def test_pointing_at_a_neuron_writes_out_its_sum_with_the_numbers_the_inspector_shows(open_site, page_errors):
    page = open_site()
    page.get_by_role("button", name="Reset").click()  # epoch 0 and paused: the weights the seed gives CPython too
    page.wait_for_function("document.querySelector('#epoch').textContent === '0'")
    run = Run(State())
    network = page.get_by_label("Network", exact=True)
    size = network.evaluate("c => [c.clientWidth, c.clientHeight]")
    neuron = layout_network(run.layer_sizes(), *size).centres[2][1]  # hidden layer 2, neuron 2
    network.click(position={"x": float(neuron[0]), "y": float(neuron[1])})
    math = page.get_by_role("region", name="Math", exact=True)
    page.wait_for_function("document.querySelector('#math').textContent.startsWith('Hidden layer 2, neuron 2')")
    # Both at once: the input the Network shows moves on every few seconds, and both follow it in one frame.
    text, rows = math.evaluate("""region => [region.querySelector('#math').textContent,
        Object.fromEntries([...document.querySelectorAll('#inspector-numbers tr')].slice(1)
                           .map(row => [...row.cells].map(cell => cell.textContent)))]""")
    lines = text.split("\n")
    weights = [read(w) for w in re.findall(rf"\(({NUMBER})\)\u00b7\(", lines[2])]
    assert sorted(weights) == [pytest.approx(w, rel=1e-3) for w in sorted(run.weights[1].data[1])]
    assert lines[3] == f"  = {rows['pre-activation']}"  # z, as the inspector's pre-activation
    assert lines[4].startswith("a = tanh(z) = ") and lines[4].endswith(f" = {rows['value']}")
    assert page_errors == []


def test_an_edge_in_the_gradients_phase_shows_the_chain_rule_and_the_batchs_gradient_as_cpython_records_it(
        open_site, page_errors):
    page = open_site()
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function("document.querySelector('#epoch').textContent === '0'")
    run = Run(State())
    story = network_step(record_step(run), run.model)  # the same first step, computed here in CPython
    for phase in range(1, 5):
        page.get_by_role("button", name="Next phase").click()
        page.wait_for_function(f"document.querySelector('#phase-caption').textContent.startsWith('Phase {phase} of 5')")
    network = page.get_by_label("Network", exact=True)
    layout = layout_network(run.layer_sizes(), *network.evaluate("c => [c.clientWidth, c.clientHeight]"))
    start, c1, c2, end = (np.array(point) for point in edge_curve(*layout.centres[1][3], *layout.centres[2][1],
                                                                   layout.radius))
    x, y = 0.125 * start + 0.375 * c1 + 0.375 * c2 + 0.125 * end  # hidden layer 1, neuron 4 -> hidden layer 2, neuron 2
    network.click(position={"x": float(x), "y": float(y)})
    page.wait_for_function("document.querySelector('#math').textContent.includes('for the batch =')")
    lines = page.get_by_role("region", name="Math", exact=True).inner_text().split("\n")
    chain = next(line for line in lines if line.startswith("\u2202L/\u2202w = \u2202L/\u2202a \u00b7 tanh\u2032(z) \u00b7 x"))
    batch = next(line for line in lines if line.startswith("\u2202L/\u2202w for the batch"))
    upstream, slope, value = (read(v) for v in re.findall(rf"\(({NUMBER})\)", chain))
    assert upstream == pytest.approx(story.gradients[2][0, 1], rel=1e-3)
    assert value == pytest.approx(story.values[1][0, 3], rel=1e-3)
    assert read(chain.split(" = ")[-1]) == pytest.approx(upstream * slope * value, rel=2e-3)
    assert read(batch.split(" = ")[-1]) == pytest.approx(story.weights[1][1][1, 3], rel=1e-3)
    assert page_errors == []


def test_a_graph_node_pointed_at_from_the_keyboard_is_written_out_in_the_math_region(open_site, page_errors):
    """The micrograd lesson's backward pass stepped to its end, then the graph's first node reached with the
    arrow keys: the Math region writes out how its gradient was made, ending in the engine's own gradient."""
    from app.editor.sandbox import run_user_code
    from app.graph.backward_steps import BackwardWalk
    from app.playground.presets import PRESETS
    from app.shared.numbers import number
    from engine import topological_order

    page = open_site("#preset=micrograd-expression")
    expression = run_user_code(PRESETS["micrograd-expression"].code, {}).namespace["graph"]
    nodes = {node.name: node for node in topological_order(expression)}   # as the engine computed them here
    steps = len(BackwardWalk(expression).steps)
    for _ in range(steps + 1):
        page.get_by_role("button", name="Next node", exact=True).click()
    page.wait_for_function("document.querySelector('#graph-step').textContent.startsWith('Backward pass done')")
    graph = page.get_by_label("Computation graph", exact=True)
    graph.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('#inspector').textContent.startsWith('Graph node')")
    math = page.get_by_role("region", name="Math")
    page.wait_for_function("document.querySelector('#math').textContent.includes('\u2202')")
    lines = [line.strip() for line in math.text_content().strip().split("\n")]
    assert lines[1:] == ["Graph node x (backward pass)", f"x = {number(float(nodes['x'].data))}",
                         "\u2202out/\u2202x = \u2202out/\u2202xw \u00b7 \u2202xw/\u2202x",
                         f"= ({number(float(nodes['xw'].grad))})\u00b7({number(float(nodes['w'].data))})",
                         f"= {number(float(nodes['x'].grad))}"]
    assert page_errors == []
