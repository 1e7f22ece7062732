"""The playground's run trains in the worker while the page plays, and the page draws from the snapshots it
sends. The page's fake worker runs the real trainer here, and what crosses between them is pickled bytes, as
in the browser. A run trained there and taken back is the run that training here would have made, to the bit."""
import numpy as np

from app.diagnostics.monitor import Monitor
from app.playground.run import Run
from app.playground.state import decode
from app.training import snapshot as snapshots
from app.training.trainer import SNAPSHOT_MS, Trainer, train_epoch


def trained_here(fragment, epochs):
    """The run and monitor of `fragment` after `epochs` epochs trained one after another in this interpreter."""
    run = Run(decode(fragment).state)
    monitor = Monitor(run)
    for _ in range(epochs):
        train_epoch(run, monitor)
    return run, monitor


def play_in_the_worker(playground, page, until_epoch, budget_ms=2.0):
    """Frames and the worker's slices of training, taking turns, until the page shows `until_epoch` or more."""
    worker = page.workers[0]
    for frame in range(2000):
        playground.frame(frame * 16.0)
        if playground.run.epoch >= until_epoch or not playground.playing:
            return
        worker.work(budget_ms)
    raise AssertionError(f"the page reached epoch {playground.run.epoch} of {until_epoch}")


def taken_back_from_the_worker(opened, fragment, until_epoch):
    """(the page, the same run trained here, its monitor): the page opened at `fragment` plays in its worker until
    `until_epoch` or later and is paused (the run taken back), and the run trained here to that epoch equals it."""
    playground, page = opened(fragment)
    playground.frame(0.0)  # one epoch here, as the page does before its worker is up
    page.workers[0].start()
    play_in_the_worker(playground, page, until_epoch)
    playground.act("toggle")
    run, monitor = trained_here(fragment, playground.run.epoch)
    assert_same_run(playground.run, run)
    return playground, run, monitor


def run_code(playground, page, code):
    """Run: the code goes to the worker first, which runs it and answers; then the page runs it too."""
    playground.run_code(code)
    page.workers[-1].work(0.0)


def assert_same_run(ours, theirs):
    for mine, reference in zip(ours.model.parameters(), theirs.model.parameters()):
        np.testing.assert_array_equal(mine.data, reference.data)
    assert ours.epoch == theirs.epoch and ours.history == theirs.history
    assert (ours.best_loss, ours.best_epoch) == (theirs.best_loss, theirs.best_epoch)


def test_until_the_worker_is_ready_the_page_trains_an_epoch_a_frame(opened):
    playground, page = opened()
    assert [worker.script for worker in page.workers] == ["./trainer.js"]
    for frame in range(3):
        playground.frame(frame * 16.0)
    assert playground.run.epoch == 3 and page.workers[0].inbox == []   # nothing was handed on


def test_a_run_trained_in_the_worker_and_taken_back_is_the_run_trained_here(opened):
    fragment = "#v=1&dataset=xor&hidden=6,4&optimizer=adam&lr=0.01"
    playground, page = opened(fragment)
    playground.frame(0.0)  # one epoch here, as the page does before its worker is up
    page.workers[0].start()
    play_in_the_worker(playground, page, until_epoch=30)
    assert [kind for kind, _ in page.workers[0].inbox] == [] and playground.worker.holds_run
    assert page.texts["epoch"] == str(playground.run.epoch)   # the page shows the worker's epochs as they come
    playground.act("toggle")   # Pause: the run is the page's again, from the last snapshot
    assert not playground.worker.holds_run and page.workers[0].inbox[-1][0] == "stop"
    epochs = playground.run.epoch
    assert epochs >= 30
    run, monitor = trained_here(fragment, epochs)
    assert_same_run(playground.run, run)
    assert [stats.epoch for stats in playground.monitor.timeline] == list(range(1, epochs + 1))
    np.testing.assert_array_equal(playground.monitor.latest.update_ratio, monitor.latest.update_ratio)
    for moment in (playground.run.optimizer.state_dict()["state"], run.optimizer.state_dict()["state"]):
        assert moment[0]["step"] == 25 * epochs   # Adam's own count of its steps came back too

    playground.act("step")   # and training here goes on from there: exactly one epoch, measured as it goes on
    train_epoch(run, monitor)
    assert_same_run(playground.run, run)
    np.testing.assert_array_equal(playground.monitor.latest.update_ratio, monitor.latest.update_ratio)
    assert playground.monitor.running()["_best_test"] == monitor.running()["_best_test"]


def test_anything_the_learner_does_takes_the_run_back_first_and_playing_hands_it_on_again(opened):
    playground, page = opened("#v=1&hidden=3")
    worker = page.workers[0]
    worker.start()
    play_in_the_worker(playground, page, until_epoch=5)
    held = playground.run
    playground.change("lr", "0.1")   # a setting of the running network: it applies from the next step
    assert not playground.worker.holds_run and worker.inbox[-1][0] == "stop"
    assert playground.run is held and held.optimizer.lr == 0.1
    playground.frame(5000.0)   # still playing: the run goes to the worker again, with its new rate
    assert playground.worker.holds_run and worker.inbox[-1][0] == "train"
    worker.work(2.0)
    assert worker.trainer.run.optimizer.lr == 0.1 and worker.trainer.run.epoch > held.epoch


def test_snapshots_of_a_run_taken_back_are_not_taken_in(opened):
    playground, page = opened()
    worker = page.workers[0]
    worker.start()
    playground.frame(0.0)   # handed on
    worker.work(SNAPSHOT_MS * 2)   # the worker trains and sends snapshots...
    playground.set_playing(False)   # ...but the page took the run back before reading them: it reads them now
    epoch = playground.run.epoch
    assert epoch > 0
    worker.work(SNAPSHOT_MS * 2)   # what the worker still sends before it reads "stop" is not the page's
    playground.frame(100.0)
    assert playground.run.epoch == epoch


def test_a_run_that_diverges_in_the_worker_pauses_the_page_saying_why_as_it_does_here(opened):
    fragment = "#preset=lr-too-high"
    here, page_here = opened(fragment)
    for frame in range(200):
        here.frame(frame * 16.0)
        if not here.playing:
            break
    there, page = opened(fragment)
    there.change("speed", "max")   # the lesson's own pace is 15 epochs a second
    page.workers[0].start()
    play_in_the_worker(there, page, until_epoch=10_000)
    assert not there.playing and not there.worker.holds_run
    assert there.run.epoch == here.run.epoch and page.texts["message"] == page_here.texts["message"]
    assert page.texts["message"].startswith(f"Epoch {here.run.epoch}: ")


SQUARE_CODE = """
class Square(nn.Module):
    def forward(self, x):
        return x * x

model = nn.Sequential(nn.Linear(2, 4), Square(), nn.Linear(4, 1))
optimizer = optim.Adam(model.parameters(), lr=0.01)
"""


def test_a_run_of_your_code_goes_to_the_worker_as_code_and_comes_back_as_trained_here(opened):
    """The code's own class cannot be copied into the worker's interpreter: the worker runs the code itself and
    takes the run's snapshot, then trains it as the page would have."""
    playground, page = opened("#v=1&dataset=xor")
    page.workers[0].start()
    run_code(playground, page, SQUARE_CODE)
    playground.frame(0.0)   # a first epoch here, then handed on
    page.workers[0].work(0.0)
    assert playground.worker.holds_run and page.workers[0].trainer.training
    play_in_the_worker(playground, page, until_epoch=20)
    playground.act("toggle")
    epochs = playground.run.epoch
    here, _ = opened("#v=1&dataset=xor&speed=max")
    here.run_code(SQUARE_CODE)
    for frame in range(epochs):
        here.frame(frame * 16.0)
    assert_same_run(playground.run, here.run)


def test_a_run_the_worker_cannot_take_and_a_trace_being_kept_train_here(opened):
    playground, page = opened()
    page.workers[0].start()
    run_code(playground, page, "model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))\n"
                        "class Halving:\n"
                        "    def zero_grad(self):\n"
                        "        for p in model.parameters(): p.grad = None\n"
                        "    def step(self):\n"
                        "        for p in model.parameters(): p.data -= 0.05 * p.grad\n"
                        "optimizer = Halving()")
    playground.frame(0.0)
    playground.frame(16.0)
    assert not playground.worker.holds_run and playground.run.epoch == 2
    assert page.texts["note"].startswith("This run cannot go to the training worker (AttributeError: ")
    run_code(playground, page, "")
    playground.change("keep_trace", "true")
    playground.frame(32.0)
    assert not playground.worker.holds_run and playground.run.recorder is not None


def test_the_trainer_keeps_the_pace_it_is_asked_for():
    sent = []
    now = [0.0]
    trainer = Trainer(lambda kind, data: sent.append(snapshots.unpack(data)), clock=lambda: now[0])
    run = Run(decode("").state)
    trainer.receive("train", snapshots.pack({"session": 7, "run": run, "monitor": Monitor(run), "first_batch": 0,
                                             "pace": 20}))
    for _ in range(50):   # half a second, in slices of 10 ms: 20 epochs a second is 10 epochs
        trainer.train_for(10)
        now[0] += 0.010
    assert trainer.run.epoch == 10
    assert {session for session, _ in sent} == {7} and sent[-1][1].epoch <= 10
    trainer.receive("stop", snapshots.pack(7))
    assert not trainer.train_for(10) and trainer.run.epoch == 10


def test_a_worker_that_cannot_start_leaves_training_here_and_the_page_says_so(opened):
    playground, page = opened()
    page.workers[0].start()
    playground.frame(0.0)
    assert playground.worker.holds_run
    page.workers[0].on_message("failed", "the training worker could not start its Python: no numpy")
    assert page.texts["note"] == ("The training worker could not start its Python: no numpy: training goes on "
                                  "here, between the frames that draw it, more slowly.")
    epoch = playground.run.epoch
    playground.frame(16.0)
    playground.frame(32.0)
    assert playground.run.epoch == epoch + 2 and not playground.worker.holds_run


def test_the_speed_control_paces_training_here_and_in_the_worker(opened):
    playground, page = opened("#v=1&speed=5")
    for frame in range(63):   # a second of frames, before the worker is up: 5 epochs a second, the first at once
        playground.frame(frame * 16.0)
    assert playground.run.epoch == 5
    page.workers[0].start()
    playground.change("speed", "15")
    assert "speed=15" in page.fragment
    playground.frame(2000.0)
    worker = page.workers[0]
    worker.work(1.0)
    assert worker.trainer.pace.per_second == 15.0
    playground.change("speed", "max")
    playground.frame(2016.0)
    worker.work(1.0)
    assert worker.trainer.pace.per_second is None


def test_code_runs_in_the_worker_first_and_code_that_never_returns_ends_the_worker_not_the_page(opened):
    playground, page = opened("#v=1&hidden=3")
    page.workers[0].start()
    now = [100.0]
    playground.worker.clock = lambda: now[0]
    playground.frame(0.0)
    held = playground.run
    playground.run_code("while True:\n    pass")   # the worker would run it forever: it is not let work here
    assert page.texts["code-output"] == "Running your code…" and page.workers[0].inbox[-1][0] == "try"
    epoch = held.epoch
    for frame in range(1, 4):   # the page goes on, training here meanwhile
        playground.frame(frame * 16.0)
    assert held.epoch == epoch + 3 and playground.run is held
    now[0] += 5.5
    playground.frame(64.0)
    assert page.workers[0].terminated and len(page.workers) == 2   # ended, and a fresh one is starting
    assert page.texts["code-output"].startswith("stopped after 5 s: the code was still running, so the training "
                                               "worker running it was ended and started afresh")
    assert playground.run is held and not playground.editor.code   # the network that was training goes on

    page.workers[1].start()
    run_code(playground, page, "print(1 / 0)")   # a failing run shows what the worker said, and changes nothing
    assert page.texts["code-output"].splitlines()[-1] == "ZeroDivisionError: division by zero"
    assert playground.run is held
    run_code(playground, page, "model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 1))\nprint('ok')")
    assert page.texts["code-output"] == "ok\n" and playground.run.layer_sizes() == [2, 5, 1]


def test_a_lessons_own_code_runs_at_once_even_with_the_worker_up(opened):
    """Only your code goes to the worker first: a lesson's code is the site's own and returns, so the lesson's
    network is in charge as soon as the lesson opens."""
    playground, page = opened()
    page.workers[0].start()
    playground.open_link("#preset=dead-relu")
    assert playground.editor.code and page.workers[0].inbox == []
    assert page.texts["code-output"] != "Running your code…"
