"""The frame loop: at most one frame pending, whatever the user presses."""
from app.shared.frames import FrameLoop


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
