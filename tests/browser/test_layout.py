"""The page's layout in Chromium, as a first-timer meets it: the core picture on one screen, the deeper tools in
rooms reached by name (with the mouse, the keyboard and a link), Start here's lessons opened in place, every
control named exactly by its label, and the weight editor opening where the edge was clicked."""
import re

import numpy as np
import pytest
from playwright.sync_api import expect
from tests.browser.page_reading import READ_CANVAS

from app.playground.network_layout import layout_network
from app.playground.network_view import edge_curve
from app.playground.presets import PRESETS
from app.playground.run import Run
from app.playground.state import State

SELECTS = ["Learning rate", "Activation", "Regularization", "Regularization rate", "Problem type"]
SLIDERS = ["Ratio of training to test data", "Noise", "Batch size"]
LESSONS = ["xor-hidden", "spiral-depth", "relu-sparsity", "sigmoid-vanishing", "lr-too-high", "dead-relu",
           "width-not-depth", "micrograd-expression", "three-class", "overfit", "regularization"]


def core(page):
    """The core picture's parts, by the names a person (or a screen reader) finds them by."""
    return {
        **{name: page.get_by_role("button", name=name, exact=True) for name in ("Reset", "Pause", "Step")},
        "Epoch": page.get_by_label("Epoch", exact=True),
        **{name: page.get_by_label(name, exact=True) for name in SELECTS + SLIDERS},
        "Dataset": page.get_by_role("group", name="Dataset", exact=True),
        "Regenerate": page.get_by_role("button", name="Regenerate", exact=True),
        "Network": page.get_by_label("Network", exact=True),
        "Next phase": page.get_by_role("button", name="Next phase", exact=True),
        "Output": page.get_by_label("Output", exact=True),
        "Loss curve": page.locator("#loss-curve"),
        "Training loss": page.locator("#train-loss"),
        "Test loss": page.locator("#test-loss"),
        "Start here": page.get_by_role("region", name="Start here", exact=True),  # the whole path of lessons
    }


def test_the_core_picture_lies_on_the_first_screen(open_site, page_errors, artifacts):
    page = open_site()
    page.screenshot(path=artifacts / "layout-first-screen.png")
    assert page.evaluate("scrollY") == 0
    for name, part in core(page).items():
        box = part.bounding_box()
        assert part.is_visible() and box is not None, name
        assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 800, (
            name, box)
    tops = {page.get_by_label(name, exact=True).bounding_box()["y"] for name in SELECTS + ["Optimizer", "Loss"]}
    assert len(tops) == 1  # the settings on one row: Loss never wraps onto a row of its own
    rows = [page.locator("label", has=page.get_by_role("radio", name=name, exact=True)).bounding_box()["height"]
            for name in ("Circle", "Exclusive or", "Three classes")]
    assert max(rows) < 1.5 * min(rows)  # each dataset's name on one line beside its radio
    # Six hidden layers: their rows of controls take height from the picture, not Next phase off the screen.
    open_site("#v=1&hidden=8,8,8,8,8,8")
    network, next_phase = page.get_by_label("Network", exact=True), page.get_by_role("button", name="Next phase")
    assert next_phase.bounding_box()["y"] + next_phase.bounding_box()["height"] <= 800
    assert network.bounding_box()["height"] >= 200
    assert page_errors == []


def test_on_a_phone_the_pictures_come_before_the_long_settings(chromium, site_url, artifacts):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(site_url)
    page.wait_for_function("document.body.dataset.state === 'ready'")
    page.screenshot(path=artifacts / "layout-phone.png", full_page=True)
    top = {name: part.bounding_box()["y"] for name, part in core(page).items()}
    assert top["Pause"] < top["Output"] < top["Network"]  # Play, then the pictures
    settings = min(top[name] for name in SELECTS + SLIDERS + ["Dataset"])
    assert top["Network"] < settings, top
    assert top["Output"] + page.get_by_label("Output", exact=True).bounding_box()["height"] < 844  # the plane, at once
    # The Network's picture right after the plane, before the words under the plane and its buttons.
    words = {name: part.bounding_box()["y"] for name, part in (
        ("caption", page.locator("#output-caption")), ("Save image", page.get_by_role("button", name="Save image")),
        ("Show test data", page.get_by_label("Show test data")), ("Features", page.get_by_role("group", name="Features")))}
    assert top["Network"] < 1.3 * 844 and all(top["Network"] < y for y in words.values()), (top["Network"], words)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_on_a_phone_the_networks_key_and_next_phase_sit_under_its_picture_and_a_lesson_opens_in_view(phone, artifacts):
    page = phone.page
    picture = page.get_by_label("Network", exact=True).bounding_box()
    key, next_phase, features = (part.bounding_box() for part in (
        page.locator("#network-colours"), page.get_by_role("button", name="Next phase"),
        page.get_by_role("group", name="Features")))
    assert picture["y"] + picture["height"] <= key["y"] < next_phase["y"] < features["y"]
    assert all(name.bounding_box()["height"] < 30 for name in page.locator(".layer-name").all())  # "Hidden 1", one line
    # A lesson from the list, far below the pictures: the page goes up to its words and the plane they speak of.
    lesson = page.locator('a[href="#preset=xor-hidden"]')
    lesson.scroll_into_view_if_needed()
    assert page.evaluate("scrollY") > 1000
    lesson.tap()
    page.wait_for_function("location.hash.includes('dataset=xor') && scrollY === 0")
    page.screenshot(path=artifacts / "layout-phone-lesson.png")
    note, plane = page.locator("#note").bounding_box(), page.get_by_label("Output", exact=True).bounding_box()
    assert page.locator("#note").text_content().startswith("XOR needs a hidden layer")
    assert 0 <= note["y"] and note["y"] + note["height"] <= plane["y"] and plane["y"] + plane["height"] / 2 <= 800
    assert phone.errors == []


def test_each_control_is_named_by_its_label_alone(open_site, page_errors):
    page = open_site()
    for name in SELECTS + SLIDERS:
        role = "combobox" if name in SELECTS else "slider"
        assert page.get_by_label(name, exact=True).count() == 1, name
        assert page.get_by_role(role, name=name, exact=True).count() == 1, name
    page.get_by_role("slider", name="Noise", exact=True).fill("25")  # the value shows beside it, not in its name
    page.wait_for_function("document.querySelector('output[for=noise]').textContent === '25'")
    assert page.get_by_role("slider", name="Noise", exact=True).count() == 1
    assert page_errors == []


RING = "el => { const style = getComputedStyle(el); return [style.outlineStyle, style.outlineWidth, style.outlineColor]; }"


def test_menus_radios_sliders_and_checkboxes_wear_the_buttons_focus_ring(open_site, page_errors):
    page = open_site()
    page.keyboard.press("Shift")  # the keyboard is in use: focus shows as it does when tabbing
    step = page.get_by_role("button", name="Step", exact=True)
    step.focus()
    ring = step.evaluate(RING)
    assert ring[0] == "solid" and ring[1] == "3px"
    for control in (page.get_by_label("Learning rate", exact=True), page.get_by_role("radio", name="Circle"),
                    page.get_by_role("slider", name="Noise", exact=True), page.get_by_role("checkbox", name="x₁", exact=True)):
        control.focus()
        assert control.evaluate(RING) == ring, control
    assert page_errors == []


def test_the_keyboard_meets_start_here_right_after_the_data_as_the_eye_does(open_site, page_errors):
    page = open_site()
    page.get_by_text("Your own points", exact=True).focus()  # the Data panel's last stop
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == f"#preset={LESSONS[0]}"
    page.locator(f'a[href="#preset={LESSONS[-1]}"]').focus()
    page.keyboard.press("Tab")  # then the Network, beside them
    assert page.get_by_role("checkbox", name="x₁", exact=True).evaluate("box => box === document.activeElement")
    assert page_errors == []


def visible_room(page):
    """The rooms a person can see now, by their panels."""
    rooms = {"graph": page.get_by_label("Computation graph", exact=True),
             "code": page.get_by_role("textbox", name="Code"),
             "diagnostics": page.get_by_role("button", name="Check gradients"),
             "traces": page.get_by_label("Keep a trace of every training step"),
             "digits": page.get_by_role("button", name="Show a test digit")}
    return [room for room, part in rooms.items() if part.is_visible()]


def test_a_room_opens_by_click_and_by_keyboard_and_the_link_keeps_it(open_site, page, page_errors, artifacts):
    open_site()
    assert visible_room(page) == ["graph"]
    page.get_by_role("radio", name="Diagnostics", exact=True).click()  # the tab a person clicks: its radio fills it
    page.wait_for_function("location.hash.includes('room=diagnostics')")
    assert visible_room(page) == ["diagnostics"] and page.evaluate("document.body.dataset.room") == "diagnostics"
    # The closed Graph room's canvas kept its size and is drawn still, ready when the room opens again.
    graph = page.get_by_label("Computation graph", exact=True)
    assert graph.evaluate("c => c.clientWidth > 300 && c.clientHeight > 100")
    assert graph.evaluate(READ_CANVAS)["painted"] > 0

    # From the keyboard: Tab from the core's last control reaches the rooms, the arrows choose one, Tab enters it.
    page.get_by_text("Stop automatically", exact=True).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "diagnostics"  # the open room's tab
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.body.dataset.room === 'code'")
    assert visible_room(page) == ["code"] and "room=code" in page.evaluate("location.hash")
    ring = page.evaluate("getComputedStyle(document.activeElement.closest('label')).outlineStyle")
    assert ring == "solid"  # the tab shows where the keyboard is
    page.locator(".rooms").screenshot(path=artifacts / "layout-rooms-keyboard.png")
    page.keyboard.press("Tab")  # into the open room, past every closed one
    assert page.evaluate("document.activeElement.textContent") == "Run"

    page.reload()  # a link opens the room it names
    page.wait_for_function("document.body.dataset.state === 'ready'")
    assert visible_room(page) == ["code"]
    page.goto(page.url.split("#")[0] + "#room=graph")
    page.reload()
    page.wait_for_function("document.body.dataset.state === 'ready'")
    assert visible_room(page) == ["graph"] and page.get_by_role("radio", name="Graph", exact=True).is_checked()
    assert page_errors == []


def test_start_here_lists_the_lessons_in_order_and_each_opens_where_the_user_is(open_site, page, page_errors):
    open_site()
    lessons = page.get_by_role("region", name="Start here").get_by_role("link")
    assert [link.get_attribute("href") for link in lessons.all()] == [f"#preset={lesson}" for lesson in LESSONS]
    for lesson in ("xor-hidden", "dead-relu"):
        page.locator(f'a[href="#preset={lesson}"]').click()
        said = f"document.querySelector('.messages').textContent.includes({PRESETS[lesson].title!r})"
        page.wait_for_function(said)
        assert page.evaluate("scrollY") == 0  # no jump: the whole path, its text and its network on one screen
        box = page.locator(".messages").bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= 800
    assert page.get_by_label("Network", exact=True).bounding_box()["y"] < 800
    assert "room=code" in page.evaluate("location.hash") and visible_room(page) == ["code"]  # the lesson's code
    # The one lesson watched in its room: the graph it steps through comes into view, whole, with its button.
    page.locator('a[href="#preset=micrograd-expression"]').click()
    graph = page.get_by_label("Computation graph", exact=True)
    page.wait_for_function("scrollY > 0")  # as far as the page goes: the room is its last part
    box = graph.bounding_box()
    assert visible_room(page) == ["graph"] and 0 <= box["y"] and box["y"] + box["height"] <= 800
    assert page.get_by_role("button", name="Next node").bounding_box()["y"] >= 0
    assert page_errors == []


def test_clicking_an_edge_opens_the_weight_editor_beside_it_without_scrolling(open_site, page_errors, artifacts):
    page = open_site()
    page.get_by_role("button", name="Pause").click()
    network = page.get_by_label("Network", exact=True)
    network.scroll_into_view_if_needed()
    scrolled = page.evaluate("scrollY")
    layout = layout_network(Run(State()).layer_sizes(), *network.evaluate("c => [c.clientWidth, c.clientHeight]"))
    start, c1, c2, end = (np.array(point) for point in edge_curve(*layout.centres[1][3], *layout.centres[2][1],
                                                                   layout.radius))
    x, y = 0.125 * start + 0.375 * c1 + 0.375 * c2 + 0.125 * end  # the middle of the edge
    drawn = page.evaluate("window.gradcanvas.playground.pictures.drawn_weights().get(1).tolist().toJs()[1][3]")
    network.click(position={"x": float(x), "y": float(y)})
    field = page.locator("#weight")
    field.wait_for(state="visible")
    editor, canvas = page.locator("#weight-editor").bounding_box(), network.bounding_box()
    click = (canvas["x"] + x, canvas["y"] + y)
    assert editor["y"] - click[1] == pytest.approx(14, abs=2)  # just under the click
    assert editor["x"] <= click[0] <= editor["x"] + editor["width"]
    assert canvas["x"] <= editor["x"] and editor["x"] + editor["width"] <= canvas["x"] + canvas["width"]
    assert page.evaluate("scrollY") == scrolled
    assert float(field.input_value()) == pytest.approx(drawn, rel=1e-3)  # the weight as drawn at the click
    page.screenshot(path=artifacts / "layout-weight-editor.png", clip={**canvas, "height": canvas["height"] + 40})
    page.keyboard.press("Escape")
    field.wait_for(state="hidden")
    assert page_errors == []


def test_play_pause_is_the_one_button_to_press_and_the_epoch_reads_large(open_site, page_errors, artifacts):
    page = open_site()
    page.locator(".toolbar").screenshot(path=artifacts / "layout-transport.png")
    toggle, *others = (page.get_by_role("button", name=name, exact=True) for name in ("Pause", "Reset", "Step"))
    look = "b => [getComputedStyle(b).backgroundColor, b.getBoundingClientRect().height]"
    filled, height = toggle.evaluate(look)
    assert 44 <= height <= 48 and filled != "rgba(0, 0, 0, 0)"
    for background, other_height in (button.evaluate(look) for button in others):
        assert background == "rgba(0, 0, 0, 0)" and other_height < height  # outlined, and smaller
    # The toggle's sign (❚❚, then ▶) is drawn by the stylesheet, no part of its name: it is "Pause", then "Play".
    sign = "b => { const s = getComputedStyle(b, '::before'); return [s.content, s.width, s.clipPath, s.borderLeftWidth]; }"
    pausing = toggle.evaluate(sign)
    toggle.click()
    playing = page.get_by_role("button", name="Play", exact=True).evaluate(sign)
    assert pausing[0] == playing[0] == '""' and float(pausing[1].removesuffix("px")) > 8 and playing != pausing
    size, digits = page.get_by_label("Epoch", exact=True).evaluate(
        "e => [getComputedStyle(e).fontSize, getComputedStyle(e).fontVariantNumeric]")
    assert 22 <= float(size.removesuffix("px")) <= 24 and digits == "tabular-nums"  # large, and it does not jitter
    assert page_errors == []


def test_the_plane_has_its_axes_and_its_caption_says_what_the_crosshair_is(open_site, page_errors, artifacts):
    page = open_site()
    page.locator("#output-panel").screenshot(path=artifacts / "layout-output.png")
    plane = page.get_by_label("Output", exact=True).bounding_box()
    left, top, right, bottom = plane["x"], plane["y"], plane["x"] + plane["width"], plane["y"] + plane["height"]
    values = ["\u22126", "\u22123", "0", "3", "6"]
    for axis, shares in (("x", (0, 0.25, 0.5, 0.75, 1)), ("y", (1, 0.75, 0.5, 0.25, 0))):  # x2's −6 at the bottom
        ticks = page.locator(f"#plane-{axis}-ticks span")
        assert ticks.all_text_contents() == values
        for tick, share in zip(ticks.all(), shares):
            box = tick.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            if axis == "x":  # under the plane, each at its value
                assert x == pytest.approx(left + share * plane["width"], abs=1) and bottom < y < bottom + 20, tick
            else:  # at its right
                assert y == pytest.approx(top + share * plane["height"], abs=1) and right < x < right + 30, tick
    assert "\u2295 marks the input whose values the Network shows" in page.text_content("#output-caption")
    assert page_errors == []


def test_the_keyboard_hints_wait_in_a_disclosure_and_the_planes_options_rise(open_site, page_errors):
    page = open_site()
    for canvas, hint, words in (("Output", "#output-keys", "Enter adds a point there"),
                                ("Network", "#network-keys", "step from neuron to neuron")):
        keys = page.locator(hint)
        summary = page.locator(f"details:has({hint}) > summary")
        assert not keys.is_visible() and summary.text_content() == "Keyboard"
        # Folded away, the words still describe the canvas to a screen reader.
        expect(page.get_by_label(canvas, exact=True)).to_have_accessible_description(re.compile(words))
        summary.click()
        assert keys.is_visible() and words in keys.text_content()
        summary.click()
    # No hint on the first screen now: Show test data and Discretize output come up, right under the colours' words.
    note = page.locator("#legend-note").bounding_box()
    for name in ("Show test data", "Discretize output"):
        box = page.get_by_label(name, exact=True).bounding_box()
        assert note["y"] + note["height"] <= box["y"] < note["y"] + note["height"] + 20 and box["y"] < 1.05 * 800, name
    assert page_errors == []
