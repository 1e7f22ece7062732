"""The pictures of the run: the Output plane, the Network view's thumbnails and edges, and the numbers beside
them."""
import numpy as np

from app.playground import plane
from app.playground.pictures import MAX_EDGES_DRAWN
from app.shared.palette import LIGHT
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
    """Every point in the Output plane's points layer as drawn last: (x, y, radius, fill, ring, ring width)."""
    calls = playground.pictures.points_image.context.calls
    calls = calls[max(i for i, (name, _) in enumerate(calls) if name == "clearRect"):]
    points, centres, style = [], [], {}
    for name, args in calls:
        if name == "arc":
            centres.append(args[:3])
        elif name.startswith("="):
            style[name[1:]] = args[0]
        elif name == "stroke":  # a group's path is filled, then ringed: it is complete
            points += [(x, y, radius, style["fillStyle"], style["strokeStyle"], style["lineWidth"])
                       for x, y, radius in centres]
            centres = []
    return points


def test_every_point_you_add_is_drawn_the_size_of_the_others_and_test_ones_are_hollow(opened):
    playground, page = opened("#dataset=custom", reduced_motion=True)
    playground.act("toggle")
    clicks = [(60, 60), (150, 90), (240, 60), (90, 210), (225, 240)]
    for x, y in clicks:
        playground.pointer("output", "click", x, y)
        playground.paint(0.0)
    drawn = drawn_points(playground)
    assert sorted((round(x), round(y)) for x, y, *_ in drawn) == sorted(clicks)  # all five, where they were clicked
    blue = playground.pictures.theme.css(1.0)
    hollow = [(round(x), round(y)) for x, y, radius, fill, ring, width in drawn if fill == LIGHT.background]
    assert hollow == [(150, 90), (90, 210)]  # at 50%, every other point you add is held out to test
    assert {(fill, ring, width) for *_, fill, ring, width in drawn} == {(blue, LIGHT.background, 1.0),
                                                                         (LIGHT.background, blue, 2.0)}
    assert {radius + width / 2 for *_, radius, fill, ring, width in drawn} == {4.0}  # all the same size
    assert "Of your 5 points, 3 train the network; the 2 hollow ones are test points" in page.texts["legend-note"]


def test_a_datasets_test_points_are_drawn_hollow_only_with_show_test_data(opened):
    playground, page = opened()
    playground.paint(0.0)
    run = playground.run
    assert len(drawn_points(playground)) == len(run.X_train)
    assert "test points" not in page.texts["legend-note"]
    playground.change("show_test", "true")
    playground.paint(0.0)
    drawn = drawn_points(playground)
    assert len(drawn) == len(run.X_train) + len(run.X_test)
    assert sum(fill == LIGHT.background for *_, fill, ring, width in drawn) == len(run.X_test)
    assert page.texts["legend-note"].endswith("Hollow points are test points, held out from training.")
