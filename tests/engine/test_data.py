"""The datasets have TF Playground's geometry, are reproducible from a seed, and reject bad requests clearly."""
import numpy as np
import pytest

from engine import data


@pytest.mark.parametrize("name", data.DATASETS)
def test_shapes_and_labels(name):
    X, y = data.make(name, n=101, noise=0.2, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64 and y.shape == (101,)
    assert np.isfinite(X).all() and np.abs(X).max() < 12
    if name in data.REGRESSION:
        assert y.dtype == np.float64 and -1 <= y.min() < y.max() <= 1
    else:
        assert y.dtype.kind == "i" and set(y.tolist()) == set(range(data.NUM_CLASSES[name]))


@pytest.mark.parametrize("name", data.DATASETS)
def test_a_seed_reproduces_a_dataset_and_another_seed_differs(name):
    X, y = data.make(name, n=50, noise=0.1, seed=4)
    X_again, y_again = data.make(name, n=50, noise=0.1, seed=4)
    assert np.array_equal(X, X_again) and np.array_equal(y, y_again)
    assert not np.array_equal(X, data.make(name, n=50, noise=0.1, seed=5)[0])


def test_the_lists_cover_every_dataset():
    assert set(data.CLASSIFICATION) | set(data.REGRESSION) == set(data.DATASETS)
    assert not set(data.CLASSIFICATION) & set(data.REGRESSION)
    assert set(data.NUM_CLASSES) == set(data.CLASSIFICATION)


def radius(X):
    return np.hypot(X[:, 0], X[:, 1])


def test_circle_positives_inside_negatives_in_the_ring():
    X, y = data.make("circle", n=400, seed=0)
    assert radius(X[y == 1]).max() <= 2.5
    assert 3.5 <= radius(X[y == 0]).min() and radius(X[y == 0]).max() <= 5
    assert np.bincount(y).tolist() == [200, 200]


def test_circle_noise_flips_labels_but_does_not_move_points():
    X, y = data.make("circle", n=400, seed=0)
    X_noisy, y_noisy = data.make("circle", n=400, noise=0.5, seed=0)
    assert np.array_equal(X, X_noisy) and not np.array_equal(y, y_noisy)


def test_xor_keeps_off_the_axes_and_labels_by_quadrant():
    X, y = data.make("xor", n=400, seed=0)
    assert np.abs(X).min() >= 0.3 and np.abs(X).max() <= 5.3
    assert np.array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(int))


def test_gauss_clusters_around_plus_and_minus_two():
    X, y = data.make("gauss", n=2000, seed=0)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.1)
    assert X[y == 1].var(axis=0) == pytest.approx([0.5, 0.5], rel=0.15)
    wide = data.make("gauss", n=2000, noise=0.5, seed=0)[0]
    assert wide.var(axis=0) == pytest.approx([4 + 4, 4 + 4], rel=0.15)  # variance 4, plus 4 from the +-2 centres


def test_spiral_arms_reach_radius_five_in_one_and_three_quarter_turns():
    X, y = data.make("spiral", n=200, seed=0)
    assert radius(X).max() == pytest.approx(5 * 99 / 100) and radius(X).min() == 0
    for label, turn in ((1, 0.0), (0, np.pi)):  # x = r sin(t), y = r cos(t), t = 1.75 * 2pi * r / 5 + turn
        arm = X[y == label]
        angle = np.arctan2(arm[:, 0], arm[:, 1])
        expected = 1.75 * 2 * np.pi * radius(arm) / 5 + turn
        np.testing.assert_allclose(np.exp(1j * angle[radius(arm) > 0]), np.exp(1j * expected[radius(arm) > 0]))


def test_spiral_noise_jitters_each_point_by_at_most_noise():
    X, _ = data.make("spiral", n=200, seed=0)
    X_noisy, _ = data.make("spiral", n=200, noise=0.5, seed=0)
    assert 0.4 < np.abs(X_noisy - X).max() <= 0.5


def test_moons_span_about_plus_minus_six():
    X, y = data.make("moons", n=500, seed=0)
    assert X[:, 0].min() == pytest.approx(-6, abs=0.1) and X[:, 0].max() == pytest.approx(6, abs=0.1)
    assert X[y == 1, 1].mean() > X[y == 0, 1].mean()


def test_blobs3_has_three_separate_clusters():
    X, y = data.make("blobs3", n=300, seed=0)
    centres = np.array([X[y == k].mean(axis=0) for k in range(3)])
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2)[np.triu_indices(3, 1)]
    assert gaps.min() > 5 and np.bincount(y).tolist() == [100, 100, 100]


def test_plane_label_is_the_scaled_sum():
    X, y = data.make("plane", n=300, seed=0)
    assert np.abs(X).max() <= 6
    np.testing.assert_allclose(y, np.clip((X[:, 0] + X[:, 1]) / 10, -1, 1))


def test_multigauss_labels_are_the_strongest_bump():
    X, y = data.make("multigauss", n=2000, seed=0)
    assert np.abs(X).max() <= 6 and -1 <= y.min() and y.max() <= 1
    assert y.min() < -0.8 and y.max() > 0.8
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    for x, label in zip(X[:50], y[:50]):
        values = [sign * max(0.0, 1 - np.hypot(x[0] - cx, x[1] - cy) / 2) for cx, cy, sign in bumps]
        assert label == pytest.approx(max(values, key=abs))


def test_features_follow_their_formulas():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    columns = data.features(X, list(data.FEATURES))
    x1, x2 = X.T
    expected = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)])
    np.testing.assert_allclose(columns, expected)
    np.testing.assert_allclose(data.features(X, ["sin(x2)", "x1"]), np.column_stack([np.sin(x2), x1]))


def test_unknown_feature_lists_the_valid_ones():
    with pytest.raises(ValueError, match="cos") as error:
        data.features(np.zeros((1, 2)), ["x1", "cos(x1)"])
    assert all(name in str(error.value) for name in data.FEATURES)


def test_split_is_a_deterministic_partition():
    X, y = data.make("circle", n=100, seed=0)
    X_train, y_train, X_test, y_test = data.split(X, y, 0.3, seed=1)
    assert (len(X_train), len(y_train), len(X_test), len(y_test)) == (70, 70, 30, 30)
    rows = {tuple(row) for row in X_train} | {tuple(row) for row in X_test}
    assert len(rows) == 100 and not {tuple(r) for r in X_train} & {tuple(r) for r in X_test}
    for row, label in zip(X_test, y_test):  # points keep their labels
        assert y[np.all(X == row, axis=1)][0] == label
    again = data.split(X, y, 0.3, seed=1)
    assert np.array_equal(again[2], X_test)
    assert not np.array_equal(data.split(X, y, 0.3, seed=2)[2], X_test)


def test_unknown_dataset_lists_the_valid_ones():
    with pytest.raises(ValueError, match="rings") as error:
        data.make("rings")
    assert all(name in str(error.value) for name in data.DATASETS)


@pytest.mark.parametrize("noise", [-0.1, 0.51, 50])
def test_noise_outside_its_range_is_refused(noise):
    with pytest.raises(ValueError, match=rf"{noise}.*0\.5"):
        data.make("xor", noise=noise)


@pytest.mark.parametrize("n", [0, -5, 2.5])
def test_n_must_be_a_positive_integer(n):
    with pytest.raises(ValueError, match=f"n={n}"):
        data.make("circle", n=n)


@pytest.mark.parametrize("ratio", [0, 1, -0.2, 1.5])
def test_split_ratio_must_be_strictly_between_0_and_1(ratio):
    X, y = data.make("xor", n=10)
    with pytest.raises(ValueError, match="test_ratio"):
        data.split(X, y, ratio, seed=0)
