"""The CNN lab driven as a person would, against the fake page: draw, undo, clear, open a layer, train,
save and load weights."""
import asyncio
import io

import numpy as np
import pytest
from tests.app.fake_page import FakePage

from app.digits import cnn_inspect
from app.digits import data as digits_data
from app.digits import lab as digits_lab
from app.digits import model as digits_model
from app.digits import optdigits
from engine import nn, weights

from tests.app.digits.files import DIGITS, WEIGHTS

SEVEN = [(60.0, 50.0), (200.0, 50.0), (120.0, 250.0)]
BAR = [(90.0, 150.0), (170.0, 150.0)]


@pytest.fixture
def lab():
    page = FakePage()
    model, meta = weights.load(WEIGHTS)
    lab = digits_lab.DigitsLab(page, model, meta, digits_data.load(DIGITS))
    lab.frame(0.0)
    return lab


def draw(lab, stroke, at=0.0):
    lab.pointer("pad", "down", *stroke[0])
    for point in stroke[1:]:
        lab.pointer("pad", "move", *point)
    lab.pointer("pad", "up", *stroke[-1])
    lab.frame(at)


def shown_input(lab):
    return np.array(lab.page.data["digit-pad", "input"].split(), int).reshape(8, 8)


def shown_probabilities(lab):
    return np.array(lab.page.data["digit-bars", "probabilities"].split(), float)


def test_a_drawing_is_downsampled_and_classified_by_the_model(lab):
    draw(lab, SEVEN)
    assert shown_input(lab).tolist() == optdigits.counts([SEVEN]).tolist()
    expected = cnn_inspect.inspect(lab.model, digits_data.as_input(shown_input(lab))[0, 0]).probabilities
    assert shown_probabilities(lab).tolist() == expected.tolist()
    assert "your drawing as" in lab.page.texts["digit-prediction"]
    strokes = lab.page.canvases["digit-pad"].context.named("stroke")
    assert strokes[-1][0][0] == "Polyline" and strokes[-1][0][1][:2].tolist() == [[60.0, 50.0], [200.0, 50.0]]


def test_the_prediction_follows_the_pen_before_it_lifts(lab):
    lab.pointer("pad", "down", *SEVEN[0])
    lab.pointer("pad", "move", *SEVEN[1])
    lab.frame(16.0)
    assert shown_input(lab).sum() > 0
    lab.pointer("pad", "move", *SEVEN[2])
    assert lab.frame(32.0)  # more frames wanted: the drawing changed
    assert shown_input(lab).tolist() == optdigits.counts([SEVEN]).tolist()


def test_undo_removes_the_last_stroke_and_clear_empties_the_pad(lab):
    draw(lab, SEVEN)
    draw(lab, BAR, at=100.0)
    assert shown_input(lab).tolist() == optdigits.counts([SEVEN, BAR]).tolist()
    lab.act("undo")
    lab.frame(200.0)
    assert shown_input(lab).tolist() == optdigits.counts([SEVEN]).tolist()
    lab.act("clear")
    lab.frame(300.0)
    assert shown_input(lab).sum() == 0 and lab.page.texts["digit-prediction"].startswith("Draw a digit")


def test_the_lab_opens_on_a_held_out_digit_and_steps_through_them(lab):
    for index in (0, 1):
        label = lab.digits.test_labels[index]
        assert shown_input(lab).tolist() == np.rint(lab.digits.test_images[index, 0] * 16).astype(int).tolist()
        assert f"labelled {label} as {label}" in lab.page.texts["digit-prediction"]
        lab.act("test-digit")
        lab.frame(10.0 * (index + 1))
    draw(lab, SEVEN)
    assert shown_input(lab).tolist() == optdigits.counts([SEVEN]).tolist()  # drawing replaces the digit


def test_choosing_a_digit_moves_the_saliency_to_its_score(lab):
    draw(lab, SEVEN)
    lab.change("target", "3")
    lab.frame(50.0)
    image = digits_data.as_input(shown_input(lab))[0, 0]
    np.testing.assert_array_equal(lab.inspection.saliency, cnn_inspect.inspect(lab.model, image, 3).saliency)
    assert "score of 3" in lab.page.texts["digit-saliency-note"]
    lab.pointer("bars", "down", 5.0, 50.0)  # the bar of 0
    lab.frame(60.0)
    assert lab.target == 0 and lab.page.values["digit-target"] == "0"


def test_clicking_a_slab_opens_its_maps_and_dragging_turns_the_view(lab):
    (x, y), = lab.camera.project(np.array([[lab.slabs[4].x, 0.0, 0.0]]))[0]
    lab.pointer("slabs", "down", x, y)
    lab.pointer("slabs", "up", x, y)
    assert lab.selected == 4 and lab.page.values["digit-layer"] == "4"
    assert lab.page.texts["digit-maps-note"].startswith("conv 2: 16 maps of 4x4")
    assert "conv 2's filters (16 x 8 x 3 x 3)" in lab.page.texts["digit-filters-note"]
    yaw = lab.camera.yaw
    lab.pointer("slabs", "down", 100, 100)
    lab.pointer("slabs", "move", 150, 100)
    lab.pointer("slabs", "up", 150, 100)
    assert lab.camera.yaw == pytest.approx(yaw + 0.5) and lab.selected == 4


def test_a_clicked_map_is_enlarged_with_its_values_on_hover(lab):
    draw(lab, SEVEN)
    placement = lab.maps_placement
    lab.pointer("maps", "down", placement.x + placement.pixel * 10, placement.y + placement.pixel * 1)  # map 2
    assert lab.channel == 1
    cell = lab.map_placement
    lab.pointer("map", "move", cell.x + cell.pixel * 2.5, cell.y + cell.pixel * 0.5)
    value = lab.inspection.layers[0].values[1, 0, 2]
    assert lab.page.texts["digit-map-note"].startswith(f"conv 1, map 2, row 1, column 3: value {value:.4f}")


def test_the_statistics_table_has_a_row_per_layer(lab):
    draw(lab, SEVEN)
    table = lab.page.tables["digit-stats"]
    assert [row[0] for row in table[1:]] == ["input", "conv 1", "ReLU 1", "pool 1", "conv 2", "ReLU 2", "pool 2",
                                             "dense 1"]
    relu = lab.inspection.layers[1].values
    assert table[3][5] == f"{100 * (relu == 0).mean():.0f}%"


def test_saved_weights_load_back_equal_with_their_recipe(lab):
    lab.act("save")
    (name, data), = lab.page.downloads
    model, meta = weights.load(io.BytesIO(data))
    assert name == "digits-cnn.npz" and meta == lab.meta and meta["test_accuracy"] >= 0.95
    for saved, used in zip(model.parameters(), lab.model.parameters()):
        np.testing.assert_array_equal(saved.data, used.data)


def test_a_bad_weights_file_is_refused_by_name_and_nothing_changes(lab):
    model = lab.model
    lab.load_weights("notes.txt", b"not an npz at all")
    assert lab.model is model and "Could not load notes.txt" in lab.page.texts["digit-message"]
    other = io.BytesIO()
    weights.save(nn.Sequential(nn.Flatten(), nn.Linear(64, 3)), other)
    lab.load_weights("three.npz", other.getvalue())
    assert lab.model is model and "the lab needs 10" in lab.page.texts["digit-message"]


def test_loaded_weights_are_used_and_scored_on_the_held_out_digits(lab):
    fresh = digits_model.lenet(np.random.default_rng(5))
    buffer = io.BytesIO()
    weights.save(fresh, buffer, meta={"note": "untrained"})
    lab.load_weights("fresh.npz", buffer.getvalue())
    lab.frame(10.0)
    assert lab.meta == {"note": "untrained"} and lab.page.texts["digit-message"] == ""
    _, correct = digits_model.evaluate(lab.model, lab.digits.test_images, lab.digits.test_labels)
    assert f"fresh.npz (loaded). They recognise {correct} of the 359" in lab.page.texts["digit-model"]


def test_train_from_scratch_trains_live_and_stops_when_asked(lab):
    shipped = lab.model
    lab.act("train")
    assert lab.training and lab.model is not shipped and lab.page.texts["digit-train"] == "Stop training"
    at = 0.0
    while lab.trainer.epoch < 1:
        at += 16.0
        assert lab.frame(at)
    lab.act("train")
    assert not lab.training and lab.page.texts["digit-train"] == "Train from scratch"
    assert lab.meta["epochs"] == 1 and lab.meta["trained_by"] == "Train from scratch, in the page"
    assert "trained in this page, 1 of 12 epochs" in lab.page.texts["digit-model"]
    assert lab.page.canvases["digit-training"].context.named("stroke")  # the curves were drawn


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
    """Run animation frames until the lab's loop pauses itself (nothing left to animate); returns the time."""
    frames, = page.frames
    for _ in range(200):
        if not frames.pending:
            return at
        at += 100.0
        frames.run(at)
    raise AssertionError("the lab kept asking for frames")


def test_the_pages_events_reach_the_lab_and_wake_its_paused_loop():
    page = FakePage()
    page.files.update({digits_model.WEIGHTS_FILE: WEIGHTS.read_bytes(), str(digits_data.FILE): DIGITS.read_bytes()})
    lab = asyncio.run(digits_lab.start(page))
    at = settle(page, 0.0)
    page.fire("digit-pad", "down", *SEVEN[0], False)
    assert page.frames[0].pending  # the pen woke the loop
    for point in SEVEN[1:]:
        page.fire("digit-pad", "move", *point, False)
    page.fire("digit-pad", "up", *SEVEN[-1], False)
    at = settle(page, at)
    assert shown_input(lab).tolist() == optdigits.counts([SEVEN]).tolist()
    page.fire("digit-target", "change", "3")
    page.fire("digit-overlay", "change", "false")
    page.fire("digit-undo", "click", 0, 0, False)
    at = settle(page, at)
    assert lab.target == 3 and not lab.overlay and shown_input(lab).sum() == 0
    page.fire("digit-load", "file", "notes.txt", b"not weights")
    assert "Could not load notes.txt" in page.texts["digit-message"]
    page.fire("digit-train", "click", 0, 0, False)
    assert lab.training and page.frames[0].pending
    page.fire("digit-train", "click", 0, 0, False)
    assert not lab.training


def test_an_empty_pad_asks_for_a_digit_instead_of_predicting_one(lab):
    draw(lab, SEVEN)
    bars = lab.page.canvases["digit-bars"].context
    assert "%" in lab.page.texts["digit-prediction"]
    lab.act("clear")
    start = len(bars.calls)
    lab.frame(100.0)
    assert lab.page.texts["digit-prediction"].startswith("Draw a digit")
    assert "%" not in lab.page.texts["digit-prediction"]
    painted = bars.calls[start:]
    texts = [args[0] for name, args in painted if name == "fillText"]
    assert texts == [str(digit) for digit in range(10)]   # the digits, no percentages
    heights = [args[3] for name, args in painted if name == "fillRect"][1:]   # after the background
    assert heights.count(1) == 10 and max(heights) <= 2   # the empty axis (and the target's underline): no bars
    draw(lab, SEVEN, at=200.0)
    assert "your drawing as" in lab.page.texts["digit-prediction"]


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
