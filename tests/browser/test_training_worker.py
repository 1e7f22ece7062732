"""Training in a worker, in the real page: once the worker's Python is up the run trains there while the page
draws from its snapshots; paused, the page's network is the one CPython trains in as many epochs; controls
still answer; and a page whose worker cannot start trains in its own frames and says so."""
import numpy as np

from app.diagnostics.monitor import Monitor
from app.playground.run import Run
from app.playground.state import decode
from app.training.trainer import train_epoch

FRAGMENT = "#v=1&dataset=xor&hidden=6,4&optimizer=adam&lr=0.01"
HELD = "gradcanvas.playground.worker.holds_run"


def page_parameters(page):
    """The page's network's parameters, each flattened, read from its Python."""
    values = page.evaluate("Array.from(gradcanvas.playground.run.model.parameters(), "
                           "p => Array.from(p.data.ravel().tolist().toJs()))")
    return [np.array(v) for v in values]


def test_the_run_trains_in_the_worker_and_comes_back_as_cpython_trains_it(open_site, page_errors):
    page = open_site(FRAGMENT)
    page.wait_for_function(HELD)   # the worker is up and holds the run
    page.wait_for_function("Number(document.querySelector('#epoch').textContent) >= 60")
    page.get_by_role("button", name="Pause").click()
    assert not page.evaluate(HELD)
    epochs = int(page.text_content("#epoch"))
    page.wait_for_timeout(300)
    assert int(page.text_content("#epoch")) == epochs   # paused: the worker's last epochs are not taken in

    run = Run(decode(FRAGMENT).state)
    monitor = Monitor(run)
    for _ in range(epochs):
        train_epoch(run, monitor)
    for ours, theirs in zip(page_parameters(page), run.model.parameters()):
        np.testing.assert_allclose(ours, theirs.data.ravel(), rtol=1e-9, atol=1e-12)
    history = page.evaluate("gradcanvas.playground.run.history.toJs()")
    np.testing.assert_allclose(np.array(history), np.array(run.history), rtol=1e-9, atol=1e-12)

    page.get_by_label("Learning rate", exact=True).select_option("0.1")   # a control, while paused
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(HELD)
    page.wait_for_function(f"Number(document.querySelector('#epoch').textContent) >= {epochs + 20}")
    page.get_by_label("Learning rate", exact=True).select_option("0.3")   # and while the worker trains
    page.wait_for_function("location.hash.includes('lr=0.3')")
    page.wait_for_function(f"{HELD} && gradcanvas.playground.run.optimizer.lr === 0.3")

    page.get_by_label("Speed", exact=True).select_option("5")   # slow enough to watch each epoch
    page.wait_for_function(f"location.hash.includes('speed=5') && {HELD}")
    shown = int(page.text_content("#epoch"))
    page.wait_for_function(f"Number(document.querySelector('#epoch').textContent) >= {shown + 2}")
    assert page_errors == []


def test_a_page_whose_worker_cannot_start_trains_in_its_frames_and_says_so(open_site, page, site_url, page_errors):
    page.route("**/trainer.js", lambda route: route.fulfill(status=404, body="gone"))
    page = open_site()
    note = page.locator("#note")
    note.filter(has_text="training goes on here, between the frames that draw it, more slowly").wait_for()
    assert note.text_content().startswith("The training worker stopped")
    page.wait_for_function("Number(document.querySelector('#epoch').textContent) >= 10")
    assert not page.evaluate(HELD)
    assert [error for error in page_errors if "trainer.js" not in error] == []   # the 404 itself is logged


SQUARE_CODE = """class Square(nn.Module):
    def forward(self, x):
        return x * x

model = nn.Sequential(nn.Linear(2, 4), Square(), nn.Linear(4, 1))
print("built")"""


def test_a_run_of_your_code_trains_in_the_worker_too(open_site, page_errors):
    from tests.browser.test_code import type_code

    page = open_site("#v=1&dataset=xor")
    page.wait_for_function(HELD)
    type_code(page, SQUARE_CODE)
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function("document.querySelector('#code-output').textContent.includes('built')")
    page.wait_for_function("document.querySelector('#network-note').textContent.includes('from your code')")
    start = int(page.text_content("#epoch"))
    page.wait_for_function(f"{HELD} && Number(document.querySelector('#epoch').textContent) >= {start + 50}")
    assert page.text_content("#note") == ""   # no word of training going on here instead
    assert page_errors == []


def test_code_that_never_returns_ends_the_worker_while_the_page_stays_usable(open_site, page_errors):
    from tests.browser.test_code import type_code

    page = open_site()
    page.wait_for_function(HELD)
    type_code(page, "while True:\n    pass\n")
    page.get_by_role("button", name="Run", exact=True).click()
    assert page.text_content("#code-output") == "Running your code…"
    page.get_by_role("button", name="Pause").click()   # the page answers while the worker is stuck in the code
    page.get_by_role("button", name="Play").wait_for()
    assert page.text_content("#code-output") == "Running your code…"
    page.wait_for_function("document.querySelector('#code-output').textContent.includes('the training worker "
                           "running it was ended and started afresh')", timeout=15_000)
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(HELD)   # a fresh worker took the run that was training
    assert page.text_content("#network-note").find("your code") == -1
    assert page_errors == []
