"""The MNIST lab's two networks, the MLP 784-64-32-10 and a LeNet-5-style CNN, and the one recipe that trains
either, in the build (`python build.py train-mnist`) and in the page, one mini-batch at a time.
"""
from pathlib import PurePosixPath
from typing import Callable, NamedTuple

from engine import nn

from app.digits import mnist, training

# The recipe, for both networks: Adam, cross-entropy, shuffled mini-batches, every training digit moved by
# up to SHIFT pixels each way (drawn anew each time), so a network learns a digit's shape, not its place, and
# a learning rate falling linearly to 0 over the run. Each network has its own number of epochs (below).
SEED, LEARNING_RATE, BATCH_SIZE, SHIFT, SCHEDULE = 0, 0.003, 32, 2, "linear"


def mlp(rng):
    """The MLP 784-64-32-10 with ReLU: one input per pixel. 52,650 parameters.

    >>> import numpy as np
    >>> model = mlp(np.random.default_rng(0))
    >>> model(np.zeros((5, 784))).shape, sum(p.size for p in model.parameters())
    ((5, 10), 52650)
    """
    return nn.MLP(784, [64, 32], 10, activation="relu", rng=rng)


def lenet(rng):
    """LeNet-5's shape with ReLU and max pooling: 5x5 convolutions to 6 maps (padded: 28x28), pooled to 14x14,
    to 16 maps of 10x10, pooled to 5x5, then 400 features -> 120 -> 84 -> 10 digit scores. 61,706 parameters.

    >>> import numpy as np
    >>> model = lenet(np.random.default_rng(0))
    >>> model(np.zeros((5, 1, 28, 28))).shape, sum(p.size for p in model.parameters())
    ((5, 10), 61706)
    """
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120, rng=rng, init="he"), nn.ReLU(),
        nn.Linear(120, 84, rng=rng, init="he"), nn.ReLU(),
        nn.Linear(84, 10, rng=rng),
    )


class Network(NamedTuple):
    """One of the lab's networks: how to make it, the shape of one digit as it takes it, and how many epochs
    of the recipe train it."""

    name: str  # "mlp" or "cnn": how `build.py train-mnist` and the weights file name it
    title: str  # how the page names it
    build: Callable
    input_shape: tuple
    epochs: int

    @property
    def weights_file(self):
        """Where its trained weights are, relative to site/ (and so to the built page)."""
        return PurePosixPath(f"data/mnist-{self.name}.npz")

    @property
    def views(self):
        """Which of the lab's views show it: "cnn", the layer-by-layer ones, or "mlp", the neuron view."""
        return self.name

    @property
    def short(self):
        """How the lab's sentences name it: "CNN", "MLP"."""
        return self.name.upper()

    @property
    def input(self):
        """Its input in words, as its weights file records it.

        >>> NETWORKS["mlp"].input
        'pixel/255 in [0, 1], shape (N, 784)'
        """
        return f"pixel/255 in [0, 1], shape (N, {', '.join(map(str, self.input_shape))})"

    def as_input(self, levels):
        """Grey levels 0..255 (one 28x28 image or a stack) as this network's input."""
        return mnist.as_input(levels, self.input_shape)


NETWORKS = {network.name: network for network in (
    Network("mlp", "MLP 784-64-32-10", mlp, (784,), epochs=40),
    Network("cnn", "CNN (LeNet-5 style)", lenet, (1, mnist.SIZE, mnist.SIZE), epochs=20),
)}


def trainer(network, digits, seed=SEED, epochs=None, piece=None):
    """A `training.Trainer` for a fresh `network` on `digits` (an `mnist.Mnist`) with the recipe; `epochs`
    defaults to the network's own; `piece` is the Trainer's (the page's digits per call)."""
    about = {
        "model": network.title,
        "data": {"file": str(mnist.FILE), "split_seed": mnist.SPLIT_SEED, "test_fraction": mnist.TEST_FRACTION,
                 "train_count": len(digits.train_labels), "source": mnist.SOURCE},
        "input": network.input,
    }
    return training.Trainer(digits, network.build, seed=seed, epochs=network.epochs if epochs is None else epochs,
                            lr=LEARNING_RATE, batch_size=BATCH_SIZE, shift=SHIFT, schedule=SCHEDULE,
                            to_input=network.as_input, about=about, piece=piece)


def train_and_save(name, path, data_path, trained_by, log=print):
    """Train the network called `name` with the recipe and write its weights and recipe to `path`; returns
    the recipe, which records `trained_by` (the command, and where it ran)."""
    return training.train_and_save(trainer(NETWORKS[name], mnist.load(data_path)), path, trained_by, log)
