"""One training run: a model, its data and its optimizer, advanced one epoch at a time.

An epoch is one pass over the training points in mini-batches, as in TensorFlow Playground, so the epoch
counter means the same thing here as there. Nothing here touches the browser.
"""
from dataclasses import dataclass, field

import numpy as np

from engine import data, nn, no_grad, optim
from engine.nn import functional as F

INPUT_RANGE = 6.0  # datasets lie within about [-6, 6] on both axes


@dataclass
class Session:
    """A binary classifier training on a 2-D dataset; labels are 0/1 and the model outputs one logit."""

    model: nn.Module
    optimizer: object
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    batch_size: int = 10
    epoch: int = 0
    history: list = field(default_factory=list)  # (train loss, test loss) after each epoch

    @classmethod
    def first_screen(cls, seed=0):
        """The page's opening run: a 2-4-4-1 tanh network learning the circle dataset, as TF Playground opens."""
        X, y = data.make("circle", n=500, noise=0.0, seed=seed)
        X_train, y_train, X_test, y_test = data.split(X, y, test_ratio=0.5, seed=seed)
        model = nn.MLP(2, [4, 4], 1, activation="tanh", rng=np.random.default_rng(seed))
        return cls(model, optim.SGD(model.parameters(), lr=0.03), X_train, y_train, X_test, y_test)

    def loss(self, X, y):
        return F.binary_cross_entropy_with_logits(self.model(X), y[:, None])

    def train_epoch(self):
        """One pass over the training points, one optimizer step per mini-batch."""
        for start in range(0, len(self.X_train), self.batch_size):
            batch = slice(start, start + self.batch_size)
            loss = self.loss(self.X_train[batch], self.y_train[batch])
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
        self.epoch += 1
        with no_grad():
            self.history.append((self.loss(self.X_train, self.y_train).item(),
                                 self.loss(self.X_test, self.y_test).item()))

    def weights(self):
        """Each Linear layer's weight matrix, (n_out, n_in), input side first."""
        return [layer.weight.data for layer in self.model if isinstance(layer, nn.Linear)]

    def layer_sizes(self):
        weights = self.weights()
        return [weights[0].shape[1]] + [w.shape[0] for w in weights]

    def neuron_values(self, x):
        """Every neuron's real value for one input point: the inputs, each hidden layer's activations, and
        the output as the probability of class 1."""
        values = [np.asarray(x, dtype=np.float64)]
        with no_grad():
            h = values[0][None, :]
            for layer in self.model:
                h = layer(h)
                if not isinstance(layer, nn.Linear):
                    values.append(h.data[0])
            probability = h.sigmoid().data[0]
        return values + [probability]


def shades(values):
    """Neuron values scaled into [-1, 1] for colour: inputs by their range, the probability as 2p - 1."""
    return [values[0] / INPUT_RANGE, *values[1:-1], 2.0 * values[-1] - 1.0]
