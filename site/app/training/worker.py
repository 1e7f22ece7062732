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
from app.training import snapshot as snapshots

SCRIPT = "./trainer.js"


class TrainingWorker:
    """The worker (`page.start_worker`), whether it is ready, and the session of the run it holds, if any;
    `on_problem(reason)` hears why, when it cannot start (the page then trains in its own frames)."""

    def __init__(self, page, on_problem=lambda reason: None):
        self.ready, self.holds_run, self.session, self.arrived = False, False, 0, []
        self.problem, self.on_problem = None, on_problem  # why training stays in the page's frames, if it must
        self.worker = page.start_worker(SCRIPT, self.receive)

    def receive(self, kind, data):
        """A message from the worker: "ready", "failed" (its reason in words) or a "snapshot"."""
        if kind == "ready":
            self.ready = True
        elif kind == "failed":
            self.ready, self.holds_run, self.problem = False, False, data
            self.on_problem(data)
        elif kind == "snapshot":
            session, snapshot = snapshots.unpack(data)
            if self.holds_run and session == self.session:  # not one of a run taken back since
                self.arrived.append(snapshot)

    def hand_on(self, run, monitor, first_batch=0, pace=None):
        """Let the worker train `run` (with its `monitor`) from now on, `first_batch` being where its epoch
        stands, at `pace` epochs a second (None: as fast as it goes)."""
        self.session += 1
        self.holds_run, self.arrived = True, []
        self.worker.post("train", snapshots.pack({"session": self.session, "run": run, "monitor": monitor,
                                                  "first_batch": first_batch, "pace": pace}))

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
