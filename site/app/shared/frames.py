"""The frame loop: stepping and painting happen in `on_frame`, scheduling lives here.

At most one frame is ever pending, so pausing and playing again inside a frame can never start a
second loop running alongside the first.
"""

SLOW_PANELS_MS = 500  # the playground's diagnostics and graph panels repaint at most this often while training


class FrameLoop:
    """Calls `on_frame(timestamp_ms)` once per animation frame while playing.

    `make_frames(tick)` returns the scheduler: an object with `request()` and `cancel()` that calls
    `tick(timestamp)` on the next frame (`browser.AnimationFrames` in the page, a stand-in in tests).
    """

    def __init__(self, make_frames, on_frame):
        self._frames = make_frames(self._tick)
        self._on_frame = on_frame
        self._pending = False
        self.playing = False

    def play(self):
        self.playing = True
        self._request()

    def pause(self):
        self.playing = False
        self._frames.cancel()
        self._pending = False

    def _request(self):
        if not self._pending:
            self._pending = True
            self._frames.request()

    def _tick(self, timestamp):
        self._pending = False
        if not self.playing:
            return
        try:
            self._on_frame(timestamp)
        except Exception:
            self.pause()  # a failing frame must not re-schedule itself sixty times a second
            raise
        if self.playing:
            self._request()
