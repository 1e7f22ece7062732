"""A snapshot carries a model's whole state across to the page: BatchNorm's running statistics and the
train/eval mode too, not only the parameters, so the page's copy predicts as the worker's does."""
import numpy as np

from app.diagnostics.monitor import Monitor
from app.playground.run import Run
from app.playground.state import decode
from app.training import snapshot as snapshots
from engine import nn, optim


def run_of(model):
    run = Run(decode("#v=1&dataset=xor").state)
    run.model, run.optimizer = model, optim.SGD(model.parameters(), lr=0.1)
    return run


def batch_norm_model():
    return nn.MLP(2, [5], 1, batch_norm=True, dropout=0.2, rng=np.random.default_rng(0))


def test_a_snapshot_brings_running_statistics_and_the_mode_to_the_page():
    worker = run_of(batch_norm_model())
    inputs = np.random.default_rng(1).standard_normal((16, 2)) * 3 + 2
    for _ in range(3):
        worker.model(inputs)
    worker.model.eval()
    sent = snapshots.unpack(snapshots.pack(snapshots.take(worker, Monitor(worker), 0, 0)))
    page = run_of(batch_norm_model())
    snapshots.apply(sent, page, Monitor(page))
    assert not page.model.training and not page.model[3].training
    assert page.model[1].num_batches_tracked == 3
    np.testing.assert_array_equal(page.model[1].running_mean, worker.model[1].running_mean)
    np.testing.assert_array_equal(page.model[1].running_var, worker.model[1].running_var)
    np.testing.assert_array_equal(page.model(inputs).data, worker.model(inputs).data)


def test_after_a_snapshot_the_page_drops_the_units_the_worker_would_have_dropped():
    worker, page = run_of(batch_norm_model()), run_of(batch_norm_model())
    inputs = np.random.default_rng(1).standard_normal((16, 2))
    for _ in range(3):  # the worker's dropout masks use up draws the page's copy never made
        worker.model(inputs)
    snapshots.apply(snapshots.unpack(snapshots.pack(snapshots.take(worker, Monitor(worker), 0, 0))), page,
                    Monitor(page))
    np.testing.assert_array_equal(page.model(inputs).data, worker.model(inputs).data)
    np.testing.assert_array_equal(page.model[3].mask, worker.model[3].mask)
