"""Fixtures for the playground's tests: where things are drawn, so a test can point at them."""
import numpy as np
import pytest

from app.playground.network_view import edge_curve


@pytest.fixture
def edge_middle():
    """`edge_middle(playground, layer, to_neuron, from_neuron)`: the middle of that edge in the Network view."""
    def middle(playground, layer, to_neuron, from_neuron):
        layout = playground.pictures.layout
        start, c1, c2, end = (np.array(p) for p in edge_curve(*layout.centres[layer][from_neuron],
                                                                 *layout.centres[layer + 1][to_neuron], layout.radius))
        return 0.125 * start + 0.375 * c1 + 0.375 * c2 + 0.125 * end
    return middle


@pytest.fixture
def played_until_it_pauses():
    """`played_until_it_pauses(playground, frames)`: let the page play, a frame at a time, until it pauses by
    itself (or `frames` have gone by)."""
    def play(playground, frames):
        for t in range(frames):
            playground.frame(t * 16.0)
            if not playground.playing:
                return
    return play
