"""A training run built from the playground's settings: what it trains, and the numbers it shows."""
import dataclasses

import numpy as np
import pytest

from app.playground.plane import plane_grid
from app.playground.run import Run
from app.playground.state import State
from engine import data, no_grad
from engine.nn import functional as F


def trained(state, epochs):
    run = Run(state)
    for _ in range(epochs):
        run.train_epoch()
    return run


def test_an_epoch_is_one_pass_over_the_training_points_in_batches():
    run = Run(State(batch_size=7))
    steps = []
    step = run.optimizer.step
    run.optimizer.step = lambda: (steps.append(1), step())
    run.train_epoch()
    assert len(run.X_train) == 250 and len(steps) == 36 and run.epoch == 1  # ceil(250 / 7)


def test_the_default_playground_learns_the_circle():
    run = trained(State(), 100)
    train_loss, test_loss, train_accuracy, test_accuracy = run.history[-1]
    assert train_loss < 0.5 * run.history[0][0]
    assert train_accuracy > 0.95 and test_accuracy > 0.95


def test_reported_loss_and_accuracy_are_the_models_own():
    run = trained(State(dataset="xor"), 5)
    with no_grad():
        logits = run.model(data.features(run.X_test, run.state.features))
        loss = F.binary_cross_entropy_with_logits(logits, run.y_test[:, None].astype(float)).item()
    accuracy = ((logits.data[:, 0] > 0) == (run.y_test == 1)).mean()
    assert run.history[-1][1] == pytest.approx(loss)
    assert run.history[-1][3] == pytest.approx(accuracy)


def test_three_classes_train_with_softmax_and_cross_entropy():
    run = trained(State(dataset="blobs3"), 30)
    assert run.classes == 3 and run.model[-1].weight.shape[0] == 3
    assert run.history[-1][2] > 0.9
    probabilities = run.output_values(run.layer_outputs(plane_grid(10))[-1])
    assert probabilities.shape == (100, 3) and np.allclose(probabilities.sum(axis=1), 1)


def test_regression_fits_the_plane_with_mean_squared_error():
    run = trained(State(problem="regression", dataset="plane"), 50)
    assert run.history[-1][0] < 0.01 and np.isnan(run.history[-1][2])


def test_settings_reach_the_model_and_optimizer():
    state = State(hidden=(3, 5), features=("x1", "x2", "x1^2"), activation="relu", optimizer="adam", lr=0.1)
    run = Run(state)
    assert [w.shape for w in run.weights] == [(3, 3), (5, 3), (1, 5)]
    assert type(run.model[1]).__name__ == "ReLU"
    assert type(run.optimizer).__name__ == "Adam" and run.optimizer.lr == 0.1
    per_layer = Run(dataclasses.replace(state, layer_activations=("sigmoid", "tanh")))
    assert [type(m).__name__ for m in per_layer.model][1::2] == ["Sigmoid", "Tanh"]


def test_regularization_adds_the_rate_times_the_weight_penalty():
    run = Run(State(regularization="l2", reg_rate=0.3))
    expected = 0.3 * 0.5 * sum((w.data ** 2).sum() for w in run.weights)
    assert run.penalty().item() == pytest.approx(expected)
    assert Run(State(regularization="l1", reg_rate=0)).penalty() is None  # no "+ 0" node in the graph


def test_the_same_settings_train_the_same_network():
    a, b = trained(State(seed=5), 3), trained(State(seed=5), 3)
    assert all(np.array_equal(x.data, y.data) for x, y in zip(a.weights, b.weights))
    c = trained(State(seed=6), 3)
    assert not np.array_equal(a.weights[0].data, c.weights[0].data)


def test_layer_outputs_over_the_plane_come_from_one_forward_pass_of_the_model():
    run = trained(State(), 3)
    grid = plane_grid(20)
    outputs = run.layer_outputs(grid)
    assert [o.shape[1] for o in outputs] == [2, 4, 2, 1]
    with no_grad():
        assert np.allclose(outputs[-1], run.model(grid).data)
        assert np.allclose(outputs[1], run.model[1](run.model[0](grid)).data)
    probability = 1 / (1 + np.exp(-outputs[-1]))
    assert np.allclose(run.output_values(outputs[-1]), probability)
    assert np.allclose(run.output_shade(outputs[-1]), 2 * probability - 1)


def test_the_first_batch_whose_loss_is_not_finite_is_kept_for_diagnostics():
    run = Run(State(problem="regression", dataset="plane", lr=10, activation="linear", hidden=()))
    for _ in range(20):
        run.train_epoch()
    assert run.first_bad_batch is not None and not np.isfinite(run.first_bad_batch.data)
    assert trained(State(), 5).first_bad_batch is None


def test_auto_stop_on_a_loss_target_and_on_a_plateau():
    run = Run(State(stop_loss=0.5))
    while run.stop_reason() is None and run.epoch < 200:
        run.train_epoch()
    assert run.history[-1][0] <= 0.5 and "loss reached" in run.stop_reason()
    stuck = Run(State(stop_plateau=3, lr=0.00001))
    stuck.best_loss, stuck.best_epoch = -1.0, 0  # nothing can beat this, so three epochs are a plateau
    for _ in range(3):
        stuck.train_epoch()
    assert "no better training loss for 3 epochs" in stuck.stop_reason()


def test_your_own_points_train_even_when_there_are_only_a_few():
    state = State(dataset="custom", custom=((1.0, 1.0, 1), (-1.0, -1.0, 0), (2.0, -2.0, 1)), train_ratio=90)
    run = trained(state, 20)
    assert len(run.X_train) + len(run.X_test) == 3
    assert np.isfinite(run.history[-1][0])
    empty = trained(State(dataset="custom"), 2)
    assert np.isnan(empty.history[-1][0]) and empty.epoch == 2


def test_the_learning_rate_changes_mid_run_and_a_new_optimizer_starts_fresh():
    run = trained(State(optimizer="adam"), 2)
    adam = run.optimizer
    run.use_optimizer("adam", 0.3)
    assert run.optimizer is adam and adam.lr == 0.3 and adam.steps == 50
    run.use_optimizer("momentum", 0.1)
    assert type(run.optimizer).__name__ == "SGD" and run.optimizer.momentum == 0.9


def test_a_new_run_can_continue_from_the_old_one():
    old = trained(State(), 4)
    new = Run(State(dataset="custom", custom=((1.0, 1.0, 1), (-1.0, -1.0, 0))))
    new.adopt(old)
    assert new.epoch == 4 and len(new.history) == 4
    assert all(np.array_equal(a.data, b.data) for a, b in zip(new.weights, old.weights))
    assert all(a is not b for a, b in zip(new.weights, old.weights))


def test_editing_a_weight_changes_the_model():
    run = Run(State())
    run.set_weight(1, 0, 3, 2.5)
    assert run.model[2].weight.data[0, 3] == 2.5


def test_a_model_from_code_replaces_the_controls_network():
    from engine import nn
    model = nn.Sequential(nn.Linear(2, 3, rng=np.random.default_rng(1)), nn.ReLU(), nn.Linear(3, 1))
    run = Run(State(hidden=(4, 2)), {"model": model, "loss_fn": lambda logits, labels: ((logits - 0.5) ** 2).mean()})
    assert run.model is model and run.layer_sizes() == [2, 3, 1]
    run.train_epoch()
    assert np.isclose(run.history[-1][0], ((run.model(run.inputs_train).data - 0.5) ** 2).mean())


def test_a_model_that_does_not_fit_the_data_is_refused_in_plain_words():
    from engine import nn
    from app.playground.run import CodeError
    with pytest.raises(CodeError, match="takes 3 inputs but the chosen features give 2"):
        Run(State(), {"model": nn.MLP(3, [4], 1)})
    with pytest.raises(CodeError, match="gives 1 outputs but this problem needs 3"):
        Run(State(dataset="blobs3"), {"model": nn.MLP(2, [4], 1)})
    with pytest.raises(CodeError, match="nn.Sequential"):
        Run(State(), {"model": nn.Linear(2, 1)})


@pytest.mark.parametrize("train_ratio", [10, 50, 70, 90])
def test_a_point_you_add_never_moves_the_ones_before_between_training_and_test(train_ratio):
    points = [(float(i % 12) - 6, float(i // 12) - 6, i % 2) for i in range(60)]
    before = None
    for count in range(1, len(points) + 1):
        run = Run(State(dataset="custom", custom=tuple(points[:count]), train_ratio=train_ratio))
        test = {tuple(p) for p in run.X_test.tolist()}
        if before is not None:
            assert {p[:2] for p in points[:count - 1] if p[:2] in test} == before  # the earlier ones stay put
        before = test
        assert len(run.X_train) >= 1  # the first point always trains
    assert len(run.X_test) == 60 * (100 - train_ratio) // 100
