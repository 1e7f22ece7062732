"""The recipe that trains a digit classifier, one mini-batch at a time, in the build and in the page alike:
Adam, cross-entropy, shuffled mini-batches, and optionally each training digit moved a few pixels at random
and a learning rate that falls to zero over the run.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from engine import no_grad, optim, weights
from engine.nn import functional as F

# Digits per forward pass when a whole set is scored: a CNN's first convolution on 2,000 28x28 digits at once
# would unfold ~300 MB of patches; 250 at a time keep it under 40.
SCORING_BATCH = 250
# How the learning rate moves over the run: held at `lr`, or falling in a straight line from `lr` at the first
# mini-batch towards 0 after the last, which lets Adam settle into a minimum its full steps jump over.
SCHEDULES = ("constant", "linear")


def evaluate(model, images, labels, to_input=np.asarray):
    """(mean cross-entropy, number correct) of `model` on a labelled set, without building a graph;
    `to_input` turns a slice of `images` into what the model takes.
    """
    total_loss, correct = 0.0, 0
    with no_grad():
        for start in range(0, len(labels), SCORING_BATCH):
            batch = slice(start, start + SCORING_BATCH)
            logits = model(to_input(images[batch]))
            total_loss += F.cross_entropy(logits, labels[batch]).item() * len(labels[batch])
            correct += int((logits.data.argmax(axis=1) == labels[batch]).sum())
    return total_loss / len(labels), correct


def shifted(images, offsets):
    """`images` (N, ..., H, W), each moved by its row of `offsets` (N, 2): (down, right) in whole pixels,
    the uncovered border left blank (0).

    >>> shifted(np.arange(1, 10).reshape(1, 3, 3), np.array([[1, -1]]))[0]
    array([[0, 0, 0],
           [2, 3, 0],
           [5, 6, 0]])
    """
    reach = int(np.abs(offsets).max(initial=0))
    padding = [(0, 0)] * (images.ndim - 2) + [(reach, reach)] * 2
    windows = sliding_window_view(np.pad(images, padding), images.shape[-2:], axis=(-2, -1))
    return windows[np.arange(len(images)), ..., reach - offsets[:, 0], reach - offsets[:, 1], :, :]


class Trainer:
    """Trains a fresh network made by `build(rng)` on `digits` (train and test images and labels).

    Everything random (the weights, each epoch's order, each digit's shift of up to `shift` pixels) comes
    from one generator seeded with `seed`, so the same seed trains the same network. `schedule` is one of
    SCHEDULES. `to_input` turns stored images into the network's input. `about` says what a weights file
    should record of the data and the input beyond the recipe. `history` gets one row per finished epoch:
    (epoch, train loss, test loss, train accuracy, test accuracy), all on the unshifted digits; `progress`
    one (epochs so far, loss) per mini-batch.

    `piece` is for the page, which must finish each animation frame quickly: each call of `step` then works
    on at most `piece` digits, so a mini-batch takes several calls (their gradients summed into the same
    update, made by the last) and so does measuring an epoch. By default a call does a whole mini-batch, and
    the last of an epoch also measures it.
    """

    def __init__(self, digits, build, *, seed, epochs, lr, batch_size, shift=0, schedule="constant",
                 to_input=np.asarray, about=None, piece=None):
        if schedule not in SCHEDULES:
            raise ValueError(f"Trainer: unknown learning rate schedule {schedule!r}; "
                             f"choose one of {', '.join(SCHEDULES)}")
        self.digits, self.seed, self.epochs, self.lr, self.batch_size = digits, seed, epochs, lr, batch_size
        self.shift, self.schedule, self.to_input, self.about = shift, schedule, to_input, about or {}
        self.rng = np.random.default_rng(seed)
        self.model = build(self.rng)
        self.optimizer = optim.Adam(self.model.parameters(), lr=lr)
        self.epoch, self.order, self.position = 0, None, 0
        self.history, self.progress = [], []
        self.piece, self.work = piece, self.run()

    @property
    def done(self):
        return self.epoch >= self.epochs

    def step(self):
        """One mini-batch: forward, loss, backward, Adam; the last batch of an epoch also evaluates. With
        `piece`, only the next `piece` digits of that work."""
        next(self.work)

    def run(self):
        """The whole run as a generator that pauses after each call's work (see `step`)."""
        while True:
            self.order = self.rng.permutation(len(self.digits.train_labels))
            for self.position in range(self.batch_size, len(self.order) + self.batch_size, self.batch_size):
                batch = self.order[self.position - self.batch_size:self.position]
                yield from self.train_batch(batch)
                if self.piece or self.position < len(self.order):
                    yield  # without a piece, the call that ends an epoch goes on to measure it
            self.position = len(self.order)
            measured = yield from self.measured()
            self.epoch, self.order = self.epoch + 1, None
            self.history.append((self.epoch, *measured))
            yield

    def pieces(self, count):
        """Slices of `count` digits, `piece` at a time (all at once without a piece)."""
        size = self.piece or count
        return [slice(start, start + size) for start in range(0, count, size)]

    def train_batch(self, batch):
        """A generator: the mini-batch `batch` (indices of training digits), pausing between pieces."""
        images = self.digits.train_images[batch]
        if self.shift:
            images = shifted(images, self.rng.integers(-self.shift, self.shift + 1, size=(len(batch), 2)))
        labels, loss = self.digits.train_labels[batch], 0.0
        self.optimizer.zero_grad()
        for number, part in enumerate(self.pieces(len(batch))):
            if number:
                yield
            share = len(labels[part]) / len(batch)  # pieces' mean losses, weighted: the batch's mean
            piece_loss = F.cross_entropy(self.model(self.to_input(images[part])), labels[part])
            (piece_loss * share if share != 1 else piece_loss).backward()
            loss += piece_loss.item() * share
        if self.schedule == "linear":
            steps = self.epochs * -(-len(self.order) // self.batch_size)
            self.optimizer.lr = self.lr * max(1 - len(self.progress) / steps, 0.0)  # progress: the batches so far
        self.optimizer.step()
        self.progress.append((self.epoch + min(self.position, len(self.order)) / len(self.order), loss))

    def measured(self):
        """A generator returning (train loss, test loss, train accuracy, test accuracy) of the network as it
        stands, pausing between pieces."""
        d, scores, started = self.digits, [], False
        for images, labels in ((d.train_images, d.train_labels), (d.test_images, d.test_labels)):
            total, correct = 0.0, 0
            for part in self.pieces(len(labels)):
                if started and self.piece:
                    yield
                started = True
                loss, right = self.score(images[part], labels[part])
                total, correct = total + loss * len(labels[part]), correct + right
            scores.append((total / len(labels), correct / len(labels)))
        (train_loss, train_accuracy), (test_loss, test_accuracy) = scores
        return train_loss, test_loss, train_accuracy, test_accuracy

    def train_epoch(self):
        """Steps until the current epoch ends."""
        epoch = self.epoch
        while self.epoch == epoch:
            self.step()

    def score(self, images, labels):
        """(mean cross-entropy, number correct) of the network as it stands on a labelled set."""
        return evaluate(self.model, images, labels, self.to_input)

    def recipe(self):
        """What a weights file records beside the weights: the accuracy and how to get it again."""
        d = self.digits
        test_loss, test_correct = self.score(d.test_images, d.test_labels)
        return {
            "test_accuracy": test_correct / len(d.test_labels), "test_correct": test_correct,
            "test_count": len(d.test_labels), "test_loss": test_loss, **self.settings(),
        }

    def settings(self):
        """How to get these weights again, without measuring them (the page measures them a slice a frame)."""
        return {"seed": self.seed, "epochs": self.epoch, "optimizer": "Adam", "lr": self.lr,
                "batch_size": self.batch_size, "loss": "cross_entropy", "shift_pixels": self.shift,
                "lr_schedule": self.schedule, **self.about}


def train_and_save(trainer, path, trained_by, log=print):
    """Run `trainer` to its last epoch, logging each, and write the weights with the recipe to `path`;
    returns the recipe, which records `trained_by` (the command that made the file).
    """
    while not trainer.done:
        trainer.train_epoch()
        epoch, train_loss, test_loss, train_accuracy, test_accuracy = trainer.history[-1]
        log(f"epoch {epoch:2d}: train loss {train_loss:.4f}, test loss {test_loss:.4f}, "
            f"train accuracy {train_accuracy:.4f}, test accuracy {test_accuracy:.4f}")
    meta = {**trainer.recipe(), "trained_by": trained_by}
    weights.save(trainer.model, path, meta=meta)
    return meta
