"""The page that runs the frame floor (`benchmarks.frame_floor`) in the browser, for `bench site` and
`bench playground`: added to a built site, opened in its own page beside the app's, and timed in turns with
it (`frames_taking_turns`)."""
import contextlib
import json
import shutil
import statistics
from pathlib import Path

from benchmarks import frame_floor

WARM_UP_FRAMES = 60  # as the app's frames: the first ones pay for imports and first allocations

# PyScript with the app's Pyodide and numpy, running `frame_floor.browser_loop` for the network, grid side
# and Network canvas size in its query (?sizes=2,8,8,1&resolution=100&width=..&height=..).
FLOOR_HTML = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>frame floor</title><script type="module" src="./pyscript/core.js"></script></head>
<body data-state="loading">
  <script type="py" src="./frame_floor_page.py" config="./frame_floor.json"></script>
</body>
</html>
"""
FLOOR_PAGE_PY = """import js
import pyodide_js
from urllib.parse import parse_qs

await pyodide_js.loadPackage(["numpy"])
import frame_floor

query = {key: values[0] for key, values in parse_qs(str(js.location.search)[1:]).items()}
frame_floor.browser_loop([int(n) for n in query["sizes"].split(",")], int(query["resolution"]),
                         float(query["width"]), float(query["height"]))
"""
# What the app's page is drawing: its network's layer sizes (inputs first), its grid's side and the Network
# canvas's CSS size, for the floor to do the same work on the same area.
NETWORK_SHAPE = """(() => {
  const canvas = document.getElementById("network"), playground = window.gradcanvas.playground;
  const sizes = Array.from(playground.run.layer_sizes().toJs());
  return [sizes, playground.pictures.resolution, canvas.clientWidth, canvas.clientHeight];
})()"""


def add_floor_page(site):
    """Put the floor's page, its Python and a PyScript config that ships `frame_floor.py` into `site`."""
    config = json.loads((site / "pyscript.json").read_text(encoding="utf-8"))
    config["files"] = {"./frame_floor.py": "./frame_floor.py"}
    (site / "frame_floor.json").write_text(json.dumps(config))
    (site / "frame_floor.html").write_text(FLOOR_HTML)
    (site / "frame_floor_page.py").write_text(FLOOR_PAGE_PY)
    shutil.copy(Path(frame_floor.__file__), site / "frame_floor.py")


# The app plays (or pauses) and its frame times start afresh; returns whether it now plays.
PLAY_APP = """(on) => {
  const playground = window.gradcanvas.playground;
  if (playground.playing !== on) playground.act("toggle");
  window.gradcanvas.frameTimes.length = 0;
  return playground.playing;
}"""
# The floor runs (or holds still) and its frame times start afresh.
RUN_FLOOR = "(on) => { window.floorPaused = !on; window.floorFrameTimes.length = 0; }"
TURNS = 5  # each of the app and its floor runs this many times in turn, for one median each


@contextlib.contextmanager
def floor_page(browser, base, shape):
    """A page running the floor for a network `shape` (what NETWORK_SHAPE read from the app), warmed up
    (WARM_UP_FRAMES) and then held still; closed on leaving."""
    sizes, resolution, width, height = shape
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base}frame_floor.html?sizes={','.join(map(str, sizes))}&resolution={resolution}"
                  f"&width={width}&height={height}")
        page.wait_for_function(f"window.floorFrameTimes?.length >= {WARM_UP_FRAMES}", polling=100, timeout=120_000)
        page.evaluate(RUN_FLOOR, False)
        yield page
    finally:
        context.close()


def frames_taking_turns(app, floor, frames, seconds):
    """(median frame-callback ms, frames counted) of the app's page, and the same of its floor's page: they
    take TURNS turns of frames / TURNS frames each (or of seconds / TURNS / 2 wall time, whichever comes
    first), the other one still meanwhile. This machine's speed moves in spells of a few seconds; taking
    turns puts both measures in the same spells. The app is left playing."""
    per_turn, turn_ms = max(1, frames // TURNS), seconds / TURNS / 2 * 1000
    app_times, floor_times = [], []
    for _ in range(TURNS):
        for page, times, start, read in (
                (app, app_times, PLAY_APP, "Array.from(window.gradcanvas.frameTimes)"),
                (floor, floor_times, RUN_FLOOR, "Array.from(window.floorFrameTimes)")):
            page.evaluate(start, True)
            deadline = page.evaluate("performance.now()") + turn_ms
            page.wait_for_function(f"({read}).length >= {per_turn} || performance.now() > {deadline}",
                                   polling=50, timeout=turn_ms + 60_000)
            times += page.evaluate(read)[:per_turn]
            page.evaluate(start, False)
    app.evaluate(PLAY_APP, True)
    return (statistics.median(app_times), len(app_times)), (statistics.median(floor_times), len(floor_times))
