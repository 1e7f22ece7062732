"""The playground as a user drives it: buttons, controls, the link, and how its parts keep in step."""
import numpy as np

from app.playground.state import decode
from app.playground.stepthrough.driver import PHASE_INTRO
from tests.app.playground.reading import shown_layers


def test_the_page_loads_playing_and_the_toggle_is_named_for_what_it_will_do(opened):
    playground, page = opened()
    assert playground.playing and page.texts["play-pause"] == "Pause"
    assert page.data["play-pause", "playing"] == "true"  # the stylesheet draws its sign: ❚❚
    playground.frame(16.0)
    playground.frame(32.0)
    assert page.texts["epoch"] == "2"
    playground.act("toggle")
    assert page.texts["play-pause"] == "Play" and page.data["play-pause", "playing"] == "false"  # ▶
    playground.frame(48.0)
    assert page.texts["epoch"] == "2"


def test_reset_pauses_at_zero_and_step_trains_exactly_one_epoch(opened):
    playground, page = opened()
    for t in range(3):
        playground.frame(t * 16.0)
    playground.act("reset")
    playground.paint(0.0)
    assert page.texts["epoch"] == "0" and not playground.playing
    steps = []
    step = playground.run.optimizer.step
    playground.run.optimizer.step = lambda: (steps.append(1), step())
    playground.act("step")
    playground.paint(0.0)
    assert page.texts["epoch"] == "1" and len(steps) == 25  # 250 training points in batches of 10
    assert not playground.playing


def test_a_hyperparameter_applies_to_the_running_network_and_the_link_follows(opened):
    playground, page = opened()
    playground.frame(0.0)
    run = playground.run
    playground.change("lr", "0.1")
    assert playground.run is run and run.optimizer.lr == 0.1 and run.epoch == 1
    assert "lr=0.1" in page.fragment and decode(page.fragment).state.lr == 0.1
    assert page.controls["lr"] == "0.1"


def test_changing_the_data_or_the_network_starts_a_new_run(opened):
    playground, page = opened()
    playground.frame(0.0)
    playground.change("dataset", "xor")
    assert playground.run.epoch == 0 and playground.state.dataset == "xor"
    playground.act("add-layer")
    playground.act("add-neuron", layer=0)
    playground.act("remove-neuron", layer=1)
    assert playground.state.hidden == (5, 1, 2) and shown_layers(page)[0] == [5, 1, 2]
    assert [w.shape for w in playground.run.weights] == [(5, 2), (1, 5), (2, 1), (1, 2)]
    assert "hidden=5,1,2" in page.fragment
    playground.change("features", "x1,x2,x1^2")
    assert playground.run.weights[0].shape == (5, 3)


def test_a_limit_is_enforced_with_a_note_and_nothing_lost(opened):
    playground, page = opened("#hidden=100,100")
    before = playground.state
    playground.act("add-layer")
    assert playground.state == before
    assert page.lists["notes"] and "nothing was changed" in page.lists["notes"][0]


def test_a_bad_link_falls_back_field_by_field_with_notes_and_still_draws(opened):
    playground, page = opened("#v=1&lr=banana&dataset=spiral&noise=999")
    assert playground.state.dataset == "spiral" and playground.state.lr == 0.03
    assert any("learning rate" in note for note in page.lists["notes"]) and any("noise" in note for note in page.lists["notes"])
    assert page.pixel_layers[0].image is not None  # the heatmap was painted


def test_pasted_csv_loads_and_names_bad_lines(opened):
    playground, page = opened()
    page.inputs["csv"] = "x1,x2,label\n1,1,1\n-1,-1,0\noops\n2,-2,1"
    playground.act("load-csv")
    assert playground.state.dataset == "custom" and len(playground.state.custom) == 3
    assert page.lists["notes"] == ["line 4: 'oops' is not three numbers x1,x2,label; skipped"]


def test_a_diverging_run_pauses_with_a_message_instead_of_drawing_nan(opened, played_until_it_pauses):
    playground, page = opened("#problem=regression&dataset=plane&lr=10&activation=linear&hidden=")
    played_until_it_pauses(playground, 30)
    assert not playground.playing and page.texts["play-pause"] == "Play"
    assert "diverged" in page.texts["message"] and "lower it" in page.texts["message"]
    image = page.pixel_layers[0].image
    assert image is not None and np.array_equal(np.unique(image[..., 3]), [255])


def test_auto_stop_pauses_with_the_reason(opened, played_until_it_pauses):
    playground, page = opened("#stop_loss=0.3")
    played_until_it_pauses(playground, 300)
    assert "the training loss reached" in page.texts["note"]


def test_the_legend_says_what_the_planes_colours_mean_for_the_problem(opened):
    playground, page = opened()
    assert page.data["output-panel", "kind"] == "binary" and "Orange is class 0" in page.texts["legend-note"]
    playground.change("problem", "regression")
    assert page.data["output-panel", "kind"] == "regression" and "predicted value" in page.texts["legend-note"]


def test_regenerate_draws_new_points_from_the_next_seed(opened):
    playground, page = opened()
    before = playground.run.X_train.copy()
    playground.act("regenerate")
    assert playground.state.seed == 1 and "seed=1" in page.fragment
    assert not np.array_equal(before, playground.run.X_train)


def test_while_training_the_graph_and_diagnostics_repaint_twice_a_second_never_in_the_same_frame(opened):
    playground, page = opened()
    graph, timeline = page.canvases["graph"].context, page.canvases["timeline"].context
    repainted = []
    for frame in range(1, 126):  # two seconds at 60 frames a second
        graph.calls.clear(), timeline.calls.clear()
        playground.frame(frame * 1000 / 60)
        repainted.append((bool(graph.calls), bool(timeline.calls)))
    assert not any(both for both in repainted if all(both))
    graph_frames = [i for i, (g, _) in enumerate(repainted) if g]
    timeline_frames = [i for i, (_, t) in enumerate(repainted) if t]
    assert len(graph_frames) >= 4 and len(timeline_frames) >= 4
    assert all(29 <= b - a <= 31 for a, b in zip(graph_frames, graph_frames[1:]))
    assert all(29 <= b - a <= 31 for a, b in zip(timeline_frames, timeline_frames[1:]))


def test_the_summary_speaks_of_the_input_the_network_shows_during_the_walkthrough_too(opened):
    playground, page = opened()
    later = 4500.0  # the training point drawn when nothing is hovered changes every 1.5 s
    point = playground.canvas_input.inspected_input(later)
    assert f"At the input ({point[0]:.2f}, {point[1]:.2f})" in playground.summary(later)
    playground.act("next-phase")
    playground.paint(later)
    shown = playground.stepthrough.point  # the first example of the step being walked
    assert not np.allclose(shown, point)
    expected = playground.pictures.neurons_at(shown)[0][-1][0]
    assert (f"At the input ({shown[0]:.2f}, {shown[1]:.2f}) it gives class 1 a probability of {expected:.2f}."
            in playground.summary(later))


def test_with_no_points_the_page_says_how_to_add_them_and_the_epoch_waits_until_there_are(opened):
    playground, page = opened("#dataset=custom")
    assert "click the Output plane to add one" in page.texts["note"]
    for t in range(1, 4):
        playground.frame(t * 16.0)
    playground.act("step")
    playground.act("check-gradients")
    assert page.texts["epoch"] == "0" and playground.run.epoch == 0
    assert "no loss to check gradients on" in page.texts["gradient-check"]
    playground.act("next-phase")
    assert "click the Output plane" in page.texts["note"]
    playground.act("toggle")  # Play again: the first point starts training by itself
    playground.pointer("output", "click", 150, 150)
    playground.frame(64.0)
    assert page.texts["note"] == "" and playground.run.epoch == 1


def test_where_nan_appeared_is_named_and_its_layer_framed(opened, played_until_it_pauses):
    playground, page = opened("#problem=regression&dataset=plane&lr=10&activation=linear&hidden=4")
    played_until_it_pauses(playground, 60)
    assert "diverged" in page.texts["message"]
    nonfinite = playground.monitor.latest.nonfinite
    assert nonfinite is not None and nonfinite.layer is not None
    assert nonfinite.op in page.texts["message"] or "not a number" in page.texts["message"].lower()
    assert ([6, 4],) in page.canvases["network"].context.named("setLineDash")  # its layer is framed


def test_a_preset_from_the_site_runs_at_once_and_teaches_its_lesson(opened):
    playground, page = opened("#preset=dead-relu")
    assert "Dead ReLUs" in page.texts["note"]
    hidden_biases = [layer.bias.data for layer in list(playground.run.model)[:-1] if hasattr(layer, "bias")]
    assert all((bias == -5.0).all() for bias in hidden_biases)
    for t in range(30):
        playground.frame(t * 16.0)
    assert any(alert.kind == "dead" for alert in playground.monitor.latest.alerts)
    # The link says it all: the settings, the code, and the lesson's step the learner has reached.
    assert "&preset=dead-relu&step=2&code=" in page.fragment
    unknown, unknown_page = opened("#preset=nope")
    assert unknown_page.lists["notes"] and "nope" in unknown_page.lists["notes"][0]


def test_a_lesson_plays_at_once_even_after_a_pause_or_a_run_that_diverged(opened, played_until_it_pauses):
    playground, page = opened("#preset=lr-too-high")
    played_until_it_pauses(playground, 200)
    assert not playground.playing and "diverged" in page.texts["message"]
    playground.open_link("#preset=xor-hidden")  # the next lesson on the list
    assert playground.playing and page.texts["play-pause"] == "Pause" and page.texts["message"] == ""
    playground.frame(0.0)
    assert playground.run.epoch == 1
    playground.act("toggle")
    playground.open_link("#preset=three-class")
    playground.frame(16.0)
    assert playground.playing and playground.run.epoch == 1


def test_the_summary_names_the_dataset_as_the_page_does(opened):
    playground, page = opened("#preset=three-class")
    playground.frame(16.0)
    assert playground.summary(16.0).startswith("A 2-6-3 tanh network is learning the three classes dataset. Epoch 1.")
    playground.change("dataset", "xor")
    assert "learning the exclusive or dataset." in playground.summary(32.0)


def test_a_lesson_after_the_expression_lesson_walks_its_own_network(opened):
    playground, page = opened("#preset=micrograd-expression")
    playground.open_link("#preset=three-class")
    assert page.texts["phase-caption"] == PHASE_INTRO and page.attribute('[data-action="next-node"]', "hidden") == ""
    playground.act("next-phase")  # a step of the three classes' network, not the old expression's next node
    assert page.texts["phase-caption"].startswith("Phase 1 of 5") and playground.stepthrough.batches_done == 1
    assert page.texts["graph-step"] == ""


def test_a_paused_page_paints_only_when_something_changed(opened):
    playground, page = opened(reduced_motion=True)
    playground.act("toggle")
    playground.frame(16.0)
    context = page.canvases["network"].context
    before = len(context.calls)
    for t in range(2, 10):
        playground.frame(t * 16.0)
    assert len(context.calls) == before  # nothing changed, nothing drawn
    playground.pointer("output", "move", 40, 40)
    playground.frame(200.0)
    assert len(context.calls) > before




def test_a_room_opens_without_touching_the_run_and_a_lesson_opens_the_room_it_is_seen_in(opened):
    playground, page = opened()
    playground.act("step")
    run = playground.run
    playground.change("room", "diagnostics")
    assert playground.run is run and run.epoch == 1  # only what is shown under the core changed
    assert page.attribute("body", "data-room") == "diagnostics" and page.fragment == "v=1&room=diagnostics"
    lesson, lesson_page = opened("#preset=dead-relu")
    assert lesson.state.room == "code" and lesson_page.attribute("body", "data-room") == "code"
    assert "room=code" in lesson_page.fragment
