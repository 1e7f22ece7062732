"""The CNN lab in Chromium: a stroke drawn with the mouse is read exactly as CPython reads it, the views
follow, Clear and Undo work, and Save weights downloads a file the engine loads."""
import json
import math

import numpy as np
from tests.browser.page_reading import READ_CANVAS

from app.digits import cnn_inspect
from app.digits import data as digits_data
from app.digits import optdigits
from engine import weights

from tests.app.digits.files import WEIGHTS

# A "2" in fractions of the pad: an arc over the top, down to the bottom left, a base to the right.
TWO = ([(0.3 + 0.2 * (1 - math.cos(a)), 0.3 - 0.18 * math.sin(a)) for a in (i * math.pi * 1.1 / 20 for i in range(21))]
       + [(0.3, 0.8), (0.72, 0.8)])
BAR = [(0.2, 0.5), (0.8, 0.5)]


def open_lab(open_site):
    page = open_site("#room=digits")
    page.get_by_role("button", name="Pause").click()  # the playground's training would only slow the lab
    page.locator("#digit-pad").scroll_into_view_if_needed()
    return page


def draw(page, stroke):
    box = page.locator("#digit-pad").bounding_box()
    at = lambda point: (box["x"] + point[0] * box["width"], box["y"] + point[1] * box["height"])
    page.mouse.move(*at(stroke[0]))
    page.mouse.down()
    for point in stroke[1:]:
        page.mouse.move(*at(point), steps=4)
    page.mouse.up()


def settled_input(page, strokes_expected):
    """Wait until the page has drawn `strokes_expected` strokes and shows the input made from them; return
    the strokes as the page recorded them and the 8x8 input it used."""
    page.wait_for_function(f"gradcanvas.digits.strokes.strokes.length === {strokes_expected} && "
                           "!gradcanvas.digits.strokes.drawing && !gradcanvas.digits.stale")
    strokes = json.loads(page.evaluate("JSON.stringify(gradcanvas.digits.strokes.strokes.toJs())"))
    shown = np.array(page.get_attribute("#digit-pad", "data-input").split(), int).reshape(8, 8)
    return strokes, shown


def test_a_mouse_stroke_is_read_as_cpython_reads_it_and_the_maps_change(open_site, page_errors, artifacts):
    page = open_lab(open_site)
    maps = page.locator("#digit-maps")
    maps.evaluate(READ_CANVAS)  # remembers the empty pad's maps
    draw(page, TWO)
    strokes, shown = settled_input(page, 1)
    assert len(strokes[0]) > 10
    assert shown.tolist() == optdigits.counts(strokes).tolist()  # the page downsampled as CPython does

    model, _ = weights.load(WEIGHTS)
    expected = cnn_inspect.inspect(model, digits_data.as_input(shown)[0, 0]).probabilities
    probabilities = np.array(page.get_attribute("#digit-bars", "data-probabilities").split(), float)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-9, atol=1e-15)
    assert int(probabilities.argmax()) == 2
    assert "your drawing as 2" in page.text_content("#digit-prediction")

    changed = maps.evaluate(READ_CANVAS)
    assert changed["changed"] > changed["total"] // 20, changed
    page.wait_for_timeout(2500)  # the pass's animation ends
    page.locator("#digits-lab").screenshot(path=artifacts / "digits-lab.png")
    assert page_errors == []


def test_every_canvas_of_the_lab_is_named_and_painted(open_site, page_errors):
    page = open_lab(open_site)
    draw(page, TWO)
    settled_input(page, 1)
    canvases = page.locator("#digits-lab canvas")
    assert canvases.count() == 10
    for index in range(canvases.count()):
        canvas = canvases.nth(index)
        label = canvas.get_attribute("aria-label")
        reading = canvas.evaluate(READ_CANVAS)
        assert label and reading["painted"] > reading["total"] // 200, (label, reading)
    assert page_errors == []


def test_undo_takes_back_the_last_stroke_and_clear_empties_the_pad(open_site, page_errors):
    page = open_lab(open_site)
    draw(page, TWO)
    draw(page, BAR)
    strokes, shown = settled_input(page, 2)
    assert shown.tolist() == optdigits.counts(strokes).tolist()
    page.get_by_role("button", name="Undo").click()
    remaining, shown = settled_input(page, 1)
    assert remaining == strokes[:1] and shown.tolist() == optdigits.counts(remaining).tolist()
    page.get_by_role("button", name="Clear").click()
    _, shown = settled_input(page, 0)
    assert shown.sum() == 0
    pad = page.locator("#digit-pad").evaluate(READ_CANVAS)
    assert pad["painted"] == 0, pad  # nothing but the background
    assert page_errors == []


def test_save_weights_downloads_a_file_the_engine_loads_and_a_bad_file_is_refused(open_site, page_errors, tmp_path):
    page = open_lab(open_site)
    with page.expect_download() as download:
        page.get_by_role("button", name="Save CNN weights").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    model, meta = weights.load(saved)
    shipped, shipped_meta = weights.load(WEIGHTS)
    assert saved.name == "digits-cnn.npz" and meta == shipped_meta
    for ours, theirs in zip(model.parameters(), shipped.parameters()):
        np.testing.assert_array_equal(ours.data, theirs.data)

    page.set_input_files("#digit-load", files=[{"name": "notes.npz", "mimeType": "application/octet-stream",
                                                "buffer": b"not weights"}])
    page.wait_for_function("document.querySelector('#digit-message').textContent.includes('Could not load notes.npz')")
    page.set_input_files("#digit-load", str(saved))
    page.wait_for_function("document.querySelector('#digit-model').textContent.includes('digits-cnn.npz (loaded)')")
    assert page.text_content("#digit-message") == ""
    assert page_errors == []


def test_dragging_turns_the_model_view(open_site, page_errors):
    page = open_lab(open_site)
    slabs = page.locator("#digit-slabs")
    slabs.scroll_into_view_if_needed()
    page.wait_for_timeout(2500)  # the first pass's animation ends
    before = slabs.evaluate(READ_CANVAS)
    box = slabs.bounding_box()
    page.mouse.move(box["x"] + 100, box["y"] + 100)
    page.mouse.down()
    page.mouse.move(box["x"] + 220, box["y"] + 130, steps=6)
    page.mouse.up()
    page.wait_for_timeout(300)
    after = slabs.evaluate(READ_CANVAS)
    assert after["changed"] > after["total"] // 20, (before, after)
    assert page_errors == []


def test_a_finger_draws_on_the_pad_too(phone, open_room):
    page = open_room(phone.page, "Digits lab")
    pad = page.locator("#digit-pad")
    pad.scroll_into_view_if_needed()
    scrolled = page.evaluate("scrollY")
    box = pad.bounding_box()
    x = box["x"] + box["width"] / 2
    phone.drag([(x, box["y"] + box["height"] * (0.15 + 0.7 * i / 10)) for i in range(11)])
    strokes, shown = settled_input(page, 1)
    assert shown.tolist() == optdigits.counts(strokes).tolist() and shown[:, 3:5].min() > 0
    assert page.evaluate("scrollY") == scrolled  # the finger drew; it did not scroll the page
    assert "your drawing as 1" in page.text_content("#digit-prediction")
    assert phone.errors == []
