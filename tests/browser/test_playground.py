"""The playground in Chromium, driven by its real controls as a person would: by their names."""
from urllib.parse import unquote

import pytest
from tests.browser.page_reading import READ_CANVAS

from app.graph.view import OPENING_SCALE
from app.playground.network_layout import layout_network
from app.playground.plane import to_plane
from app.playground.stepthrough.recorded_step import network_step, record_step
from app.playground.run import Run
from app.playground.state import State

LEARNING_RATES = ["0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10"]
LABELLED = ["Learning rate", "Activation", "Regularization", "Regularization rate", "Problem type",
            "Ratio of training to test data", "Noise", "Batch size"]


def epoch(page):
    return int(page.text_content("#epoch"))


def test_every_named_control_is_there_and_the_canvases_are_named(open_site, page_errors, artifacts):
    page = open_site()
    for name in LABELLED:
        assert page.get_by_label(name, exact=False).first.is_visible(), name
    rates = page.get_by_label("Learning rate").locator("option").all_text_contents()
    assert rates == LEARNING_RATES
    for name in ("Reset", "Pause", "Step"):
        assert page.get_by_role("button", name=name, exact=True).is_enabled(), name
    for name in ("Network", "Output"):
        canvas = page.get_by_label(name, exact=True)
        assert canvas.evaluate("c => c.tagName") == "CANVAS"
        reading = canvas.evaluate(READ_CANVAS)
        assert reading["painted"] > reading["total"] // 50 and reading["colours"] > 10, (name, reading)
    page.wait_for_function("Number(document.querySelector('#epoch').textContent) >= 150")
    page.screenshot(path=artifacts / "playground-trained.png")  # the README's picture
    assert float(page.text_content("#train-loss")) < 0.2  # the default network has learned the circle
    assert page_errors == []


def test_pause_reset_and_step_behave_as_their_names_say(open_site, page_errors):
    page = open_site()
    page.wait_for_function("Number(document.querySelector('#epoch').textContent) >= 3")  # it loads playing
    page.get_by_role("button", name="Pause").click()
    paused_at = epoch(page)
    page.wait_for_timeout(300)
    assert epoch(page) == paused_at
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function("document.querySelector('#epoch').textContent === '0'")
    assert page.get_by_role("button", name="Play").is_visible()
    page.get_by_role("button", name="Step").click()
    page.wait_for_function("document.querySelector('#epoch').textContent === '1'")
    page.wait_for_timeout(300)
    assert epoch(page) == 1  # one epoch, and paused after it
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("Number(document.querySelector('#epoch').textContent) >= 4")
    assert page.get_by_role("button", name="Pause").is_visible()
    assert page_errors == []


def test_controls_write_the_link_and_the_link_reopens_the_same_playground(open_site, page, page_errors):
    open_site()
    page.get_by_label("Learning rate").select_option("0.3")
    page.get_by_label("Activation").select_option("relu")
    page.get_by_label("Exclusive or").check()
    page.get_by_role("button", name="Add a hidden layer").click()
    page.wait_for_function("location.hash.includes('hidden=4,2,2')")
    link = unquote(page.evaluate("location.hash"))
    assert link.startswith("#v=1&") and "lr=0.3" in link and "activation=relu" in link and "dataset=xor" in link

    page.goto("about:blank")
    open_site(link)
    assert page.get_by_label("Learning rate").input_value() == "0.3"
    assert page.get_by_label("Activation").input_value() == "relu"
    assert page.get_by_label("Exclusive or").is_checked()
    assert page.locator(".layer-row").count() == 3
    assert page_errors == []


def test_a_bad_link_says_what_it_ignored_and_the_page_still_works(open_site, page_errors):
    page = open_site("#v=1&lr=banana&noise=7&dataset=spiral")
    notes = page.locator("#notes").text_content()
    assert "learning rate 'banana'" in notes and "noise" in notes
    assert page.get_by_label("Spiral").is_checked()
    assert page.get_by_label("Learning rate").input_value() == "0.03"
    page.wait_for_function("Number(document.querySelector('#epoch').textContent) >= 2")
    assert page_errors == []


def test_a_click_on_the_output_adds_a_point_of_your_own(open_site, page_errors):
    page = open_site()
    page.get_by_role("button", name="Pause").click()
    page.get_by_label("Output", exact=True).click(position={"x": 40, "y": 40})
    page.wait_for_function("location.hash.includes('dataset=custom')")
    assert page.get_by_label("Your points").is_checked()
    assert page_errors == []


def test_the_output_legend_and_numbers_fit_the_problem(open_site, page_errors):
    page = open_site("#problem=regression&dataset=plane")
    scale, key = page.locator("#output-panel .legend .scale"), page.locator("#output-panel .class-key")
    assert scale.is_visible() and not key.is_visible()
    assert page.get_by_text("Training loss", exact=True).is_visible() and not page.get_by_text("Training accuracy", exact=True).is_visible()
    page.get_by_label("Problem type").select_option("classification")
    page.get_by_label("Three classes").check()
    page.wait_for_function("document.querySelector('#output-panel').dataset.kind === 'classes'")
    assert key.is_visible() and not scale.is_visible() and page.get_by_text("Training accuracy", exact=True).is_visible()
    assert page_errors == []


def test_the_keyboard_points_at_the_plane_and_steps_through_the_network_and_the_graph(open_site, page_errors):
    page = open_site()
    page.get_by_role("button", name="Pause").click()
    plane = page.get_by_label("Output", exact=True)
    plane.focus()
    scrolled = page.evaluate("scrollY")
    point = "window.gradcanvas.playground.canvas_input.hovered_point?.toJs() ?? null"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    first = page.evaluate(point)
    page.keyboard.press("ArrowDown")
    assert page.evaluate(point) == pytest.approx([first[0], first[1] - 0.5])
    assert page.evaluate("scrollY") == scrolled  # the arrows moved the input, not the page
    page.keyboard.press("Tab")  # leaving the plane lets go of the point
    assert page.evaluate(point) is None
    page.get_by_label("Network", exact=True).focus()
    scrolled = page.evaluate("scrollY")
    for name in ("ArrowDown", "ArrowRight", "ArrowDown"):
        page.keyboard.press(name)
    page.wait_for_function("document.querySelector('#inspector').textContent.startsWith('Hidden layer 1, neuron 2')")
    assert page.locator("#inspector-numbers tr").count() > 1  # its numbers, read out by the inspector
    assert page.evaluate("scrollY") == scrolled
    graph = page.get_by_label("Computation graph", exact=True)
    graph.focus()
    top = graph.bounding_box()["y"]
    for name in ("ArrowRight", "ArrowRight"):  # the first input, then the node it feeds
        page.keyboard.press(name)
    page.wait_for_function("document.querySelector('#inspector').textContent.startsWith('Graph node linear')")
    assert graph.bounding_box()["y"] == pytest.approx(top, abs=2)  # the graph stayed where it was on screen
    assert page_errors == []


def test_a_diverging_run_stops_with_a_message(open_site, page_errors):
    page = open_site("#problem=regression&dataset=plane&lr=10&activation=linear&hidden=")
    page.wait_for_function("document.querySelector('#message').textContent.includes('diverged')")
    assert page.get_by_role("button", name="Play").is_visible()
    assert page_errors == []


def test_on_a_phone_the_panels_stack_and_nothing_overflows(chromium, site_url, artifacts):
    context = chromium.new_context(viewport={"width": 375, "height": 800}, color_scheme="dark",
                                   device_scale_factor=2, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(site_url)
    page.wait_for_function("document.body.dataset.state === 'ready'")
    boxes = [part.bounding_box() for part in (page.get_by_label("Output", exact=True),
                                              page.get_by_label("Network", exact=True), page.locator("section.data"))]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]  # the pictures first, the data's settings after them
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.get_by_role("button", name="Step").bounding_box()["height"] >= 44
    # crisp: the canvas's backing store has twice the pixels of its CSS box
    width = page.evaluate("(() => { const c = document.querySelector('#network'); return [c.width, c.clientWidth] })()")
    assert width[0] == 2 * width[1]
    page.screenshot(path=artifacts / "phone-dark.png", full_page=True)
    context.close()


def test_on_a_phone_the_graph_opens_readable_and_a_finger_swipes_along_it(phone):
    page = phone.page
    view = "window.gradcanvas.playground.graph.transform().toJs()"
    scale, dx, _ = page.evaluate(view)
    assert scale == pytest.approx(OPENING_SCALE) and dx == 0  # true size from the inputs: the whole would be tiny
    graph = page.get_by_label("Computation graph", exact=True)
    graph.scroll_into_view_if_needed()
    scrolled, box = page.evaluate("scrollY"), graph.bounding_box()
    y = box["y"] + box["height"] / 2
    phone.drag([(x, y) for x in range(300, 140, -10)])
    page.wait_for_timeout(300)
    assert page.evaluate(view)[1] == pytest.approx(-150, abs=12)  # the graph followed the finger
    assert page.evaluate("scrollY") == scrolled  # and the page did not scroll sideways or down
    assert phone.errors == []


def inspector_rows(page):
    """The inspector's table as {quantity: value}, numbers read back from their real minus signs."""
    cells = page.locator("#inspector-numbers tr").evaluate_all(
        "rows => rows.slice(1).map(row => [...row.cells].map(cell => cell.textContent))")
    return {name: value for name, value in cells}


def number(text):
    return float(text.split()[0].replace("\u2212", "-"))


def test_next_phase_walks_one_step_in_the_network_and_the_inspector_shows_the_engines_numbers(open_site, page_errors):
    page = open_site()
    page.get_by_role("button", name="Reset").click()  # epoch 0 and paused: the weights the seed gives CPython too
    page.wait_for_function("document.querySelector('#epoch').textContent === '0'")
    run = Run(State())
    story = network_step(record_step(run), run.model)  # the same first step, computed here in CPython
    network = page.get_by_label("Network", exact=True)
    size = network.evaluate("c => [c.clientWidth, c.clientHeight]")
    neuron = layout_network(run.layer_sizes(), *size).centres[2][1]  # hidden layer 2, neuron 2
    bias_before, bias_gradient, bias_after = (part[1] for part in story.biases[1])
    readings = [network.evaluate(READ_CANVAS)]
    for phase in range(1, 6):
        if phase == 3:
            page.keyboard.press("n")  # the key does what the button does
        else:
            page.get_by_role("button", name="Next phase").click()
        page.wait_for_function(f"document.querySelector('#phase-caption').textContent.startsWith('Phase {phase} of 5')")
        page.wait_for_timeout(900)  # the phase's motion at the default speed
        network.click(position={"x": float(neuron[0]), "y": float(neuron[1])})
        page.wait_for_function("document.querySelector('#inspector').textContent.startsWith('Hidden layer 2, neuron 2')")
        readings.append(network.evaluate(READ_CANVAS))
        assert readings[-1]["changed"] > readings[-1]["total"] // 2000, (phase, readings[-1])  # the picture moved on
        rows = inspector_rows(page)
        assert number(rows["value"]) == pytest.approx(story.values[2][0, 1], rel=1e-3)
        assert number(rows["pre-activation"]) == pytest.approx(story.pre_activations[2][0, 1], rel=1e-3)
        if phase >= 4:
            assert number(rows["gradient \u2202L/\u2202a"]) == pytest.approx(story.gradients[2][0, 1], rel=1e-3)
            assert number(rows["gradient \u2202L/\u2202b"]) == pytest.approx(bias_gradient, rel=1e-3)
        else:
            assert "phase 4" in rows["gradient \u2202L/\u2202a"]
        if phase == 5:
            assert number(rows["last update \u0394b"]) == pytest.approx(bias_after - bias_before, rel=1e-3)
    assert page.get_by_role("button", name="Play").is_visible()  # it paused to walk the step
    assert "largest change" in page.text_content("#phase-caption")

    graph = page.get_by_label("Computation graph", exact=True)
    before = graph.evaluate(READ_CANVAS)
    graph.hover()
    scrolled = page.evaluate("scrollY")
    page.mouse.wheel(0, -600)  # zoom in where the pointer is
    page.wait_for_timeout(300)
    zoomed = graph.evaluate(READ_CANVAS)
    assert zoomed["changed"] > zoomed["total"] // 100, (before, zoomed)
    assert page.evaluate("scrollY") == scrolled  # the wheel zoomed the graph, not the page
    assert page_errors == []


def test_animating_every_step_plays_the_phases_by_itself_at_the_chosen_speed(open_site, page_errors, artifacts):
    page = open_site("#hidden=8,8,8,8,8,8&dataset=spiral")
    page.get_by_role("button", name="Pause").click()
    page.get_by_label("Animation speed").select_option("100")
    page.get_by_label("Animate every step").check()
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("document.querySelector('#phase-caption').textContent.startsWith('Phase 4 of 5')")
    page.wait_for_timeout(250)  # particles on their way
    network = page.get_by_label("Network", exact=True)
    network.screenshot(path=artifacts / "gradients-flowing.png")
    first = network.evaluate(READ_CANVAS)
    page.wait_for_timeout(100)
    second = network.evaluate(READ_CANVAS)
    assert second["changed"] > 200, second  # the particles move from frame to frame
    page.wait_for_function("document.querySelector('#phase-caption').textContent.startsWith('Phase 1 of 5')")
    assert first["colours"] > 20
    assert page_errors == []


# How many blobs of one colour (within a small tolerance) a canvas shows: each point of that colour is one,
# however a crosshair crossing it cuts it up.
POINTS_OF_COLOUR = """
([canvas, [r, g, b]]) => {
  const {width, height} = canvas;
  const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  const blobs = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      if (Math.abs(pixels[i] - r) + Math.abs(pixels[i + 1] - g) + Math.abs(pixels[i + 2] - b) > 40) continue;
      if (!blobs.some((blob) => Math.hypot(blob.x - x, blob.y - y) < 12)) blobs.push({x, y});
    }
  }
  return blobs.length;
}
"""
CENTRE_COLOUR = "([canvas, x, y]) => Array.from(canvas.getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3))"


def test_every_point_you_click_is_drawn_and_test_ones_are_hollow(open_site, page_errors, artifacts):
    page = open_site()
    page.get_by_role("button", name="Pause").click()
    page.get_by_label("Your points").check()
    output = page.get_by_label("Output", exact=True)
    box = output.bounding_box()
    clicks = [(0.2, 0.2), (0.5, 0.3), (0.8, 0.2), (0.3, 0.7), (0.75, 0.8)]
    for n, (u, v) in enumerate(clicks, start=1):
        output.click(position={"x": u * box["width"], "y": v * box["height"]})
        page.wait_for_function(f"location.hash.match(/custom=([^&]*)/)?.[1].split(';').length === {n}")
    page.mouse.move(0, 0)  # off the plane: no crosshair of the pointer's
    page.wait_for_timeout(300)
    output.screenshot(path=artifacts / "your-points.png")
    canvas = output.element_handle()
    ratio = page.evaluate("c => c.width / c.getBoundingClientRect().width", canvas)
    blue = [8, 102, 170]  # class 1, as chosen under "Your own points"
    assert page.evaluate(POINTS_OF_COLOUR, [canvas, blue]) == 5  # all five, test points too
    centres = [page.evaluate(CENTRE_COLOUR, [canvas, round(u * box["width"] * ratio), round(v * box["height"] * ratio)])
               for u, v in clicks]
    hollow = [all(channel > 240 for channel in centre) for centre in centres]
    assert hollow == [False, True, False, True, False]  # at 50%, every other point you add is held out to test
    assert "the 2 hollow ones are test points" in page.text_content("#legend-note")
    assert page_errors == []


PIXELS_AT = """([canvas, points]) => {
  const context = canvas.getContext('2d');
  return points.map(([x, y]) => Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3)));
}"""


def test_crowded_training_points_read_filled_on_the_canvas(open_site, page_errors):
    page = open_site()
    page.get_by_role("button", name="Pause").click()
    page.mouse.move(0, 0)  # off the plane
    canvas = page.get_by_label("Output", exact=True).element_handle()
    size = page.evaluate("c => [c.width, c.height]", canvas)
    points = page.evaluate("window.gradcanvas.playground.run.X_train.tolist().toJs()")
    centres = [[int(v) for v in to_plane(point, *size)] for point in points]
    colours = page.evaluate(PIXELS_AT, [canvas, centres])
    # White at a training point's centre would be a neighbour's ring over its dot: it would read as a hollow test point.
    hollow_looking = [point for point, colour in zip(points, colours) if all(channel > 240 for channel in colour)]
    assert len(points) == 250 and hollow_looking == []
    assert page_errors == []
