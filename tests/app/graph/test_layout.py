"""The computation graph view's layout: left to right, no overlaps, stable under edits, quick at 500 nodes."""
import time

import numpy as np

from app.graph.layout import graph_of, layout_graph, node_at, parameter_labels
from app.playground.stepthrough.recorded_step import record_step
from app.playground.run import Run
from app.playground.state import State
from engine import Tensor


def expression(extra=False):
    a = Tensor(2.0, requires_grad=True, name="a")
    b = Tensor(-3.0, requires_grad=True, name="b")
    c = Tensor(10.0, requires_grad=True, name="c")
    e = a * b
    d = e + c
    f = Tensor(-2.0, requires_grad=True, name="f")
    out = d * f + e.tanh()
    return out.exp() if extra else out


def wide_graph(n_nodes, seed=0):
    """A random DAG of n_nodes nodes: a few inputs, then ops each reading the previous node (so the root
    reaches them all) and often a random recent one."""
    rng = np.random.default_rng(seed)
    nodes = [Tensor(rng.normal(size=3), requires_grad=True, name=f"w{i}") for i in range(8)]
    while len(nodes) < n_nodes:
        last, other = nodes[-1], nodes[rng.integers(max(0, len(nodes) - 30), len(nodes))]
        kind = rng.integers(3)
        nodes.append(last * other if kind == 0 else last + other if kind == 1 else last.tanh())
    return nodes[-1]


def assert_readable(layout):
    x, y = layout.x, layout.y
    parent, child = layout.edges.T
    assert np.all(x[parent] < x[child])                       # every edge runs left to right
    w, h = layout.node_width, layout.node_height
    apart = (np.abs(x[:, None] - x) >= w) | (np.abs(y[:, None] - y) >= h)
    np.fill_diagonal(apart, True)
    assert apart.all()                                        # no two boxes overlap
    assert np.all(x - w / 2 >= 0) and np.all(x + w / 2 <= layout.width)
    assert np.all(y - h / 2 >= 0) and np.all(y + h / 2 <= layout.height)


def test_a_micrograd_expression_is_laid_out_left_to_right_with_labels():
    graph = graph_of(expression())
    layout = layout_graph(graph)
    assert_readable(layout)
    assert {"a", "b", "mul", "tanh", "add"} <= set(graph.labels)  # names and ops; values have a line of their own
    assert layout.x[graph.keys.index(graph.keys[-1])] == layout.x.max()   # the result is rightmost


def test_a_network_steps_graph_is_readable_and_labelled_with_shapes():
    run = Run(State(batch_size=10, hidden=(8, 8)))
    recording = record_step(run)
    graph = graph_of(recording.loss, parameter_labels([layer for layer in run.model if hasattr(layer, "weight")]))
    layout = layout_graph(graph)
    assert_readable(layout)
    assert graph.labels.count("linear (10, 8)") == 2
    assert {"Hidden 1 weights (8, 2)", "Hidden 2 bias (8,)", "Output weights (1, 8)"} <= set(graph.labels)
    assert len(set(graph.keys)) == len(graph.keys)   # the two alike "linear (10, 8)" nodes have their own keys


def test_a_500_node_graph_is_readable_and_its_layout_time_is_printed():
    graph = graph_of(wide_graph(500))
    assert 490 <= len(graph.keys) <= 500   # an input the random ops never read is not in the graph
    start = time.perf_counter()
    layout = layout_graph(graph)
    fresh = time.perf_counter() - start
    start = time.perf_counter()
    grown = layout_graph(graph_of(wide_graph(500).exp()), previous=layout)
    merged = time.perf_counter() - start
    print(f"\n500-node layout: {fresh * 1000:.1f} ms fresh, {merged * 1000:.1f} ms keeping a previous layout")
    assert_readable(layout)
    assert_readable(grown)


def test_building_the_same_expression_again_gives_the_same_positions_even_with_new_values():
    first = layout_graph(graph_of(expression()))
    again = layout_graph(graph_of(expression()), previous=first)
    fresh = layout_graph(graph_of(expression()))
    assert again.keys == first.keys and not again.moved
    np.testing.assert_array_equal(fresh.x, first.x)
    np.testing.assert_array_equal(fresh.y, first.y)
    np.testing.assert_array_equal(again.x, first.x)


def test_adding_a_node_moves_only_that_node():
    before = layout_graph(graph_of(expression()))
    graph = graph_of(expression(extra=True))
    after = layout_graph(graph, previous=before)
    assert len(after.moved) == 1 and graph.labels[graph.keys.index(next(iter(after.moved)))].startswith("exp")
    for key in before.keys:
        assert after.position(key) == before.position(key)
    assert_readable(after)
    plain = layout_graph(graph)   # without the previous layout everything may shift
    assert plain.moved == frozenset(graph.keys)


def test_growing_wide_keeps_every_surviving_node_although_a_fresh_layout_would_move_them():
    before_graph = graph_of(expression())
    before = layout_graph(before_graph)
    out = expression()
    grown = sum((out * Tensor(float(k), requires_grad=True, name=f"p{k}") for k in range(6)), out)
    graph = graph_of(grown)
    fresh = layout_graph(graph)
    assert any(fresh.position(k) != before.position(k) for k in before.keys)   # so this test has teeth
    after = layout_graph(graph, previous=before)
    assert all(after.position(k) == before.position(k) for k in before.keys)
    assert after.moved == frozenset(graph.keys) - frozenset(before.keys)
    assert_readable(after)


def test_changing_a_node_moves_it_and_what_is_computed_from_it_only():
    a = Tensor(1.0, requires_grad=True, name="a")
    b = Tensor(2.0, requires_grad=True, name="b")
    before_graph = graph_of(((a * b) + a).tanh() * b)
    before = layout_graph(before_graph)
    after_graph = graph_of(((a * b) - a).tanh() * b)       # one op changed
    after = layout_graph(after_graph, previous=before)
    changed = {after_graph.labels[after_graph.keys.index(k)].split()[0] for k in after.moved}
    assert changed == {"sub", "tanh", "mul"} and len(after.moved) == 3
    assert_readable(after)


def test_node_at_finds_each_node_by_its_centre_and_nothing_between_columns():
    graph = graph_of(expression())
    layout = layout_graph(graph)
    for key in graph.keys:
        assert node_at(layout, *layout.position(key)) == key
    x, y = layout.position(graph.keys[0])
    assert node_at(layout, x + layout.node_width / 2 + 1, y) is None
