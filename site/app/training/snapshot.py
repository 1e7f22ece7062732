"""A run as it stands after an epoch, passed between the page and its trainer in a worker.

The page and the worker each hold the same `Run` (built from the same settings and seed) and `Monitor`. The
worker trains and, every few epochs, sends a `Snapshot`: everything the page needs to draw the run and, just
as much, to go on training it itself at any moment, exactly as if it had taken those epochs: the parameters,
the optimizer's state, the epoch, the history rows and the monitor's epochs since the last snapshot, and what
the monitor carries from epoch to epoch. So the page never waits for the worker: it takes the run back by
just stopping it, from the last snapshot it has.

Messages are pickled: both ends run this same code, and nothing but the page's own worker sends them.
"""
import pickle
from typing import NamedTuple

from engine import nn


class Snapshot(NamedTuple):
    epoch: int
    parameters: list          # each parameter's values, in model.parameters() order
    optimizer: dict           # optimizer.state_dict()
    scheduler: dict | None    # the learning-rate schedule's state_dict(), None without one
    history_from: int         # where `history` goes in run.history
    history: list             # run.history's rows since the last snapshot
    best: tuple               # (run.best_loss, run.best_epoch)
    monitor: dict             # monitor.running()
    stats: list               # the monitor's EpochStats since the last snapshot, without the engine's graph nodes
    stopped: str | None       # why the trainer stopped by itself ("diverged" or "stopped"), or None
    buffers: dict             # the model's buffers (BatchNorm's running statistics) by name
    training: bool            # the model's mode: Dropout and BatchNorm act differently in each
    dropout_draws: list       # each Dropout's generator state, so the page's masks go on as the worker's would


def take(run, monitor, history_from, epoch_from, stopped=None):
    """The snapshot of `run` and `monitor` now, with the history from row `history_from` and the monitor's
    measurements of the epochs after `epoch_from` (its timeline thins its past, so epochs, not places)."""
    stats = [entry if entry.nonfinite is None else entry._replace(nonfinite=entry.nonfinite._replace(node=None))
             for entry in monitor.timeline if entry.epoch > epoch_from]
    return Snapshot(run.epoch, [parameter.data.copy() for parameter in run.model.parameters()],
                    run.optimizer.state_dict(), None if run.scheduler is None else run.scheduler.state_dict(),
                    history_from, run.history[history_from:],
                    (run.best_loss, run.best_epoch), monitor.running(), stats, stopped,
                    {name: values.copy() for name, values in run.model.named_buffers()}, run.model.training,
                    [layer.rng.bit_generator.state for layer in _dropouts(run.model)])


def apply(snapshot, run, monitor):
    """Bring `run` and `monitor` (the page's) to where the trainer's were at `snapshot`."""
    for parameter, values in zip(run.model.parameters(), snapshot.parameters):
        parameter.data[...] = values
    for name, values in run.model.named_buffers():
        values[...] = snapshot.buffers[name]
    run.model.train(snapshot.training)
    for layer, state in zip(_dropouts(run.model), snapshot.dropout_draws):
        layer.rng.bit_generator.state = state
    run.optimizer.load_state_dict(snapshot.optimizer)
    if run.scheduler is not None and snapshot.scheduler is not None:
        run.scheduler.load_state_dict(snapshot.scheduler)
    run.epoch = snapshot.epoch
    run.history[snapshot.history_from:] = snapshot.history
    run.best_loss, run.best_epoch = snapshot.best
    run.forget_passes()
    monitor.resume(snapshot.monitor, snapshot.stats)


def _dropouts(model):
    return [layer for layer in model.modules() if isinstance(layer, nn.Dropout)]


def pack(value):
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(data):
    return pickle.loads(bytes(data))
