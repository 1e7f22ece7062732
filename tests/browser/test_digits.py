"""The digits lab in Chromium: a stroke drawn with the mouse becomes the same 28x28 digit and the same ten
probabilities as in CPython, held-out digits show with their label, the Model menu switches networks and
travels in the link, Clear and Undo work, and Save weights downloads a file the engine loads."""
import json
import re

import numpy as np
from tests.browser.page_reading import READ_CANVAS

from app.digits import cnn_inspect, mnist, mnist_models, mnist_pipeline
from app.digits.lab import SHOWN_ORDER_SEED
from app.digits.mlp_step import record_mlp_step
from app.digits.mlp_walkthrough import INTRO
from app.shared.numbers import number
from benchmarks.digits import SEVEN, draw  # a "7" in fractions of the pad, drawn with the mouse
from engine import weights

from tests.app.digits.files import MNIST, SITE

BAR = [(0.2, 0.5), (0.8, 0.5)]


def shipped(name):
    return weights.load(SITE / mnist_models.NETWORKS[name].weights_file)


def open_lab(open_site, fragment="#room=digits"):
    page = open_site(fragment)
    page.get_by_role("button", name="Pause").click()  # the playground's training would only slow the lab
    page.locator("#digit-pad").scroll_into_view_if_needed()
    return page


def settled_input(page, strokes_expected):
    """Wait until the page has drawn `strokes_expected` strokes and shows the input made from them; return
    the strokes as the page recorded them, the 28x28 input it used, and the digit CPython makes of them."""
    page.wait_for_function(f"gradcanvas.digits.strokes.strokes.length === {strokes_expected} && "
                           "!gradcanvas.digits.strokes.drawing && !gradcanvas.digits.stale")
    strokes = json.loads(page.evaluate("JSON.stringify(gradcanvas.digits.strokes.strokes.toJs())"))
    width, height = page.evaluate("[gradcanvas.digits.canvases.get('pad').width, "
                                  "gradcanvas.digits.canvases.get('pad').height]")
    shown = np.array(page.get_attribute("#digit-pad", "data-input").split(), int).reshape(28, 28)
    expected = mnist_pipeline.from_strokes(strokes, mnist_pipeline.pen_width(width, height)).levels
    return strokes, shown, expected


def probabilities(page):
    return np.array(page.get_attribute("#digit-bars", "data-probabilities").split(), float)


def test_a_mouse_stroke_is_read_as_cpython_reads_it_and_the_maps_trace_it(open_site, page_errors, artifacts):
    page = open_lab(open_site)
    assert page.get_by_label("Drawing pad", exact=True).evaluate("element => element.id") == "digit-pad"
    maps = page.locator("#digit-maps")
    maps.evaluate(READ_CANVAS)  # remembers the held-out digit's maps
    draw(page, SEVEN)
    strokes, shown, expected = settled_input(page, 1)
    assert len(strokes[0]) > 10
    assert shown.tolist() == expected.tolist()  # the same 28x28 digit as CPython makes of the strokes

    model, _ = shipped("cnn")
    reading = cnn_inspect.inspect(model, shown / 255).probabilities
    np.testing.assert_allclose(probabilities(page), reading, rtol=1e-9, atol=1e-15)
    assert page.text_content("#digit-prediction") == str(reading.argmax()) == "7"
    assert page.text_content("#digit-label") == ""

    changed = maps.evaluate(READ_CANVAS)
    assert changed["changed"] > changed["total"] // 20, changed
    page.wait_for_timeout(4500)  # the pass's animation ends
    page.locator("#digits-lab").screenshot(path=artifacts / "digits-lab.png")
    assert page_errors == []


def test_show_a_test_digit_shows_its_label_and_the_networks_reading(open_site, page_errors):
    page = open_lab(open_site)
    digits = mnist.load(MNIST)
    order = np.random.default_rng(SHOWN_ORDER_SEED).permutation(len(digits.test_labels))
    model, _ = shipped("cnn")
    for shown in (0, 1, 2):  # the lab opens on the first; the button shows the next ones
        if shown:
            page.get_by_role("button", name="Show a test digit").click()
        index = int(order[shown])
        page.wait_for_function(f"document.querySelector('#digit-label').textContent === '{digits.test_labels[index]}'"
                               " && !gradcanvas.digits.stale")
        pixels = np.array(page.get_attribute("#digit-pad", "data-input").split(), int).reshape(28, 28)
        assert pixels.tolist() == digits.test_images[index].tolist()
        predicted = cnn_inspect.inspect(model, digits.test_images[index] / 255).probabilities.argmax()
        assert page.text_content("#digit-prediction") == str(predicted)
    assert page_errors == []


def test_the_model_menu_switches_networks_keeps_the_drawing_and_goes_in_the_link(open_site, page_errors):
    page = open_lab(open_site)
    draw(page, SEVEN)
    _, drawn, _ = settled_input(page, 1)
    saliency = page.locator("#digit-saliency")
    saliency.evaluate(READ_CANVAS)
    page.get_by_label("Model", exact=True).select_option("mlp")
    page.wait_for_function("document.querySelector('#digits-lab').dataset.model === 'mlp' && !gradcanvas.digits.stale")
    assert "digits_model=mlp" in page.evaluate("location.hash")
    _, shown, _ = settled_input(page, 1)
    assert shown.tolist() == drawn.tolist()  # the same drawing, read by the MLP now
    model, _ = shipped("mlp")
    reading = cnn_inspect.inspect(model, shown / 255, input_shape=(784,)).probabilities
    np.testing.assert_allclose(probabilities(page), reading, rtol=1e-9, atol=1e-15)
    assert page.text_content("#digit-prediction") == str(reading.argmax())
    changed = saliency.evaluate(READ_CANVAS)
    assert changed["changed"] > changed["total"] // 20, changed  # the MLP's gradient is another picture
    assert not page.locator("#digit-slabs").is_visible() and page.locator("#digit-stats").is_visible()
    assert page.get_by_role("button", name="Save MLP weights").is_visible()
    assert page_errors == []


def test_a_link_opens_the_lab_on_the_network_it_names(open_site, page_errors):
    page = open_lab(open_site, "#room=digits&digits_model=mlp")
    page.wait_for_function("document.querySelector('#digit-model').textContent.includes('MLP 784-64-32-10')")
    assert page.get_by_label("Model", exact=True).input_value() == "mlp"
    assert page.text_content("#digit-reading").startswith("The MLP reads")
    assert page_errors == []


def test_every_canvas_of_the_cnn_is_named_and_painted(open_site, page_errors):
    page = open_lab(open_site)
    draw(page, SEVEN)
    settled_input(page, 1)
    canvases = page.locator("#digits-lab canvas:visible")  # the MLP's own views, hidden, are not the CNN's
    assert canvases.count() == 10
    for index in range(canvases.count()):
        canvas = canvases.nth(index)
        label = canvas.get_attribute("aria-label")
        reading = canvas.evaluate(READ_CANVAS)
        assert label and reading["painted"] > reading["total"] // 200, (label, reading)
    assert page_errors == []


def test_undo_takes_back_the_last_stroke_and_clear_empties_the_pad(open_site, page_errors):
    page = open_lab(open_site)
    draw(page, SEVEN)
    draw(page, BAR)
    strokes, shown, expected = settled_input(page, 2)
    assert shown.tolist() == expected.tolist()
    page.get_by_role("button", name="Undo").click()
    remaining, shown, expected = settled_input(page, 1)
    assert remaining == strokes[:1] and shown.tolist() == expected.tolist()
    page.get_by_role("button", name="Clear").click()
    _, shown, _ = settled_input(page, 0)
    assert shown.sum() == 0 and page.text_content("#digit-prediction") == ""
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
    shipped_model, shipped_meta = shipped("cnn")
    assert saved.name == "mnist-cnn.npz" and meta["model"] == shipped_meta["model"] == "CNN (LeNet-5 style)"
    for ours, theirs in zip(model.parameters(), shipped_model.parameters()):
        np.testing.assert_array_equal(ours.data, theirs.data)

    opener = page.get_by_label("Open a model", exact=True)
    opener.set_input_files(files=[{"name": "notes.npz", "mimeType": "application/octet-stream",
                                   "buffer": b"not weights"}])
    page.wait_for_function("document.querySelector('#digit-message').textContent.includes('Could not open notes.npz')")
    opener.set_input_files(str(saved))
    page.wait_for_function("document.querySelector('#digit-model').textContent.includes('mnist-cnn.npz, weights')")
    assert page.text_content("#digit-message") == ""
    assert page_errors == []


def test_dragging_turns_the_model_view(open_site, page_errors):
    page = open_lab(open_site)
    slabs = page.locator("#digit-slabs")
    slabs.scroll_into_view_if_needed()
    page.wait_for_timeout(4500)  # the first pass's animation ends
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
    strokes, shown, expected = settled_input(page, 1)
    assert shown.tolist() == expected.tolist()
    assert shown.any(axis=1).sum() == 20 and shown.any(axis=0).sum() <= 4  # a "1": 20 pixels tall, a pen wide
    assert page.evaluate("scrollY") == scrolled  # the finger drew; it did not scroll the page
    assert page.text_content("#digit-prediction") == "1"
    assert phone.errors == []


def test_the_mlp_shows_its_neurons_and_first_layer_weights_and_walks_through_one_training_step(open_site,
                                                                                                 page_errors):
    page = open_lab(open_site, "#room=digits&digits_model=mlp")
    draw(page, SEVEN)
    _, shown, _ = settled_input(page, 1)
    network = page.get_by_label("MLP network", exact=True)
    first_layer = page.get_by_label("First-layer weights", exact=True)
    for canvas in (network, first_layer):
        reading = canvas.evaluate(READ_CANVAS)
        assert reading["painted"] > reading["total"] // 20, reading
    summary = page.text_content("#digit-mlp-summary")  # the words the network's picture writes
    assert re.search(r"hidden 1: \d+ of 64 silent \(\d+%\); hidden 2: \d+ of 32 silent", summary), summary
    assert "showing 200 of 50,176 into hidden 1, 300 of 2,048 into hidden 2" in summary

    model, _ = shipped("mlp")
    step = record_mlp_step(model, shown.ravel() / 255, 7)  # CPython's step on the same drawing
    walk = page.get_by_role("button", name="Walk through the pass", exact=True)
    captions = []
    for phase in range(1, 6):
        walk.click()
        page.wait_for_function(f"document.querySelector('#digit-mlp-phase').textContent.startsWith('{phase} of 5')")
        captions.append(page.text_content("#digit-mlp-phase"))
        if phase == 3:
            first_layer.evaluate(READ_CANVAS)  # the weights, before the gradient reaches them
        if phase == 4:
            page.wait_for_timeout(1500)  # the gradient flows back to the first layer
            changed = first_layer.evaluate(READ_CANVAS)
            assert changed["changed"] > changed["total"] // 10, changed  # each square: a copy of the digit
    assert "the forward pass" in captions[0]
    assert "cross-entropy for 7, the network's own reading" in captions[1] and f"= {number(step.loss)}." in captions[1]
    assert captions[2].startswith("3 of 5, the gradient at the outputs") and "4 of 5, the gradients flow" in captions[3]
    assert f"loss for this digit is {number(step.loss_after)} (it was {number(step.loss)})" in captions[4]
    walk.click()
    page.wait_for_function(f"document.querySelector('#digit-mlp-phase').textContent === {json.dumps(INTRO)}")
    assert page_errors == []
