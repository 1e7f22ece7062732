"""Workers: a script started beside the page, and the messages between them, each a kind and bytes (or, from
the worker, a reason in words)."""
import js
from pyodide.ffi import to_js

from .events import _kept_proxy


class Worker:
    """A started worker: `post(kind, data)` sends it bytes (handed over, not copied twice); `terminate()` ends it."""

    def __init__(self, worker):
        self._worker = worker

    def post(self, kind, data):
        payload = to_js(memoryview(data))  # a Uint8Array of its own, so its buffer can be handed over
        self._worker.postMessage(to_js({"kind": kind, "data": payload}, dict_converter=js.Object.fromEntries),
                                 js.Array.of(payload.buffer))

    def terminate(self):
        self._worker.terminate()


def start_worker(script, on_message):
    """Start the module worker `script` (relative to the page); each message it posts, {kind, data}, reaches
    `on_message(kind, data)` with data as bytes (a Uint8Array) or text. A browser that cannot start it reports
    "failed" with the reason, as the worker itself does when it cannot start its own Python."""
    def receive(event):
        data = event.data.data
        on_message(str(event.data.kind), data if isinstance(data, str) else data.to_py().tobytes())

    def failed(event):
        on_message("failed", f"the training worker stopped: {getattr(event, 'message', '') or 'it could not load'}")

    try:
        worker = js.Worker.new(script, to_js({"type": "module"}, dict_converter=js.Object.fromEntries))
    except Exception as error:  # no workers here (or not module workers)
        on_message("failed", f"this browser could not start a worker: {error}")
        return None
    worker.addEventListener("message", _kept_proxy(receive))
    worker.addEventListener("error", _kept_proxy(failed))
    js.window.gradcanvas.worker = worker  # the benchmarks ask it for its memory
    return Worker(worker)
