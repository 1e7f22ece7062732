"""The plane grid and the pictures made from values over it."""
import numpy as np
import pytest
from tests.app.canvas_recorder import RecordingContext

from app.playground.curve_view import KEY_HEIGHT, curve_points, paint_loss_curve
from app.playground.plane import (CLASS_COLOURS, RESOLUTION, THUMBNAIL, class_image, diverging_image, downsample,
                         from_plane, plane_grid, to_plane)
from app.shared.palette import DARK, LIGHT, NEGATIVE, POSITIVE, to_oklab


def test_the_grid_covers_the_plane_top_row_first_at_pixel_centres():
    grid = plane_grid()
    assert grid.shape == (RESOLUTION * RESOLUTION, 2)
    assert np.isclose(grid[:, 0].min(), -6 + 0.06) and np.isclose(grid[:, 0].max(), 6 - 0.06)
    image = grid.reshape(RESOLUTION, RESOLUTION, 2)
    assert (image[0, :, 1] > image[-1, :, 1]).all()       # top row is x2 = +6
    assert (np.diff(image[0, :, 0]) > 0).all()            # left to right is increasing x1


def test_a_point_maps_to_the_pixel_whose_grid_centre_it_is():
    grid = plane_grid()
    for index in (0, 4242, RESOLUTION * RESOLUTION - 1):
        x, y = to_plane(grid[index], RESOLUTION, RESOLUTION)
        assert int(y) * RESOLUTION + int(x) == index
        assert np.allclose(from_plane(x, y, RESOLUTION, RESOLUTION), grid[index])


def test_diverging_image_colours_each_side_and_discretize_makes_it_hard():
    values = np.array([[-1.0, -0.2], [0.2, 1.0]])
    image = diverging_image(values, LIGHT)
    assert image.shape == (2, 2, 4) and image.dtype == np.uint8 and (image[..., 3] == 255).all()
    assert image[0, 0, :3].tolist() == LIGHT.rgb(-1.0).tolist()
    hard = diverging_image(values, LIGHT, discretize=True)
    assert hard[0, 1, :3].tolist() == LIGHT.rgb(-1.0).tolist() and hard[1, 0, :3].tolist() == LIGHT.rgb(1.0).tolist()


def test_class_image_is_the_winning_colour_as_strong_as_the_model_is_sure():
    sure = np.array([[[0.0, 1.0, 0.0]]])
    unsure = np.array([[[1 / 3, 1 / 3, 1 / 3]]])
    assert class_image(sure, LIGHT)[0, 0, :3].tolist() == CLASS_COLOURS[1].astype(int).tolist()
    assert class_image(unsure, LIGHT)[0, 0, :3].tolist() == list(LIGHT.neutral)
    leaning = np.array([[[0.6, 0.2, 0.2]]])
    assert class_image(leaning, LIGHT, discretize=True)[0, 0, :3].tolist() == CLASS_COLOURS[0].astype(int).tolist()


def test_thumbnails_sample_the_same_grid():
    values = np.arange(RESOLUTION * RESOLUTION, dtype=float)
    small = downsample(values)
    assert small.shape == (THUMBNAIL, THUMBNAIL)
    assert small[0, 0] == values.reshape(RESOLUTION, RESOLUTION)[2, 2]


def strokes(ctx):
    """Every line stroked, in order: (points, colour, width, dash)."""
    style, drawn = {"dash": []}, []
    for name, args in ctx.calls:
        if name.startswith("="):
            style[name[1:]] = args[0]
        elif name == "setLineDash":
            style["dash"] = list(args[0])
        elif name == "stroke":
            drawn.append((args[0][1], style["strokeStyle"], style["lineWidth"], style["dash"]))
    return drawn


def test_the_loss_curve_spans_the_box_and_thins_long_runs():
    points = curve_points(np.linspace(1.0, 0.0, 5000), 200, 100, 1.0)
    assert len(points) <= 100
    assert points[0].tolist() == [0.0, 0.0] and points[-1].tolist() == [200.0, 100.0]
    ctx = RecordingContext()
    history = np.column_stack([np.linspace(1, 0.1, 50), np.linspace(1.2, 0.3, 50)])
    paint_loss_curve(ctx, lambda points: ("Polyline", points), history, 300, 80, LIGHT)
    train, test = strokes(ctx)[:2]
    assert len(train[0]) == 50  # one point per epoch
    box = 80 - KEY_HEIGHT - 2  # under the key
    np.testing.assert_allclose(train[0][0], [0.0, KEY_HEIGHT + 1 + box * (1 - 1.0 / 1.2)])  # the top is the test loss's 1.2
    assert train[0][-1, 0] == 300.0 and np.all(np.diff(train[0][:, 1]) > 0)  # a falling loss goes down
    assert train[3] == [] and test[3] != []  # training solid, test dashed


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_the_loss_curve_has_a_key_drawn_as_its_lines_are(theme):
    ctx = RecordingContext()
    history = np.column_stack([np.linspace(1, 0.1, 50), np.linspace(1.2, 0.3, 50)])
    paint_loss_curve(ctx, lambda points: ("Polyline", points), history, 300, 80, theme)
    (train, test, *key), words = strokes(ctx), ctx.named("fillText")
    assert sorted(text for text, *_ in words) == ["test", "training"]
    key, words = sorted(key, key=lambda line: line[0][0, 0]), sorted(words, key=lambda word: word[1])
    for line, (text, x, y) in zip(key, words):  # from the left: a piece of each line, then its name
        assert line[1:] == {"training": train, "test": test}[text][1:]  # the same colour, width and dash
        assert line[0][:, 0].max() < x and np.all(line[0][:, 1] == y) and y < KEY_HEIGHT  # in the strip over the curve
    assert min(train[0][:, 1].min(), test[0][:, 1].min()) > KEY_HEIGHT
    # In either theme the two lines differ in lightness as well as in dash (dark: bright text, then muted).
    lightness = to_oklab([tuple(int(line[1][i:i + 2], 16) for i in (1, 3, 5)) for line in (train, test)])[:, 0]
    assert abs(lightness[0] - lightness[1]) > 0.15


def test_without_a_test_loss_the_training_curve_is_still_drawn():
    ctx = RecordingContext()
    history = np.column_stack([np.linspace(1, 0.1, 30), np.full(30, np.nan)])  # own points, or a trace
    paint_loss_curve(ctx, lambda points: ("Polyline", points), history, 300, 80, LIGHT)
    curve, key = strokes(ctx)
    assert len(curve[0]) == 30 and [text for text, *_ in ctx.named("fillText")] == ["training"]  # the key: it alone


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_the_colour_scale_is_perceptual_each_value_lies_its_share_of_the_way_in_oklab(theme):
    values = np.arange(0, 128, 8) / 127  # every eighth level of the scale's positive half
    for sign, end in ((1.0, POSITIVE), (-1.0, NEGATIVE)):
        start, stop = to_oklab(theme.neutral), to_oklab(end)
        expected = start + values[:, None] * (stop - start)
        # uint8 rounding alone moves a colour ~0.001; mixing the RGB values instead strays 0.01 to 0.02
        assert np.abs(to_oklab(theme.rgb(sign * values)) - expected).max() < 0.003


def test_a_css_colour_is_the_same_level_as_the_pixels_of_that_value():
    for value in (-2.0, -1.0, -0.503, -0.5, 0.0, 0.25, 0.3, 0.999, 1.0, 7.0, float("nan")):
        assert LIGHT.css(value) == "rgb({},{},{})".format(*LIGHT.rgb(value).tolist()), value


def test_a_loss_growing_by_a_factor_each_epoch_climbs_steadily_on_a_log_scale_and_says_so():
    ctx = RecordingContext()
    losses = 0.1 * 1.6 ** np.arange(25)  # a diverging run: x1.6 an epoch, from 0.1 to 8,000
    paint_loss_curve(ctx, lambda points: ("Polyline", points), np.column_stack([losses, losses * 1.1]), 300, 80, LIGHT)
    train = strokes(ctx)[0][0]
    steps = -np.diff(train[:, 1])
    np.testing.assert_allclose(steps, steps[0])  # the same climb each epoch, not a flat line then a spike
    assert steps[0] > 1 and "log scale" in [text for text, *_ in ctx.named("fillText")]
    calm = RecordingContext()
    paint_loss_curve(calm, lambda points: ("Polyline", points), np.column_stack([losses[:10], losses[:10]]), 300, 80, LIGHT)
    assert "log scale" not in [text for text, *_ in calm.named("fillText")]  # 0.1 to 6.9: a linear scale reads best
