"""Diagnostics: every number the monitor shows agrees with numpy, each alert fires on a run built to cause
it, a healthy run raises none, and watching a run never changes how it trains."""
import numpy as np
import pytest

from app.diagnostics import histograms
from app.diagnostics import monitor as diagnostics
from app.diagnostics.gradient_check import check_gradients
from app.diagnostics.histograms import activation_edges, gradient_edges, weight_edges
from app.diagnostics.monitor import MAX, MEAN, MIN, STD, Monitor
from app.playground.run import Run
from app.playground.state import decode
from engine import nn, no_grad

# The runs that demonstrate each alert, written as the links a preset would open.
SIGMOID_VANISHING = "#hidden=8,8,8,8,8,8,8,8&activation=sigmoid"
LR_TOO_HIGH = "#problem=regression&dataset=plane&activation=linear&lr=10"
DEAD_RELU = "#activation=relu&hidden=4,4"  # with the hidden biases set to -10 after building: see dead_relu()
OVERFIT = "#dataset=gauss&noise=50&train_ratio=10&hidden=8,8,8,8,8,8"
EXPLODING = "#problem=regression&dataset=plane&activation=linear&lr=0.1&hidden=&batch_size=30"
LEARNS_WELL = "#problem=regression&dataset=plane&activation=tanh&hidden=4"
HEALTHY = "#dataset=spiral&features=x1,x2,x1%5E2,x2%5E2,sin(x1),sin(x2)&hidden=8,8&activation=tanh&lr=0.03"
MIXED = "#hidden=6,5,4,3&layer_activations=relu,tanh,sigmoid,leaky_relu"


def run_of(link):
    decoded = decode(link)
    assert decoded.notes == []
    return Run(decoded.state)


def dead_relu():
    run = run_of(DEAD_RELU)
    for layer in run.model[:-1:2]:
        layer.bias.data[:] = -10.0  # below anything the inputs (|x| <= 6) can lift them to
    return run


def first_alert(run, kind, epochs):
    """Train and watch up to `epochs` epochs; the first epoch and Alert of `kind`, or fail."""
    monitor = Monitor(run)
    for _ in range(epochs):
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows in training, as it should
            run.train_epoch()
            stats = monitor.observe()
        for alert in stats.alerts:
            if alert.kind == kind:
                return stats.epoch, alert, monitor
    pytest.fail(f"no {kind!r} alert in {epochs} epochs; the last epoch raised {[a.kind for a in stats.alerts]}")


def linears(run):
    return [m for m in run.model if isinstance(m, nn.Linear)]


def observed(link, epochs=3):
    run = run_of(link)
    monitor = Monitor(run)
    for _ in range(epochs):
        run.train_epoch()
    return run, monitor.observe()


# ---- what is measured ----------------------------------------------------------------------------------

def test_gradient_statistics_are_those_of_the_data_loss_over_every_training_point():
    run, stats = observed("#hidden=5,3&optimizer=adam&regularization=l2&reg_rate=0.03")
    for p in run.model.parameters():
        p.grad = None
    run.data_loss(run.model(run.inputs_train), run.y_train).backward()  # the penalty is left out, on purpose
    for row, layer in enumerate(linears(run)):
        for measured, grad in ((stats.weight_gradient[row], layer.weight.grad),
                               (stats.bias_gradient[row], layer.bias.grad)):
            expected = [grad.mean(), grad.std(), grad.min(), grad.max(), np.linalg.norm(grad)]
            assert measured == pytest.approx(expected, rel=1e-7, abs=1e-12)
    assert stats.weight_gradient.shape == (3, 5) and stats.weight_gradient[0, STD] > 0
    assert stats.weight_gradient[0, MIN] < stats.weight_gradient[0, MEAN] < stats.weight_gradient[0, MAX]
    assert stats.loss == pytest.approx(run.history[-1][0])  # the same full-batch loss the curve shows


def test_the_forward_pass_kept_from_the_epoch_is_not_reused_once_a_weight_is_edited():
    run = run_of("#hidden=4")
    monitor = Monitor(run)
    run.train_epoch()  # measure() keeps the training set's forward pass for the monitor
    run.set_weight(0, 1, 0, 3.5)
    stats = monitor.observe()
    with no_grad():
        expected = run.data_loss(run.model(run.inputs_train), run.y_train).item()
    assert stats.loss == pytest.approx(expected, rel=1e-12) and stats.loss != pytest.approx(run.history[-1][0])


def test_the_update_ratio_is_how_far_each_weight_matrix_moved_for_its_size_since_the_last_look():
    run = run_of("#hidden=4,4&lr=0.3")
    monitor = Monitor(run)
    before = [w.data.copy() for w in run.weights]
    run.train_epoch()
    run.train_epoch()
    ratio = monitor.observe().update_ratio
    assert ratio == pytest.approx([np.linalg.norm(w.data - b) / np.linalg.norm(b) for w, b in zip(run.weights, before)])
    assert (ratio > 0).all()
    before = [w.data.copy() for w in run.weights]
    run.train_epoch()
    ratio = monitor.observe().update_ratio
    assert ratio == pytest.approx([np.linalg.norm(w.data - b) / np.linalg.norm(b) for w, b in zip(run.weights, before)])


@pytest.mark.parametrize("link, activations", [
    (MIXED, ["relu", "tanh", "sigmoid", "leaky_relu", "linear"]),
    ("#hidden=6,5&layer_activations=tanh,sigmoid", ["tanh", "sigmoid", "linear"]),  # only the logits need clipping
])
def test_histograms_count_every_value_in_fixed_bins_with_the_ends_catching_the_rest(link, activations):
    run = run_of(link)
    run.model[2].weight.data *= 4  # some weights beyond the +-3 of the histogram: they count in the end bins
    monitor = Monitor(run)
    run.train_epoch()
    stats = monitor.observe()
    low, high = histograms.WEIGHT_RANGE
    low_decade, high_decade = histograms.GRADIENT_DECADES
    outputs = run.layer_outputs(run.X_train)[1:]  # each layer's output on every training point
    for row, (layer, name, output) in enumerate(zip(linears(run), activations, outputs)):
        weights, biases = layer.weight.data, layer.bias.data
        assert (stats.weight_histogram[row] == np.histogram(np.clip(weights, low, high), weight_edges())[0]).all()
        assert (stats.bias_histogram[row] == np.histogram(np.clip(biases, low, high), weight_edges())[0]).all()
        # gradients at these same weights
        for p in run.model.parameters():
            p.grad = None
        run.data_loss(run.model(run.inputs_train), run.y_train).backward()
        with np.errstate(divide="ignore"):
            decades = np.log10(np.abs(np.concatenate([layer.weight.grad.ravel(), layer.bias.grad])))
        expected = np.histogram(np.clip(decades, low_decade, high_decade), gradient_edges())[0]
        assert (stats.gradient_histogram[row] == expected).all()
        edges = activation_edges(name)
        expected = np.histogram(np.clip(output, edges[0], edges[-1]), edges)[0]
        assert (stats.activation_histogram[row] == expected).all()
        assert stats.activation_histogram[row].sum() == output.size
    assert stats.weight_histogram[1, [0, -1]].sum() > 0  # the scaled layer really went off the scale
    assert stats.activation_histogram[1, [0, -1]].sum() > 0  # and pushed the next layer's units to the ends


def test_tanh_and_sigmoid_histograms_make_the_rails_their_end_bins():
    tanh, sigmoid = activation_edges("tanh"), activation_edges("sigmoid")
    assert tanh[[0, 1, -2, -1]] == pytest.approx([-1, -0.99, 0.99, 1])
    assert sigmoid[[0, 1, -2, -1]] == pytest.approx([0, 0.01, 0.99, 1])
    assert np.diff(tanh[1:-1]) == pytest.approx(np.full(18, 1.98 / 18))
    assert len(tanh) == len(activation_edges("relu")) == histograms.HISTOGRAM_BINS + 1


def test_dead_units_are_relu_units_that_output_exactly_zero_on_every_training_point():
    run = run_of("#activation=relu&hidden=6,6")
    run.model[0].bias.data[:3] = -50.0  # three of the six first-layer units can never fire
    monitor = Monitor(run)
    run.train_epoch()
    stats = monitor.observe()
    outputs = run.layer_outputs(run.X_train)[1:]
    expected = [(output == 0).all(axis=0).mean() for output in outputs[:-1]] + [0.0]
    assert stats.dead.tolist() == pytest.approx(expected)
    assert stats.dead[0] == 0.5


def test_saturated_units_sit_at_a_rail_on_more_than_95_percent_of_training_points():
    run = run_of("#hidden=6,6&layer_activations=tanh,sigmoid")
    run.model[0].weight.data[:4] *= 100  # four of six tanh units pushed to their rails
    run.model[0].weight.data[4:] *= 10  # two more at a rail on most points, but not on 95% of them
    run.model[2].weight.data[:2] *= 100  # and two of six sigmoid units
    monitor = Monitor(run)
    run.train_epoch()
    stats = monitor.observe()
    tanh, sigmoid, logits = run.layer_outputs(run.X_train)[1:]
    rail = 1 - histograms.RAIL
    expected = [((np.abs(tanh) > rail).mean(axis=0) > 0.95).mean(),
                (((sigmoid < 1 - rail) | (sigmoid > rail)).mean(axis=0) > 0.95).mean(), 0.0]
    assert stats.saturated.tolist() == pytest.approx(expected)
    assert 0 < stats.saturated[0] < 1 and 0 < stats.saturated[1] < 1
    assert (np.abs(tanh[:, 4:]) > rail).mean() > 0.5  # so the 95% really decides


def test_the_timeline_keeps_every_epoch_then_thins_the_older_half(monkeypatch):
    monkeypatch.setattr(diagnostics, "TIMELINE_LIMIT", 10)
    run = run_of("#hidden=3")
    monitor = Monitor(run)
    for _ in range(25):
        run.train_epoch()
        monitor.observe()
    epochs = [stats.epoch for stats in monitor.timeline]
    assert len(epochs) <= 10 and epochs[0] == 1 and epochs == sorted(epochs)
    assert epochs[-5:] == [21, 22, 23, 24, 25]
    assert monitor.latest.epoch == 25


def test_a_run_without_training_points_has_nothing_to_measure():
    run = run_of("#dataset=custom")
    run.train_epoch()
    assert Monitor(run).observe() is None


# ---- watching changes nothing ------------------------------------------------------------------------

def test_a_watched_run_trains_exactly_like_an_unwatched_one():
    link = "#hidden=5,4&optimizer=momentum&lr=0.1&regularization=l2&reg_rate=0.003"
    plain, watched = run_of(link), run_of(link)
    monitor = Monitor(watched)
    for epoch in range(15):
        plain.train_epoch()
        watched.train_epoch()
        grads = [p.grad for p in watched.model.parameters()]
        monitor.observe()
        if epoch == 7:
            check_gradients(watched)
        assert all(p.grad is grad for p, grad in zip(watched.model.parameters(), grads))
    for a, b in zip(plain.model.parameters(), watched.model.parameters()):
        assert np.array_equal(a.data, b.data)
    assert plain.history == watched.history
    assert len(monitor.timeline) == 15


# ---- alerts -------------------------------------------------------------------------------------------

def test_eight_sigmoid_layers_raise_vanishing_gradients_in_the_first_layers():
    epoch, alert, _ = first_alert(run_of(SIGMOID_VANISHING), "vanishing", 3)
    assert epoch == 1 and alert.layers[0] == 0 and 8 not in alert.layers
    assert "hidden layers 1," in alert.message and "ReLU" in alert.fix
    ratio = alert.message.split("up to ")[1].split(" times")[0]
    assert ratio.replace(",", "").isdigit() and int(ratio.replace(",", "")) >= 1000  # "30,000", never "3e+04"


def test_a_gradient_of_exactly_zero_is_named_so_not_infinitely_smaller():
    run = run_of("#dataset=custom&custom=0,0,1")  # one point at the origin: the first layer's inputs are 0
    epoch, alert, monitor = first_alert(run, "vanishing", 1)
    assert monitor.latest.weight_gradient[0].max() == 0.0 and 0 in alert.layers
    assert "gradients of exactly zero, where the output layer's are not" in alert.message
    assert "inf" not in alert.message


def test_a_learning_rate_of_ten_on_linear_regression_pauses_as_diverged():
    epoch, alert, monitor = first_alert(run_of(LR_TOO_HIGH), "diverged", 3)
    assert epoch == 1 and monitor.diverged == alert
    words, where = alert.message.split(" A value that is not a finite number (NaN or infinity) first appeared in ")
    assert words == ("Training diverged. The loss grew instead of shrinking: each step overshoots the minimum, so the "
                     "weights grew until the numbers overflowed.")  # what happened, in words, before the op's name
    assert where.startswith("the ") and " step of " in where  # an op of the network or of the loss
    assert "learning rate (10)" in alert.fix and "lower it" in alert.fix
    assert [a.kind for a in monitor.latest.alerts] == ["diverged"]  # nothing else is said about a NaN network


def test_the_operation_that_first_produced_infinity_in_a_training_batch_is_named():
    run = run_of(LR_TOO_HIGH)
    monitor = Monitor(run)
    with np.errstate(all="ignore"):
        run.train_epoch()  # the loss overflows on the 4th batch, and the steps after it make the weights NaN
        stats = monitor.observe(run.first_bad_batch)
    assert not np.isfinite(run.weights[0].data).all()  # the kept batch's parameters are NaN by now, yet
    assert (stats.nonfinite.op, stats.nonfinite.layer) == ("mse_loss", 2)  # the loss, fed by the output layer
    assert stats.nonfinite.node is run.first_bad_batch
    assert stats.alerts[0].message.endswith("first appeared in the mse_loss step of the loss.")
    assert stats.alerts[0].layers == (2,)


def test_a_layer_whose_output_overflows_is_named_with_its_step():
    run = run_of("#problem=regression&dataset=plane&activation=linear&hidden=4,4")
    run.model[2].weight.data[0, 0] = 1e308  # hidden layer 2's output overflows on any sizeable input
    monitor = Monitor(run)
    with np.errstate(all="ignore"):
        stats = monitor.observe()
    assert (stats.nonfinite.op, stats.nonfinite.layer) == ("linear", 1)
    assert stats.alerts[0].layers == (1,) and "the linear step of hidden layer 2" in stats.alerts[0].message


def test_weights_moving_more_than_their_own_size_five_epochs_in_a_row_is_divergence():
    # Built, not found: after each epoch marked below, the first layer's weights are flipped and doubled
    # (an update ratio of 3), and the rate is too small for training to move them. (A run blown up by a huge
    # rate does this too, but chaotically: on some CPUs the default network at rate 10 saturates instead.)
    run = run_of("#lr=0.00001")
    monitor = Monitor(run)
    jumps = [True] * (diagnostics.DIVERGED_UPDATE_EPOCHS - 1) + [False] + [True] * diagnostics.DIVERGED_UPDATE_EPOCHS
    kinds = []
    for jump in jumps:
        run.train_epoch()
        if jump:
            run.model[0].weight.data *= -2.0
        stats = monitor.observe()
        kinds.append([alert.kind for alert in stats.alerts])
    assert stats.update_ratio[0] == pytest.approx(3.0, rel=1e-3) and stats.update_ratio[1:].max() < 1e-3
    assert ["diverged" in epoch for epoch in kinds] == [False] * (len(jumps) - 1) + [True]  # the calm epoch reset the count
    assert stats.nonfinite is None and all(np.isfinite(row[0]) for row in run.history)
    alert = stats.alerts[0]
    assert alert.layers == (0,) and alert.message.endswith("the weights of a layer (hidden layer 1) moved more than their own size.")
    assert "in each of the last 5 epochs" in alert.message and "lower it" in alert.fix
    assert alert.message.startswith("Training diverged. The weights jump instead of settling: each step overshoots "
                                    "the minimum, so in each of the last 5 epochs")


def test_a_loss_stuck_at_ten_times_its_best_for_twenty_epochs_is_divergence():
    # Built, not found: a run that has learned is knocked far off (the output bias moved by 20) and left a
    # learning rate too small to come back. (A run blown up by a huge rate is chaotic: the last bit of one
    # sum decides whether its loss sticks above ten times its best or just below.)
    run = run_of(LEARNS_WELL)
    for _ in range(30):
        run.train_epoch()
    run.model[-1].bias.data += 20.0
    run.use_optimizer("sgd", 0.00001)
    epoch, alert, monitor = first_alert(run, "diverged", 40)
    losses = [row[0] for row in monitor.run.history]
    assert min(losses[-20:]) >= 10 * min(losses) and min(losses[-21:]) < 10 * min(losses)
    assert alert.message.startswith("Training diverged. The loss grew instead of shrinking: each step overshoots the "
                                    "minimum, so the training loss has stayed at 10 times its best")


def test_relu_units_with_very_negative_biases_are_reported_dead():
    epoch, alert, _ = first_alert(dead_relu(), "dead", 1)
    assert alert.layers == (0, 1) and "100%, 100% of the ReLU units in hidden layers 1 and 2" in alert.message
    assert "Leaky ReLU" in alert.fix and "where your code sets them" in alert.fix  # Reset alone rebuilds code's weights


def test_units_pushed_to_their_rails_are_reported_saturated():
    run = run_of("#hidden=4,4")
    run.model[0].weight.data *= 100
    epoch, alert, _ = first_alert(run, "saturated", 1)
    assert alert.layers == (0,) and "hidden layer 1" in alert.message


def test_gradients_growing_tenfold_raise_exploding_before_the_run_diverges():
    epoch, alert, monitor = first_alert(run_of(EXPLODING), "exploding", 10)
    assert epoch == diagnostics.EXPLODING_EPOCHS + 1 and alert.layers == (0,)
    assert monitor.diverged is None and "Lower the learning rate" in alert.fix


def test_a_tiny_training_split_on_a_big_network_raises_overfitting():
    epoch, alert, monitor = first_alert(run_of(OVERFIT), "overfitting", 100)
    history = np.array(monitor.run.history)
    best = history[:, 1].argmin()
    assert len(monitor.run.X_train) == 50 and epoch - best - 1 >= diagnostics.GAP_EPOCHS
    assert history[-1, 1] > 1.1 * history[best, 1] and history[-1, 0] < history[best, 0]
    assert "test loss" in alert.message and "regularization" in alert.fix


def test_overfitting_needs_the_test_loss_well_above_its_best_for_twenty_epochs():
    run = run_of("#hidden=3")
    monitor = Monitor(run)
    # Twenty epochs with the test loss 30% above its best while the training loss falls, but by only 0.003:
    # the wobble of a near-perfect fit, not overfitting.
    run.history = [(0.01, 0.010, 1.0, 1.0)] + [(0.01 - 1e-4 * i, 0.013, 1.0, 1.0) for i in range(1, 21)]
    assert "overfitting" not in [a.kind for a in monitor.observe().alerts]
    run.history += [(0.007 - 1e-4 * i, 0.5, 1.0, 1.0) for i in range(19)]
    assert "overfitting" not in [a.kind for a in monitor.observe().alerts]  # 19 epochs well above: not yet
    run.history.append((0.005, 0.5, 1.0, 1.0))
    alert = next(a for a in monitor.observe().alerts if a.kind == "overfitting")
    assert "(0.5) has stayed above its best (0.01, at epoch 1) for 20 epochs" in alert.message


def test_a_healthy_run_raises_no_alarm_in_200_epochs():
    run = run_of(HEALTHY)
    monitor = Monitor(run)
    for _ in range(200):
        run.train_epoch()
        assert monitor.observe().alerts == ()
    assert run.history[-1][0] < 0.6 * run.history[0][0]  # and it did learn
