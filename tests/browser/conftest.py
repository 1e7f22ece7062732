"""Real-browser fixtures: the site built twice (local Pyodide, and CDN), served under a sub-path on
127.0.0.1 as GitHub Pages serves a project site, and headless Chromium pages that collect their errors.
"""

import importlib.util
import shutil
import threading
from pathlib import Path

import pytest
from tests.browser.page_reading import wait_for_state

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SUB_PATH = "/gradcanvas/"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# build.py is a script at the repository root, not a package: load it by path.
_spec = importlib.util.spec_from_file_location("build", ROOT / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


def missing(request, reason):
    """Skip (one line, same reason for every test that needs it), or fail under --require-browser."""
    if request.config.getoption("--require-browser"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium(request):
    executable = shutil.which("chromium")
    if executable is None:
        missing(request, "no chromium on PATH: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def local_pyodide(request):
    directory = build.local_pyodide_dir()
    if not any(directory.glob("numpy-*.whl")):
        missing(
            request,
            f"no Pyodide {build.PYODIDE_VERSION} with numpy at {directory}: fetch "
            "github:YassineElbouchaibi/pyodide-dist with the fetch tool and run ../shared/pyodide/assemble <git dir>",
        )
    return directory


def serve(directory):
    """Serves `directory` under SUB_PATH on a free port; yields the site's URL, stops the server after."""
    server = build.make_server(directory, prefix=SUB_PATH, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{SUB_PATH}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="session")
def site_url(tmp_path_factory, local_pyodide):
    """The site as shipped, but with Pyodide and numpy served by us: it runs with no network."""
    yield from serve(build.build(tmp_path_factory.mktemp("site-local") / "dist", local_pyodide))


@pytest.fixture(scope="session")
def cdn_site_url(tmp_path_factory):
    """The site exactly as deployed: Pyodide comes from the CDN (which the tests block)."""
    yield from serve(build.build(tmp_path_factory.mktemp("site-cdn") / "dist"))


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(60_000)  # Pyodide boots in a few seconds here; leave room for a slow machine
    yield page
    context.close()


class Phone:
    """The page on a 390 px touch screen: `page`, the uncaught `errors` so far, and a finger."""

    def __init__(self, context, page):
        self.page, self.errors = page, []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        self._touch = context.new_cdp_session(page)

    def drag(self, points):
        """Put a finger down at the first (x, y) of `points` in page pixels, move it through the rest, lift it:
        real touch input, so the browser makes touch pointer events of it and honours touch-action."""
        (x, y), *rest = points
        self._touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        for x, y in rest:
            self._touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        self._touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


@pytest.fixture
def phone(chromium, site_url):
    """The page opened on a phone and ready, paused so that nothing moves under the finger."""
    context = chromium.new_context(viewport={"width": 390, "height": 800}, has_touch=True, is_mobile=True)
    phone = Phone(context, context.new_page())
    phone.page.set_default_timeout(60_000)
    phone.page.goto(site_url)
    phone.page.wait_for_function("document.body.dataset.state === 'ready'")
    phone.page.get_by_role("button", name="Pause").click()
    yield phone
    context.close()


@pytest.fixture
def page_errors(page):
    """Every console error and uncaught exception on the page, as text."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors


@pytest.fixture
def open_room():
    """`open_room(page, name)`: open the room called `name` ("Code", "Digits lab", ...) on `page` by its tab, as a
    person would, and wait until the page shows it (body's data-room names the checked tab's room)."""
    def open_(page, name):
        page.get_by_role("radio", name=name, exact=True).check()
        page.wait_for_function("document.body.dataset.room === document.querySelector('input[name=room]:checked').value")
        return page
    return open_


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def open_site(page, site_url):
    """Open the page (with an optional fragment) and wait until its first frame is drawn."""
    def open_(fragment=""):
        page.goto(site_url + fragment)
        assert wait_for_state(page, "ready", "error") == "ready", page.text_content("#boot-error")
        return page
    return open_
