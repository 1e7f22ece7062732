"""The one door to the browser: the only module of the app that imports `js` or `pyodide`.

It owns proxies (and destroys them), the canvas backing store, the boot/progress hooks of boot.js
(`window.gradcanvas`) and timers. Everything else in the app takes plain Python and numpy values, so it
runs and is tested in CPython.
"""
import js
import pyodide_js
from pyodide.ffi import create_proxy

_boot = js.window.gradcanvas


def set_stage(stage):
    """Tell the loading screen which stage is under way: "runtime", "numpy" or "app"."""
    _boot.setStage(stage)


def fail(message):
    """Show `message` in the page's error panel with its Retry button; the page enters `error`."""
    _boot.fail(message)


def set_ready():
    """Mark the page ready: the first frame is on the canvas."""
    _boot.ready()


async def load_packages(names):
    """Load Pyodide packages (numpy) from the interpreter's own package index: the CDN or a vendored copy."""
    await pyodide_js.loadPackage(js.Array.of(*names))


def record_frame_time(milliseconds):
    """Publish how long one frame callback took, for the benchmarks (the last 1,000 are kept)."""
    times = _boot.frameTimes
    times.push(milliseconds)
    if times.length > 1000:
        times.shift()


def _wasm_memory_bytes():
    return pyodide_js._module.HEAP8.length


# Benchmarks read the interpreter's memory through this; one proxy that lives as long as the page.
_boot.wasmMemoryBytes = create_proxy(_wasm_memory_bytes)


def prefers_dark():
    """Whether the system asks for a dark colour scheme."""
    return bool(js.window.matchMedia("(prefers-color-scheme: dark)").matches)


def set_text(element_id, text):
    """Set an element's text (never HTML) by id."""
    js.document.getElementById(element_id).textContent = text


class Canvas:
    """A 2-D canvas whose backing store follows its CSS size times devicePixelRatio, so drawing is crisp.

    Drawing code works in CSS pixels; `fit()` rescales the context after every resize or zoom.
    """

    def __init__(self, element_id):
        self.element = js.document.getElementById(element_id)
        self.context = self.element.getContext("2d")
        self.width = self.height = self.pixel_ratio = 0

    def fit(self):
        """Match the backing store to the element's size now; True when it changed (re-layout needed)."""
        ratio = js.window.devicePixelRatio or 1
        width, height = self.element.clientWidth, self.element.clientHeight
        if (width, height, ratio) == (self.width, self.height, self.pixel_ratio):
            return False
        self.width, self.height, self.pixel_ratio = width, height, ratio
        self.element.width = max(1, round(width * ratio))
        self.element.height = max(1, round(height * ratio))
        self.context.setTransform(ratio, 0, 0, ratio, 0, 0)
        return True


class AnimationFrames:
    """Calls `callback(timestamp_ms)` on the next animation frame after each `request()`.

    One proxy serves every frame and is destroyed with `close()`, so a running loop allocates nothing per
    frame on the JavaScript side and a stopped one leaks nothing.
    """

    def __init__(self, callback):
        self._proxy = create_proxy(callback)
        self._pending = None

    def request(self):
        self._pending = js.requestAnimationFrame(self._proxy)

    def cancel(self):
        if self._pending is not None:
            js.cancelAnimationFrame(self._pending)
            self._pending = None

    def close(self):
        self.cancel()
        self._proxy.destroy()
