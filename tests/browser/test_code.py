"""The code editor in Chromium: type, Run, share, reload, and the guards around a stranger's code."""
from tests.browser.page_reading import wait_for_state

from app.playground.network_layout import layout_network

MODEL = 'from engine import nn\nmodel = nn.MLP(2, [6, 3], 1, activation="relu")\nprint("ok")'
# The colour at CSS pixel (x, y) of a canvas drawn at the screen's density.
PIXEL = """(canvas, [x, y]) => Array.from(canvas.getContext("2d").getImageData(
  Math.round(x * devicePixelRatio), Math.round(y * devicePixelRatio), 1, 1).data.slice(0, 3))"""


def type_code(page, text):
    """Type `text` over the editor's, opening the Code room first where the page has rooms."""
    room = page.get_by_role("radio", name="Code", exact=True)
    if room.count():
        room.check()
    editor = page.get_by_role("textbox", name="Code")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def test_code_typed_and_run_builds_the_network_and_a_link_reopens_it_without_running(open_site, page, page_errors,
                                                                                      site_url, chromium):
    open_site()
    network = page.get_by_label("Network", exact=True)
    type_code(page, MODEL)
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("document.querySelector('#code-output').textContent.includes('ok')")
    page.wait_for_function("document.querySelector('#network-note').textContent.includes('from your code')")
    # A 2-6-3-1 network is drawn now: a neuron at each of its six places in hidden layer 1, once the picture has
    # been fitted to its new height (the note saying the code holds the layer controls takes a row of it).
    page.wait_for_function("(c => c.height === Math.round(c.clientHeight * devicePixelRatio))"
                           "(document.getElementById('network'))")
    layout = layout_network([2, 6, 3, 1], *network.evaluate("c => [c.clientWidth, c.clientHeight]"))
    colours = [network.evaluate(PIXEL, [float(x), float(y)]) for x, y in [(4, 4), *layout.centres[1]]]
    background, neurons = colours[0], colours[1:]
    assert all(colour != background for colour in neurons), colours
    page.wait_for_function("location.hash.includes('code=')")
    page.get_by_role("button", name="Copy link").click()
    link = page.text_content("#link-status").split("Link copied: ")[1]
    assert "code=" in link

    stranger = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
    stranger.set_default_timeout(60_000)
    stranger.goto(link)
    assert wait_for_state(stranger, "ready", "error") == "ready"
    assert "press Run" in stranger.text_content("#note")
    assert 'nn.MLP(2, [6, 3], 1' in stranger.get_by_role("textbox", name="Code").text_content()
    assert stranger.text_content("#code-output") == ""  # shown, not run
    stranger.context.close()
    assert page_errors == []


def test_a_traceback_points_at_the_line_and_runaway_code_is_stopped(open_site, page, page_errors):
    open_site()
    type_code(page, "x = 1\ny = x / 0\n")
    page.keyboard.press("Control+Enter")
    page.wait_for_function("document.querySelector('#code-output').textContent.includes('ZeroDivisionError')")
    assert "line 2" in page.text_content("#code-output")
    type_code(page, "while True:\n    pass\n")
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("document.querySelector('#code-output').textContent.includes('stopped after')",
                           timeout=15_000)
    page.wait_for_function("Number(document.querySelector('#epoch').textContent) > 0")
    epoch = int(page.text_content("#epoch"))
    page.wait_for_function(f"Number(document.querySelector('#epoch').textContent) > {epoch}")  # still training
    assert page_errors == []


def test_code_that_runs_out_of_memory_is_reported_and_the_page_carries_on(open_site, page, page_errors):
    open_site()
    type_code(page, "x = [0] * 10**9\n")
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("document.querySelector('#code-output').textContent.toLowerCase().includes('memory')")
    assert page.evaluate("document.body.dataset.state") == "ready"
    epoch = int(page.text_content("#epoch"))
    page.wait_for_function(f"Number(document.querySelector('#epoch').textContent) > {epoch}")
    assert page_errors == []


def test_if_the_interpreter_itself_dies_the_page_says_so_with_retry(open_site, page):
    page = open_site()
    # What Pyodide throws when it fails fatally: an error marked pyodide_fatal_error (see pyodide.asm.js).
    page.evaluate("""() => {
        const error = new Error("RangeError: simulated");
        error.pyodide_fatal_error = true;
        window.dispatchEvent(new ErrorEvent("error", { error, message: error.message }));
    }""")
    assert wait_for_state(page, "error") == "error"
    assert "fatal error" in page.text_content("#boot-error-message")
    assert page.get_by_role("button", name="Retry").is_visible()


def test_the_editor_comes_back_after_a_reload(open_site, page, page_errors):
    open_site()
    type_code(page, "print('kept')\n")
    page.wait_for_timeout(300)
    page.reload()
    assert wait_for_state(page, "ready", "error") == "ready"
    assert "print('kept')" in page.get_by_role("textbox", name="Code").text_content()
    assert page_errors == []


def test_the_learning_rate_lesson_diverges_and_pauses_with_the_message(open_site, page, page_errors):
    open_site("#preset=lr-too-high")
    page.wait_for_function("document.querySelector('#message').textContent.includes('diverged')")
    assert page.get_by_role("button", name="Play").is_visible()
    assert page_errors == []


def editor_text(page):
    """The code the editor shows, line by line as a person reads it."""
    return page.evaluate("[...document.querySelectorAll('#code-editor .cm-line')].map((l) => l.textContent).join('\\n')")


def copy_link(page):
    """Press Copy link; the note beside it, and the link it copied."""
    page.get_by_role("button", name="Copy link").click()
    status = page.text_content("#link-status")
    return status, status.split("Link copied: ")[1]


def open_in_a_fresh_page(chromium, link):
    stranger = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
    stranger.set_default_timeout(60_000)
    stranger.goto(link)
    assert wait_for_state(stranger, "ready", "error") == "ready"
    return stranger


def test_copy_link_carries_the_code_in_the_editor_whether_or_not_it_ran(open_site, page, page_errors, chromium):
    open_site()
    typed = 'model = nn.MLP(2, [5], 1, activation="relu")\nprint("five")'
    type_code(page, typed)
    status, link = copy_link(page)
    stranger = open_in_a_fresh_page(chromium, link)
    assert editor_text(stranger) == typed
    assert stranger.text_content("#code-output") == "" and "press Run" in stranger.text_content("#note")
    assert stranger.locator("#layer-controls .layer-size").all_text_contents() == ["4 neurons", "2 neurons"]
    stranger.context.close()
    assert status.startswith("This link carries the code in the editor, which has not run here: press Run")

    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("document.querySelector('#code-output').textContent.includes('five')")
    edited = typed.replace("[5]", "[7, 3]")
    type_code(page, edited)
    status, link = copy_link(page)
    stranger = open_in_a_fresh_page(chromium, link)
    assert editor_text(stranger) == edited and stranger.text_content("#code-output") == ""
    stranger.context.close()
    assert status.startswith("This link carries the code in the editor, which differs from the code running")
    assert page_errors == []


def test_code_in_charge_shows_its_layers_in_the_disabled_layer_controls_until_the_editor_is_emptied(
        open_site, page, page_errors):
    open_site()
    assert 'model = nn.MLP(2, [4, 2], 1, activation="tanh")' in editor_text(page)  # the controls' network as code
    type_code(page, 'model = nn.MLP(2, [5, 3], 1, activation=["relu", "sigmoid"])')  # no imports needed
    page.get_by_role("button", name="Run", exact=True).click()
    held = page.locator("#layers-held")
    held.wait_for()
    assert held.text_content().startswith("The network comes from your code: change it there, or empty the editor")
    assert page.locator("#layer-controls .layer-size").all_text_contents() == ["5 neurons", "3 neurons"]
    menus = page.locator("#layer-controls select")
    assert [menus.nth(i).input_value() for i in range(2)] == ["relu", "sigmoid"]
    held_controls = [page.get_by_role("button", name="Add a hidden layer"),
                     page.get_by_role("button", name="Remove a hidden layer"),
                     page.get_by_role("button", name="Add a neuron to hidden layer 1"), menus.nth(1)]
    assert all(control.is_disabled() for control in held_controls)

    type_code(page, "")
    page.get_by_role("button", name="Run", exact=True).click()
    held.wait_for(state="detached")
    assert page.locator("#layer-controls .layer-size").all_text_contents() == ["4 neurons", "2 neurons"]
    assert not any(control.is_disabled() for control in held_controls)
    page.get_by_role("button", name="Add a neuron to hidden layer 1").click()
    assert page.locator("#layer-controls .layer-size").all_text_contents() == ["5 neurons", "2 neurons"]
    assert page_errors == []


def test_a_lesson_whose_code_builds_the_network_holds_the_layer_controls_from_the_first_frame(open_site, page,
                                                                                               page_errors):
    # boot.js enables the page's controls once Python is up: the ones the app holds (data-held) must stay off.
    open_site("#preset=dead-relu")
    assert page.locator("#layers-held").text_content().startswith("The network comes from your code")
    held_controls = [page.get_by_role("button", name="Add a hidden layer"),
                     page.get_by_role("button", name="Add a neuron to hidden layer 1")]
    assert all(control.is_disabled() for control in held_controls)
    assert page.get_by_role("button", name="Step", exact=True).is_enabled()  # the others work
    assert page_errors == []


def test_the_editor_wears_the_focus_ring_and_the_keyboard_leaves_it_as_the_hint_says(open_site, open_room, page_errors):
    page = open_room(open_site(), "Code")
    assert "Escape then Tab leaves the editor" in " ".join(page.text_content("#code-hint").split())
    restore = page.get_by_role("button", name="Restore my saved code")
    restore.focus()
    page.keyboard.press("Tab")  # into the editor
    ring = "el => { const style = getComputedStyle(el); return [style.outlineStyle, style.outlineWidth]; }"
    assert page.locator("#code-editor").evaluate(ring) == ["solid", "3px"]  # as a button's (test_layout)
    page.keyboard.press("Tab")  # indents: Python needs it
    assert page.evaluate("document.activeElement.closest('#code-editor') !== null")
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == "Restore my saved code"
    assert page_errors == []
