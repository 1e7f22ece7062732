"""The first screen's training run, and the loop that drives it."""
import numpy as np

from app.frames import FrameLoop
from app.session import Session, shades
from app.summary import describe
from engine import no_grad


def test_an_epoch_is_one_pass_of_mini_batches_and_the_first_screen_learns():
    session = Session.first_screen()
    steps = []
    original = session.optimizer.step
    session.optimizer.step = lambda: (steps.append(1), original())
    session.train_epoch()
    assert session.epoch == 1
    assert len(steps) == len(session.X_train) // session.batch_size == 25
    for _ in range(150):
        session.train_epoch()
    first_train, first_test = session.history[0]
    train, test = session.history[-1]
    assert train < 0.5 * first_train and test < 0.5 * first_test
    with no_grad():
        predicted = session.model(session.X_test).data[:, 0] > 0
    assert (predicted == (session.y_test > 0.5)).mean() > 0.9


def test_the_same_seed_trains_the_same_network():
    a, b = Session.first_screen(seed=3), Session.first_screen(seed=3)
    for _ in range(3):
        a.train_epoch()
        b.train_epoch()
    assert all(np.array_equal(wa, wb) for wa, wb in zip(a.weights(), b.weights()))


def test_neuron_values_are_the_models_own_activations():
    session = Session.first_screen()
    x = session.X_train[7]
    values = session.neuron_values(x)
    assert [len(v) for v in values] == session.layer_sizes() == [2, 4, 4, 1]
    first_linear, first_activation = session.model[0], session.model[1]
    with no_grad():
        hidden = first_activation(first_linear(x[None, :])).data[0]
        logit = session.model(x[None, :]).data[0, 0]
    assert np.allclose(values[1], hidden)
    assert np.isclose(values[-1][0], 1 / (1 + np.exp(-logit)))
    colour = shades(values)
    assert all(np.all(np.abs(c) <= 1) for c in colour)
    assert np.isclose(colour[-1][0], 2 * values[-1][0] - 1)


def test_the_summary_states_the_real_numbers():
    session = Session.first_screen()
    session.train_epoch()
    values = session.neuron_values(session.X_train[0])
    text = describe(session, values)
    train, test = session.history[-1]
    assert "2-4-4-1 tanh" in text and "Epoch 1." in text
    assert f"{train:.3f}" in text and f"{test:.3f}" in text
    assert f"{values[-1][0]:.2f}" in text


class ManualFrames:
    """Stands in for browser.AnimationFrames: frames run only when the test says so."""

    def __init__(self, tick):
        self.tick, self.pending = tick, 0

    def request(self):
        self.pending += 1

    def cancel(self):
        self.pending = 0

    def run(self, timestamp):
        assert self.pending <= 1, "more than one frame was pending"
        if self.pending:
            self.pending = 0
            self.tick(timestamp)


def test_the_frame_loop_runs_while_playing_and_never_doubles_up():
    seen = []
    loop = FrameLoop(ManualFrames, seen.append)
    frames = loop._frames
    loop.play()
    frames.run(1.0)
    frames.run(2.0)
    loop.pause()
    frames.run(3.0)
    assert seen == [1.0, 2.0]
    loop.play()
    loop.play()  # a second press must not schedule a second frame
    assert frames.pending == 1
    frames.run(4.0)
    assert seen == [1.0, 2.0, 4.0]


def test_pausing_and_playing_inside_a_frame_keeps_a_single_loop():
    loop = None

    def restart(timestamp):
        loop.pause()
        loop.play()

    loop = FrameLoop(ManualFrames, restart)
    loop.play()
    loop._frames.run(1.0)
    assert loop._frames.pending == 1


def test_a_failing_frame_stops_the_loop():
    def broken(timestamp):
        raise RuntimeError("boom")

    loop = FrameLoop(ManualFrames, broken)
    loop.play()
    try:
        loop._frames.run(1.0)
    except RuntimeError:
        pass
    assert not loop.playing and loop._frames.pending == 0
