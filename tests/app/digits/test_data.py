"""The committed digits file: UCI optdigits' 8x8 counts, every class on both sides of the recorded split."""
import numpy as np
import pytest

from app.digits import data as digits_data
from engine.data import split

from tests.app.digits.files import DIGITS


def stored():
    with np.load(DIGITS, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def test_the_file_holds_1797_images_of_counts_0_to_16_with_their_labels():
    data = stored()
    assert data["images"].shape == (1797, 8, 8) and data["images"].dtype == np.uint8
    assert data["images"].max() == 16 and data["images"].min() == 0
    assert np.bincount(data["labels"]).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert "optdigits" in str(data["source"]).lower() or "Optical Recognition" in str(data["source"])


def test_the_recorded_split_is_the_seeded_one_and_holds_every_digit_on_both_sides():
    data = stored()
    _, _, test_index, _ = split(np.arange(1797), data["labels"], digits_data.TEST_FRACTION, digits_data.SPLIT_SEED)
    assert data["test_index"].tolist() == sorted(test_index.tolist())
    digits = digits_data.load(DIGITS)
    assert len(digits.test_labels) == 359 and len(digits.train_labels) == 1438
    assert set(digits.train_labels) == set(digits.test_labels) == set(range(10))
    assert digits.train_images.shape == (1438, 1, 8, 8) and digits.train_images.max() == 1.0


def test_every_digit_touches_the_top_and_bottom_rows_which_the_pad_reproduces():
    # The fact the drawing pad's scaling rests on: optdigits' normalisation stretches each digit to the
    # full height of the 32x32 bitmap, so ink reaches the first and last of the 8 rows.
    images = stored()["images"]
    assert (images[:, 0, :].max(axis=1) > 0).all() and (images[:, 7, :].max(axis=1) > 0).all()


def test_the_file_equals_scikit_learns_digits_where_scikit_learn_is_installed():
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    data = stored()
    np.testing.assert_array_equal(data["images"], digits.images)
    np.testing.assert_array_equal(data["labels"], digits.target)
