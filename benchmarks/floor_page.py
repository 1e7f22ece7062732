"""The page that runs the frame floor (`benchmarks.frame_floor`) in the browser, for `bench site` and
`bench playground`: added to a built site, opened on its own after the app's frames, timed the same way."""
import json
import shutil
import statistics
from pathlib import Path

from benchmarks import frame_floor

WARM_UP_FRAMES = 60  # as the app's frames: the first ones pay for imports and first allocations

# PyScript with the app's Pyodide and numpy, running `frame_floor.browser_loop` for the network and the
# Network canvas size in its query (?sizes=2,8,8,1&width=..&height=..).
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
  return [Array.from(playground.run.layer_sizes().toJs()), playground.resolution, canvas.clientWidth, canvas.clientHeight];
})()"""


def add_floor_page(site):
    """Put the floor's page, its Python and a PyScript config that ships `frame_floor.py` into `site`."""
    config = json.loads((site / "pyscript.json").read_text(encoding="utf-8"))
    config["files"] = {"./frame_floor.py": "./frame_floor.py"}
    (site / "frame_floor.json").write_text(json.dumps(config))
    (site / "frame_floor.html").write_text(FLOOR_HTML)
    (site / "frame_floor_page.py").write_text(FLOOR_PAGE_PY)
    shutil.copy(Path(frame_floor.__file__), site / "frame_floor.py")


def floor_frame_ms(browser, base, shape, frames, seconds):
    """(median, count) of the floor's frame-callback times for a network `shape` (what NETWORK_SHAPE read
    from the app): `frames` after WARM_UP_FRAMES, or as many as `seconds` bring."""
    sizes, resolution, width, height = shape
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base}frame_floor.html?sizes={','.join(map(str, sizes))}&resolution={resolution}"
                  f"&width={width}&height={height}")
        page.wait_for_function("document.body.dataset.state === 'ready'", timeout=120_000)
        deadline = page.evaluate("performance.now()") + seconds * 1000
        page.wait_for_function(f"window.floorFrameTimes.length >= {WARM_UP_FRAMES + frames} || "
                               f"performance.now() > {deadline}", polling=100, timeout=(seconds + 60) * 1000)
        times = page.evaluate(f"Array.from(window.floorFrameTimes).slice({WARM_UP_FRAMES}).slice(-{frames})")
        return statistics.median(times), len(times)
    finally:
        context.close()
