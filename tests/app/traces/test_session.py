"""Weights files in the playground: Save weights, and Open one to train its network, or be told why not."""
import io

import numpy as np
import pytest

from engine import nn, weights


def weights_file(model):
    buffer = io.BytesIO()
    weights.save(model, buffer)
    return buffer.getvalue()


def test_saved_weights_open_again_as_the_same_network_and_reset_goes_back_to_them(opened):
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
    assert any(name in note for note in other_page.lists["notes"]) and other.run.layer_sizes() == [2, 5, 3, 1]
    other.page.type_code("")
    other.act("run-code")  # empty code and Run: the controls build the network again
    assert other.editor.network_source() is None and other.run.layer_sizes() == [2, 4, 2, 1]


def test_a_three_class_network_from_a_file_switches_to_three_classes(opened):
    model = nn.Sequential(nn.Linear(2, 6), nn.ReLU(), nn.Linear(6, 3))
    playground, page = opened()
    playground.open_file("softmax.npz", weights_file(model))
    assert playground.state.dataset == "blobs3" and playground.run.classes == 3
    np.testing.assert_array_equal(playground.run.model[0].weight.data, model[0].weight.data)


def test_a_weights_file_opened_after_the_expression_lesson_is_what_next_phase_walks(opened):
    playground, page = opened("#preset=micrograd-expression")
    playground.open_file("mine.npz", weights_file(nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))))
    assert playground.graph.code_graph is None and page.texts["graph-step"] == ""
    playground.act("next-phase")  # a step of the file's network, not the lesson's expression
    assert page.texts["phase-caption"].startswith("Phase 1 of 5") and playground.stepthrough.batches_done == 1


@pytest.mark.parametrize("make, reason", [
    (lambda: weights_file(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(72, 10))), "digits lab"),
    (lambda: weights_file(nn.Sequential(nn.Linear(5, 3), nn.Tanh(), nn.Linear(3, 1))), "takes 5 inputs"),
    (lambda: b"PK\x03\x04 not really a zip", "not a weights file"),
])
def test_a_weights_file_the_playground_cannot_train_is_refused_with_the_reason(make, reason, opened):
    playground, page = opened()
    run = playground.run
    playground.open_file("model.npz", make())
    assert reason in page.texts["trace-status"] and "Nothing changed" in page.texts["trace-status"]
    assert playground.run is run


def pickled_objects():
    """An .npz whose one array holds Python objects: numpy would need to unpickle it (run its code) to read it."""
    buffer = io.BytesIO()
    np.savez(buffer, layers=np.array([{"type": "Linear"}], dtype=object))
    return buffer.getvalue()


@pytest.mark.parametrize("make", [lambda: weights_file(nn.MLP(2, [4], 1))[:300], pickled_objects],
                         ids=["truncated", "pickled objects"])
def test_a_corrupt_npz_is_named_in_plain_words_and_the_network_stays(make, opened):
    playground, page = opened()
    run, before = playground.run, playground.run.model.state_dict()
    playground.open_file("mine.npz", make())
    assert page.texts["trace-status"] == (
        "mine.npz is not a weights file (it could not be read as an .npz of arrays): save one with "
        "engine.weights.save or with Save weights. Nothing changed.")
    assert playground.run is run and "pickle" not in page.texts["trace-status"]
    for key, values in run.model.state_dict().items():
        np.testing.assert_array_equal(values, before[key])
