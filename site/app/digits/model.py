"""The CNN lab's network and the one recipe that trains it, in the build (`python build.py train-digits`)
and in the page (Train from scratch) alike, one mini-batch at a time so the page can spread it over frames.
"""
import numpy as np

from engine import no_grad, nn, optim, weights
from engine.nn import functional as F

from app.digits import data as digits_data

WEIGHTS_FILE = "data/digits-cnn.npz"  # relative to site/ (and so to the built page)
SEED, EPOCHS, LEARNING_RATE, BATCH_SIZE = 0, 12, 0.01, 32  # the recipe; Adam, cross-entropy


def lenet(rng):
    """A LeNet for 8x8 digits: two 3x3 convolutions (8 and 16 filters, padding keeps the size) each with
    ReLU and 2x2 max pooling (8x8 -> 4x4 -> 2x2), then 64 features -> 10 digit scores. 1,898 parameters.

    >>> model = lenet(np.random.default_rng(0))
    >>> model(np.zeros((5, 1, 8, 8))).shape, sum(p.size for p in model.parameters())
    ((5, 10), 1898)
    """
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64, 10, rng=rng),
    )


def evaluate(model, images, labels):
    """(mean cross-entropy, number correct) of `model` on a labelled set, without building a graph."""
    with no_grad():
        logits = model(images)
        return F.cross_entropy(logits, labels).item(), int((logits.data.argmax(axis=1) == labels).sum())


class Trainer:
    """Trains a fresh `lenet` on the digits with the recipe: Adam, cross-entropy, shuffled mini-batches.

    Everything random (the weights, each epoch's order) comes from one generator seeded with `seed`, so
    the same seed trains the same network. `history` gets one row per finished epoch: (epoch, train loss,
    test loss, train accuracy, test accuracy); `progress` one (epochs so far, loss) per mini-batch.
    """

    def __init__(self, digits, seed=SEED, epochs=EPOCHS, lr=LEARNING_RATE, batch_size=BATCH_SIZE):
        self.digits, self.seed, self.epochs, self.lr, self.batch_size = digits, seed, epochs, lr, batch_size
        self.rng = np.random.default_rng(seed)
        self.model = lenet(self.rng)
        self.optimizer = optim.Adam(self.model.parameters(), lr=lr)
        self.epoch, self.order, self.position = 0, None, 0
        self.history, self.progress = [], []

    @property
    def done(self):
        return self.epoch >= self.epochs

    def step(self):
        """One mini-batch: forward, loss, backward, Adam; the last batch of an epoch also evaluates."""
        if self.order is None:
            self.order, self.position = self.rng.permutation(len(self.digits.train_labels)), 0
        batch = self.order[self.position:self.position + self.batch_size]
        self.position += self.batch_size
        loss = F.cross_entropy(self.model(self.digits.train_images[batch]), self.digits.train_labels[batch])
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.progress.append((self.epoch + self.position / len(self.order), loss.item()))
        if self.position >= len(self.order):
            self.epoch, self.order = self.epoch + 1, None
            self.history.append((self.epoch, *self.measure()))

    def train_epoch(self):
        """Steps until the current epoch ends."""
        epoch = self.epoch
        while self.epoch == epoch:
            self.step()

    def measure(self):
        """(train loss, test loss, train accuracy, test accuracy) of the network as it stands."""
        d = self.digits
        train_loss, train_correct = evaluate(self.model, d.train_images, d.train_labels)
        test_loss, test_correct = evaluate(self.model, d.test_images, d.test_labels)
        return train_loss, test_loss, train_correct / len(d.train_labels), test_correct / len(d.test_labels)

    def recipe(self):
        """What a weights file records beside the weights: the accuracy and how to get it again."""
        d = self.digits
        test_loss, test_correct = evaluate(self.model, d.test_images, d.test_labels)
        return {
            "test_accuracy": test_correct / len(d.test_labels), "test_correct": test_correct,
            "test_count": len(d.test_labels), "test_loss": test_loss,
            "seed": self.seed, "epochs": self.epoch, "optimizer": "Adam", "lr": self.lr,
            "batch_size": self.batch_size, "loss": "cross_entropy",
            "data": {"file": str(digits_data.FILE), "split_seed": digits_data.SPLIT_SEED,
                     "test_fraction": digits_data.TEST_FRACTION, "train_count": len(d.train_labels),
                     "source": digits_data.SOURCE},
            "input": "8x8 counts 0..16 divided by 16, shape (N, 1, 8, 8)",
        }


def train_and_save(path, data_path, log=print):
    """Train with the recipe and write the weights and the recipe to `path`; returns the recipe."""
    trainer = Trainer(digits_data.load(data_path))
    while not trainer.done:
        trainer.train_epoch()
        epoch, train_loss, test_loss, train_accuracy, test_accuracy = trainer.history[-1]
        log(f"epoch {epoch:2d}: train loss {train_loss:.4f}, test loss {test_loss:.4f}, "
            f"train accuracy {train_accuracy:.4f}, test accuracy {test_accuracy:.4f}")
    meta = {**trainer.recipe(), "trained_by": "python build.py train-digits"}
    weights.save(trainer.model, path, meta=meta)
    return meta
