"""The MLP view's tests read real digits through a real MLP: the MNIST lab's 784-64-32-10 network trained with
the lab's own recipe on 150 mini-batches (about 1 s; it then reads about 85% of the held-out digits right),
made once per session."""
from functools import cache

import numpy as np

from app.digits import mnist, mnist_models

from tests.app.digits.files import MNIST

MLP = mnist_models.NETWORKS["mlp"]
BATCHES = 150


@cache
def trained_mlp():
    """(model, digits): 150 mini-batches of the recipe, seed 0, on site/data/mnist.npz."""
    digits = mnist.load(MNIST)
    trainer = mnist_models.trainer(MLP, digits, epochs=1)
    for _ in range(BATCHES):
        trainer.step()
    return trainer.model, digits


def held_out(label):
    """(pixels (784,) in [0, 1], index) of the first held-out digit labelled `label` (they are stored in order
    of their labels, so the first few are all zeros)."""
    _, digits = trained_mlp()
    index = int(np.flatnonzero(digits.test_labels == label)[0])
    return MLP.as_input(digits.test_images[index])[0], index


def step_by_hand(model, pixels, label, learning_rate):
    """Forward, cross-entropy, backward and an SGD step of the 784-64-32-10 ReLU MLP, written out in numpy."""
    (w1, b1), (w2, b2), (w3, b3) = ((layer.weight.data, layer.bias.data) for layer in model[0::2])
    z1 = w1 @ pixels + b1
    a1 = np.maximum(z1, 0.0)
    z2 = w2 @ a1 + b2
    a2 = np.maximum(z2, 0.0)
    scores = w3 @ a2 + b3
    shifted = scores - scores.max()
    probabilities = np.exp(shifted) / np.exp(shifted).sum()
    loss = -np.log(probabilities[label])
    d_scores = probabilities - np.eye(10)[label]          # dloss/dscore of softmax + cross-entropy
    d_a2 = w3.T @ d_scores
    d_z2 = d_a2 * (z2 > 0)                                  # ReLU passes a gradient only where it was positive
    d_a1 = w2.T @ d_z2
    d_z1 = d_a1 * (z1 > 0)
    weight_gradients = [np.outer(d_z1, pixels), np.outer(d_z2, a1), np.outer(d_scores, a2)]
    return {"activations": [pixels, a1, a2], "scores": scores, "probabilities": probabilities, "loss": loss,
            "gradients": [d_a1, d_a2, d_scores], "weight_gradients": weight_gradients,
            "changes": [-learning_rate * g for g in weight_gradients]}
