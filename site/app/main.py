"""The first screen: a network trains on the circle dataset, one epoch per animation frame, and every
frame paints its real weights and its real activations for one training point.
"""
import time

from . import browser
from .frames import FrameLoop
from .layout import layout_network
from .network_view import paint_network
from .palette import DARK, LIGHT
from .session import Session, shades
from .summary import describe

SECONDS_PER_INPUT = 1.0  # how long each training point stays the drawn input: long enough to read
SUMMARY_EVERY_MS = 1000  # screen readers hear the summary at most this often


class FirstScreen:
    """Owns the session and the Network canvas; `frame` trains one epoch and paints."""

    def __init__(self):
        self.session = Session.first_screen()
        self.canvas = browser.Canvas("network")
        self.layout = None
        self.theme = LIGHT
        self.last_summary_ms = -SUMMARY_EVERY_MS

    def paint(self, timestamp_ms):
        if self.canvas.fit() or self.layout is None:
            self.theme = DARK if browser.prefers_dark() else LIGHT
            self.layout = layout_network(self.session.layer_sizes(), self.canvas.width, self.canvas.height)
        inputs = self.session.X_train
        x = inputs[int(timestamp_ms / 1000 / SECONDS_PER_INPUT) % len(inputs)]
        values = self.session.neuron_values(x)
        captions = ["Input"] + [f"Hidden {i}" for i in range(1, len(values) - 1)] + ["Output"]
        paint_network(self.canvas.context, self.layout, self.session.weights(), values, shades(values),
                      self.theme, captions, ["x\u2081", "x\u2082"])
        browser.set_text("epoch", str(self.session.epoch))
        if timestamp_ms - self.last_summary_ms >= SUMMARY_EVERY_MS:
            self.last_summary_ms = timestamp_ms
            browser.set_text("network-summary", describe(self.session, values))

    def frame(self, timestamp_ms):
        started = time.perf_counter()
        self.session.train_epoch()
        self.paint(timestamp_ms)
        browser.record_frame_time((time.perf_counter() - started) * 1000)


async def start():
    """Paint the untrained network, mark the page ready, then train from the next frame on."""
    screen = FirstScreen()
    screen.paint(0.0)
    browser.set_ready()

    def on_frame(timestamp_ms):
        try:
            screen.frame(timestamp_ms)
        except Exception as error:
            browser.fail(f"Training stopped: {type(error).__name__}: {error}")
            raise

    loop = FrameLoop(browser.AnimationFrames, on_frame)
    loop.play()
    return loop
