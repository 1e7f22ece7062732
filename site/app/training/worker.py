"""The page's side of the trainer in a worker: hand it the run to train while the page plays, draw from the
snapshots it sends, and take the run back by stopping it.

The page stays the owner of the run: the worker trains a copy, and every snapshot brings the page's run to
where the copy was, parameters, optimizer and monitor alike (see snapshot.py). Taking the run back is
therefore immediate: stop listening, tell the worker to stop, and go on from the last snapshot taken in.
Anything the learner does (a button, a setting, an edit) takes the run back first, and playing hands it on
again at the next frame.

Until the worker has started its own Python (a few seconds after the page), or when it cannot start at all,
the page trains in its own frames as it always has.
"""
import time

from app.editor.sandbox import DEADLINE_SECONDS
from app.training import snapshot as snapshots
from app.training.trainer import Tried

SCRIPT = "./trainer.js"
STOPPED = (f"stopped after {DEADLINE_SECONDS:g} s: the code was still running, so the training worker running it "
           "was ended and started afresh (the network that was training goes on). Code in the editor should "
           "build the model and return; the playground does the training.")


class TrainingWorker:
    """The worker (`page.start_worker`), whether it is ready, and the session of the run it holds, if any;
    `on_problem(reason)` hears why, when it cannot start (the page then trains in its own frames)."""

    def __init__(self, page, on_problem=lambda reason: None, clock=time.monotonic):
        self.page, self.clock = page, clock
        self.ready, self.holds_run, self.session, self.arrived = False, False, 0, []
        self.handed = self.refused = None  # the run handed on last, and one the worker could not take
        self.on_problem = on_problem  # hears why training stays in the page's frames, when it must
        self.attempts, self.trying = 0, None  # the editor's code being tried there: (attempt, answer, deadline)
        self.worker = page.start_worker(SCRIPT, self.receive)

    def receive(self, kind, data):
        """A message from the worker: "ready", "failed" (its reason in words) or a "snapshot"."""
        if kind == "ready":
            self.ready = True
        elif kind == "failed":
            self.ready, self.holds_run = False, False
            self.on_problem(data)
        elif kind == "snapshot":
            session, snapshot = snapshots.unpack(data)
            if self.holds_run and session == self.session:  # not one of a run taken back since
                self.arrived.append(snapshot)
        elif kind == "tried":
            attempt, tried = snapshots.unpack(data)
            if self.trying is not None and attempt == self.trying[0]:
                answer, self.trying = self.trying[1], None
                answer(tried)
        elif kind == "refused":
            session, reason = snapshots.unpack(data)
            if session == self.session:
                self.holds_run, self.refused = False, self.handed
                self.on_problem(f"the training worker could not take this run ({reason})")

    def takes(self, run):
        """Whether `run` may go to the worker: it is ready, is not busy with the editor's code, and has not
        refused this run."""
        return self.ready and self.trying is None and run is not self.refused

    def try_code(self, code, answer):
        """Run the editor's `code` in the worker first, where the page stays free and can end code that never
        returns; `answer(Tried)` hears how it went (after DEADLINE_SECONDS, that it was stopped). Call
        `take_back` first: the worker runs nothing else meanwhile."""
        self.attempts += 1
        self.trying = (self.attempts, answer, self.clock() + DEADLINE_SECONDS)
        self.worker.post("try", snapshots.pack((self.attempts, code)))

    def overdue(self):
        """End the worker when the code it is trying is past its deadline, start a fresh one, and answer that
        the code was stopped; whether it did."""
        if self.trying is None or self.clock() < self.trying[2]:
            return False
        answer, self.trying = self.trying[1], None
        self.worker.terminate()
        self.ready, self.holds_run, self.arrived = False, False, []
        self.worker = self.page.start_worker(SCRIPT, self.receive)
        answer(Tried(False, "", STOPPED, None))
        return True

    def hand_on(self, run, monitor, first_batch=0, pace=None, code=""):
        """Let the worker train `run` (with its `monitor`) from now on, `first_batch` being where its epoch
        stands, at `pace` epochs a second (None: as fast as it goes). A run of the editor's `code` goes as the
        code and a snapshot, for the worker to build again: the code's own classes and functions cannot be
        copied into another interpreter."""
        self.session += 1
        message = {"session": self.session, "first_batch": first_batch, "pace": pace}
        try:
            if code:
                message.update(code=code, state=run.state, snapshot=snapshots.take(run, monitor, 0, -1))
            else:
                message.update(run=run, monitor=monitor)
            packed = snapshots.pack(message)
        except Exception as error:  # say, the code's own optimizer, with no state to hand on: it trains here
            self.refused = run
            self.on_problem(f"this run cannot go to the training worker ({type(error).__name__}: {error})")
            return
        self.holds_run, self.arrived, self.handed = True, [], run
        self.worker.post("train", packed)

    def follow(self, run, monitor):
        """Bring `run` and `monitor` up to the newest snapshot: (whether one came, why the worker stopped by
        itself or None). A run that stopped by itself is the page's again."""
        arrived, self.arrived, stopped = self.arrived, [], None
        for snapshot in arrived:  # in order: each brings its history rows and measurements
            snapshots.apply(snapshot, run, monitor)
            stopped = snapshot.stopped
        if stopped:
            self.holds_run = False
        return bool(arrived), stopped

    def take_back(self, run, monitor):
        """The page trains `run` again, from the newest snapshot that has come: the worker stops."""
        if not self.holds_run:
            return
        self.follow(run, monitor)
        self.holds_run = False
        self.worker.post("stop", snapshots.pack(self.session))
