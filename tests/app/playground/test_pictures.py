"""The pictures of the run: the Output plane, the Network view's thumbnails and edges, and the numbers beside
them."""
import numpy as np
import pytest
from tests.app.canvas_pixels import rasterize
from tests.app.canvas_recorder import RecordingContext

from app.playground import plane
from app.playground.output_view import POINT_RADIUS, paint_points
from app.playground.pictures import CROSSHAIR_NOTE, MAX_EDGES_DRAWN
from app.shared.palette import DARK, LIGHT, NEGATIVE, POSITIVE, to_oklab
from engine import no_grad


def test_the_shown_losses_are_the_runs_own(opened):
    playground, page = opened()
    playground.act("step")
    playground.paint(0.0)
    train, test, train_accuracy, test_accuracy = playground.run.history[-1]
    assert page.texts["train-loss"] == f"{train:.3f}" and page.texts["test-loss"] == f"{test:.3f}"
    assert page.texts["test-accuracy"] == f"{100 * test_accuracy:.1f}%"


def test_the_output_heatmap_is_the_model_over_the_grid(opened):
    playground, page = opened()
    for t in range(5):
        playground.frame(t * 16.0)
    with no_grad():
        logits = playground.run.model(plane.plane_grid()).data
    expected = LIGHT.rgba(plane.BACKDROP * np.tanh(0.5 * logits[:, 0]).reshape(100, 100))  # 2 * sigmoid - 1
    assert np.array_equal(page.pixel_layers[0].image, expected)


def test_every_neuron_has_a_thumbnail_from_the_same_forward_pass(opened):
    playground, page = opened()
    playground.frame(0.0)
    strip = page.pixel_layers[2].image
    neurons = 2 + 4 + 2 + 1
    assert strip.shape == (plane.THUMBNAIL, plane.THUMBNAIL * neurons, 4)
    hidden = playground.run.layer_outputs(plane.plane_grid())[1][:, 3]  # hidden layer 1, neuron 4
    expected = LIGHT.rgba(plane.downsample(np.clip(hidden, -1, 1)))
    k = 2 + 3
    assert np.array_equal(strip[:, k * plane.THUMBNAIL:(k + 1) * plane.THUMBNAIL], expected)


def test_a_big_network_draws_its_strongest_edges_and_says_so(opened):
    playground, page = opened("#hidden=100,100")
    assert page.texts["network-note"] == f"Drawing the {MAX_EDGES_DRAWN} strongest of 10,300 weights."
    paths = [args[0][1] for args in page.canvases["network"].context.named("stroke") if args]
    assert sum(d.count("C") for d in paths) == MAX_EDGES_DRAWN


def test_three_classes_colour_the_plane_by_class(opened):
    playground, page = opened("#dataset=blobs3")
    for t in range(20):
        playground.frame(t * 16.0)
    image = page.pixel_layers[0].image
    colours = {tuple(c) for c in image[::10, ::10, :3].reshape(-1, 3).tolist()}
    assert len(colours) > 3  # three class colours, each shaded by confidence
    assert page.controls["dataset"] == "blobs3"
    assert page.data["output-panel", "kind"] == "classes"  # a key of three colours, not a -1 to 1 scale
    assert "the class the network favours" in page.texts["legend-note"]


def test_a_network_past_tf_playgrounds_size_draws_a_coarser_grid_and_says_so(opened):
    playground, page = opened("#hidden=100,100")
    assert playground.pictures.resolution == 25 and page.pixel_layers[0].image.shape == (25, 25, 4)
    assert "25 \u00d7 25 grid" in page.texts["output-caption"]
    with no_grad():
        logits = playground.run.model(plane.plane_grid(25)).data
    assert np.array_equal(page.pixel_layers[0].image, LIGHT.rgba(plane.BACKDROP * np.tanh(0.5 * logits[:, 0]).reshape(25, 25)))
    playground.change("hidden", "8,8,8,8,8,8")
    playground.paint(0.0)
    assert playground.pictures.resolution == 100 and "grid" not in page.texts["output-caption"]


def test_the_grid_follows_the_network_that_trains_even_when_the_code_defines_it(opened):
    playground, page = opened()
    assert playground.pictures.resolution == 100
    page.type_code("from engine import nn\nmodel = nn.MLP(2, [100, 100], 1)\n")
    playground.act("run-code")
    playground.paint(0.0)
    assert playground.pictures.resolution == 25 and page.pixel_layers[0].image.shape == (25, 25, 4)


def drawn_points(playground):
    """Every point in the Output plane's points layer as drawn last: {(x, y): [(radius, fill, ring, ring width),
    ...]}, the discs drawn at that centre from the bottom up (ring None where a disc is only filled)."""
    calls = playground.pictures.points_image.context.calls
    calls = calls[max(i for i, (name, _) in enumerate(calls) if name == "clearRect"):]
    points, path, style = {}, [], {}
    for name, args in calls:
        if name == "beginPath":
            path = []
        elif name == "arc":
            path.append((args[0], args[1], args[2]))
        elif name.startswith("="):
            style[name[1:]] = args[0]
        elif name == "fill":
            for x, y, radius in path:
                points.setdefault((x, y), []).append((radius, style["fillStyle"], None, 0.0))
        elif name == "stroke":  # the path just filled is ringed
            for x, y, radius in path:
                points[x, y][-1] = (radius, style["fillStyle"], style["strokeStyle"], style["lineWidth"])
    return points


def looks(drawn):
    """Each drawn point's look, (centre's colour, ring's colour or None, outer radius), by its centre."""
    return {centre: (discs[-1][1], discs[-1][2], max(radius + width / 2 for radius, _, _, width in discs))
            for centre, discs in drawn.items()}


def test_every_point_you_add_is_drawn_the_size_of_the_others_and_test_ones_are_hollow(opened):
    playground, page = opened("#dataset=custom", reduced_motion=True)
    playground.act("toggle")
    clicks = [(60, 60), (150, 90), (240, 60), (90, 210), (225, 240)]
    for x, y in clicks:
        playground.pointer("output", "click", x, y)
        playground.paint(0.0)
    drawn = looks(drawn_points(playground))
    assert sorted((round(x), round(y)) for x, y in drawn) == sorted(clicks)  # all five, where they were clicked
    blue = playground.pictures.theme.css(1.0)
    hollow = [(round(x), round(y)) for (x, y), (centre, ring, size) in drawn.items() if centre == LIGHT.background]
    assert hollow == [(150, 90), (90, 210)]  # at 50%, every other point you add is held out to test
    assert {(centre, ring) for centre, ring, size in drawn.values()} == {(blue, None), (LIGHT.background, blue)}
    assert {size for *_, size in drawn.values()} == {4.0}  # all the same size
    assert "Of your 5 points, 3 train the network; the 2 hollow ones are test points" in page.texts["legend-note"]


def test_a_datasets_test_points_are_drawn_hollow_only_with_show_test_data(opened):
    playground, page = opened()
    playground.paint(0.0)
    run = playground.run
    assert len(drawn_points(playground)) == len(run.X_train)
    assert "test points" not in page.texts["legend-note"]
    playground.change("show_test", "true")
    playground.paint(0.0)
    drawn = looks(drawn_points(playground))
    assert len(drawn) == len(run.X_train) + len(run.X_test)
    assert sum(centre == LIGHT.background for centre, ring, size in drawn.values()) == len(run.X_test)
    assert page.texts["legend-note"].endswith("Hollow points are test points, held out from training.")


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_crowded_training_points_stay_filled_and_only_test_points_are_hollow(theme):
    # A clot of training points 0.1 apart (2.5 px on a 300 px plane: they overlap), one lone, and two test points.
    crowded = np.array([[0.0, 0.0], [0.1, 0.0], [0.05, 0.1], [-0.1, 0.05], [0.0, -0.1], [-3.0, 3.0]])
    colours = [theme.css(1.0)] * 3 + [theme.css(-1.0)] * 3
    tested = np.array([[3.0, -3.0], [0.35, 0.0]])  # the second one overlaps the clot
    context = RecordingContext()
    paint_points(context, 300, 300, (crowded, colours), (tested, [theme.css(1.0)] * 2), theme)
    pixels = rasterize(context.calls, 300, 300)

    def around(point, low, high):
        """The pixels from `low` to `high` px away from a point's centre."""
        x, y = plane.to_plane(point, 300, 300)
        yy, xx = np.mgrid[0:300, 0:300] + 0.5
        distance = np.hypot(xx - x, yy - y)
        return set(pixels[(low <= distance) & (distance <= high)])

    for point in crowded:
        assert around(point, 0, POINT_RADIUS - 1) <= set(colours), point  # a colour all through: no ring across it
    assert around(tested[0], 0, 1.5) == {theme.background}  # hollow, the mark of a test point,
    assert around(tested[0], 2.5, 3.5) == {theme.css(1.0)}  # inside a ring of its colour,
    assert around(tested[1], 0, 1.5) == {theme.background}  # even on top of training points


def crosshairs(page):
    """How many crosshairs the Output canvas's last paint drew (a ring of radius 7 each)."""
    calls = page.canvases["output"].context.calls
    last = max(i for i, (name, _) in enumerate(calls) if name == "drawImage")  # the points' layer, then the crosshair
    return sum(1 for name, args in calls[last:] if name == "arc" and args[2] == 7)


def test_the_caption_says_what_the_crosshair_is_whenever_it_is_drawn(opened):
    playground, page = opened()
    assert crosshairs(page) == 1 and page.texts["output-caption"].endswith(CROSSHAIR_NOTE)
    assert CROSSHAIR_NOTE.startswith("\u2295 marks the input whose values the Network shows")
    playground, page = opened("#dataset=custom")  # no points yet: no input to show, no crosshair
    assert crosshairs(page) == 0 and "\u2295" not in page.texts["output-caption"]


def test_the_caption_says_what_a_click_on_the_plane_does_and_a_click_does_it(opened):
    playground, page = opened()
    assert page.texts["output-caption"].endswith("hover to move it, click to add a point there, or click a "
                                                 "training point to see how it alone pulls each weight.")
    points = len(playground.run.X_train) + len(playground.run.X_test)
    assert playground.canvas_input.training_point_at(plane.from_plane(40, 40, 300, 300)) is None  # a click here adds
    playground.pointer("output", "click", 40, 40)
    assert playground.state.dataset == "custom" and len(playground.state.custom) == points + 1


def test_the_planes_axes_are_labelled_where_their_values_lie(opened):
    playground, page = opened()
    for element, side in (("plane-x-ticks", 0), ("plane-y-ticks", 1)):
        ticks = page.find(element, "span")
        assert [tick.text for tick in ticks] == ["\u22126", "\u22123", "0", "3", "6"], element
        for tick in ticks:
            at = float(tick.attributes["style"].removeprefix("--at: ").removesuffix("%")) / 100
            value = float(tick.text.replace("\u2212", "-"))
            # where a click at that share of the canvas lands on the plane: the tick's own value
            assert plane.from_plane(at * 300, at * 300, 300, 300)[side] == pytest.approx(value), tick.text


def test_the_legend_says_unsure_is_grey_which_it_is_in_both_themes(opened):
    notes = []
    for dark, theme in ((False, LIGHT), (True, DARK)):
        neutral, *ends = to_oklab([theme.neutral, NEGATIVE, POSITIVE])
        chroma = lambda lab: np.hypot(lab[1], lab[2])
        assert all(chroma(neutral) < chroma(end) / 5 for end in ends)  # the unsure middle is a grey in this theme
        playground, page = opened(dark=dark)
        notes.append(page.texts["legend-note"])
        playground.change("dataset", "blobs3")
        playground.paint(0.0)
        notes.append(page.texts["legend-note"])
    assert notes[0].startswith("Orange is class 0, blue class 1; the greyer, the less sure")
    assert "greyer where it is less sure" in notes[1]
    assert notes[:2] == notes[2:]  # the same words in the dark: nothing there is "paler"
