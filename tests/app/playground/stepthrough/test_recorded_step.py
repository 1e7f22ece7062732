"""Recording one training step from the engine, the five phases, and reading it back per neuron and edge."""

import numpy as np

from app.playground.stepthrough.recorded_step import PHASES, StepThrough, forward_reading, network_step, record_backward, record_step
from app.playground.run import Run
from app.playground.state import State
from engine import Tensor, topological_order


def completion_order(root):
    """The engine's completion order, read independently: every node needing a gradient, outputs first."""
    return [n for n in reversed(topological_order(root)) if n.requires_grad]


def test_a_scalar_expression_with_a_reused_node_and_a_diamond_accumulates_in_the_engines_order():
    x = Tensor(0.7, requires_grad=True, name="x")
    square = x * x                  # x used twice by one node
    bend = x.tanh()                 # x used again: x feeds two nodes
    total = square + bend
    out = total * bend              # a diamond: bend feeds total and out
    events = record_backward(out)
    assert [e.node for e in events] == completion_order(out)
    for event in events:            # each gradient was complete when recorded
        np.testing.assert_array_equal(event.gradient, event.node.grad)

    t, b = total.data, bend.data
    by_node = {e.node: e for e in events}
    # bend hears from `out` first (d out/d bend = total), then from `total` (adds d out/d total = bend)
    assert [(a.child, a.count) for a in by_node[bend].arrivals] == [(out, 1), (total, 1)]
    assert [float(a.total) for a in by_node[bend].arrivals] == [t, t + b]
    # x hears from tanh first, then from x*x once for both uses
    assert [(a.child, a.count) for a in by_node[x].arrivals] == [(bend, 1), (square, 2)]
    from_bend = (t + b) * (1 - b**2)
    np.testing.assert_allclose([float(a.total) for a in by_node[x].arrivals], [from_bend, from_bend + b * 2 * 0.7])
    np.testing.assert_allclose(x.grad, from_bend + b * 2 * 0.7)


def test_a_leaf_gradient_recorded_before_more_accumulates_keeps_its_value():
    w = Tensor([1.0, 2.0], requires_grad=True, name="w")
    first = record_backward((w * 3).sum())
    record_backward((w * 5).sum())      # no zero_grad: w.grad accumulates in place, as in PyTorch
    np.testing.assert_array_equal(first[-1].gradient, [3.0, 3.0])
    np.testing.assert_array_equal(w.grad, [8.0, 8.0])


def test_a_weight_hears_from_its_layer_and_from_the_penalty_in_turn():
    run = Run(State(batch_size=10, regularization="l2", reg_rate=0.1))
    recording = record_step(run)
    weight = next(e for e in recording.backward if e.label == "0.weight")
    first, second = (a.total for a in weight.arrivals)
    np.testing.assert_array_equal(second, weight.gradient)
    penalty = 0.1 * recording.weights_before["0.weight"]   # the gradient of 0.1 * 0.5 * sum(w**2)
    from_penalty = first if weight.arrivals[0].child.op != "linear" else second - first
    np.testing.assert_allclose(from_penalty, penalty, rtol=1e-12)
    assert not np.allclose(first, second)


def test_a_network_step_records_gradients_equal_to_the_engines():
    run = Run(State(batch_size=10))
    recording = record_step(run)
    assert [e.node for e in recording.backward] == completion_order(recording.loss)
    for event in recording.backward:
        np.testing.assert_array_equal(event.gradient, event.node.grad)
    grads = {e.label: e.gradient for e in recording.backward if e.node in recording.parameter_names}
    for name, param in run.model.named_parameters():
        np.testing.assert_array_equal(grads[name], param.grad)
    np.testing.assert_array_equal(recording.backward[0].gradient, 1.0)


def test_forward_events_are_each_layers_output_on_the_batch():
    run = Run(State(batch_size=10))
    inputs = run.inputs_train[:10].copy()
    recording = record_step(run)
    h = inputs
    for i, (event, layer) in enumerate(zip(recording.forward, run.model)):
        w = recording.weights_before.get(f"{i}.weight")
        h = h @ w.T + recording.weights_before[f"{i}.bias"] if w is not None else np.tanh(h)
        assert event.layer == i and event.module == type(layer).__name__
        np.testing.assert_allclose(event.output, h, rtol=1e-12, atol=1e-12)
    assert len(recording.forward) == len(run.model)
    assert not run.model[0].__dict__["_forward_hooks"]  # hooks removed


def test_recorded_steps_train_exactly_as_the_runs_own_epoch():
    for optimizer in ("sgd", "adam"):
        state = State(batch_size=7, optimizer=optimizer, regularization="l2", reg_rate=0.01)
        mine, theirs = Run(state), Run(state)
        for start in range(0, len(mine.inputs_train), state.batch_size):
            record_step(mine, slice(start, start + state.batch_size))
        theirs.train_epoch()
        for a, b in zip(mine.model.parameters(), theirs.model.parameters()):
            np.testing.assert_array_equal(a.data, b.data)


def test_the_five_phases_advance_in_order_and_carry_the_recorded_numbers():
    run = Run(State(batch_size=10))
    recording = record_step(run)
    steps = StepThrough(recording)
    phases = [steps.phase()] + [steps.next_phase() for _ in range(4)]
    assert [p.name for p in phases] == list(PHASES) and steps.done
    forward, loss, output_gradient, gradients, update = phases
    assert forward.items == recording.forward
    assert loss.items == (recording.loss.item(),) and f"{recording.loss.item():.4g}" in loss.caption
    assert output_gradient.items[0].node is recording.loss and output_gradient.items[0].gradient == 1.0
    order = [e.label for e in gradients.items]
    assert sorted(order) == sorted(name for name, _ in run.model.named_parameters())
    # layer by layer from the output back: the last Linear's gradients complete before the first's
    assert order.index("4.weight") < order.index("2.weight") < order.index("0.weight")
    for change in update.items:
        param = dict(run.model.named_parameters())[change.name]
        np.testing.assert_array_equal(change.after, param.data)
        np.testing.assert_array_equal(change.change, param.data - recording.weights_before[change.name])
        assert np.any(change.change != 0)
    assert steps.next_phase().name == "update"  # stays at the last phase


def test_a_step_read_back_per_layer_gives_each_neurons_value_pre_activation_and_gradient():
    run = Run(State(hidden=(3, 2), activation="relu", batch_size=10))
    recording = record_step(run)
    story = network_step(recording, run.model)
    h = recording.inputs
    for layer, (w, b) in enumerate(zip(run.weights, [l.bias for l in run.model if hasattr(l, "weight")])):
        z = h @ recording.weights_before[f"{2 * layer}.weight"].T + recording.weights_before[f"{2 * layer}.bias"]
        h = np.maximum(z, 0) if layer < 2 else z
        np.testing.assert_allclose(story.pre_activations[layer + 1], z, rtol=1e-12)
        np.testing.assert_allclose(story.values[layer + 1], h, rtol=1e-12)
        np.testing.assert_array_equal(story.weights[layer][1], w.grad)
        np.testing.assert_array_equal(story.biases[layer][2], b.data)
    assert story.gradients[0] is None and story.pre_activations[0] is None
    by_node = {id(e.node): e.gradient for e in recording.backward}
    relu_output = next(e.node for e in recording.forward if e.module == "ReLU")
    np.testing.assert_array_equal(story.gradients[1], by_node[id(relu_output)])
    assert story.order == (2, 1, 0) and story.loss == recording.loss.item()


def test_reading_one_point_forward_matches_the_runs_own_layer_outputs():
    run = Run(State(hidden=(3,), activation="sigmoid"))
    point = np.array([[1.5, -2.0]])
    values, pre_activations, _ = forward_reading(run.model, point)
    outputs = run.layer_outputs(point)
    for mine, theirs in zip(values, outputs):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)
    np.testing.assert_allclose(1 / (1 + np.exp(-pre_activations[1])), values[1], rtol=1e-12)
    assert not run.model[0].__dict__["_forward_hooks"]
