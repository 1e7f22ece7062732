"""More training options, as a learner uses them: how the weights start, a learning-rate schedule and gradient
clipping. Each is in the link, in the code the editor shows and in the picture, and each does what PyTorch does
with the same numbers."""
import re

import numpy as np
import pytest
import torch

from app.playground.run import Run
from app.playground.state import decode, encode
from app.playground.stepthrough.recorded_step import record_step
from app.shared.numbers import number
from app.training.trainer import train_epoch
from tests.app.playground.test_math_panel import walk_to
from tests.app.training.test_worker_training import assert_same_run, taken_back_from_the_worker


def state_of(fragment):
    decoded = decode(fragment)
    assert decoded.notes == []
    return decoded.state


def test_each_option_travels_in_the_link_and_the_defaults_leave_it_as_it_was():
    state = state_of("#v=1&init=xavier_uniform&schedule=cosine&clip=0.5")
    assert (state.init, state.schedule, state.clip) == ("xavier_uniform", "cosine", 0.5)
    assert encode(state) == "v=1&init=xavier_uniform&schedule=cosine&clip=0.5"
    assert encode(state_of("#v=1")) == "v=1"
    bad = decode("#v=1&schedule=sometimes&clip=2")
    assert [note.split(";")[0] for note in bad.notes] == ["schedule 'sometimes' is not one of none, step, cosine",
                                                          "gradient clipping '2' is not one of 0, 0.1, 0.5, 1, 5"]


@pytest.mark.parametrize("schedule, make", [
    ("step", lambda optimizer: torch.optim.lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.5)),
    ("cosine", lambda optimizer: torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=300))])
def test_a_schedule_moves_the_learning_rate_each_epoch_as_pytorchs_does(schedule, make):
    run = Run(state_of(f"#v=1&schedule={schedule}&points=50"))
    weight = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([weight], lr=0.03)
    reference = make(optimizer)
    for epoch in range(320):
        assert run.optimizer.lr == pytest.approx(optimizer.param_groups[0]["lr"], rel=1e-12, abs=1e-15), epoch
        run.train_epoch()
        optimizer.step()
        reference.step()
    assert run.optimizer.lr < 0.03


def test_clipping_scales_the_steps_gradients_as_pytorchs_clip_grad_norm(opened):
    run = Run(state_of("#v=1&clip=0.1&lr=0.3"))
    before = [p.data.copy() for p in run.model.parameters()]
    recording = record_step(run)
    gradients = [torch.tensor(event.gradient) for p in run.model.parameters()
                 for event in recording.backward if event.node is p]
    copies = [torch.zeros_like(g, requires_grad=True) for g in gradients]
    for copy, gradient in zip(copies, gradients):
        copy.grad = gradient.clone()
    norm = torch.nn.utils.clip_grad_norm_(copies, 0.1)
    assert recording.clipping == (pytest.approx(float(norm), rel=1e-12), 0.1) and float(norm) > 0.1
    for parameter, start, copy in zip(run.model.parameters(), before, copies):
        # PyTorch's clipping loses a little to float32 on the way (2.8e-7 apart here); the engine's is float64.
        np.testing.assert_allclose(parameter.data, start - 0.3 * copy.grad.numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("init", ["xavier_uniform", "xavier_normal", "he_normal", "uniform", "zeros"])
def test_initialisation_draws_the_weights_by_its_rule(init):
    run, default = Run(state_of(f"#v=1&init={init}&hidden=50,50")), Run(state_of("#v=1&hidden=50,50"))
    for layer, (weight, usual) in enumerate(zip(run.weights, default.weights)):
        fan_out, fan_in = weight.shape
        values = weight.data
        if init == "zeros":
            assert not values.any()
        elif init in ("uniform", "xavier_uniform"):  # torch.nn.Linear's own default, and Glorot's (gain 1)
            bound = 1 / np.sqrt(fan_in) if init == "uniform" else np.sqrt(6 / (fan_in + fan_out))
            assert np.abs(values).max() <= bound and np.abs(values).max() > 0.8 * bound
        elif layer == 1:  # a 50 x 50 layer: enough draws for the spread to show its rule
            # Glorot's (gain 1), or He's with the gain of tanh, the activation after it (5/3, calculate_gain's)
            std = np.sqrt(2 / (fan_in + fan_out)) if init == "xavier_normal" else 5 / 3 / np.sqrt(fan_in)
            assert values.std() == pytest.approx(std, rel=0.1)
        assert not np.array_equal(values, usual.data)
    for layer in run.model:
        if hasattr(layer, "bias") and layer.bias is not None:
            assert not layer.bias.data.any()


def test_the_controls_show_the_options_the_current_rate_and_the_code(opened):
    playground, page = opened()
    assert page.texts["training-options-on"] == "" and page.texts["current-lr"] == ""
    playground.change("schedule", "step")
    playground.change("clip", "1")
    playground.change("init", "xavier_normal")
    assert page.texts["training-options-on"] == ": Xavier normal init, halved every 100 epochs, clipping at 1"
    assert page.fragment == "v=1&init=xavier_normal&schedule=step&clip=1"
    assert 'init="xavier_normal")' in page.editor
    assert "StepLR(optimizer, step_size=100, gamma=0.5)" in page.editor and "max_norm=1)" in page.editor
    for frame in range(101):
        playground.act("step")
    playground.paint(0.0)
    assert page.texts["current-lr"] == "now 0.015" and playground.run.epoch == 101


def test_a_schedule_chosen_mid_run_starts_from_that_epoch_and_keeps_the_weights(opened):
    playground, page = opened()
    for _ in range(5):
        playground.act("step")
    weights = [w.data.copy() for w in playground.run.weights]
    playground.change("schedule", "cosine")
    assert playground.run.epoch == 5
    for kept, weight in zip(weights, playground.run.weights):
        np.testing.assert_array_equal(kept, weight.data)
    playground.act("step")
    assert playground.run.optimizer.lr == pytest.approx(0.03 * (1 + np.cos(np.pi / 300)) / 2, rel=1e-12)
    playground.change("lr", "0.1")  # a new rate: the schedule starts again from it
    playground.act("step")
    assert playground.run.optimizer.lr == pytest.approx(0.1 * (1 + np.cos(np.pi / 300)) / 2, rel=1e-12)


def test_a_scheduled_clipped_run_trained_in_the_worker_is_the_run_trained_here(opened):
    fragment = "#v=1&dataset=xor&schedule=step&clip=0.5&lr=0.3"
    playground, run, monitor = taken_back_from_the_worker(opened, fragment, until_epoch=120)
    assert playground.run.optimizer.lr == run.optimizer.lr == 0.15  # halved at epoch 100, in the worker
    playground.act("step")
    train_epoch(run, monitor)
    assert_same_run(playground.run, run)


def test_the_math_panel_shows_the_clipping_before_the_update(opened, edge_middle):
    playground, page = opened("#v=1&clip=0.1&lr=0.3")
    walk_to(playground, 5)
    playground.pointer("network", "click", *edge_middle(playground, 1, 1, 3))
    recording = playground.stepthrough.walkthrough.steps.recording
    norm, max_norm = recording.clipping
    lines = page.texts["math"].split("\n")
    line = next(line for line in lines if line.startswith("Gradient clipping at 0.1"))
    factor = re.search(r"= ([\d.]+): \u2202L/\u2202w becomes", line)
    assert float(factor[1]) == pytest.approx(0.1 / (norm + 1e-6), rel=1e-3)
    story = playground.stepthrough.walkthrough.story
    before, gradient, after = (part[1, 3] for part in story.weights[1])
    assert after == pytest.approx(before - 0.3 * gradient * 0.1 / (norm + 1e-6), rel=1e-12)
    clipped = gradient * 0.1 / (norm + 1e-6)
    assert lines[-1] == (f"w \u2190 w \u2212 \u03b7\u00b7\u2202L/\u2202w = ({number(before)}) \u2212 (0.3)\u00b7"
                         f"({number(clipped)}) = {number(after)}")
