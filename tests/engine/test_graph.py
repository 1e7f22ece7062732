"""The graph the app draws and animates: its order, the backward replay, long chains, diagnostics, hooks."""
import numpy as np
import pytest

from engine import Tensor, first_nonfinite, nn, no_grad, topological_order


def diamond():
    """a -> b = a * w -> (c = b.tanh(), d = b.exp()) -> e = (c * d).sum(): b is reused."""
    a = Tensor([0.5, -1.0, 2.0], requires_grad=True, name="a")
    w = Tensor([1.5, 0.3, -0.2], requires_grad=True, name="w")
    b = a * w
    return a, w, b, (b.tanh() * b.exp()).sum()


def test_a_10000_op_chain_backpropagates_without_recursion():
    x = Tensor(0.5, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**10_000)
    assert len(topological_order(y)) > 10_000


def test_topological_order_lists_each_node_once_inputs_first():
    a, w, b, e = diamond()
    order = topological_order(e)
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order)
    assert order[-1] is e
    assert position[id(a)] < position[id(b)] and position[id(w)] < position[id(b)]
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert sorted(node.op for node in order if node.op) == ["exp", "mul", "mul", "sum", "tanh"]


def test_backward_observer_sees_each_node_once_with_its_final_gradient():
    a, w, b, e = diamond()
    seen = []
    e.backward(observer=lambda node: seen.append((node, None if node.grad is None else node.grad.copy())))
    nodes = [node for node, _ in seen]
    assert len({id(n) for n in nodes}) == len(nodes)
    assert nodes[0] is e
    assert {id(a), id(w), id(b)} <= {id(n) for n in nodes}
    # Backward order: a node is observed only after every node that consumes it.
    position = {id(node): i for i, node in enumerate(nodes)}
    for node in nodes:
        for parent in node.parents:
            if id(parent) in position:
                assert position[id(parent)] > position[id(node)]
    for node, grad_then in seen:
        np.testing.assert_array_equal(grad_then, node.grad)


def test_first_nonfinite_names_the_op_that_blew_up():
    x = Tensor([1.0, -1.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        logs = x.log()
        out = (logs * 2).exp().sum()
    assert first_nonfinite(out) is logs
    assert first_nonfinite(diamond()[-1]) is None
    assert first_nonfinite(Tensor([np.inf])).shape == (1,)


def test_no_grad_builds_no_graph():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = (w * 3).tanh().sum()
    assert y.parents == () and not y.requires_grad
    assert (w * 3).requires_grad  # switched back on after the block


def test_backward_of_a_non_scalar_needs_a_gradient():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises((RuntimeError, ValueError), match=r"(?i)shape \(2,\)"):
        y.backward()


def test_forward_hooks_get_module_inputs_and_output():
    model = nn.MLP(2, [3], 1, rng=np.random.default_rng(0))
    calls = []
    for layer in model:
        layer.register_forward_hook(lambda module, inputs, output: calls.append((module, inputs, output)))
    x = Tensor(np.ones((4, 2)))
    out = model(x)
    assert [module for module, _, _ in calls] == list(model)
    assert calls[0][1][0] is x and isinstance(calls[0][1], tuple)
    assert calls[-1][2] is out
    for (_, _, output), (_, inputs, _) in zip(calls, calls[1:]):
        assert inputs[0] is output
