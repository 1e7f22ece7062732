"""The playground as a user drives it: buttons, controls, the link, hovering and clicking the canvases."""
import numpy as np
import pytest
from tests.app.fake_page import FakeCanvas, FakePage

from app.playground import plane
from app.graph.view import READABLE_SCALE
from app.playground.network_view import edge_curve
from app.shared.palette import LIGHT
from app.playground.controller import MAX_EDGES_DRAWN, Playground
from app.playground.state import State, decode
from engine import no_grad


def opened(fragment="", **page_options):
    page = FakePage(**page_options)
    playground = Playground(page, fragment)
    playground.paint(0.0)
    return playground, page


def test_the_page_loads_playing_and_the_toggle_is_named_for_what_it_will_do():
    playground, page = opened()
    assert playground.playing and page.texts["play-pause"] == "Pause"
    playground.frame(16.0)
    playground.frame(32.0)
    assert page.texts["epoch"] == "2"
    playground.act("toggle")
    assert page.texts["play-pause"] == "Play"
    playground.frame(48.0)
    assert page.texts["epoch"] == "2"


def test_reset_pauses_at_zero_and_step_trains_exactly_one_epoch():
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


def test_the_shown_losses_are_the_runs_own():
    playground, page = opened()
    playground.act("step")
    playground.paint(0.0)
    train, test, train_accuracy, test_accuracy = playground.run.history[-1]
    assert page.texts["train-loss"] == f"{train:.3f}" and page.texts["test-loss"] == f"{test:.3f}"
    assert page.texts["test-accuracy"] == f"{100 * test_accuracy:.1f}%"


def test_a_hyperparameter_applies_to_the_running_network_and_the_link_follows():
    playground, page = opened()
    playground.frame(0.0)
    run = playground.run
    playground.change("lr", "0.1")
    assert playground.run is run and run.optimizer.lr == 0.1 and run.epoch == 1
    assert "lr=0.1" in page.fragment and decode(page.fragment).state.lr == 0.1
    assert page.controls["lr"] == "0.1"


def test_changing_the_data_or_the_network_starts_a_new_run():
    playground, page = opened()
    playground.frame(0.0)
    playground.change("dataset", "xor")
    assert playground.run.epoch == 0 and playground.state.dataset == "xor"
    playground.act("add-layer")
    playground.act("add-neuron", layer=0)
    playground.act("remove-neuron", layer=1)
    assert playground.state.hidden == (5, 1, 2) and page.layers[0] == [5, 1, 2]
    assert [w.shape for w in playground.run.weights] == [(5, 2), (1, 5), (2, 1), (1, 2)]
    assert "hidden=5,1,2" in page.fragment
    playground.change("features", "x1,x2,x1^2")
    assert playground.run.weights[0].shape == (5, 3)


def test_a_limit_is_enforced_with_a_note_and_nothing_lost():
    playground, page = opened("#hidden=100,100")
    before = playground.state
    playground.act("add-layer")
    assert playground.state == before
    assert page.notes and "nothing was changed" in page.notes[0]


def test_a_bad_link_falls_back_field_by_field_with_notes_and_still_draws():
    playground, page = opened("#v=1&lr=banana&dataset=spiral&noise=999")
    assert playground.state.dataset == "spiral" and playground.state.lr == 0.03
    assert any("learning rate" in note for note in page.notes) and any("noise" in note for note in page.notes)
    assert page.pixel_layers[0].image is not None  # the heatmap was painted


def test_the_output_heatmap_is_the_model_over_the_grid():
    playground, page = opened()
    for t in range(5):
        playground.frame(t * 16.0)
    with no_grad():
        logits = playground.run.model(plane.plane_grid()).data
    expected = LIGHT.rgba(plane.BACKDROP * np.tanh(0.5 * logits[:, 0]).reshape(100, 100))  # 2 * sigmoid - 1
    assert np.array_equal(page.pixel_layers[0].image, expected)


def test_every_neuron_has_a_thumbnail_from_the_same_forward_pass():
    playground, page = opened()
    playground.frame(0.0)
    strip = page.pixel_layers[2].image
    neurons = 2 + 4 + 2 + 1
    assert strip.shape == (plane.THUMBNAIL, plane.THUMBNAIL * neurons, 4)
    hidden = playground.run.layer_outputs(plane.plane_grid())[1][:, 3]  # hidden layer 1, neuron 4
    expected = LIGHT.rgba(plane.downsample(np.clip(hidden, -1, 1)))
    k = 2 + 3
    assert np.array_equal(strip[:, k * plane.THUMBNAIL:(k + 1) * plane.THUMBNAIL], expected)


def test_hovering_a_neuron_shows_its_heatmap_large():
    playground, page = opened()
    x, y = playground.layout.centres[1][2]
    playground.pointer("network", "move", x, y)
    playground.paint(0.0)
    assert page.texts["output-caption"] == "Showing hidden layer 1, neuron 3 over the plane."
    values = playground.run.layer_outputs(plane.plane_grid())[1][:, 2]
    expected = LIGHT.rgba(plane.BACKDROP * np.clip(values, -1, 1).reshape(100, 100))
    assert np.array_equal(page.pixel_layers[0].image, expected)
    playground.pointer("network", "leave", 0, 0)
    playground.paint(0.0)
    assert page.texts["output-caption"] == "Showing the network's output over the plane."


def edge_middle(playground, layer, to_neuron, from_neuron):
    layout = playground.layout
    start, c1, c2, end = (np.array(p) for p in edge_curve(*layout.centres[layer][from_neuron],
                                                             *layout.centres[layer + 1][to_neuron], layout.radius))
    return 0.125 * start + 0.375 * c1 + 0.375 * c2 + 0.125 * end


def test_hovering_an_edge_shows_its_weight_and_clicking_lets_the_user_set_it():
    playground, page = opened()
    x, y = edge_middle(playground, 1, 1, 3)
    weight = playground.run.weights[1].data[1, 3]
    playground.pointer("network", "move", x, y)
    assert page.texts["inspector"] == f"Weight from hidden layer 1, neuron 4 to hidden layer 2, neuron 2: {weight:.3f}"
    playground.pointer("network", "click", x, y)
    assert page.editing[1] == pytest.approx(weight)
    playground.change("weight", "1.25")
    assert playground.run.weights[1].data[1, 3] == 1.25
    playground.change("weight", "lots")
    assert playground.run.weights[1].data[1, 3] == 1.25 and "not a number" in page.notes[0]


def test_hovering_the_plane_shows_every_neurons_value_there():
    playground, page = opened()
    point = (1.5, -2.0)
    x, y = plane.to_plane(point, 300, 300)
    playground.pointer("output", "move", x, y)
    assert np.allclose(playground.inspected_input(0.0), point)
    values, _ = playground.neurons_at(point)
    with no_grad():
        logit = playground.run.model(np.array([point])).data[0, 0]
    assert values[-1][0] == pytest.approx(1 / (1 + np.exp(-logit)))
    playground.paint(0.0)
    printed = [args[0] for args in page.canvases["network"].context.named("fillText")]
    assert f"{values[-1][0]:.2f}" in printed


def test_clicking_the_plane_adds_a_point_and_keeps_the_ones_shown():
    playground, page = opened()
    x, y = plane.to_plane((2.0, 3.0), 300, 300)
    playground.pointer("output", "click", x, y)
    assert playground.state.dataset == "custom" and len(playground.state.custom) == 501
    assert playground.state.custom[-1] == (2.0, 3.0, 1)
    playground.pointer("output", "click", x, y, shift=True)
    assert playground.state.custom[-1] == (2.0, 3.0, 0)
    assert decode(page.fragment).state.custom == playground.state.custom


def test_pasted_csv_loads_and_names_bad_lines():
    playground, page = opened()
    page.inputs["csv"] = "x1,x2,label\n1,1,1\n-1,-1,0\noops\n2,-2,1"
    playground.act("load-csv")
    assert playground.state.dataset == "custom" and len(playground.state.custom) == 3
    assert page.notes == ["line 4: 'oops' is not three numbers x1,x2,label; skipped"]


def test_a_diverging_run_pauses_with_a_message_instead_of_drawing_nan():
    playground, page = opened("#problem=regression&dataset=plane&lr=10&activation=linear&hidden=")
    for t in range(30):
        playground.frame(t * 16.0)
        if not playground.playing:
            break
    assert not playground.playing and page.texts["play-pause"] == "Play"
    assert "diverged" in page.texts["message"] and "lower it" in page.texts["message"]
    image = page.pixel_layers[0].image
    assert image is not None and np.array_equal(np.unique(image[..., 3]), [255])


def test_auto_stop_pauses_with_the_reason():
    playground, page = opened("#stop_loss=0.3")
    for t in range(300):
        playground.frame(t * 16.0)
        if not playground.playing:
            break
    assert "the training loss reached" in page.texts["message"]


def test_a_big_network_draws_its_strongest_edges_and_says_so():
    playground, page = opened("#hidden=100,100")
    assert page.texts["network-note"] == f"Drawing the {MAX_EDGES_DRAWN} strongest of 10,300 weights."
    paths = [args[0][1] for args in page.canvases["network"].context.named("stroke") if args]
    assert sum(d.count("C") for d in paths) == MAX_EDGES_DRAWN


def test_three_classes_colour_the_plane_by_class():
    playground, page = opened("#dataset=blobs3")
    for t in range(20):
        playground.frame(t * 16.0)
    image = page.pixel_layers[0].image
    colours = {tuple(c) for c in image[::10, ::10, :3].reshape(-1, 3).tolist()}
    assert len(colours) > 3  # three class colours, each shaded by confidence
    assert page.controls["dataset"] == "blobs3"
    assert page.data["output-panel", "kind"] == "classes"  # a key of three colours, not a -1 to 1 scale
    assert "the class the network favours" in page.texts["legend-note"]


def test_the_legend_says_what_the_planes_colours_mean_for_the_problem():
    playground, page = opened()
    assert page.data["output-panel", "kind"] == "binary" and "Orange is class 0" in page.texts["legend-note"]
    playground.change("problem", "regression")
    assert page.data["output-panel", "kind"] == "regression" and "predicted value" in page.texts["legend-note"]


def test_reduced_motion_holds_the_drawn_input_still():
    playground, _ = opened(reduced_motion=True)
    assert np.array_equal(playground.inspected_input(0.0), playground.inspected_input(10_000.0))
    moving, _ = opened()
    assert not np.array_equal(moving.inspected_input(0.0), moving.inspected_input(10_000.0))


def test_regenerate_draws_new_points_from_the_next_seed():
    playground, page = opened()
    before = playground.run.X_train.copy()
    playground.act("regenerate")
    assert playground.state.seed == 1 and "seed=1" in page.fragment
    assert not np.array_equal(before, playground.run.X_train)


def test_a_network_past_tf_playgrounds_size_draws_a_coarser_grid_and_says_so():
    playground, page = opened("#hidden=100,100")
    assert playground.resolution == 25 and page.pixel_layers[0].image.shape == (25, 25, 4)
    assert "25 \u00d7 25 grid" in page.texts["output-caption"]
    with no_grad():
        logits = playground.run.model(plane.plane_grid(25)).data
    assert np.array_equal(page.pixel_layers[0].image, LIGHT.rgba(plane.BACKDROP * np.tanh(0.5 * logits[:, 0]).reshape(25, 25)))
    playground.change("hidden", "8,8,8,8,8,8")
    playground.paint(0.0)
    assert playground.resolution == 100 and "grid" not in page.texts["output-caption"]


def test_the_diagnostics_panel_fills_its_table_and_warns_of_vanishing_gradients():
    playground, page = opened("#activation=sigmoid&hidden=8,8,8,8,8,8,8,8")
    for t in range(40):
        playground.frame(t * 16.0)
        if page.lists.get("alerts"):
            break
    playground.act("toggle")
    playground.paint(1e6)
    header, *rows = page.tables["layer-stats"]
    assert header[0] == "Layer" and len(rows) == 9 and rows[-1][0] == "the output layer"
    stats = playground.monitor.latest
    assert rows[0][1] == f"{stats.weight_gradient[0, 4]:.3g}"  # the table shows the monitor's numbers
    assert any(alert.startswith("Vanishing gradients") and "Use ReLU" in alert for alert in page.lists["alerts"])
    assert page.canvases["histograms"].context.named("fill")  # bars were drawn


def test_while_training_the_graph_and_diagnostics_repaint_twice_a_second_never_in_the_same_frame():
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


def test_the_summary_speaks_of_the_input_the_network_shows_during_the_walkthrough_too():
    playground, page = opened()
    later = 4500.0  # the training point drawn when nothing is hovered changes every 1.5 s
    point = playground.inspected_input(later)
    assert f"At the input ({point[0]:.2f}, {point[1]:.2f})" in playground.summary(later)
    playground.act("next-phase")
    playground.paint(later)
    shown = playground.walkthrough_point  # the first example of the step being walked
    assert not np.allclose(shown, point)
    expected = playground.neurons_at(shown)[0][-1][0]
    assert (f"At the input ({shown[0]:.2f}, {shown[1]:.2f}) it gives class 1 a probability of {expected:.2f}."
            in playground.summary(later))


def test_with_no_points_the_page_says_how_to_add_them_and_the_epoch_waits_until_there_are():
    playground, page = opened("#dataset=custom")
    assert "click the Output plane to add one" in page.texts["message"]
    for t in range(1, 4):
        playground.frame(t * 16.0)
    playground.act("step")
    playground.act("check-gradients")
    assert page.texts["epoch"] == "0" and playground.run.epoch == 0
    assert "no loss to check gradients on" in page.texts["gradient-check"]
    playground.act("next-phase")
    assert "click the Output plane" in page.texts["message"]
    playground.act("toggle")  # Play again: the first point starts training by itself
    playground.pointer("output", "click", 150, 150)
    playground.frame(64.0)
    assert page.texts["message"] == "" and playground.run.epoch == 1


def test_check_gradients_compares_the_engine_with_finite_differences():
    playground, page = opened()
    playground.act("check-gradients")
    text = page.texts["gradient-check"]
    assert "they agree" in text
    largest = float(text.split(": ")[1].split(";")[0])
    assert largest < 1e-5


def test_where_nan_appeared_is_named_and_its_layer_framed():
    playground, page = opened("#problem=regression&dataset=plane&lr=10&activation=linear&hidden=4")
    for t in range(60):
        playground.frame(t * 16.0)
        if not playground.playing:
            break
    assert "diverged" in page.texts["message"]
    nonfinite = playground.monitor.latest.nonfinite
    assert nonfinite is not None and nonfinite.layer is not None
    assert nonfinite.op in page.texts["message"] or "not a number" in page.texts["message"].lower()
    assert ([6, 4],) in page.canvases["network"].context.named("setLineDash")  # its layer is framed


MODEL_CODE = """from engine import nn
model = nn.MLP(2, [6, 3], 1, activation="relu")
print("built", len(model.parameters()), "parameters")
"""


def test_code_that_sets_a_model_trains_it_and_takes_charge_of_the_network():
    playground, page = opened()
    page.type_code(MODEL_CODE)
    playground.act("run-code")
    assert page.texts["code-output"] == "built 6 parameters\n"
    assert playground.run.layer_sizes() == [2, 6, 3, 1]
    assert "code=" in page.fragment
    playground.paint(0.0)
    assert page.texts["network-note"] == "The network comes from your code."
    playground.act("add-layer")
    assert playground.run.layer_sizes() == [2, 6, 3, 1] and "comes from your code" in page.notes[0]
    playground.change("dataset", "xor")  # a new run builds the code's model again, fresh
    assert playground.state.dataset == "xor" and playground.run.layer_sizes() == [2, 6, 3, 1]


def test_failing_code_marks_its_line_and_the_previous_network_keeps_running():
    playground, page = opened()
    run = playground.run
    page.type_code("from engine import nn\nmodel = nn.MLP(2, [4], 1)\n1 / 0\n")
    playground.act("run-code")
    assert page.marked_line == 3 and "ZeroDivisionError" in page.texts["code-output"]
    assert playground.run is run and "code=" not in page.fragment
    page.type_code("from engine import nn\nmodel = nn.MLP(5, [4], 1)\n")
    playground.act("run-code")
    assert "takes 5 inputs but the chosen features give 2" in page.texts["code-output"] and playground.run is run


def test_copy_link_reopens_the_same_code_shown_but_not_run():
    playground, page = opened("#dataset=spiral&seed=7")
    page.type_code(MODEL_CODE)
    playground.act("run-code")
    playground.act("copy-link")
    link = page.clipboard
    assert link.startswith("http://127.0.0.1/gradcanvas/#v=1&") and "dataset=spiral" in link and "code=" in link

    stranger, their_page = opened(link.split("#", 1)[1])
    assert their_page.editor == MODEL_CODE
    assert stranger.run.layer_sizes() == [2, 4, 2, 1]  # the controls' network: the code has not run
    assert "press Run" in their_page.texts["message"]
    stranger.act("run-code")
    assert stranger.run.layer_sizes() == [2, 6, 3, 1] and stranger.state.seed == 7


def test_a_preset_from_the_site_runs_at_once_and_teaches_its_lesson():
    playground, page = opened("#preset=dead-relu")
    assert "Dead ReLUs" in page.texts["message"]
    hidden_biases = [layer.bias.data for layer in list(playground.run.model)[:-1] if hasattr(layer, "bias")]
    assert all((bias == -5.0).all() for bias in hidden_biases)
    for t in range(30):
        playground.frame(t * 16.0)
    assert any(alert.kind == "dead" for alert in playground.monitor.latest.alerts)
    assert "preset" not in page.fragment and "code=" in page.fragment  # the link now says it all
    unknown, unknown_page = opened("#preset=nope")
    assert unknown_page.notes and "nope" in unknown_page.notes[0]


def test_your_code_and_settings_come_back_after_a_reload_and_a_link_never_overwrites_them():
    playground, page = opened()
    page.type_code("print('mine')\n")
    playground.change("lr", "0.3")
    reloaded = FakePage()
    reloaded.storage = dict(page.storage)
    again = Playground(reloaded, "")
    assert reloaded.editor == "print('mine')\n" and again.state.lr == 0.3
    visitor = FakePage()
    visitor.storage = dict(page.storage)
    Playground(visitor, "#preset=dead-relu")
    assert visitor.storage["gradcanvas:code"] == "print('mine')\n" and "lr=0.3" in visitor.storage["gradcanvas:settings"]
    playground.act("restore-code")
    assert page.editor == "print('mine')\n"


def test_a_paused_page_paints_only_when_something_changed():
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


def test_the_graph_view_draws_every_node_with_its_value_and_gradient():
    playground, page = opened()
    graph = playground.graph
    assert graph is not None and graph.tensors[-1].op  # the loss of the first batch, inputs first
    printed = [args[0] for args in page.canvases["graph"].context.named("fillText")]
    loss = graph.tensors[-1]
    assert any(text.startswith(f"{loss.item():.3g}".replace("-", "\u2212")) for text in printed)
    assert "\u2207 1" in " ".join(printed)  # the loss's own gradient seeds the pass
    boxes = page.canvases["graph"].context.named("strokeRect")
    assert len(boxes) == len(graph.tensors)
    widest = max(args[3] for args in page.canvases["graph"].context.named("fillText"))
    assert widest < min(box[2] for box in boxes)  # every line is held inside its box, e.g. "bce_with_logits 0.6931"


def test_next_phase_walks_a_real_step_and_lights_nodes_in_the_engines_order():
    playground, page = opened()
    weights = [w.data.copy() for w in playground.run.weights]
    captions = []
    for _ in range(5):
        playground.act("next-phase")
        playground.paint(0.0)
        captions.append(page.texts["phase-caption"])
    assert not playground.playing
    assert [c.split(":")[0] for c in captions] == [f"Phase {i} of 5" for i in range(1, 6)]
    assert "largest change" in captions[-1]
    recording = playground.walkthrough.steps.recording
    changed = [not np.array_equal(before, w.data) for before, w in zip(weights, playground.run.weights)]
    assert all(changed)  # the step was real
    playground.walkthrough.steps.index = 3  # gradients: once the animation is over, every node, in the
    playground.walkthrough.start_phase()    # order the engine completed them
    playground.walkthrough.seconds(0.0)
    lit = playground.walkthrough.lit_nodes(playground.graph, 60_000.0)
    assert [playground.graph.tensors[i] for i in lit] == [event.node for event in recording.backward]


def test_code_that_sets_a_graph_is_drawn_as_it_is():
    playground, page = opened("#preset=micrograd-expression")
    assert playground.code_graph is not None
    labels = playground.graph.labels
    assert any(label.startswith("tanh") for label in labels) and any(label.startswith("x") for label in labels)
    x = next(t for t in playground.graph.tensors if t.name == "x")
    assert x.grad is not None  # the code ran backward, and the view shows its gradients
    scale, dx, _ = playground.graph_transform()
    assert scale > 1 and dx < 900 * 0.2  # a small graph is drawn larger than true size, across the panel


def test_the_graph_zooms_about_the_pointer_pans_by_drag_and_refits():
    playground, page = opened()
    layout = playground.graph_layout
    scale, dx, dy = playground.graph_transform()
    node = (layout.x[3] * scale + dx, layout.y[3] * scale + dy)  # where node 3 is on screen
    playground.pointer("graph", "wheel", *node, amount=-500)     # zoom in over it
    new_scale, new_dx, new_dy = playground.graph_transform()
    assert new_scale > scale
    assert np.allclose((layout.x[3] * new_scale + new_dx, layout.y[3] * new_scale + new_dy), node)  # it stayed put
    playground.pointer("graph", "drag", 0, 0, amount=(30.0, -10.0))
    assert np.allclose(playground.graph_transform()[1:], (new_dx + 30, new_dy - 10))
    playground.pointer("graph", "dblclick", 0, 0)
    assert np.allclose(playground.graph_transform(), (scale, dx, dy))


def test_on_a_phone_the_graph_opens_readable_from_its_inputs_and_drags_along():
    page = FakePage()
    page.canvases["graph"] = FakeCanvas(340, 300)  # a phone's width
    playground = Playground(page, "")
    playground.paint(0.0)
    layout, context = playground.graph_layout, page.canvases["graph"].context
    scale, dx, dy = playground.graph_transform()
    assert scale == READABLE_SCALE and dx == 0.0  # the whole graph would fit only far smaller
    left = (layout.x - layout.node_width / 2) * scale + dx
    right = (layout.x + layout.node_width / 2) * scale + dx
    assert left.min() >= 0 and right.max() > 340  # the inputs in view, the loss a drag away
    assert any(text.startswith("input") for text, *_ in context.named("fillText"))  # numbers, not blank boxes
    playground.pointer("graph", "drag", 0, 0, amount=(-300.0, 0.0))
    playground.paint(16.0)
    assert np.isclose(playground.graph_transform()[1], -300.0)
    playground.pointer("graph", "wheel", 170, 150, amount=2000)  # zooming out shows all of it
    scale, dx, _ = playground.graph_transform()
    assert scale < READABLE_SCALE
    assert 0 <= (layout.x - layout.node_width / 2).min() * scale + dx
    assert (layout.x + layout.node_width / 2).max() * scale + dx <= 340


def test_the_keyboard_points_at_the_plane_as_the_mouse_does():
    playground, page = opened()
    playground.act("toggle")
    start = playground.drawn_input(0.0)
    assert playground.key("output", "ArrowRight") and playground.key("output", "ArrowUp", shift=True)
    assert np.allclose(playground.hovered_point, (start[0] + 0.5, start[1] + 2.0))  # Shift: four steps
    playground.paint(0.0)
    values = playground.neurons_at(playground.hovered_point)[0]
    assert np.allclose(playground.drawn_input(0.0), playground.hovered_point)  # the network shows that point
    assert f"{values[-1][0]:.2f}" in playground.summary(0.0)
    for _ in range(40):
        playground.key("output", "ArrowLeft")
    assert playground.hovered_point[0] == -6.0  # held on the plane
    assert playground.key("output", "Enter", shift=True)  # a point of the other class, where the input is
    assert playground.state.dataset == "custom" and playground.state.custom[-1] == (-6.0, round(start[1] + 2.0, 3), 0)
    assert playground.key("output", "Escape") and playground.hovered_point is None
    assert not playground.key("output", "a") and not playground.key("network", "ArrowLeft")  # left to the page


def test_the_keyboard_steps_through_the_networks_neurons_into_the_inspector():
    playground, page = opened()
    assert playground.key("network", "ArrowDown")  # the first press picks the first input
    assert playground.hovered_neuron == (0, 0)
    for name in ("ArrowRight", "ArrowDown", "ArrowDown", "ArrowDown", "ArrowDown", "ArrowRight"):
        playground.key("network", name)
    assert playground.hovered_neuron == (2, 1)  # down to hidden 1's last neuron (3), across to hidden 2's last
    playground.paint(0.0)
    assert page.texts["inspector"].startswith("Hidden layer 2, neuron 2")
    assert "hidden layer 2, neuron 2" in page.texts["output-caption"]  # its output over the plane, as on hover
    for _ in range(5):
        playground.key("network", "ArrowRight")
    assert playground.hovered_neuron == (3, 0)  # held to the output layer
    assert playground.key("network", "Escape") and playground.hovered_neuron is None
    playground.paint(16.0)
    assert page.texts["inspector"] == "" and not playground.key("network", "Enter")


def test_the_keyboard_steps_through_the_graph_into_the_inspector_and_the_view_follows():
    page = FakePage()
    page.canvases["graph"] = FakeCanvas(340, 300)  # a phone: the graph is wider than the panel
    playground = Playground(page, "")
    playground.act("toggle")
    playground.paint(0.0)
    layout = playground.graph_layout
    assert playground.key("graph", "ArrowRight")  # the first press picks the first input
    assert playground.selected_part == ("node", layout.keys[0])
    for _ in range(len(layout.keys)):
        playground.key("graph", "ArrowRight")
    node = layout.keys.index(playground.selected_part[1])
    assert layout.x[node] == layout.x.max()  # walked to the loss, at the right end
    playground.paint(16.0)
    scale, dx, _ = playground.graph_transform()
    assert 0 <= layout.x[node] * scale + dx <= 340  # the view followed it
    assert page.texts["inspector"].startswith("Graph node bce_with_logits")
    assert playground.key("graph", "Escape") and playground.selected_part is None


def test_the_grid_follows_the_network_that_trains_even_when_the_code_defines_it():
    playground, page = opened()
    assert playground.resolution == 100
    page.type_code("from engine import nn\nmodel = nn.MLP(2, [100, 100], 1)\n")
    playground.act("run-code")
    playground.paint(0.0)
    assert playground.resolution == 25 and page.pixel_layers[0].image.shape == (25, 25, 4)


def test_during_a_walkthrough_the_plane_shows_the_network_the_view_shows_until_the_update():
    playground, page = opened("#v=1&hidden=5,3&lr=1")
    playground.act("toggle")
    playground.act("next-phase")  # records the step: the weights have moved already
    playground.paint(0.0)
    recording = playground.walkthrough.steps.recording
    before_image = playground.heatmap_image.image.copy()
    with no_grad():
        model = playground.run.model
        after = model.state_dict()
        model.load_state_dict(recording.weights_before)
        expected = playground.run.output_shade(model(plane.plane_grid(playground.resolution)).data)
        model.load_state_dict(after)
    shown = LIGHT.rgba(plane.BACKDROP * expected.reshape(playground.resolution, -1))
    assert np.abs(before_image.astype(int) - shown.astype(int)).max() <= 1
    for _ in range(4):
        playground.act("next-phase")
    playground.paint(0.0)
    assert playground.walkthrough.steps.phase().name == "update"
    assert (playground.heatmap_image.image != before_image).any()  # the update phase shows the step's effect
