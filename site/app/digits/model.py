"""The CNN lab's network and the one recipe that trains it, in the build (`python build.py train-digits`)
and in the page (Train from scratch) alike, one mini-batch at a time so the page can spread it over frames.
"""
from engine import nn

from app.digits import data as digits_data
from app.digits import training
from app.digits.training import evaluate  # noqa: F401  (the lab scores its weights through this module)

WEIGHTS_FILE = "data/digits-cnn.npz"  # relative to site/ (and so to the built page)
SEED, EPOCHS, LEARNING_RATE, BATCH_SIZE = 0, 12, 0.01, 32  # the recipe; Adam, cross-entropy


def lenet(rng):
    """A LeNet for 8x8 digits: two 3x3 convolutions (8 and 16 filters, padding keeps the size) each with
    ReLU and 2x2 max pooling (8x8 -> 4x4 -> 2x2), then 64 features -> 10 digit scores. 1,898 parameters.

    >>> import numpy as np
    >>> model = lenet(np.random.default_rng(0))
    >>> model(np.zeros((5, 1, 8, 8))).shape, sum(p.size for p in model.parameters())
    ((5, 10), 1898)
    """
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64, 10, rng=rng),
    )


class Trainer(training.Trainer):
    """Trains a fresh `lenet` on the 8x8 digits with the recipe (Adam, cross-entropy, shuffled mini-batches,
    no shifts); see `training.Trainer` for what it keeps as it goes.
    """

    def __init__(self, digits, seed=SEED, epochs=EPOCHS, lr=LEARNING_RATE, batch_size=BATCH_SIZE):
        about = {
            "data": {"file": str(digits_data.FILE), "split_seed": digits_data.SPLIT_SEED,
                     "test_fraction": digits_data.TEST_FRACTION, "train_count": len(digits.train_labels),
                     "source": digits_data.SOURCE},
            "input": "8x8 counts 0..16 divided by 16, shape (N, 1, 8, 8)",
        }
        super().__init__(digits, lenet, seed=seed, epochs=epochs, lr=lr, batch_size=batch_size, about=about)


def train_and_save(path, data_path, log=print):
    """Train with the recipe and write the weights and the recipe to `path`; returns the recipe."""
    return training.train_and_save(Trainer(digits_data.load(data_path)), path, "python build.py train-digits", log)
