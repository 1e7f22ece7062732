"""The code editor in Chromium: type, Run, share, reload, and the guards around a stranger's code."""
from tests.browser.page_reading import READ_CANVAS, wait_for_state

MODEL = 'from engine import nn\nmodel = nn.MLP(2, [6, 3], 1, activation="relu")\nprint("ok")'


def type_code(page, text):
    editor = page.get_by_role("textbox", name="Code")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def test_code_typed_and_run_builds_the_network_and_a_link_reopens_it_without_running(open_site, page, page_errors,
                                                                                      site_url, chromium):
    open_site()
    network = page.get_by_label("Network", exact=True)
    before = network.evaluate(READ_CANVAS)
    type_code(page, MODEL)
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("document.querySelector('#code-output').textContent.includes('ok')")
    page.wait_for_function("document.querySelector('#network-note').textContent.includes('from your code')")
    after = network.evaluate(READ_CANVAS)
    assert after["changed"] > after["total"] // 20, (before, after)  # a 2-6-3-1 network is drawn now
    page.wait_for_function("location.hash.includes('code=')")
    page.get_by_role("button", name="Copy link").click()
    link = page.text_content("#link-status").split("Link copied: ")[1]
    assert "code=" in link

    stranger = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
    stranger.set_default_timeout(60_000)
    stranger.goto(link)
    assert wait_for_state(stranger, "ready", "error") == "ready"
    assert "press Run" in stranger.text_content("#message")
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
