"""boot.js's hooks (`window.gradcanvas`): the loading screen's stages, the error panel, readiness, Pyodide's
packages, and what the benchmarks read from the page.
"""
import js
import pyodide_js
from pyodide.ffi import create_proxy

_boot = js.window.gradcanvas  # the painters' polyline helper lives there too (drawing.py)


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
    """Load Pyodide packages (numpy) from the interpreter's own package index: the CDN or a vendored copy.

    `loadPackage` reports a failed download only on the console, so check what actually arrived.
    """
    await pyodide_js.loadPackage(js.Array.of(*names))
    missing = [name for name in names if not hasattr(pyodide_js.loadedPackages, name)]
    if missing:
        raise RuntimeError(f"could not download {', '.join(missing)} from the Python package index")


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


def expose(name, value):
    """Make a Python object reachable from page JavaScript as `window.gradcanvas[name]` (benchmarks time
    the training loop without drawing through it); the proxy lives as long as the page."""
    setattr(_boot, name, create_proxy(value))
