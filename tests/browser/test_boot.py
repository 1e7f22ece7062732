"""The page as a person meets it in Chromium: it shows progress at once, boots Python through its stages,
draws a network that keeps changing while it trains, and says what failed (with a Retry button) when a
download is blocked.
"""

import re

from tests.browser.page_reading import READ_CANVAS, wait_for_state

# Records every value body's data-state and data-stage take, from the first one on: a MutationObserver's
# oldValue lists each value that was replaced, and the current value closes the list.
RECORD_BOOT = """
window.bootHistory = { state: [], stage: [] };
new MutationObserver((records) => {
  for (const record of records) {
    if (record.target === document.body) window.bootHistory[record.attributeName.slice(5)].push(record.oldValue);
  }
}).observe(document, {
  subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ["data-state", "data-stage"],
});
"""

def history(page, name):
    """The values `data-<name>` took on body, in order, each consecutive repeat counted once."""
    values = [*page.evaluate(f"window.bootHistory.{name}"), page.evaluate(f"document.body.dataset.{name}")]
    return [value for i, value in enumerate(values) if value is not None and (i == 0 or value != values[i - 1])]


def test_the_page_boots_through_each_stage_to_ready_under_a_sub_path(page, page_errors, site_url, artifacts):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.add_init_script(RECORD_BOOT)
    page.goto(site_url)

    assert wait_for_state(page, "ready", "error") == "ready", page.text_content("#boot-error")
    page.screenshot(path=artifacts / "first-screen.png")
    assert history(page, "state") == ["loading", "ready"]
    assert history(page, "stage") == ["runtime", "numpy", "app"]
    assert page.is_hidden("#boot-progress") and page.is_hidden("#boot-error")
    assert [url for url in requests if url.startswith("http") and not url.startswith(site_url)] == []
    assert page_errors == []


def test_the_layout_and_progress_show_before_python_is_up(page, page_errors, site_url, artifacts):
    held = []
    page.route("**/pyodide.asm.wasm", lambda route: held.append(route))  # Python waits until we let it through
    with page.expect_request("**/pyodide.asm.wasm"):
        page.goto(site_url, wait_until="domcontentloaded")

    assert page.evaluate("document.body.dataset.state") == "loading"
    for selector in ("h1", "#network", "#epoch", "label[for=epoch]", "#boot-progress progress"):
        assert page.is_visible(selector), selector
    assert page.text_content("#boot-status") == "Loading Python runtime…"
    page.screenshot(path=artifacts / "loading.png")

    held[0].continue_()
    assert wait_for_state(page, "ready", "error") == "ready", page.text_content("#boot-error")
    assert page_errors == []


def test_the_network_canvas_is_drawn_and_changes_as_it_trains(page, page_errors, site_url):
    page.goto(site_url)
    assert wait_for_state(page, "ready", "error") == "ready", page.text_content("#boot-error")
    network = page.locator("canvas#network")
    assert "Network" in network.get_attribute("aria-label")

    first = network.evaluate(READ_CANVAS)
    assert first["painted"] > first["total"] // 100, first
    assert first["colours"] > 2, first
    epoch = int(page.text_content("#epoch"))
    page.wait_for_timeout(1000)
    later = network.evaluate(READ_CANVAS)

    assert later["changed"] > later["total"] // 1000, later
    assert int(page.text_content("#epoch")) > epoch
    assert page.text_content("#network-summary").strip()
    assert page_errors == []


def test_a_blocked_numpy_download_shows_an_error_and_a_retry_button(page, page_errors, site_url, artifacts):
    page.route(re.compile(r"/numpy-[^/]*\.whl$"), lambda route: route.abort())
    page.goto(site_url)

    assert wait_for_state(page, "ready", "error") == "error"
    retry = page.get_by_role("button", name="Retry")
    assert retry.is_visible()
    assert "numpy" in page.get_by_role("alert").filter(has=retry).text_content()
    assert page.is_hidden("#boot-progress")
    page.screenshot(path=artifacts / "error-numpy-blocked.png")
    assert [error for error in page_errors if error.startswith("uncaught")] == []


def test_a_blocked_cdn_shows_an_error_and_retry_reloads_the_page(page, page_errors, cdn_site_url, artifacts):
    blocked = []
    page.route("https://cdn.jsdelivr.net/**", lambda route: (blocked.append(route.request.url), route.abort()))
    page.goto(cdn_site_url)

    assert wait_for_state(page, "ready", "error") == "error"
    assert blocked, "the page never asked the CDN for Pyodide"
    message = page.get_by_role("alert").filter(has=page.get_by_role("button", name="Retry")).text_content()
    assert "Python runtime" in message and blocked[0] in message
    page.screenshot(path=artifacts / "error-cdn-blocked.png")

    page.evaluate("window.beforeRetry = true")
    with page.expect_navigation():
        page.get_by_role("button", name="Retry").click()
    assert page.evaluate("window.beforeRetry") is None
    assert wait_for_state(page, "error") == "error"
    assert [error for error in page_errors if error.startswith("uncaught")] == []
