"""Check gradients: right on a live network (and leaves it as it was), and catches a wrong backward rule."""
import numpy as np

from app.diagnostics.gradient_check import check_gradients
from app.playground.run import Run
from app.playground.state import decode
from engine.tensor import record


def run_of(link):
    return Run(decode(link).state)


def test_check_gradients_finds_the_engine_right_on_a_live_network():
    run = run_of("#hidden=4,3&layer_activations=tanh,relu")
    for _ in range(3):
        run.train_epoch()
    weights = [p.data.copy() for p in run.model.parameters()]
    result = check_gradients(run)
    assert result.largest < 1e-6 and result.right
    assert [(row, kind) for row, kind, _ in result.errors] == [(r, k) for r in range(3) for k in ("weight", "bias")]
    assert all(np.array_equal(p.data, w) for p, w in zip(run.model.parameters(), weights))


def test_check_gradients_catches_a_wrong_backward_rule():
    run = run_of("#hidden=4,3")
    # An op that passes values through but sends back twice the gradient: a bug below hidden layer 1's output.
    run.model[1].register_forward_hook(
        lambda module, inputs, out: record("broken", out.data, (out,), lambda g: (2 * g,)))
    result = check_gradients(run)
    errors = {(row, kind): error for row, kind, error in result.errors}
    assert result.largest > 0.3 and not result.right
    assert errors[0, "weight"] > 0.3 and errors[0, "bias"] > 0.3  # below the bug: wrong
    assert errors[1, "weight"] < 1e-6 and errors[2, "weight"] < 1e-6  # above it: still right
