"""The backward pass of an expression, node by node: the engine's order, the engine's numbers, checked
against the engine's own final gradients and against PyTorch, on an expression that reuses a leaf."""
import numpy as np
import pytest

from app.graph.backward_steps import BackwardWalk, backward_steps, node_names
from engine import Tensor

torch = pytest.importorskip("torch")


def reused_leaf():
    """c = a·b + tanh(a): `a` feeds two nodes, so its gradient is the sum of two contributions."""
    a = Tensor(2.0, requires_grad=True, name="a")
    b = Tensor(-3.0, requires_grad=True, name="b")
    return a, b, a * b + a.tanh()


def test_the_steps_follow_the_engines_order_and_end_at_its_gradients_and_pytorchs():
    a, b, c = reused_leaf()
    c.backward()
    observed = []
    *_, again = reused_leaf()  # the order the engine's own backward() completes the nodes in
    again.backward(observer=lambda node: observed.append(node.op or node.name))
    steps = backward_steps(c)
    assert [step.node.op or step.node.name for step in steps] == observed == ["add", "tanh", "mul", "b", "a"]

    totals = {}
    for step in steps:
        totals.update((r.parent, r.after) for r in step.received)
    assert totals[a] == a.grad and totals[b] == b.grad  # the engine's own final gradients, exactly
    ta = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(-3.0, dtype=torch.float64, requires_grad=True)
    (ta * tb + torch.tanh(ta)).backward()
    assert float(totals[a]) == pytest.approx(ta.grad.item(), rel=1e-12)
    assert float(totals[b]) == pytest.approx(tb.grad.item(), rel=1e-12)

    # Each contribution, as PyTorch computes that local derivative times the node's gradient.
    add, tanh, mul = steps[0], steps[1], steps[2]
    assert [float(c.amount) for c in add.contributions] == [1.0, 1.0]
    tanh_a = torch.autograd.grad(torch.tanh(ta), ta)[0].item()
    (to_a,) = tanh.contributions
    assert to_a.parent is a and to_a.local == pytest.approx(tanh_a, rel=1e-12) and float(to_a.amount) == to_a.local
    assert [(c.parent, c.local, float(c.amount)) for c in mul.contributions] == [(a, -3.0, -3.0), (b, 2.0, 2.0)]

    # `a` is reached twice: its gradient before the second contribution, and the sum after it.
    (first,) = tanh.received
    assert first.before is None and float(first.after) == to_a.local
    second = next(r for r in mul.received if r.parent is a)
    assert float(second.before) == to_a.local and float(second.after) == pytest.approx(to_a.local - 3.0, rel=1e-15)


def test_stepping_leaves_the_expressions_own_gradients_as_they_were():
    a, b, c = reused_leaf()
    c.backward()
    before = {node: node.grad for node in (a, b, c)}
    backward_steps(c)
    assert all(node.grad is grad for node, grad in before.items())
    fresh_a, _, fresh_c = reused_leaf()  # an expression whose code never called backward() is stepped too
    steps = backward_steps(fresh_c)
    assert fresh_a.grad is None and float(steps[-1].gradient) == pytest.approx(a.grad)


def test_a_node_that_uses_its_input_twice_sends_two_contributions_and_their_sum():
    x = Tensor(3.0, requires_grad=True, name="x")
    y = x * x
    y.backward()
    (mul, leaf) = backward_steps(y)
    assert [(c.slot, float(c.amount)) for c in mul.contributions] == [(0, 3.0), (1, 3.0)]
    assert float(mul.received[0].after) == x.grad == 6.0
    walk = BackwardWalk(y)
    assert walk.next() == ("Node 1 of 2: x·x: (x·x).grad 1 \u00d7 \u2202(x·x)/\u2202x = x = 3 \u2192 x.grad += 3; "
                           "(x·x).grad 1 \u00d7 \u2202(x·x)/\u2202x = x = 3 \u2192 x.grad += 3, now 3 + 3 = 6")


def test_the_walk_says_each_step_shows_only_what_has_arrived_and_starts_over_after_done():
    a, b, c = reused_leaf()
    c.backward()
    walk = BackwardWalk(c)
    names = node_names(c)
    assert names[c] == "a·b + tanh(a)" and walk.gradients() == {} and walk.caption() == ""
    captions = [walk.next() for _ in range(len(walk.steps))]
    assert captions[1] == ("Node 2 of 5: tanh(a): tanh(a).grad 1 \u00d7 \u2202tanh(a)/\u2202a = 1 \u2212 tanh(a)\u00b2 "
                           "= 0.07065 \u2192 a.grad += 0.07065")
    assert captions[2].startswith("Node 3 of 5: a·b: (a·b).grad 1 \u00d7 \u2202(a·b)/\u2202a = b = \u22123 \u2192 "
                                  "a.grad += \u22123, now 0.07065 + (\u22123) = \u22122.929;")
    assert captions[4] == ("Node 5 of 5: a, an input: its gradient is complete, a.grad = \u22122.929; it passes "
                           "nothing on.")

    walk.position = 1  # tanh(a) has passed its gradient on; a·b has not
    shown = walk.gradients()
    assert float(shown[a]) == pytest.approx(1 - np.tanh(2.0) ** 2) and b not in shown  # partial, and not yet
    assert walk.current is c.parents[1] and walk.reached() == [c, c.parents[1]]
    assert [name for name, _ in walk.received_by(a)] == ["tanh(a)"]

    walk.position = len(walk.steps) - 1
    assert walk.next().startswith("Backward pass done: all 5 nodes have their gradients")
    assert walk.done and walk.current is None and float(walk.gradients()[a]) == a.grad
    assert [name for name, _ in walk.received_by(a)] == ["tanh(a)", "a·b"]
    assert walk.next().startswith("Node 1 of 5: a·b + tanh(a)")  # and again from the top


def test_a_root_it_cannot_start_from_is_refused_in_words():
    with pytest.raises(ValueError, match=r"needs no gradient.*requires_grad=True"):
        backward_steps(Tensor(2.0) * 3)
    with pytest.raises(ValueError, match=r"has shape \(3,\).*\.sum\(\)"):
        backward_steps(Tensor(np.ones(3), requires_grad=True) * 2)


def test_a_tensor_expression_is_stepped_with_its_contributions_summed_back_to_each_shape():
    w = Tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), requires_grad=True, name="W")
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True, name="x")
    loss = (w @ x + 1.0).tanh().sum()
    loss.backward()
    steps = backward_steps(loss)
    final = {r.parent: r.after for step in steps for r in step.received}
    np.testing.assert_array_equal(final[w], w.grad)
    np.testing.assert_array_equal(final[x], x.grad)
    tw = torch.tensor(w.data, requires_grad=True)
    tx = torch.tensor(x.data, requires_grad=True)
    torch.tanh(tw @ tx + 1.0).sum().backward()
    np.testing.assert_allclose(final[w], tw.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert all(c.local is None for step in steps for c in step.contributions)  # a Jacobian has no one number
    walk = BackwardWalk(loss)
    captions = [walk.next() for _ in steps]
    w_grad = f"{w.grad.mean():.4g}"
    assert captions[3].startswith("Node 4 of 6: W @ x: (W @ x).grad (mean 0.03533 over 2 values) \u2192 "
                                  f"W.grad += mean {w_grad} over 4 values;")
