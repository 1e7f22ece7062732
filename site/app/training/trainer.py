"""The trainer in the worker: it trains the run the page hands it, epoch after epoch, as fast as it goes (or at
the pace asked for), and sends the page a snapshot about once a frame, until the page stops it or the run stops
by itself (it diverged, or reached the stopping rule the learner set).

This is plain Python: site/trainer.js loads it in a worker, hands it `send(kind, data)` and calls `receive` for
each message from the page and `train_for` in a loop, yielding to the worker's messages between calls. The
tests run it in CPython as the page's fake worker.
"""
import time
from typing import NamedTuple

from app.diagnostics.monitor import Monitor
from app.editor.session import run_in_editor
from app.playground.run import Run
from app.training import snapshot as snapshots
from app.training.pace import Pace

SNAPSHOT_MS = 15  # about a frame: the page draws from the newest snapshot each frame


class Tried(NamedTuple):
    """How the editor's code went when the worker ran it first: what the page shows of a run that failed."""

    ok: bool
    output: str
    error: str
    line: int | None


def train_epoch(run, monitor, first_batch=0):
    """One epoch and its measurement, wherever the run trains; "diverged" or "stopped" when the run should go
    no further (the page says why from the run and the monitor), else None."""
    run.train_epoch(first_batch=first_batch)
    monitor.observe(run.first_bad_batch)
    if monitor.diverged is not None:
        return "diverged"
    return "stopped" if run.stop_reason() is not None else None


def built(code, state, snapshot):
    """The run of the editor's `code` for `state`, brought to `snapshot` (its parameters, optimizer, history and
    measurements), and its monitor: how a run whose model or loss is the code's own, which lives in the page's
    interpreter only, reaches the worker. Raises ValueError saying why when the code does not run here."""
    result = run_in_editor(code)
    if not result.ok:
        raise ValueError(f"your code did not run in the worker: {result.error.strip().splitlines()[-1]}")
    run = Run(state, result.namespace)
    monitor = Monitor(run)
    snapshots.apply(snapshot, run, monitor)
    return run, monitor


class Trainer:
    """Trains one run at a time for the page: `receive("train", packed {"session", "run", "monitor",
    "first_batch", "pace"})` starts it (or, for a run of the editor's code, {"code", "state", "snapshot"} in
    place of the run and monitor: see `built`), `receive("stop", packed session)` ends it; each snapshot goes
    out as `send("snapshot", packed (session, Snapshot))`, and a run it cannot build as `send("refused",
    packed (session, reason))`. `receive("try", packed (attempt, code))` runs the editor's code and answers
    `send("tried", packed (attempt, Tried))`: code that never returns is ended by the page ending the worker."""

    def __init__(self, send, clock=time.perf_counter):
        self.send, self.clock = send, clock
        self.session = None

    def receive(self, kind, data):
        message = snapshots.unpack(data)
        if kind == "train":
            try:
                self.run, self.monitor = ((message["run"], message["monitor"]) if "run" in message
                                          else built(message["code"], message["state"], message["snapshot"]))
            except Exception as error:  # the code's objects would not go on training here: the page keeps it
                self.session = None
                self.send("refused", snapshots.pack((message["session"], f"{type(error).__name__}: {error}")))
                return
            self.session = message["session"]
            self.first_batch, self.pace = message["first_batch"], Pace(message["pace"])
            self.history_from, self.epoch_from = len(self.run.history), self.run.epoch
            self.sent = self.clock()
        elif kind == "stop" and message == self.session:
            self.session = None
        elif kind == "try":  # the editor's code, run here first, where the page can end it if it never returns
            attempt, code = message
            result = run_in_editor(code, deadline_seconds=None)
            self.send("tried", snapshots.pack((attempt, Tried(result.ok, result.output, result.error, result.line))))

    @property
    def training(self):
        return self.session is not None

    def rest_ms(self):
        """How long the worker may sleep before the next epoch is due at the pace asked for (0.0: train on)."""
        return 1000 * self.pace.rest(self.clock()) if self.training else 0.0

    def train_for(self, budget_ms):
        """Train for about `budget_ms`, sending a snapshot when one is due; whether it is still training."""
        until = self.clock() + budget_ms / 1000
        while self.training and self.clock() < until and self.pace.due(self.clock()):
            stopped = train_epoch(self.run, self.monitor, self.first_batch)
            self.first_batch = 0
            if stopped or self.clock() - self.sent >= SNAPSHOT_MS / 1000:
                self.send_snapshot(stopped)
            if stopped:
                self.session = None
        return self.training

    def send_snapshot(self, stopped=None):
        snapshot = snapshots.take(self.run, self.monitor, self.history_from, self.epoch_from, stopped)
        self.history_from, self.epoch_from = len(self.run.history), self.run.epoch
        self.sent = self.clock()
        self.send("snapshot", snapshots.pack((self.session, snapshot)))
