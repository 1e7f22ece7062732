"""The learner's traces and weights files: keeping a trace of the run and exporting it, replaying a trace
step by step, and saving a network's weights or opening a weights file to train.

It says how each went under the Trace controls ("trace-status"); the playground puts what it opens in
charge (the settings, the run), so a file that cannot be opened changes nothing.
"""
import io

from engine import nn, weights
from engine import trace as traces

from app.playground.run import CodeError, Run
from app.playground.state import encode, with_change
from app.traces import timeline
from app.traces.replay import MAX_TRACE_STEPS, TraceReplay, start_trace

TRACE_FILE, WEIGHTS_FILE = "gradcanvas-trace.json", "gradcanvas-weights.npz"


class TraceSession:
    """The trace kept of the run (when the learner keeps one) or the trace replayed, on `page`."""

    def __init__(self, page):
        self.page = page
        self.keeping = False         # whether each run keeps a trace of its steps (for Export trace)
        self.recorder = None         # that trace, for the current run
        self.replay = None           # a trace being replayed (a `traces.replay.TraceReplay`), or None when live
        self.observed = None         # the replayed step the diagnostics last measured

    # ---- keeping a trace of the run -------------------------------------------------------------------
    def keep(self, keeping, run, first_batch):
        """Keep a trace of every step from now on (or stop): "Keep a trace"."""
        self.keeping = keeping
        self.keep_trace_of(run, first_batch)
        self.page.set_text("trace-status", "Keeping a trace of every step from now on." if keeping else "")

    def keep_trace_of(self, run, first_batch):
        """Start the run's trace from its next step, mini-batch `first_batch` of its epoch, when the learner
        keeps one (a replay keeps none)."""
        keeping = self.keeping and self.replay is None
        self.recorder = run.recorder = start_trace(run, encode(run.state), first_batch) if keeping else None

    def stop_when_full(self, run):
        """After an epoch: a trace that holds as many steps as it keeps stops there, and says so."""
        if run.recorder is not None and len(run.recorder.steps) >= MAX_TRACE_STEPS:
            run.recorder = None
            self.page.set_text("trace-status", f"The trace holds its first {len(self.recorder.steps):,} steps, "
                                               "as many as it keeps: Export trace saves them.")

    def export(self):
        """Download the trace kept of this run (or the one being replayed) as a JSON file."""
        if self.replay is not None:
            self.page.download(TRACE_FILE, traces.dumps(self.replay.trace))
            return
        if self.recorder is None or not self.recorder.steps:
            self.page.set_text("trace-status", "No steps kept yet: tick \u201cKeep a trace\u201d, then train "
                                               "(Play or Step), then Export trace.")
            return
        trace = self.recorder.trace()
        self.page.download(TRACE_FILE, traces.dumps(trace))
        self.page.set_text("trace-status", f"Exported a trace of {trace.count:,} steps.")

    # ---- weights files ---------------------------------------------------------------------------------
    def open_weights(self, name, data, state):
        """The settings and the Run that train the network a weights file holds (saved by this page,
        `engine.weights.save`, or `tools/onnx_import.py`), from its weights; the settings are `state` with the
        features and the number of classes the network asks for. A network that cannot fit is refused,
        saying why, and None is returned."""
        try:
            model, _ = weights.load(io.BytesIO(bytes(data)))
            opened = state_for_model(model, state)
        except weights.UnreadableFile as error:  # not even an .npz of arrays: say what it is not, and what is
            self.page.set_text("trace-status", f"{name} is {error} or with Save weights. Nothing changed.")
            return None
        except (ValueError, TypeError) as error:
            self.page.set_text("trace-status", f"Could not open {name}: {error}. Nothing changed.")
            return None
        self.page.set_text("trace-status", f"Opened {name}: its network trains from the weights it holds.")
        return opened

    def save_weights(self, run):
        """Download the network as it is now, as a weights file that Open brings back."""
        buffer = io.BytesIO()
        try:
            weights.save(run.model, buffer, meta={"link": encode(run.state), "epoch": run.epoch})
        except TypeError as error:
            self.page.set_text("trace-status", f"Cannot save these weights: {error}.")
            return
        self.page.download(WEIGHTS_FILE, buffer.getvalue(), "application/octet-stream")
        self.page.set_text("trace-status", f"Saved the weights at epoch {run.epoch}.")

    # ---- replaying a trace -------------------------------------------------------------------------------
    def open_trace(self, name, text):
        """Replay the trace in `text` from its first step; the replay (its settings and Run), or None when the
        trace is bad: it is refused with the field that is wrong."""
        try:
            replay = TraceReplay(traces.loads(text), name)
        except ValueError as error:
            self.page.set_text("trace-status", f"Could not open {name}: {error}. Nothing changed.")
            return None
        self.replay, self.observed = replay, None
        return replay

    def fetch(self, url, open_trace):
        """Fetch the trace a link names, then `open_trace(text)`; a trace that cannot be fetched says why."""
        self.page.set_text("trace-status", f"Fetching the trace at {url}…")
        self.page.fetch_text(url, open_trace,
                             lambda reason: self.page.set_text("trace-status", f"No trace: {reason}."))

    def leave(self):
        """Stop replaying; True when a trace was being replayed."""
        if self.replay is None:
            return False
        self.replay = None
        timeline.show_replay(self.page, None, 0)
        return True

    def seek(self, step, monitor):
        """Show the trace before `step`; the slider reports a drag's end twice (input, then change), and
        the second report, which moves nothing, is not measured again by the `monitor`."""
        if self.replay.seek(step) != self.observed:
            self.observed = self.replay.position
            monitor.observe()
        self.show()

    def advance(self, monitor):
        """One trace step on, measured by the `monitor` as a live epoch is; True at the trace's end."""
        if self.replay.advance():
            self.observed = self.replay.position
            monitor.observe()
        self.show()
        return self.replay.position == self.replay.trace.count

    def show(self):
        """The replay's timeline and status at the step shown."""
        timeline.show_replay(self.page, self.replay.trace.count, self.replay.position)
        self.page.set_text("trace-status", self.replay.describe())


def state_for_model(model, state):
    """The settings a model's first and last layers ask for (`state` changed as little as it can), and
    the Run that trains it. Raises ValueError, in plain words, for a network the playground cannot train."""
    convolutional = [type(layer).__name__ for layer in model if isinstance(layer, (nn.Conv2d, nn.MaxPool2d))]
    linears = [layer for layer in model if isinstance(layer, nn.Linear)]
    if convolutional or not linears:
        raise ValueError(f"the file's network is {'a CNN (' + convolutional[0] + ')' if convolutional else 'not an MLP'}; "
                         "the playground trains networks of Linear layers and activations (open a CNN in the "
                         "digits lab)")
    changes = {}
    n_in, n_out = linears[0].n_in, linears[-1].n_out
    if n_in != len(state.features):
        if n_in != 2:
            raise ValueError(f"the file's network takes {n_in} inputs; choose {n_in} features first, or open a "
                             "network that takes 2 (x1, x2)")
        changes["features"] = "x1,x2"
    if n_out == 3 and state.dataset != "blobs3":
        changes.update(problem="classification", dataset="blobs3")
    elif n_out == 1 and state.dataset == "blobs3":
        changes["dataset"] = "circle"
    state, _ = with_change(state, **changes)
    try:
        return state, Run(state, {"model": model})
    except CodeError as error:
        raise ValueError(str(error).replace("`model`", "the file's network")) from None
