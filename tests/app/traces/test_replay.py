"""Traces in the playground: keep one of a run, export it, open it again and replay it step by step."""
import json

import numpy as np
import pytest
from tests.app.fake_page import FakePage

from app.playground import plane
from app.playground.state import decode
from app.traces.replay import PROBE_POINTS
from engine import nn, no_grad, optim
from engine import trace as traces
from engine.nn import functional as F
from tests.app.traces.reading import shown_replay


def exported_run(opened, fragment="#v=1&hidden=5,3&optimizer=adam&lr=0.1", epochs=3):
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


def test_an_exported_trace_replays_the_runs_own_parameters_and_pictures(opened):
    live, _, text, snapshots = exported_run(opened)
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
    shown, trained = (p.pictures.heatmap_image.image.astype(int) for p in (replayed, live))
    assert np.abs(shown - trained).max() <= 1
    assert shown_replay(page) == (trace.count, 3 * steps_per_epoch)


def test_a_trace_opened_in_the_traces_room_keeps_that_room_open(opened):
    _, _, text, _ = exported_run(opened, epochs=1)
    replayed, page = opened("#room=traces")
    replayed.open_file("gradcanvas-trace.json", text)
    assert replayed.traces.replay is not None and replayed.state.hidden == (5, 3)
    assert replayed.state.room == "traces" and page.attribute("body", "data-room") == "traces"


def test_the_recorded_gradients_are_those_the_optimizer_used(opened):
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


def test_play_step_and_reset_move_through_a_replay_and_play_stops_at_its_end(opened):
    _, _, text, _ = exported_run(opened, epochs=1)
    playground, page = opened()
    playground.open_file("run.json", text)
    playground.act("step")
    assert playground.traces.replay.position == 1 and shown_replay(page) == (25, 1)
    playground.act("toggle")
    for t in range(40):
        playground.frame(16.0 * t)
    assert playground.traces.replay.position == 25 and not playground.playing
    assert "step 25 of 25" in page.texts["trace-status"]
    playground.act("reset")
    assert playground.traces.replay.position == 0 and len(playground.run.history) == 0
    playground.act("leave-replay")
    assert playground.traces.replay is None and shown_replay(page) is None and "trace" not in page.fragment


def test_a_trace_from_a_notebook_without_a_link_shows_its_probe_points_on_the_plane(opened):
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
        expected = model(plane.plane_grid(playground.pictures.resolution)).data
    outputs = playground.run.layer_outputs(plane.plane_grid(playground.pictures.resolution))[-1]
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mangle, named", [
    (lambda text: text[:-10], "not JSON"),
    (lambda text: text.replace('"version":1', '"version":7'), "version"),
    (lambda text: json.dumps({**json.loads(text), "probe": {"inputs": traces.encode(np.zeros((4, 3)))}}),
     "probe.inputs"),
])
def test_a_bad_trace_is_refused_by_the_field_and_nothing_on_screen_is_lost(mangle, named, opened):
    _, _, text, _ = exported_run(opened, epochs=1)
    playground, page = opened()
    playground.act("step")
    run, fragment = playground.run, page.fragment
    playground.open_file("bad.json", mangle(text))
    assert named in page.texts["trace-status"] and "Nothing changed" in page.texts["trace-status"]
    assert playground.run is run and playground.traces.replay is None and page.fragment == fragment


def test_a_link_can_open_a_trace_by_url_and_a_missing_one_says_so(opened):
    _, _, text, _ = exported_run(opened, epochs=1)
    page = FakePage()
    page.files["traces/run.json"] = text
    playground, page = opened("#v=1&trace=traces/run.json", page)
    assert playground.traces.replay is not None and playground.traces.replay.trace.count == 25
    assert "trace=traces/run.json" in page.fragment
    playground, page = opened("#v=1&trace=traces/missing.json")
    assert playground.traces.replay is None and "404" in page.texts["trace-status"]


def test_export_without_a_kept_trace_says_how_to_keep_one(opened):
    playground, page = opened()
    playground.act("export-trace")
    assert not page.downloads and "Keep a trace" in page.texts["trace-status"]


# ---- weights files ---------------------------------------------------------------------------------------

def test_steps_walked_phase_by_phase_are_kept_in_the_trace_too(opened):
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


def test_next_phase_in_a_replay_walks_the_traces_own_step(opened):
    _, _, text, _ = exported_run(opened, epochs=1)
    trace = traces.loads(text)
    playground, page = opened()
    playground.open_file("run.json", text)
    playground.change("trace_step", "3")
    playground.act("next-phase")
    recording = playground.stepthrough.walkthrough.steps.recording
    gradients = {recording.parameter_names[e.node]: e.gradient for e in recording.backward
                 if e.node in recording.parameter_names}
    for name, gradient in gradients.items():
        np.testing.assert_allclose(gradient, trace.gradients[name][3], rtol=1e-4, atol=1e-6)
    assert playground.traces.replay.position == 4
    for name, values in recording.weights_after.items():
        np.testing.assert_allclose(values, trace.parameters(4)[name])


def test_a_trace_from_elsewhere_cannot_be_walked_and_says_why(opened):
    model = nn.MLP(2, [3], 1)
    X = np.random.default_rng(0).normal(size=(8, 2))
    trace = traces.record_training(model, X[:2], optim.SGD(model.parameters(), lr=0.1), F.mse_loss,
                                   [(X, np.zeros((8, 1)))] * 2)
    playground, page = opened()
    playground.open_file("notebook.json", traces.dumps(trace))
    playground.act("next-phase")
    assert playground.stepthrough.walkthrough is None and "only a trace kept by this page" in page.texts["note"]


def test_the_graph_follows_a_step_chosen_on_the_timeline_while_paused(opened):
    _, _, text, _ = exported_run(opened, epochs=1)
    playground, page = opened()
    playground.open_file("run.json", text)
    playground.paint(0.0)
    graph = page.canvases["graph"].context
    before = [args for args in graph.named("fillText")]
    playground.change("trace_step", "20")
    playground.paint(16.0)
    after = graph.named("fillText")[len(before):]
    assert after and after != before[-len(after):]  # drawn again, with the numbers of step 20


def test_ticking_keep_a_trace_during_a_replay_keeps_none_of_it(opened):
    _, _, text, _ = exported_run(opened, epochs=1)
    playground, page = opened()
    playground.open_file("run.json", text)
    playground.change("keep_trace", "true")
    playground.act("next-phase")  # walks the trace's step: it must not become a new trace of the replay
    assert playground.run.recorder is None and playground.traces.recorder is None
