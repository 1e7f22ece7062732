"""Traces in the playground: keep one of a run, export it, open it again and replay it step by step."""
import io
import json

import numpy as np
import pytest
from tests.app.fake_page import FakePage

from app.playground import plane
from app.playground.controller import Playground
from app.playground.state import decode
from app.traces.replay import PROBE_POINTS
from engine import nn, no_grad, optim, weights
from engine import trace as traces
from engine.nn import functional as F


def opened(fragment="", page=None):
    page = page or FakePage()
    playground = Playground(page, fragment)
    playground.paint(0.0)
    return playground, page


def exported_run(fragment="#v=1&hidden=5,3&optimizer=adam&lr=0.1", epochs=3):
    """A run that kept its trace for `epochs` epochs: the exported text and the weights after each epoch."""
    playground, page = opened(fragment)
    playground.act("toggle")  # pause: only Step trains
    playground.change("keep_trace", "true")
    snapshots = [playground.run.model.state_dict()]
    for _ in range(epochs):
        playground.act("step")
        snapshots.append(playground.run.model.state_dict())
    playground.act("export-trace")
    name, text = page.downloads[-1]
    return playground, page, text, snapshots


def test_an_exported_trace_replays_the_runs_own_parameters_and_pictures():
    live, _, text, snapshots = exported_run()
    trace = traces.loads(text)
    steps_per_epoch = 25  # 250 training points in batches of 10
    assert trace.count == 3 * steps_per_epoch and trace.probe.shape == (PROBE_POINTS, 2)
    assert decode(trace.meta["link"]).state == live.state

    replayed, page = opened()
    replayed.open_file("gradcanvas-trace.json", text)
    assert replayed.state.hidden == (5, 3) and not replayed.playing
    for epoch, snapshot in enumerate(snapshots):
        replayed.change("trace_step", str(epoch * steps_per_epoch))
        replayed.paint(0.0)
        assert page.texts["epoch"] == str(epoch)
        for name, values in replayed.run.model.state_dict().items():
            np.testing.assert_allclose(values, snapshot[name], rtol=1e-5, atol=1e-6)
    # The plane drawn for the last step is the live network's output, not a stand-in.
    replayed.paint(0.0)
    live.paint(0.0)
    assert np.abs(replayed.heatmap_image.image.astype(int) - live.heatmap_image.image.astype(int)).max() <= 1
    assert page.replay_shown == (trace.count, 3 * steps_per_epoch)


def test_the_recorded_gradients_are_those_the_optimizer_used():
    playground, page = opened("#v=1&hidden=3")
    playground.act("toggle")
    playground.change("keep_trace", "true")
    model = playground.run.model
    before = model.state_dict()
    batch = slice(0, playground.state.batch_size)
    loss = playground.run.training_loss(playground.run.inputs_train[batch], playground.run.y_train[batch])
    model.zero_grad()  # the graph view's own step has left gradients on the parameters
    loss.backward()
    expected = {name: p.grad.copy() for name, p in model.named_parameters()}
    model.load_state_dict(before)
    playground.act("step")
    playground.act("export-trace")
    trace = traces.loads(page.downloads[-1][1])
    for name, gradient in expected.items():
        np.testing.assert_allclose(trace.gradients[name][0], gradient, rtol=1e-5, atol=1e-7)
    assert trace.gradient_order[0].startswith("2.")  # the output layer's gradients are completed first


def test_play_step_and_reset_move_through_a_replay_and_play_stops_at_its_end():
    _, _, text, _ = exported_run(epochs=1)
    playground, page = opened()
    playground.open_file("run.json", text)
    playground.act("step")
    assert playground.replay.position == 1 and page.replay_shown == (25, 1)
    playground.act("toggle")
    for t in range(40):
        playground.frame(16.0 * t)
    assert playground.replay.position == 25 and not playground.playing
    assert "step 25 of 25" in page.texts["trace-status"]
    playground.act("reset")
    assert playground.replay.position == 0 and len(playground.run.history) == 0
    playground.act("leave-replay")
    assert playground.replay is None and page.replay_shown is None and "trace" not in page.fragment


def test_a_trace_from_a_notebook_without_a_link_shows_its_probe_points_on_the_plane():
    rng = np.random.default_rng(1)
    X = rng.uniform(-5, 5, size=(40, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    model = nn.MLP(2, [6], 1)
    trace = traces.record_training(model, X[:6], optim.SGD(model.parameters(), lr=0.1),
                                   lambda logits, labels: F.binary_cross_entropy_with_logits(logits, labels),
                                   [(X, y[:, None])] * 5, targets=y[:6])
    playground, page = opened()
    playground.open_file("notebook.json", traces.dumps(trace))
    assert playground.state.dataset == "custom" and len(playground.state.custom) == 6
    playground.change("trace_step", "5")
    with no_grad():
        expected = model(plane.plane_grid(playground.resolution)).data
    outputs = playground.run.layer_outputs(plane.plane_grid(playground.resolution))[-1]
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mangle, named", [
    (lambda text: text[:-10], "not JSON"),
    (lambda text: text.replace('"version":1', '"version":7'), "version"),
    (lambda text: json.dumps({**json.loads(text), "probe": {"inputs": traces.encode(np.zeros((4, 3)))}}),
     "probe.inputs"),
])
def test_a_bad_trace_is_refused_by_the_field_and_nothing_on_screen_is_lost(mangle, named):
    _, _, text, _ = exported_run(epochs=1)
    playground, page = opened()
    playground.act("step")
    run, fragment = playground.run, page.fragment
    playground.open_file("bad.json", mangle(text))
    assert named in page.texts["trace-status"] and "Nothing changed" in page.texts["trace-status"]
    assert playground.run is run and playground.replay is None and page.fragment == fragment


def test_a_link_can_open_a_trace_by_url_and_a_missing_one_says_so():
    _, _, text, _ = exported_run(epochs=1)
    page = FakePage()
    page.files["traces/run.json"] = text
    playground, page = opened("#v=1&trace=traces/run.json", page)
    assert playground.replay is not None and playground.replay.trace.count == 25
    assert "trace=traces/run.json" in page.fragment
    playground, page = opened("#v=1&trace=traces/missing.json")
    assert playground.replay is None and "404" in page.texts["trace-status"]


def test_export_without_a_kept_trace_says_how_to_keep_one():
    playground, page = opened()
    playground.act("export-trace")
    assert not page.downloads and "Keep a trace" in page.texts["trace-status"]


# ---- weights files ---------------------------------------------------------------------------------------

def weights_file(model):
    buffer = io.BytesIO()
    weights.save(model, buffer)
    return buffer.getvalue()


def test_saved_weights_open_again_as_the_same_network_and_reset_goes_back_to_them():
    playground, page = opened("#v=1&hidden=5,3&dataset=xor")
    playground.act("step")
    playground.act("save-weights")
    name, data = page.downloads[-1]
    saved = playground.run.model.state_dict()

    other, other_page = opened()
    other.open_file(name, data)
    assert other.state.hidden == (4, 2)  # the controls' network stays as it was; the file's trains
    for key, values in other.run.model.state_dict().items():
        np.testing.assert_array_equal(values, saved[key])
    other.paint(0.0)
    assert other_page.texts["network-note"].startswith(f"The network comes from {name}.")
    other.act("step")
    other.act("reset")
    for key, values in other.run.model.state_dict().items():
        np.testing.assert_array_equal(values, saved[key])  # Reset starts again from the file's weights
    other.change("hidden", "8")
    assert any(name in note for note in other_page.notes) and other.run.layer_sizes() == [2, 5, 3, 1]
    other.page.type_code("")
    other.act("run-code")  # empty code and Run: the controls build the network again
    assert other.network_source() is None and other.run.layer_sizes() == [2, 4, 2, 1]


def test_a_three_class_network_from_a_file_switches_to_three_classes():
    model = nn.Sequential(nn.Linear(2, 6), nn.ReLU(), nn.Linear(6, 3))
    playground, page = opened()
    playground.open_file("softmax.npz", weights_file(model))
    assert playground.state.dataset == "blobs3" and playground.run.classes == 3
    np.testing.assert_array_equal(playground.run.model[0].weight.data, model[0].weight.data)


@pytest.mark.parametrize("make, reason", [
    (lambda: weights_file(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(72, 10))), "digits lab"),
    (lambda: weights_file(nn.Sequential(nn.Linear(5, 3), nn.Tanh(), nn.Linear(3, 1))), "takes 5 inputs"),
    (lambda: b"PK\x03\x04 not really a zip", "not a weights file"),
])
def test_a_weights_file_the_playground_cannot_train_is_refused_with_the_reason(make, reason):
    playground, page = opened()
    run = playground.run
    playground.open_file("model.npz", make())
    assert reason in page.texts["trace-status"] and "Nothing changed" in page.texts["trace-status"]
    assert playground.run is run


def test_steps_walked_phase_by_phase_are_kept_in_the_trace_too():
    playground, page = opened("#v=1&hidden=3")
    playground.act("toggle")
    playground.change("keep_trace", "true")
    playground.act("next-phase")  # the epoch's first mini-batch, recorded for the walkthrough
    playground.act("step")        # the rest of the epoch
    playground.act("export-trace")
    trace = traces.loads(page.downloads[-1][1])
    assert trace.count == 25
    for name, values in playground.run.model.state_dict().items():
        np.testing.assert_allclose(trace.parameters(25)[name], values, rtol=1e-5, atol=1e-7)


def test_next_phase_in_a_replay_walks_the_traces_own_step():
    _, _, text, _ = exported_run(epochs=1)
    trace = traces.loads(text)
    playground, page = opened()
    playground.open_file("run.json", text)
    playground.change("trace_step", "3")
    playground.act("next-phase")
    recording = playground.walkthrough.steps.recording
    gradients = {recording.parameter_names[e.node]: e.gradient for e in recording.backward
                 if e.node in recording.parameter_names}
    for name, gradient in gradients.items():
        np.testing.assert_allclose(gradient, trace.gradients[name][3], rtol=1e-4, atol=1e-6)
    assert playground.replay.position == 4
    for name, values in recording.weights_after.items():
        np.testing.assert_allclose(values, trace.parameters(4)[name])


def test_a_trace_from_elsewhere_cannot_be_walked_and_says_why():
    model = nn.MLP(2, [3], 1)
    X = np.random.default_rng(0).normal(size=(8, 2))
    trace = traces.record_training(model, X[:2], optim.SGD(model.parameters(), lr=0.1), F.mse_loss,
                                   [(X, np.zeros((8, 1)))] * 2)
    playground, page = opened()
    playground.open_file("notebook.json", traces.dumps(trace))
    playground.act("next-phase")
    assert playground.walkthrough is None and "only a trace kept by this page" in page.texts["message"]


def test_the_graph_follows_a_step_chosen_on_the_timeline_while_paused():
    _, _, text, _ = exported_run(epochs=1)
    playground, page = opened()
    playground.open_file("run.json", text)
    playground.paint(0.0)
    graph = page.canvases["graph"].context
    before = [args for args in graph.named("fillText")]
    playground.change("trace_step", "20")
    playground.paint(16.0)
    after = graph.named("fillText")[len(before):]
    assert after and after != before[-len(after):]  # drawn again, with the numbers of step 20


def test_ticking_keep_a_trace_during_a_replay_keeps_none_of_it():
    _, _, text, _ = exported_run(epochs=1)
    playground, page = opened()
    playground.open_file("run.json", text)
    playground.change("keep_trace", "true")
    playground.act("next-phase")  # walks the trace's step: it must not become a new trace of the replay
    assert playground.run.recorder is None and playground.trace_recorder is None
