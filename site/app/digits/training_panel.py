"""Train from scratch, in the digits lab: a fresh network trained with the recipe that made the shipped weights,
live, a few digits at a time between the frames that draw it, with its curves and its status line.

It is the lab's part for a training run, as mlp_panel.py is for the MLP's views: the lab asks it to start and
stop, gives it a slice of each frame, and keeps the weights it hands back (a network's `(model, meta, origin)`).
"""
import time

import numpy as np

from app.digits import mnist_models
from app.digits.training_view import paint_training

# Digits per training call (Trainer's piece): a CNN's mini-batch of 32 took 55 ms in Pyodide under Node, more
# than a frame can spare, so it goes in pieces of 8 (7 ms each there); the MLP's, whole, about 4 ms in Chromium.
PIECES = {"mlp": 32, "cnn": 8}
TRAINED_BY = "Train from scratch, in the page"


class TrainingPanel:
    """One training run at a time on `page`: its button ("digit-train"), status line and curves canvas."""

    def __init__(self, page, digits, theme):
        self.page, self.digits, self.theme = page, digits, theme
        self.canvas = page.canvas("digit-training")
        self.trainer, self.training = None, False

    def start(self, network):
        """Train a fresh `network` (a `mnist_models.Network`); the weights in training, as (model, meta, origin)."""
        self.trainer = mnist_models.trainer(network, self.digits, piece=PIECES[network.name])
        self.training = True
        self.page.set_text("digit-train", "Stop training")
        return self.trainer.model, self.trainer.settings(), "training from scratch"

    def stop(self):
        """End the run; the weights it reached, as (model, meta, origin), or None when none was training.
        Their held-out accuracy is the lab's to measure (see DigitsLab.save_weights)."""
        if not self.training:
            return None
        self.training = False
        self.page.set_text("digit-train", "Train from scratch")
        trainer = self.trainer
        return (trainer.model, {**trainer.settings(), "trained_by": TRAINED_BY},
                f"trained in this page, {trainer.epoch} of {trainer.epochs} epochs")

    def train_for(self, budget_s):
        """Train for about `budget_s` seconds and say where the run is; True when it has finished its epochs."""
        started = time.perf_counter()
        while not self.trainer.done and time.perf_counter() - started < budget_s:
            self.trainer.step()
        trainer = self.trainer
        loss = trainer.progress[-1][1] if trainer.progress else float("nan")
        status = f"Epoch {trainer.epoch + (0 if trainer.done else 1)} of {trainer.epochs}, batch loss {loss:.3f}"
        if trainer.history:
            status += f"; held-out accuracy after epoch {trainer.history[-1][0]}: {100 * trainer.history[-1][4]:.1f}%"
        self.page.set_text("digit-training-status", status)
        return trainer.done

    def paint(self):
        """The training curves of the run (empty axes, saying what they will show, before one starts)."""
        self.canvas.fit()
        progress, history = (self.trainer.progress, self.trainer.history) if self.trainer else ([], [])
        epochs = self.trainer.epochs if self.trainer else 1  # the empty axes have no epochs to span
        paint_training(self.canvas.context, self.page.polyline, np.array(progress).reshape(-1, 2),
                       np.array(history).reshape(-1, 5), epochs, self.canvas.width, self.canvas.height, self.theme)
