"""Dropout and batch norm in the playground, as a learner meets them: switched on in More training options, in the
link and the code, trained in the training mode and seen in the evaluation mode (the plane, the test loss), the
units dropout switched off crossed out in a walked step, and batch norm's statistics in the inspector and the Math
region, every number the engine's."""
import re

import numpy as np
import pytest

from app.playground.run import Run
from app.playground.state import decode, with_change
from engine import nn
from tests.app.playground.test_math_panel import NUMBER, read, walk_to
from tests.app.training.test_worker_training import assert_same_run, taken_back_from_the_worker

LINK = "#v=1&dropout=0.5&batch_norm=true&hidden=4,3"


def test_the_options_are_in_the_link_the_summary_and_the_code(opened):
    playground, page = opened()
    playground.change("dropout", "0.3")
    playground.change("batch_norm", True)
    assert page.fragment == "v=1&dropout=0.3&batch_norm=true"
    assert page.texts["training-options-on"] == ": dropout 0.3, batch norm"
    assert 'activation="tanh", dropout=0.3, batch_norm=True)' in page.editor
    assert [type(module).__name__ for module in playground.run.model][:4] == ["Linear", "BatchNorm1d", "Tanh", "Dropout"]
    assert playground.run.activation_names() == ["tanh", "tanh", "linear"]


def test_batch_norm_asks_for_batches_of_two_or_more():
    state, notes = with_change(decode("#batch_size=1").state, batch_norm=True)
    assert state.batch_size == 2
    assert notes == ["batch norm needs batches of at least 2 points (one point has no spread to normalise by); "
                     "using batch size 2"]


def test_the_run_trains_in_training_mode_and_rests_in_evaluation_mode():
    run = Run(decode(LINK).state)
    assert not run.model.training
    plane = np.array([[0.5, -1.0], [2.0, 3.0]])
    first = run.layer_outputs(plane)
    np.testing.assert_array_equal(first[-1], run.layer_outputs(plane)[-1])  # no dropout draws outside training
    norm = run.model[1]
    run.train_epoch()
    assert not run.model.training and norm.num_batches_tracked == 25  # 250 training points in batches of 10
    run.model.eval()
    logits = run.model(run.inputs_test).data
    np.testing.assert_array_equal(run.layer_outputs(run.X_test)[-1], logits)
    assert run.history[-1][1] == pytest.approx(run.data_loss(run.model(run.inputs_test), run.y_test).item(), rel=1e-12)


def test_a_last_batch_of_one_point_is_left_out_with_batch_norm_only():
    points = ";".join(f"{x},{x / 2},{x % 2}" for x in range(-5, 7))  # 12 points: 11 train at ratio 90
    with_norm = Run(decode(f"#dataset=custom&custom={points}&train_ratio=90&batch_norm=true").state)
    plain = Run(decode(f"#dataset=custom&custom={points}&train_ratio=90").state)
    assert len(with_norm.inputs_train) == 11  # batches of 10 and of 1
    with_norm.train_epoch()
    plain.train_epoch()
    assert with_norm.model[1].num_batches_tracked == len(with_norm.inputs_train) // 10
    assert with_norm.batched_points() == len(with_norm.inputs_train) - 1
    assert plain.batched_points() == len(plain.inputs_train)


def test_a_walked_step_crosses_out_the_units_dropout_switched_off(opened):
    playground, page = opened(LINK)
    walk_to(playground, 1)
    story = playground.stepthrough.walkthrough.story
    dropped = story.dropped[1][0]
    assert story.dropped[0] is None and story.dropped[3] is None and dropped.any() and not dropped.all()
    assert (story.values[1][0][dropped] == 0).all()  # a dropped unit outputs 0 in the step
    assert "Crossed-out neurons were switched off by dropout" in page.texts["phase-caption"]
    still = playground.pictures.walkthrough_image.context.calls  # the walkthrough's still picture, drawn apart
    crosses = [args[0][1] for name, args in still if name == "stroke" and args
               and isinstance(args[0], tuple) and "L" in args[0][1] and "C" not in args[0][1]]
    layout = playground.pictures.layout
    x, y = layout.centres[1][int(np.flatnonzero(dropped)[0])]
    arm = layout.radius * 0.85
    assert any(f"M{x - arm:.1f} {y - arm:.1f}L{x + arm:.1f} {y + arm:.1f}" in path for path in crosses)
    unit = int(np.flatnonzero(dropped)[0])
    playground.pointer("network", "click", *layout.centres[1][unit])
    rows = dict(page.tables["inspector-numbers"][1:])
    assert rows["dropout"] == "switched off this step"
    batch_z = story.pre_activations[1][:, unit]
    assert read(rows["batch mean \u03bc"]) == pytest.approx(batch_z.mean(), rel=1e-3, abs=1e-9)
    assert read(rows["batch variance \u03c3\u00b2"]) == pytest.approx(batch_z.var(), rel=1e-3)
    assert "dropout (p = 0.5) switched this unit off in this step: a \u2190 0" in page.texts["math"]


def test_the_math_region_writes_out_batch_norm_with_the_engines_numbers(opened):
    playground, page = opened("#v=1&batch_norm=true&hidden=4,3")
    for _ in range(3):
        playground.act("step")
    playground.pointer("network", "click", *playground.pictures.layout.centres[2][1])  # hidden layer 2, neuron 2
    playground.paint(10.0)
    run, point = playground.run, playground.canvas_input.inspected_input(playground.moment)
    outputs = []
    handles = [module.register_forward_hook(lambda m, i, out: outputs.append(out.data[0])) for module in run.model]
    run.model(np.asarray([point]))  # the features are x1 and x2 themselves
    for handle in handles:
        handle.remove()
    z, normalised, a = outputs[3][1], outputs[4][1], outputs[5][1]  # Linear, BatchNorm1d, Tanh of hidden layer 2
    norm = run.model[4]
    lines = page.texts["math"].split("\n")
    assert lines[4] == "batch norm, \u03bc and \u03c3\u00b2 the running averages of the batches' (training is over):"
    numbers = [read(v) for v in re.findall(rf"\(({NUMBER})\)", lines[5])]
    assert numbers == [pytest.approx(v, rel=1e-3, abs=1e-12) for v in
                       (norm.weight.data[1], z, norm.running_mean[1], norm.running_var[1], norm.bias.data[1])]
    assert read(lines[5].split(" = ")[-1]) == pytest.approx(normalised, rel=1e-3)
    assert lines[6] == f"a = tanh(\u1e91) = tanh({lines[5].split(' = ')[-1]}) = {lines[6].split(' = ')[-1]}"
    assert read(lines[6].split(" = ")[-1]) == pytest.approx(a, rel=1e-3) and a == pytest.approx(np.tanh(normalised))


def test_a_run_with_dropout_and_batch_norm_trained_in_the_worker_is_the_run_trained_here(opened):
    playground, run, _ = taken_back_from_the_worker(opened, LINK, until_epoch=20)
    for (name, mine), (_, theirs) in zip(playground.run.model.named_buffers(), run.model.named_buffers()):
        np.testing.assert_array_equal(mine, theirs, err_msg=name)
    playground.act("step")  # and it goes on here, drawing the same dropout masks the worker would have
    run.train_epoch()
    assert_same_run(playground.run, run)


def test_each_points_own_gradients_are_read_in_evaluation_mode(opened):
    from app.playground.attribution import example_gradients
    run = Run(decode(LINK).state)
    for _ in range(3):
        run.train_epoch()
    gradients = example_gradients(run)
    assert not run.model.training
    loss = run.data_loss(run.model(run.inputs_train), run.y_train)
    run.optimizer.zero_grad()
    loss.backward()
    for layer, weight in enumerate(run.weights):
        own = np.stack([gradients.of_example(i)[layer] for i in range(len(run.inputs_train))])
        np.testing.assert_allclose(own.mean(axis=0), weight.grad, rtol=1e-9, atol=1e-12)
    assert isinstance(run.model[3], nn.Dropout)
