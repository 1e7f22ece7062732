"""`bench side_by_side` opens TF Playground on the network our page trains: the link it gives TF Playground
is written from our settings, in TF Playground's keys and as it writes its own values, and a setting TF
Playground does not have stops the benchmark instead of being dropped."""
from dataclasses import replace

import pytest

from app.playground.state import State
from benchmarks.side_by_side import DEFAULT_NETWORK, tf_playground_link


def tf_playground_settings(state):
    return dict(part.split("=") for part in tf_playground_link(state).split("&"))


def test_the_6x8_spiral_opens_tf_playground_on_the_same_network():
    assert tf_playground_settings(replace(DEFAULT_NETWORK, dataset="spiral", hidden=(8,) * 6)) == {
        "dataset": "spiral", "networkShape": "8,8,8,8,8,8", "activation": "tanh", "learningRate": "0.03",
        "batchSize": "10", "percTrainData": "50", "noise": "0"}


def test_a_small_learning_rate_is_written_as_tf_playground_writes_it_back():
    # TF Playground rewrites its link from its state on start ("0.00001", never "1e-05"); the benchmark
    # compares the two, so a link in another notation would stop it.
    assert tf_playground_settings(State(lr=0.00001, activation="relu"))["learningRate"] == "0.00001"


def test_a_setting_tf_playground_lacks_stops_the_benchmark_and_says_which():
    with pytest.raises(ValueError, match=r"no setting for optimizer \('adam'\)"):
        tf_playground_link(State(optimizer="adam"))
    with pytest.raises(ValueError, match="no dataset 'moons'; it knows circle, xor, gauss, spiral"):
        tf_playground_link(State(dataset="moons"))


def test_what_our_page_shows_around_the_network_does_not_matter():
    assert tf_playground_link(replace(DEFAULT_NETWORK, room="code")) == tf_playground_link(DEFAULT_NETWORK)
