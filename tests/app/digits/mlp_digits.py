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
