"""What each slab shows: the input, every layer but Flatten, and the weights behind each one."""
import numpy as np

from app.digits import cnn_inspect, mnist_models
from app.digits import layers as lab_layers
from engine import weights

from tests.app.digits.files import SITE


def slabs():
    model, _ = weights.load(SITE / mnist_models.NETWORKS["cnn"].weights_file)
    return model, lab_layers.slabs_of(cnn_inspect.inspect(model, np.eye(28)))


def test_the_input_comes_first_and_flatten_is_left_out():
    _, shown = slabs()
    assert [slab.name for slab in shown] == ["input", "conv 1", "ReLU 1", "pool 1", "conv 2", "ReLU 2", "pool 2",
                                             "dense 1", "ReLU 3", "dense 2", "ReLU 4", "dense 3"]
    assert shown[0].values.shape == (1, 28, 28) and shown[-1].values.shape == (10,)


def test_a_pooling_layer_shows_the_filters_of_the_convolution_before_it():
    model, shown = slabs()
    name, weight = lab_layers.weights_behind(shown, 3)  # pool 1
    assert name == "conv 1" and weight is model[0].weight.data
    assert lab_layers.weights_behind(shown, 0) == (None, None)
    assert lab_layers.describe_filters("pool 1", name, weight) == (
        "pool 1 has no weights of its own; its input comes from conv 1's filters (6 x 1 x 5 x 5): one 5x5 filter "
        "per map, in the grid of its maps; blue weights add, orange subtract.")
    assert lab_layers.describe_filters("dense 3", *lab_layers.weights_behind(shown, 11)) == (
        "dense 3's weights (10 x 84): one row per unit it computes, one column per input.")


def test_the_statistics_rows_are_the_values_own():
    _, shown = slabs()
    rows = lab_layers.statistics_rows(shown)
    relu = shown[2].values
    assert rows[2][:2] == ("ReLU 1", "6 x 28 x 28") and rows[2][5] == f"{100 * (relu == 0).mean():.0f}%"
    assert rows[2][4] == f"{relu.max():.3f}"
