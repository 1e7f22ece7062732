"""The preset gallery: every preset opens cleanly from its link, its code runs, and each one really shows
what its lesson says, measured with the engine."""
import re
from dataclasses import replace
from urllib.parse import quote

import numpy as np
import pytest

from app.diagnostics.monitor import Monitor
from app.playground.curve_view import curve_points, curve_scale
from app.playground.presets import PRESETS, find_preset
from app.playground.run import Run, make_optimizer
from app.editor.sandbox import run_user_code
from app.playground.state import decode, layer_sizes
from engine import Tensor, nn

ASKED_FOR = {"xor-hidden", "spiral-depth", "relu-sparsity", "sigmoid-vanishing", "lr-too-high", "dead-relu",
             "micrograd-expression", "three-class", "overfit"}
PLANE_GRID = np.stack(np.meshgrid(np.linspace(-6, 6, 50), np.linspace(-6, 6, 50)), axis=-1).reshape(-1, 2)


def state_of(preset_id, **changes):
    return replace(decode(PRESETS[preset_id].settings).state, **changes)


def trained(state, epochs, model=None):
    """A run of `state` trained for `epochs`, with the editor's `model` in place of the built one if given."""
    run = Run(state)
    if model is not None:
        run.model = model
        run.optimizer = make_optimizer(state.optimizer, model.parameters(), state.lr)
        run.weights = [layer.weight for layer in model if isinstance(layer, nn.Linear)]
    for _ in range(epochs):
        run.train_epoch()
    return run


def model_from(code):
    result = run_user_code(code, {})
    assert result.ok, result.error
    return result.namespace["model"]


def dead_units(run):
    """Hidden units that output 0 at every training point, per hidden layer."""
    return [int((outputs.max(axis=0) <= 0).sum()) for outputs in run.layer_outputs(run.X_train)[1:-1]]


def test_the_gallery_has_every_lesson_the_issues_ask_for():
    assert ASKED_FOR <= set(PRESETS)


@pytest.mark.parametrize("preset_id", PRESETS)
def test_each_preset_opens_from_its_link_without_a_note(preset_id):
    preset = PRESETS[preset_id]
    assert quote(preset_id) == preset_id
    decoded = decode(f"#v=1&{preset.settings}&preset={preset_id}")
    assert decoded.notes == []
    assert decoded.extras == {"preset": preset_id}
    assert preset.title and "\n" not in preset.title
    assert preset.lesson.endswith(".") and "\n" not in preset.lesson and len(preset.lesson) <= 140
    for key in ("v=", "preset=", "code="):
        assert key not in preset.settings  # the page adds those when it writes the link


@pytest.mark.parametrize("preset_id", sorted(PRESETS))
def test_each_lesson_names_the_features_as_their_checkboxes_do(preset_id):
    words = f"{PRESETS[preset_id].title} {PRESETS[preset_id].lesson}"
    assert not re.search(r"x[12]", words), words  # x₁, sin(x₂): as the Features and the Network view write them


@pytest.mark.parametrize("preset_id", [name for name, preset in PRESETS.items() if preset.code])
def test_each_presets_code_compiles_and_runs_in_the_sandbox(preset_id):
    code = PRESETS[preset_id].code
    compile(code, "<editor>", "exec")
    result = run_user_code(code, {})
    assert result.ok, result.error
    assert "model" in result.namespace or isinstance(result.namespace.get("graph"), Tensor)


def test_a_presets_model_fits_its_settings():
    model = model_from(PRESETS["dead-relu"].code)
    linears = [layer for layer in model if isinstance(layer, nn.Linear)]
    assert [linears[0].n_in] + [layer.n_out for layer in linears] == layer_sizes(state_of("dead-relu"))


def test_xor_is_out_of_reach_without_a_hidden_layer_and_easy_with_one():
    alone = trained(state_of("xor-hidden"), 100)
    assert alone.history[-1][2] < 0.7
    assert trained(state_of("xor-hidden", hidden=(4,)), 100).history[-1][2] > 0.9


def test_the_spiral_is_learned_with_depth_or_with_features_but_not_by_one_layer():
    assert trained(state_of("spiral-depth"), 300).history[-1][3] > 0.9
    with_features = state_of("spiral-depth", hidden=(8, 8), features=("x1", "x2", "sin(x1)", "sin(x2)"))
    assert trained(with_features, 300).history[-1][3] > 0.9
    assert trained(state_of("spiral-depth", hidden=(8,)), 300).history[-1][3] < 0.8


def test_relu_units_are_exactly_zero_on_much_of_the_plane_yet_all_alive():
    run = trained(state_of("relu-sparsity"), 100)
    hidden = run.layer_outputs(PLANE_GRID)[1:-1]
    assert all((outputs == 0).mean() > 0.25 for outputs in hidden)
    assert dead_units(run) == [0, 0]
    assert run.history[-1][3] > 0.95


def test_sigmoid_gradients_vanish_over_eight_layers_where_tanh_ones_do_not():
    def first_to_last_gradient(state):
        run = Run(state)
        run.data_loss(run.model(run.inputs_train), run.y_train).backward()
        return np.linalg.norm(run.weights[0].grad) / np.linalg.norm(run.weights[-1].grad)

    assert len(state_of("sigmoid-vanishing").hidden) == 8
    assert first_to_last_gradient(state_of("sigmoid-vanishing")) < 1e-4
    assert first_to_last_gradient(state_of("sigmoid-vanishing", activation="tanh")) > 1e-2


def test_too_high_a_learning_rate_shows_the_loss_climbing_on_the_curve_before_the_run_is_stopped():
    run = Run(state_of("lr-too-high"))
    monitor = Monitor(run)
    while monitor.diverged is None and run.epoch < 100:
        run.train_epoch()
        monitor.observe(run.first_bad_batch)
    assert monitor.diverged is not None and run.epoch >= 20  # stopped, as the page stops it, after 20 epochs or more
    losses = np.array([epoch[0] for epoch in run.history])
    assert (np.diff(losses) > 0).all()  # the loss rose at every epoch until then
    values, top, log = curve_scale(losses[:, None])  # as the page's loss curve draws them: on a log scale
    heights = 62 - curve_points(values[:, 0], 300, 62, top)[:, 1]
    assert log and (np.diff(heights) >= 1).all()  # every epoch climbs a pixel or more on the curve, not only the last
    calm = trained(state_of("lr-too-high", lr=0.03), 50)  # the lesson's fix
    losses = [epoch[0] for epoch in calm.history]
    assert np.isfinite(losses).all() and losses[-1] < 0.01 < losses[0]


def test_dead_relus_stay_dead_and_a_zero_bias_brings_them_back():
    code = PRESETS["dead-relu"].code
    state = state_of("dead-relu")
    dead = Run(state)
    dead.model = model_from(code)
    at_start = dead_units(dead)
    assert sum(at_start) >= 8  # at least half of the 16 hidden units
    dead = trained(state, 100, model_from(code))
    assert all(now >= then for now, then in zip(dead_units(dead), at_start))
    assert dead.history[-1][2] < 0.6  # about chance
    healthy = trained(state, 100, model_from(code.replace("= -5.0", "= 0.0")))
    assert dead_units(healthy) == [0, 0] and healthy.history[-1][2] > 0.9


def test_the_expression_prints_the_gradients_the_chain_rule_gives():
    result = run_user_code(PRESETS["micrograd-expression"].code, {})
    out = np.tanh(2.0 * -3.0 + 6.5)
    slope = 1 - out**2  # d tanh(n) / dn
    assert result.output.splitlines() == [
        f"out = {out:.4f}",
        f"d out/dx = {-3.0 * slope:.4f}   d out/dw = {2.0 * slope:.4f}   d out/db = {slope:.4f}",
    ]
    assert result.namespace["graph"].op == "tanh"


def test_three_classes_get_three_outputs_and_are_separated():
    run = trained(state_of("three-class"), 50)
    assert run.classes == 3
    assert run.history[-1][3] > 0.95


def test_a_big_network_on_twenty_points_overfits():
    run = trained(state_of("overfit"), 300)
    assert len(run.X_train) == 20
    train_loss, test_loss = run.history[-1][:2]
    assert train_loss < 0.2 and test_loss > 3 * train_loss


def test_an_unknown_preset_is_named_with_the_choices():
    preset, note = find_preset("x" * 100)
    assert preset is None
    assert note.startswith(f"there is no preset '{'x' * 40}…'; the presets are xor-hidden, spiral-depth")


def test_a_lesson_brings_its_picture_into_view_the_core_or_the_room_it_is_watched_in(opened):
    playground, page = opened("#preset=xor-hidden")
    playground.frame(16.0)
    # The page's top, where its words and the core picture are: a no-op on a wide screen, where the list of
    # lessons is on the first screen too; on a phone the list is far below the pictures.
    assert page.revealed == ["top"]
    playground.open_link("#preset=micrograd-expression")
    assert page.revealed == ["top"]  # not before the page has painted the room it opens
    playground.frame(32.0)
    playground.frame(48.0)
    assert page.revealed == ["top", "rooms"]  # once, so the user can scroll away again
    playground.open_link("#v=1&dataset=xor")  # a link that is not a lesson opens where the page is
    playground.frame(64.0)
    assert page.revealed == ["top", "rooms"]
