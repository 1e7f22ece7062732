"""Every lesson walked through on the real playground, as a learner does it: each step says what is missing until
the learner does it, then the lesson moves on by itself; and what each step asks to notice is what the engine
shows."""
import numpy as np
import pytest

from app.lessons.steps import STEPS
from app.playground.presets import PRESETS


def shown_step(page):
    """The step region's "Step 2 of 4", or None when it is hidden."""
    if page.attribute("#lesson-step", "hidden") is not None:
        return None
    return page.find("lesson-step", "strong")[0].text


def status(page):
    return page.find("lesson-step", "p", class_="lesson-status")[0].text


def train_until_step(playground, page, wanted, frames):
    """Let the page play, a frame (an epoch) at a time, until it shows step `wanted` ("Step 2 of 4", or "Done"
    for the lesson finished) or `frames` have gone by; how many frames it took, None if it never did."""
    start = playground.moment + 1000.0
    for frame in range(frames):
        playground.frame(start + frame * 1000.0)
        if shown_step(page) == wanted or (wanted == "Done" and status(page).startswith("Done: you finished")):
            return frame + 1
    return None


def test_every_preset_is_a_lesson_of_three_to_six_steps_each_saying_what_to_do_and_notice():
    assert set(STEPS) == set(PRESETS)
    for lesson, steps in STEPS.items():
        assert 3 <= len(steps) <= 6, lesson
        for step in steps:
            assert step.do[:1].isupper() and not step.do.endswith("."), step.do
            assert not step.notice[:1].isupper() and not step.notice.endswith("."), step.notice


def test_xor_a_hidden_layer_then_the_corners_then_the_line_again(opened):
    playground, page = opened("#preset=xor-hidden")
    assert train_until_step(playground, page, "Step 2 of 3", 60) is None  # training alone is not the step
    assert shown_step(page) == "Step 1 of 3"
    assert status(page) == "Not yet: the network still has no hidden layer."
    assert playground.run.history[-1][3] < 0.7  # one straight line cannot split XOR
    playground.change("hidden", "4")
    playground.frame(playground.moment + 1000.0)
    assert shown_step(page) == "Step 2 of 3" and status(page) == ""
    assert train_until_step(playground, page, "Step 3 of 3", 100)
    assert playground.run.history[-1][3] > 0.9
    playground.act("remove-layer")
    assert train_until_step(playground, page, "Done", 60)
    assert playground.run.epoch == 50 and playground.run.history[-1][3] < 0.6  # about half, as the step says


def test_spiral_depth_then_one_layer_fails_then_features_win(opened):
    playground, page = opened("#preset=spiral-depth")
    assert train_until_step(playground, page, "Step 2 of 5", 300)
    assert playground.run.history[-1][3] > 0.9
    playground.act("remove-layer")
    playground.frame(playground.moment + 1000.0)
    assert status(page) == "Not yet: the network has 2 hidden layers, not 1."
    playground.act("remove-layer")
    assert train_until_step(playground, page, "Step 3 of 5", 2)
    assert train_until_step(playground, page, "Step 4 of 5", 300) == 300 - 1  # the step is the 300 epochs
    assert playground.run.history[-1][3] < 0.7  # one layer of 8 stays below 70%, as the step says
    playground.change("features", "x1,x2,sin(x1),sin(x2)")
    playground.frame(playground.moment + 1000.0)
    assert status(page) == "Not yet: the network has 1 hidden layer, not 2."
    playground.act("add-layer")
    assert playground.state.hidden == (8, 8)
    assert train_until_step(playground, page, "Step 5 of 5", 2)
    assert train_until_step(playground, page, "Done", 300)
    assert status(page).startswith("Done") and playground.run.history[-1][3] > 0.9


def test_relu_a_pointed_neuron_is_zero_over_a_region_and_tanh_is_smooth(opened):
    playground, page = opened("#preset=relu-sparsity")
    assert train_until_step(playground, page, "Step 2 of 4", 100)
    assert status(page) == ""
    playground.frame(playground.moment + 1000.0)
    assert status(page) == "Not yet: the pointer is not on a neuron of a hidden layer."
    x, y = playground.pictures.layout.centres[1][0]
    playground.pointer("network", "move", x, y)
    assert train_until_step(playground, page, "Step 3 of 4", 2)
    grid = playground.pictures.grid
    first_hidden = playground.run.layer_outputs(grid)[1]
    assert (first_hidden[:, 0] == 0).mean() > 0.25  # that neuron is exactly 0 over much of the plane
    playground.change("activation", "tanh")
    assert train_until_step(playground, page, "Step 4 of 4", 2)
    assert train_until_step(playground, page, "Done", 100)
    assert status(page).startswith("Done")
    assert (playground.run.layer_outputs(grid)[1] != 0).all()  # no tanh unit is exactly 0 anywhere


def test_sigmoid_the_warning_comes_and_tanh_learns(opened):
    playground, page = opened("#preset=sigmoid-vanishing")
    assert train_until_step(playground, page, "Step 2 of 3", 10)
    assert "vanishing" in {alert.kind for alert in playground.monitor.latest.alerts}
    playground.change("activation", "relu")
    playground.frame(playground.moment + 1000.0)
    assert status(page) == "Not yet: the hidden layers still use relu, not Tanh."
    playground.change("activation", "tanh")
    assert train_until_step(playground, page, "Step 3 of 3", 2)
    assert train_until_step(playground, page, "Done", 150)
    assert status(page).startswith("Done")


def test_too_high_a_rate_diverges_and_a_lower_one_after_reset_converges(opened):
    playground, page = opened("#preset=lr-too-high")
    assert train_until_step(playground, page, "Step 2 of 3", 100) > 20  # it climbs for 20 epochs and more
    playground.change("lr", "0.03")
    assert train_until_step(playground, page, "Step 3 of 3", 2)
    playground.act("toggle")
    train_until_step(playground, page, "Done", 5)
    assert status(page) == "Not yet: the Diagnostics still warn of divergence: press Reset."
    playground.act("reset")
    playground.act("toggle")
    assert train_until_step(playground, page, "Done", 60)
    assert status(page).startswith("Done") and playground.run.history[-1][0] < 0.01


def test_dead_relus_stay_dead_until_the_code_gives_them_a_zero_bias(opened):
    playground, page = opened("#preset=dead-relu")
    assert train_until_step(playground, page, "Step 2 of 3", 2)
    assert train_until_step(playground, page, "Step 3 of 3", 100) is None  # dead units never come back
    assert status(page) == "Not yet: the Diagnostics still warn of dead units."
    page.type_code(PRESETS["dead-relu"].code.replace("= -5.0", "= 0.0"))
    playground.act("run-code")
    assert train_until_step(playground, page, "Step 3 of 3", 2)
    assert train_until_step(playground, page, "Done", 100)
    assert status(page).startswith("Done")


def test_backprop_step_through_then_reuse_x_and_step_through_again(opened):
    playground, page = opened("#preset=micrograd-expression")
    for press in range(20):
        playground.frame(playground.moment + 1000.0)
        if shown_step(page) == "Step 2 of 3":
            break
        assert status(page) in ("", "Not yet: Next node has not reached the last node yet.")
        playground.act("next-node")
    assert shown_step(page) == "Step 2 of 3" and press == len(playground.graph.backward_walk.steps) + 1
    playground.frame(playground.moment + 1000.0)
    assert status(page) == "Not yet: the expression still ends in tanh, not * x."
    page.type_code(PRESETS["micrograd-expression"].code.replace("out = n.tanh()\n", "out = n.tanh() * x\n"))
    playground.act("run-code")
    assert train_until_step(playground, page, "Step 3 of 3", 2)
    assert status(page) == ""
    for press in range(20):
        playground.act("next-node")
        playground.frame(playground.moment + 1000.0)
        if status(page).startswith("Done"):
            break
    assert status(page).startswith("Done: you finished")
    out = playground.graph.code_graph
    tanh, x = out.parents
    n, w = np.tanh(2.0 * -3.0 + 6.5), -3.0
    assert x.name == "x" and x.grad == pytest.approx(n + 2.0 * (1 - n**2) * w)  # the sum of both contributions


def test_three_classes_need_no_hidden_layer(opened):
    playground, page = opened("#preset=three-class")
    assert train_until_step(playground, page, "Step 2 of 3", 50)
    playground.act("remove-layer")
    assert train_until_step(playground, page, "Step 3 of 3", 2)
    assert train_until_step(playground, page, "Done", 50)
    assert status(page).startswith("Done") and playground.run.classes == 3


def test_overfitting_warns_memorises_dropout_narrows_the_gap_and_more_points_cannot_be_memorised(opened):
    playground, page = opened("#preset=overfit")
    assert train_until_step(playground, page, "Step 2 of 6", 400)
    train_loss, test_loss = playground.run.history[-1][:2]
    assert test_loss > 2 * train_loss  # the test loss climbed while the training loss fell
    assert train_until_step(playground, page, "Step 3 of 6", 400)
    train_loss, test_loss = playground.run.history[-1][:2]
    assert test_loss > 5 * train_loss  # memorised: the test loss is far above
    assert train_until_step(playground, page, "Step 4 of 6", 5) is None
    assert status(page) == "Not yet: the race has not started: press Start the race."
    playground.change("room", "race")
    playground.act("race")
    assert train_until_step(playground, page, "Step 4 of 6", 2)
    assert train_until_step(playground, page, "Step 5 of 6", 320) == 299  # the race's 300th epoch
    a, b = playground.race.race.runs
    assert b.state.dropout == 0.3 and a.state.dropout == 0
    gap_a, gap_b = (run.history[-1][1] - run.history[-1][0] for run in (a, b))
    assert gap_b < gap_a / 2  # far narrower, as the step says (measured over three seeds: 0.26, 0.53, 0.12 of A's)
    playground.change("train_ratio", "50")
    assert train_until_step(playground, page, "Step 6 of 6", 2)
    playground.act("toggle")  # the race paused the run above: Play
    assert train_until_step(playground, page, "Done", 320)
    assert status(page).startswith("Done") and playground.run.epoch == 300


def test_regularization_keeps_the_test_loss_down_and_without_it_overfits(opened):
    playground, page = opened("#preset=regularization")
    assert train_until_step(playground, page, "Step 2 of 3", 420) == 400
    losses = [row[1] for row in playground.run.history]
    assert losses[-1] < min(losses[:100])  # the test loss fell and stayed down
    playground.change("regularization", "none")
    assert train_until_step(playground, page, "Step 3 of 3", 2)
    playground.act("reset")
    playground.act("toggle")
    assert train_until_step(playground, page, "Done", 400)
    assert status(page).startswith("Done")


@pytest.mark.parametrize("lesson", sorted(STEPS))
def test_no_step_is_done_before_its_lesson_trains(lesson, opened):
    """Opened and painted, but not trained: every step's check has something missing."""
    playground, page = opened(f"#preset={lesson}")
    playground.act("toggle")  # paused at epoch 0
    for number in range(1, len(STEPS[lesson]) + 1):
        playground.open_link(f"#preset={lesson}&step={number}")
        playground.act("toggle")
        playground.frame(playground.moment + 1000.0)
        assert shown_step(page) == f"Step {number} of {len(STEPS[lesson])}"
        assert status(page).startswith("Not yet: "), (number, status(page))


def test_width_not_depth_narrow_layers_never_close_the_circle_and_one_of_three_does(opened):
    playground, page = opened("#preset=width-not-depth")
    assert train_until_step(playground, page, "Step 2 of 4", 310) == 300
    assert playground.run.history[-1][3] < 0.9  # four layers of 2 stay under 90%, as the step says
    playground.act("add-layer")
    playground.frame(playground.moment + 1000.0)
    assert status(page) == "Not yet: the hidden layers are 2, 2, 2, 2, 2, not 2, 2, 2, 2, 2, 2."
    playground.act("add-layer")
    assert train_until_step(playground, page, "Step 3 of 4", 310) == 300
    assert playground.run.history[-1][3] < 0.9  # six layers of 2 do no better
    for _ in range(5):
        playground.act("remove-layer")
    playground.frame(playground.moment + 1000.0)
    assert shown_step(page) == "Step 3 of 4" and status(page) == "Not yet: the hidden layers are 2, not 3."
    playground.act("add-neuron", 0)
    assert train_until_step(playground, page, "Step 4 of 4", 2)
    assert train_until_step(playground, page, "Done", 400)
    assert playground.state.hidden == (3,) and playground.run.history[-1][3] > 0.95
