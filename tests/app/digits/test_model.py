"""The shipped CNN weights: the accuracy recorded beside them is what they score, and the recipe makes them."""
import numpy as np

from app.digits import data as digits_data
from app.digits import model as digits_model
from engine import weights

from tests.app.digits.files import DIGITS, WEIGHTS


def test_the_shipped_weights_score_the_recorded_held_out_accuracy():
    model, meta = weights.load(WEIGHTS)
    digits = digits_data.load(DIGITS)
    loss, correct = digits_model.evaluate(model, digits.test_images, digits.test_labels)
    assert correct == meta["test_correct"] and meta["test_count"] == len(digits.test_labels)
    assert correct / len(digits.test_labels) == meta["test_accuracy"] >= 0.95
    assert abs(loss - meta["test_loss"]) < 1e-9


def test_the_weights_file_records_the_recipe_and_the_architecture():
    model, meta = weights.load(WEIGHTS)
    assert weights.describe(model) == weights.describe(digits_model.lenet(np.random.default_rng(0)))
    assert {key: meta[key] for key in ("seed", "epochs", "optimizer", "lr", "batch_size")} == {
        "seed": digits_model.SEED, "epochs": digits_model.EPOCHS, "optimizer": "Adam",
        "lr": digits_model.LEARNING_RATE, "batch_size": digits_model.BATCH_SIZE}
    assert meta["data"]["split_seed"] == digits_data.SPLIT_SEED and meta["data"]["train_count"] == 1438


def test_the_recipe_trains_the_same_network_again_from_its_seed():
    digits = digits_data.load(DIGITS)
    first, second = digits_model.Trainer(digits, epochs=1), digits_model.Trainer(digits, epochs=1)
    first.train_epoch()
    second.train_epoch()
    for a, b in zip(first.model.parameters(), second.model.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    assert first.history == second.history and len(first.progress) == 45  # 1,438 digits in batches of 32


def test_the_whole_recipe_reaches_the_shipped_accuracy(tmp_path):
    meta = digits_model.train_and_save(tmp_path / "cnn.npz", DIGITS, log=lambda line: None)
    _, shipped = weights.load(WEIGHTS)
    assert meta["test_accuracy"] >= 0.95
    assert abs(meta["test_correct"] - shipped["test_correct"]) <= 3  # another CPU may round differently
    model, reloaded = weights.load(tmp_path / "cnn.npz")
    assert reloaded == {**meta}
