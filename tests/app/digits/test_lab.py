"""The digits lab driven as a person would, against the fake page: draw, undo, clear, show held-out digits,
switch between the MLP and the CNN, open a layer, train, save and load weights."""
import asyncio
import io
from functools import cache

import numpy as np
import pytest
from tests.app.fake_page import FakePage

from app.digits import cnn_inspect, mnist, mnist_models, mnist_pipeline, training
from app.digits import lab as digits_lab
from app.playground.state import DIGITS_MODELS, State, decode, encode
from engine import nn, weights

from tests.app.digits.files import MNIST, SITE

SEVEN = [(60.0, 50.0), (200.0, 50.0), (120.0, 250.0)]
BAR = [(90.0, 150.0), (170.0, 150.0)]
PEN = mnist_pipeline.pen_width(300, 300)  # the fake page's pad is 300 x 300


@cache
def digits():
    return mnist.load(MNIST)


def shipped():
    return {name: digits_lab.Weights(*weights.load(SITE / network.weights_file), "the shipped weights")
            for name, network in digits_lab.NETWORKS.items()}


def open_lab(chosen_network="cnn", asked=None):
    page = FakePage()
    lab = digits_lab.DigitsLab(page, shipped(), digits(), chosen_network,
                               choose=(asked.append if asked is not None else lambda name: None))
    lab.frame(0.0)
    return lab


@pytest.fixture
def lab():
    return open_lab()


def draw(lab, stroke, at=0.0):
    lab.pointer("pad", "down", *stroke[0])
    for point in stroke[1:]:
        lab.pointer("pad", "move", *point)
    lab.pointer("pad", "up", *stroke[-1])
    lab.frame(at)


def shown_input(lab):
    return np.array(lab.page.data["digit-pad", "input"].split(), int).reshape(28, 28)


def shown_probabilities(lab):
    return np.array(lab.page.data["digit-bars", "probabilities"].split(), float)


def drawn(*strokes):
    return mnist_pipeline.from_strokes(list(strokes), PEN).levels.tolist()


def test_a_drawing_is_made_into_an_mnist_digit_and_read_by_the_network(lab):
    draw(lab, SEVEN)
    assert shown_input(lab).tolist() == drawn(SEVEN)
    expected = cnn_inspect.inspect(lab.model, shown_input(lab) / 255).probabilities
    assert shown_probabilities(lab).tolist() == expected.tolist()
    assert lab.page.texts["digit-prediction"] == str(expected.argmax()) == "7"
    assert lab.page.texts["digit-label"] == "" and "reads your drawing as 7" in lab.page.texts["digit-reading"]
    strokes = lab.page.canvases["digit-pad"].context.named("stroke")
    assert strokes[-1][0][0] == "Polyline" and strokes[-1][0][1][:2].tolist() == [[60.0, 50.0], [200.0, 50.0]]


def test_the_prediction_follows_the_pen_before_it_lifts(lab):
    lab.pointer("pad", "down", *SEVEN[0])
    lab.pointer("pad", "move", *SEVEN[1])
    lab.frame(16.0)
    assert shown_input(lab).tolist() == drawn(SEVEN[:2])
    lab.pointer("pad", "move", *SEVEN[2])
    assert lab.frame(32.0)  # more frames wanted: the drawing changed
    assert shown_input(lab).tolist() == drawn(SEVEN)


def test_undo_removes_the_last_stroke_and_clear_empties_the_pad(lab):
    draw(lab, SEVEN)
    draw(lab, BAR, at=100.0)
    assert shown_input(lab).tolist() == drawn(SEVEN, BAR)
    lab.act("undo")
    lab.frame(200.0)
    assert shown_input(lab).tolist() == drawn(SEVEN)
    lab.act("clear")
    lab.frame(300.0)
    assert shown_input(lab).sum() == 0 and lab.page.texts["digit-prediction"] == ""
    assert lab.page.texts["digit-reading"].startswith("Draw a digit")


def test_the_lab_opens_on_a_held_out_digit_and_steps_through_them_in_a_mixed_order(lab):
    labels = []
    for step in range(6):
        index = lab.sample
        label = int(digits().test_labels[index])
        assert shown_input(lab).tolist() == digits().test_images[index].tolist()
        assert lab.page.texts["digit-label"] == str(label)
        assert lab.page.texts["digit-prediction"] == str(lab.inspection.probabilities.argmax())
        labels.append(label)
        lab.act("test-digit")
        lab.frame(10.0 * (step + 1))
    assert len(set(labels)) >= 3  # the held-out digits are stored 0s first: shown in order, all would be 0s
    draw(lab, SEVEN, at=100.0)
    assert shown_input(lab).tolist() == drawn(SEVEN) and lab.page.texts["digit-label"] == ""


def test_every_held_out_digit_is_shown_once_before_any_again(lab):
    first, seen = lab.sample, set()
    for _ in range(len(digits().test_labels)):
        seen.add(lab.sample)
        lab.act("test-digit")
    assert len(seen) == 2_000 and lab.sample == first


def test_switching_the_model_keeps_the_drawing_and_reads_it_with_the_other_network():
    asked = []
    lab = open_lab(asked=asked)
    draw(lab, SEVEN)
    cnn_probabilities = shown_probabilities(lab)
    lab.follow("mlp")
    lab.frame(100.0)
    assert shown_input(lab).tolist() == drawn(SEVEN)  # the same drawing
    mlp = lab.weights["mlp"].model
    expected = cnn_inspect.inspect(mlp, shown_input(lab) / 255, input_shape=(784,)).probabilities
    assert shown_probabilities(lab).tolist() == expected.tolist() != cnn_probabilities.tolist()
    assert lab.page.texts["digit-prediction"] == str(expected.argmax())
    assert lab.page.attribute("#digits-lab", "data-model") == "mlp" and lab.page.values["digit-model-choice"] == "mlp"
    assert lab.page.texts["digit-save"] == "Save MLP weights"
    assert [row[0] for row in lab.page.tables["digit-stats"][1:]] == ["input", "dense 1", "ReLU 1", "dense 2", "ReLU 2",
                                                                     "dense 3"]
    assert "MLP 784-64-32-10, weights: the shipped weights" in lab.page.texts["digit-model"]
    assert asked == []  # the lab followed the menu: it asked for nothing


def test_the_mlp_leaves_the_cnns_views_unpainted():
    lab = open_lab("mlp")
    maps = lab.page.canvases["digit-maps"].context
    before = len(maps.calls)
    draw(lab, SEVEN, at=100.0)
    lab.frame(5000.0)
    assert len(maps.calls) == before and lab.page.canvases["digit-slabs"].context.calls == []


def test_the_model_menu_is_a_setting_of_the_link():
    assert set(DIGITS_MODELS) == set(mnist_models.NETWORKS)
    assert State().digits_model == "cnn" and encode(State()) == "v=1"
    assert decode("#digits_model=mlp").state.digits_model == "mlp"
    assert encode(decode("#room=digits&digits_model=mlp").state) == "v=1&room=digits&digits_model=mlp"
    bad = decode("#digits_model=resnet")
    assert bad.state.digits_model == "cnn" and bad.notes == [
        "digits lab model 'resnet' is not one of cnn, mlp, nor the name of a .onnx, .npz or .json file; using cnn"]


def test_choosing_the_model_goes_in_the_link_and_leaves_the_playgrounds_note_alone(opened):
    playground, page = opened()
    playground.frame(16.0)
    playground.change("activation", "relu")
    note = page.texts["note"]  # what the switch did: it goes at the next change of the playground's settings
    playground.change("digits_model", "mlp")  # the Model menu, a setting of the page's link
    assert playground.state.digits_model == "mlp" and "digits_model=mlp" in page.fragment
    assert page.texts["note"] == note and note.startswith("A fresh network for relu")


def test_choosing_a_digit_moves_the_saliency_to_its_score(lab):
    draw(lab, SEVEN)
    lab.change("target", "3")
    lab.frame(50.0)
    np.testing.assert_array_equal(lab.inspection.saliency,
                                  cnn_inspect.inspect(lab.model, shown_input(lab) / 255, 3).saliency)
    assert "score of 3" in lab.page.texts["digit-saliency-note"]
    lab.pointer("bars", "down", 5.0, 50.0)  # the bar of 0
    lab.frame(60.0)
    assert lab.target == 0 and lab.page.values["digit-target"] == "0"


def test_clicking_a_slab_opens_its_maps_and_dragging_turns_the_view(lab):
    (x, y), = lab.camera.project(np.array([[lab.slabs[4].x, 0.0, 0.0]]))[0]
    lab.pointer("slabs", "down", x, y)
    lab.pointer("slabs", "up", x, y)
    assert lab.selected == 4 and lab.page.values["digit-layer"] == "4"
    assert lab.page.texts["digit-maps-note"].startswith("conv 2: 16 maps of 10x10")
    assert "conv 2's filters (16 x 6 x 5 x 5): one row per output map, one 5x5 filter" in lab.page.texts["digit-filters-note"]
    yaw = lab.camera.yaw
    lab.pointer("slabs", "down", 100, 100)
    lab.pointer("slabs", "move", 150, 100)
    lab.pointer("slabs", "up", 150, 100)
    assert lab.camera.yaw == pytest.approx(yaw + 0.5) and lab.selected == 4


def test_a_clicked_map_is_enlarged_with_its_values_on_hover(lab):
    draw(lab, SEVEN)
    placement = lab.maps_placement  # conv 1: 6 maps of 28x28, four to a row
    lab.pointer("maps", "down", placement.x + placement.pixel * 35, placement.y + placement.pixel * 3)  # map 2
    assert lab.channel == 1
    cell = lab.map_placement
    lab.pointer("map", "move", cell.x + cell.pixel * 2.5, cell.y + cell.pixel * 0.5)
    value = lab.inspection.layers[0].values[1, 0, 2]
    assert lab.page.texts["digit-map-note"].startswith(f"conv 1, map 2, row 1, column 3: value {value:.4f}")


def test_the_first_convolutions_maps_trace_the_strokes_of_a_drawn_seven(lab):
    draw(lab, SEVEN)
    relu = lab.inspection.layers[1].values  # 6 maps of 28x28
    ink = shown_input(lab) > 0
    active = (relu > 0.1 * relu.max()).any(axis=0)
    near_ink = np.zeros_like(ink)
    for dy in (-2, -1, 0, 1, 2):  # a 5x5 filter sees two pixels each way
        for dx in (-2, -1, 0, 1, 2):
            near_ink |= np.roll(np.roll(ink, dy, axis=0), dx, axis=1)
    assert active.sum() > 50 and (active & near_ink).sum() == active.sum()


def test_the_statistics_table_has_a_row_per_layer(lab):
    draw(lab, SEVEN)
    table = lab.page.tables["digit-stats"]
    assert [row[0] for row in table[1:]] == ["input", "conv 1", "ReLU 1", "pool 1", "conv 2", "ReLU 2", "pool 2",
                                             "dense 1", "ReLU 3", "dense 2", "ReLU 4", "dense 3"]
    relu = lab.inspection.layers[1].values
    assert table[3][1] == "6 x 28 x 28" and table[3][5] == f"{100 * (relu == 0).mean():.0f}%"


def score_fully(lab):
    at = 1000.0
    while not lab.score.done:
        at += 16.0
        lab.frame(at)


def test_the_weights_are_scored_on_the_held_out_digits_a_slice_per_frame(lab):
    assert "Scoring them on the 2,000 held-out digits" in lab.page.texts["digit-model"]
    score_fully(lab)
    _, correct = training.evaluate(lab.model, digits().test_images, digits().test_labels,
                                   mnist_models.NETWORKS["cnn"].as_input)
    assert f"They recognise {correct:,} of the 2,000 held-out digits ({correct / 20:.1f}%)" in lab.page.texts["digit-model"]
    assert not lab.frame(5000.0)  # scored and shown: the lab asks for no more frames


def test_saved_weights_open_back_equal_with_their_record_and_the_accuracy_the_page_counted(lab):
    boasting = io.BytesIO()
    weights.save(mnist_models.mlp(np.random.default_rng(5)), boasting,
                 meta={"note": "untrained", "test_correct": 2000, "test_accuracy": 1.0})
    lab.open_model("boasting.npz", boasting.getvalue())
    score_fully(lab)
    lab.act("save")
    (name, data), = lab.page.downloads
    model, meta = weights.load(io.BytesIO(data))
    assert name == "boasting.npz" and meta["note"] == "untrained" and meta["test_count"] == 2000
    assert meta["test_correct"] == lab.score.correct < 1000 and meta["test_accuracy"] == lab.score.correct / 2000
    for saved, used in zip(model.parameters(), lab.model.parameters()):
        np.testing.assert_array_equal(saved.data, used.data)


def test_a_bad_weights_file_is_refused_by_name_and_nothing_changes(lab):
    model = lab.model
    lab.open_model("notes.npz", b"not an npz at all")
    assert lab.model is model and "Could not open notes.npz: not a weights file" in lab.page.texts["digit-message"]
    other = io.BytesIO()
    weights.save(nn.Sequential(nn.Flatten(), nn.Linear(64, 3)), other)
    lab.open_model("eight.npz", other.getvalue())
    assert lab.model is model
    assert ("Could not open eight.npz: its network takes neither (N, 784) nor (N, 1, 28, 28) inputs with 10 digit "
            "scores out (it is Flatten(), Linear(64, 3, bias=True)); open a network for 28x28 digits, or one of (N, 2) "
            "inputs for the playground. The model in use is kept.") == lab.page.texts["digit-message"]


def test_an_opened_weights_file_joins_the_model_menu_under_its_name():
    asked = []
    lab = open_lab("cnn", asked)
    fresh = mnist_models.mlp(np.random.default_rng(5))
    buffer = io.BytesIO()
    weights.save(fresh, buffer, meta={"note": "untrained"})
    lab.open_model("fresh.npz", buffer.getvalue())
    lab.frame(10.0)
    assert asked == ["fresh.npz"] and lab.network.name == "fresh.npz" and lab.weights["fresh.npz"].meta == {"note": "untrained"}
    assert lab.page.options["digit-model-choice"][-1] == ("fresh.npz", "fresh.npz")
    assert lab.page.values["digit-model-choice"] == "fresh.npz" and lab.page.attribute("#digits-lab", "data-model") == "mlp"
    assert lab.page.texts["digit-message"] == "" and lab.weights["mlp"].model is not lab.model
    score_fully(lab)
    _, correct = training.evaluate(lab.model, digits().test_images, digits().test_labels,
                                   mnist_models.NETWORKS["mlp"].as_input)
    assert f"fresh.npz, weights: from your file. It reads {correct / 20:.1f}% of 2,000" in lab.page.texts["digit-model"]


def test_train_from_scratch_trains_the_mlp_live_and_stops_when_asked():
    lab = open_lab("mlp")
    shipped_model = lab.model
    lab.act("train")
    assert lab.training and lab.model is not shipped_model and lab.page.texts["digit-train"] == "Stop training"
    assert lab.page.texts["digit-model"] == ("MLP 784-64-32-10, weights: training from scratch. Their held-out "
                                             "accuracy is measured after each epoch.")
    at = 0.0
    while not lab.training_panel.trainer.history:
        at += 16.0
        assert lab.frame(at)
    lab.act("train")
    assert not lab.training and lab.page.texts["digit-train"] == "Train from scratch"
    assert lab.weights["mlp"].meta["trained_by"] == "Train from scratch, in the page"
    assert "trained in this page, 1 of 40 epochs" in lab.page.texts["digit-model"]
    assert lab.page.canvases["digit-training"].context.named("stroke")  # the curves were drawn
    assert "held-out accuracy after epoch 1" in lab.page.texts["digit-training-status"]


def test_train_from_scratch_trains_the_cnn_and_switching_stops_it(lab):
    lab.act("train")
    at = 0.0
    while len(lab.training_panel.trainer.progress) < 3:
        at += 16.0
        lab.frame(at)
    trained = lab.model
    lab.follow("mlp")
    assert not lab.training and lab.weights["cnn"].model is trained
    assert lab.weights["cnn"].origin == "trained in this page, 0 of 20 epochs"


def test_before_training_each_plot_box_says_what_it_will_show_inside_itself(lab):
    lab.paint_training()  # as the lab's start does
    ctx = lab.page.canvases["digit-training"].context
    boxes = [args for args in ctx.named("strokeRect")]
    hints = [args for args in ctx.named("fillText") if args[0].startswith("Train from scratch")]
    assert [text for text, *_ in hints] == ["Train from scratch draws the loss here",
                                             "Train from scratch draws the accuracy here"]
    for (_, x, y, max_width), (left, top, width, height) in zip(hints, boxes):
        assert left < x - max_width / 2 and x + max_width / 2 < left + width  # centred, and squeezed to fit
        assert top < y < top + height


def settle(page, at):
    """Run animation frames until the lab's loop pauses itself (nothing left to do); returns the time."""
    frames, = page.frames
    for _ in range(500):
        if not frames.pending:
            return at
        at += 100.0
        frames.run(at)
    raise AssertionError("the lab kept asking for frames")


def test_the_pages_events_reach_the_lab_and_wake_its_paused_loop():
    page = FakePage()
    page.files.update({str(mnist.FILE): MNIST.read_bytes()})
    page.files.update({str(network.weights_file): (SITE / network.weights_file).read_bytes()
                       for network in mnist_models.NETWORKS.values()})
    asked = []
    lab = asyncio.run(digits_lab.start(page, "mlp", asked.append))
    assert lab.network.name == "mlp" and page.options["digit-model-choice"] == [
        ("mlp", "MLP 784-64-32-10"), ("cnn", "CNN (LeNet-5 style)")]
    at = settle(page, 0.0)
    page.fire("digit-pad", "down", *SEVEN[0], False)
    assert page.frames[0].pending  # the pen woke the loop
    for point in SEVEN[1:]:
        page.fire("digit-pad", "move", *point, False)
    page.fire("digit-pad", "up", *SEVEN[-1], False)
    at = settle(page, at)
    assert shown_input(lab).tolist() == drawn(SEVEN)
    page.fire("digit-target", "change", "3")
    page.fire("digit-overlay", "change", "false")
    page.fire("digit-undo", "click", 0, 0, False)
    at = settle(page, at)
    assert lab.target == 3 and not lab.overlay and shown_input(lab).sum() == 0
    page.fire("digit-open", "file", "notes.npz", b"not weights")
    assert "Could not open notes.npz" in page.texts["digit-message"]
    page.fire("digit-train", "click", 0, 0, False)
    assert lab.training and page.frames[0].pending
    page.fire("digit-train", "click", 0, 0, False)
    assert not lab.training and asked == []


def test_an_empty_pad_asks_for_a_digit_instead_of_predicting_one(lab):
    draw(lab, SEVEN)
    bars = lab.page.canvases["digit-bars"].context
    assert "%" in lab.page.texts["digit-reading"]
    lab.act("clear")
    start = len(bars.calls)
    lab.frame(100.0)
    assert lab.page.texts["digit-reading"].startswith("Draw a digit") and lab.page.texts["digit-prediction"] == ""
    painted = bars.calls[start:]
    texts = [args[0] for name, args in painted if name == "fillText"]
    assert texts == [str(digit) for digit in range(10)]   # the digits, no percentages
    heights = [args[3] for name, args in painted if name == "fillRect"][1:]   # after the background
    assert heights.count(1) == 10 and max(heights) <= 2   # the empty axis (and the target's underline): no bars
    draw(lab, SEVEN, at=200.0)
    assert lab.page.texts["digit-prediction"] == "7"


def test_turning_the_model_view_keeps_every_slab_on_the_canvas(lab):
    from app.digits.slab_geometry import corners
    canvas = lab.page.canvases["digit-slabs"]
    for dx, dy in [(40.0, 0.0), (60.0, -30.0), (-300.0, 50.0)]:
        lab.pointer("slabs", "down", 450.0, 200.0)
        for step in range(1, 11):
            lab.pointer("slabs", "move", 450.0 + dx * step / 10, 200.0 + dy * step / 10)
        lab.pointer("slabs", "up", 450.0 + dx, 200.0 + dy)
        lab.frame(1e6)
        screen = np.concatenate([lab.camera.project(corners(slab))[0] for slab in lab.slabs])
        assert screen.min() >= 0 and (screen.max(axis=0) <= (canvas.width, canvas.height)).all(), (dx, dy)
        assert (screen.max(axis=0) - screen.min(axis=0)).max() > 0.8 * canvas.width or \
               (screen.max(axis=0) - screen.min(axis=0))[1] > 0.8 * canvas.height   # still fills it
