"""The walkthrough's training step is the engine's own: its forward values, loss, gradients and update for a
real held-out digit are checked against the same calculus done here by hand in numpy, and the lab's network
is left as it was."""
import numpy as np
import pytest

from app.digits.mlp_step import LEARNING_RATE, record_mlp_step

from tests.app.digits.mlp_digits import held_out, step_by_hand, trained_mlp


@pytest.mark.parametrize("digit, label", [(7, 7), (3, 3), (4, 9)])  # 4 labelled 9: a large loss, large gradients
def test_the_step_is_the_engines_forward_loss_backward_and_update(digit, label):
    model, _ = trained_mlp()
    pixels, _ = held_out(digit)
    step = record_mlp_step(model, pixels, label)
    expected = step_by_hand(model, pixels, label, LEARNING_RATE)
    assert step.label == label and step.learning_rate == LEARNING_RATE
    for ours, theirs in zip(step.activations, expected["activations"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(step.scores, expected["scores"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(step.probabilities, expected["probabilities"], rtol=1e-9, atol=1e-15)
    assert step.loss == pytest.approx(expected["loss"], rel=1e-9, abs=1e-15)
    for name in ("gradients", "weight_gradients", "changes"):
        assert len(getattr(step, name)) == 3
        for ours, theirs in zip(getattr(step, name), expected[name]):
            np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-15, err_msg=name)
    for change, gradient in zip(step.changes, step.weight_gradients):  # the update is -lr x the gradient
        np.testing.assert_allclose(change, -LEARNING_RATE * gradient, rtol=1e-9, atol=1e-16)
    assert step.reached == (3, 2, 1)  # the engine finished the scores' gradient first, then back layer by layer


def test_the_step_lowers_the_loss_on_a_copy_and_leaves_the_labs_network_alone():
    model, _ = trained_mlp()
    pixels, _ = held_out(4)
    before = {name: values.copy() for name, values in model.state_dict().items()}
    gradients = [param.grad.copy() for param in model.parameters()]  # its last training batch's
    step = record_mlp_step(model, pixels, 9)
    after = [w - LEARNING_RATE * g for w, g in zip(step.weights, step.weight_gradients)]
    biases = [layer.bias.data - LEARNING_RATE * grad for layer, grad in
              zip(model[0::2], (step.gradients[0] * (step.activations[1] > 0),
                                step.gradients[1] * (step.activations[2] > 0), step.gradients[2]))]
    a1 = np.maximum(after[0] @ pixels + biases[0], 0.0)
    scores = after[2] @ np.maximum(after[1] @ a1 + biases[1], 0.0) + biases[2]
    assert step.loss_after == pytest.approx(np.log(np.exp(scores).sum()) - scores[9], rel=1e-9)
    assert step.loss_after < step.loss
    assert step.probabilities_after[9] > step.probabilities[9]
    for name, values in model.state_dict().items():
        np.testing.assert_array_equal(values, before[name])
    for param, gradient in zip(model.parameters(), gradients):
        np.testing.assert_array_equal(param.grad, gradient)
    assert all(not module.__dict__.get("_forward_hooks") for module in model)


def test_a_label_that_is_no_output_is_refused_saying_what_to_pass():
    model, _ = trained_mlp()
    with pytest.raises(ValueError, match=r"label 10 is not one of the model's 10 outputs \(0 to 9\)"):
        record_mlp_step(model, np.zeros(784), 10)
