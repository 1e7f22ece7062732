"""The handwritten digits the CNN lab learns from: scikit-learn's copy of UCI optdigits, 8x8 counts 0..16.

`python build.py digits` converts the data once into site/data/digits.npz (committed, so neither the build
nor the tests need scikit-learn): the images as uint8, their labels, and which of them are held out for
testing, chosen once with a fixed seed and recorded in the file, so every trainer and every test uses the
same split.
"""
from pathlib import PurePosixPath
from typing import NamedTuple

import numpy as np

FILE = PurePosixPath("data/digits.npz")  # relative to site/ (and so to the built page)
SPLIT_SEED, TEST_FRACTION = 0, 0.2
SOURCE = ("UCI ML Optical Recognition of Handwritten Digits (E. Alpaydin, C. Kaynak, 1998), test set of "
          "1,797 digits as shipped in scikit-learn 1.9.1 (sklearn/datasets/data/digits.csv.gz)")
MAX_COUNT = 16  # each pixel counts the "on" pixels of a 4x4 block of a 32x32 bitmap


class Digits(NamedTuple):
    """The data set as the network sees it: images (N, 1, 8, 8) scaled to 0..1, integer labels (N,)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


def as_input(counts):
    """8x8 counts 0..16 (one image or a stack) as the network's input: (N, 1, 8, 8) float64 in 0..1.

    >>> as_input(np.full((8, 8), 16, np.uint8)).shape, float(as_input(np.full((8, 8), 8)).max())
    ((1, 1, 8, 8), 0.5)
    """
    counts = np.asarray(counts, dtype=np.float64)
    return counts.reshape(-1, 1, 8, 8) / MAX_COUNT


def load(file):
    """The digits in `file` (a path or a binary file), split as recorded in it."""
    with np.load(file, allow_pickle=False) as stored:
        images, labels, test = stored["images"], stored["labels"], stored["test_index"]
    is_test = np.zeros(len(labels), bool)
    is_test[test] = True
    return Digits(as_input(images[~is_test]), labels[~is_test].astype(np.intp),
                  as_input(images[is_test]), labels[is_test].astype(np.intp))
