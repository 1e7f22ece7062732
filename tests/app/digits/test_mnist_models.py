"""The MNIST lab's shipped networks: each file scores on the held-out digits what its meta says, and the recipe
that made them draws everything from its seed."""
import sys

import numpy as np
import pytest

import build
from app.digits import mnist, mnist_models, training
from engine import weights

from tests.app.digits.files import MNIST, SITE

TARGETS = {"mlp": 0.95, "cnn": 0.975}  # the floor for each network's held-out accuracy


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_each_shipped_network_scores_its_recorded_held_out_accuracy(name):
    network = mnist_models.NETWORKS[name]
    model, meta = weights.load(SITE / network.weights_file)
    digits = mnist.load(MNIST)
    loss, correct = training.evaluate(model, digits.test_images, digits.test_labels, network.as_input)
    assert correct == meta["test_correct"] and meta["test_count"] == 2000
    assert correct / 2000 == meta["test_accuracy"] >= TARGETS[name]
    assert abs(loss - meta["test_loss"]) < 1e-9


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_each_weights_file_records_its_network_recipe_split_and_input(name):
    network = mnist_models.NETWORKS[name]
    model, meta = weights.load(SITE / network.weights_file)
    assert weights.describe(model) == weights.describe(network.build(np.random.default_rng(0)))
    assert {key: meta[key] for key in ("model", "seed", "epochs", "optimizer", "lr", "lr_schedule", "batch_size",
                                       "loss", "shift_pixels")} == {
        "model": network.title, "seed": mnist_models.SEED, "epochs": network.epochs, "optimizer": "Adam",
        "lr": mnist_models.LEARNING_RATE, "lr_schedule": mnist_models.SCHEDULE, "batch_size": mnist_models.BATCH_SIZE,
        "loss": "cross_entropy", "shift_pixels": mnist_models.SHIFT}
    assert meta["data"] == {"file": "data/mnist.npz", "split_seed": mnist.SPLIT_SEED, "test_fraction": 0.2,
                            "train_count": 8000, "source": mnist.SOURCE}
    assert meta["input"] == {"mlp": "pixel/255 in [0, 1], shape (N, 784)",
                             "cnn": "pixel/255 in [0, 1], shape (N, 1, 28, 28)"}[name]
    assert meta["trained_by"].startswith(f"python build.py train-mnist {name} (CPython ")


def few_digits():
    """200 training and 50 held-out digits: enough for the recipe to move the weights, quick for a CNN."""
    digits = mnist.load(MNIST)
    return mnist.Mnist(digits.train_images[:200], digits.train_labels[:200], digits.test_images[:50],
                       digits.test_labels[:50])


def trained(name, seed):
    trainer = mnist_models.trainer(mnist_models.NETWORKS[name], few_digits(), seed=seed, epochs=2)
    while not trainer.done:
        trainer.step()
    return trainer


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_the_same_seed_trains_the_same_network_and_another_seed_another(name):
    first, again, other = trained(name, 0), trained(name, 0), trained(name, 1)
    for a, b in zip(first.model.parameters(), again.model.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    assert first.history == again.history and first.progress == again.progress
    assert len(first.progress) == 14  # 2 epochs of 200 digits in batches of 32
    assert not np.array_equal(first.model[-1].weight.data, other.model[-1].weight.data)


def test_training_names_the_networks_it_knows(monkeypatch):
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(variable, "1")
    monkeypatch.setattr(sys, "path", list(sys.path))
    with pytest.raises(SystemExit, match="no network called 'lenet'; choose mlp or cnn, or none for all"):
        build.train_mnist("lenet")
