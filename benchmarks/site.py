"""How fast the page boots, paints and how much memory it holds, in headless Chromium, in one run.

    python build.py bench site [--quick] [--runs 5]

First paint: when the app's layout and progress first show (target 0.5 s).
Boot: time from navigation to `<body data-state="ready">` for the app and for a floor page, fresh
browser context each load, median of --runs loads each, interleaved. The floor loads the same PyScript
with the same config, the same local Pyodide and numpy, draws one rectangle from Python and marks itself
ready: the least any page built this way can do, so the ratio compares across machines.
Frame: median of `window.gradcanvas.frameTimes` (the app's Python frame callback) over 300 frames after
a warm-up, beside the same for the frame floor (`benchmarks.frame_floor`: the epoch and picture written
by hand in numpy) in a page of its own, the two taking turns in the same browser. Memory: the JS heap
after a garbage collection (CDP) plus the interpreter's wasm memory, after 60 s of training (10 s with
--quick). Everything is served from 127.0.0.1: no network is needed.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import build
from benchmarks.floor_page import (NETWORK_SHAPE, WARM_UP_FRAMES, add_floor_page, floor_page,
                                   frames_taking_turns)

MEASURED_FRAMES = 300
FRAME_SECONDS = 30  # at most, for the app's and the floor's frames together
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

FLOOR_HTML = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>floor</title><script type="module" src="./pyscript/core.js"></script></head>
<body data-state="loading">
  <canvas id="floor" width="200" height="100"></canvas>
  <script type="py" src="./floor.py" config="./pyscript.json"></script>
</body>
</html>
"""

FLOOR_PY = """import js
import pyodide_js

await pyodide_js.loadPackage(["numpy"])
import numpy  # the app imports it too: part of the floor

js.document.getElementById("floor").getContext("2d").fillRect(10, 10, 100, 50)
js.document.body.dataset.state = "ready"
"""

# Notes the moment (ms since navigation started) the body first says ready.
RECORD_READY = """
new MutationObserver((records, observer) => {
  if (document.body?.dataset.state === "ready") {
    window.readyAt = performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
"""


def boot_seconds(browser, url):
    """(first contentful paint or NaN, ready) in seconds from navigation, in a fresh context (empty caches)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(RECORD_READY)
        page.goto(url)
        page.wait_for_function("window.readyAt !== undefined", timeout=120_000)
        first_paint = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN")
        return first_paint / 1000, page.evaluate("window.readyAt") / 1000
    finally:
        context.close()


def training_run(browser, url, seconds):
    """(median frame callback ms, the floor's, JS heap MB, wasm MB or None) for the app: frames taking turns
    with the frame floor's once warmed up (see `frames_taking_turns`), memory after `seconds` of training."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("document.body.dataset.state === 'ready'", timeout=120_000)
        started = time.monotonic()
        page.wait_for_function(f"window.gradcanvas.frameTimes.length >= {WARM_UP_FRAMES}", timeout=120_000)
        with floor_page(browser, url, page.evaluate(NETWORK_SHAPE)) as floor:
            (frame_ms, _), (floor_ms, _) = frames_taking_turns(page, floor, MEASURED_FRAMES, FRAME_SECONDS)
        page.wait_for_timeout(max(0.0, seconds - (time.monotonic() - started)) * 1000)
        if page.evaluate("document.body.dataset.state") != "ready":
            raise RuntimeError(f"the app stopped while training: {page.text_content('#boot-error')}")
        return (frame_ms, floor_ms, *memory_mb(page))
    finally:
        context.close()


def memory_mb(page):
    """(JS heap after a garbage collection, the interpreter's wasm memory or None) of the app's `page`, in MB."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("Performance.enable")
    metrics = {metric["name"]: metric["value"] for metric in cdp.send("Performance.getMetrics")["metrics"]}
    wasm = page.evaluate("window.gradcanvas.wasmMemoryBytes ? window.gradcanvas.wasmMemoryBytes() : null")
    return metrics["JSHeapUsedSize"] / 2**20, None if wasm is None else wasm / 2**20


def measure(site, runs, training_seconds):
    """Serves `site` (with the floor page added) and returns every sample, keyed by what it measures."""
    from playwright.sync_api import sync_playwright

    (site / "floor.html").write_text(FLOOR_HTML)
    (site / "floor.py").write_text(FLOOR_PY)
    add_floor_page(site)
    server = build.make_server(site, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    samples = {"app_paint": [], "app_ready": [], "floor_ready": []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            for _ in range(runs):  # interleaved, so a slow spell of the machine hits both pages alike
                first_paint, ready = boot_seconds(browser, base)
                samples["app_paint"].append(first_paint)
                samples["app_ready"].append(ready)
                samples["floor_ready"].append(boot_seconds(browser, base + "floor.html")[1])
            samples["frame_ms"], samples["floor_frame_ms"], samples["heap_mb"], samples["wasm_mb"] = training_run(
                browser, base, training_seconds)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return samples


def main(argv=()):
    parser = argparse.ArgumentParser(prog="bench site", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="train 10 s instead of 60 s before measuring memory")
    parser.add_argument("--runs", type=int, default=5, help="page loads per boot median (default 5)")
    args = parser.parse_args(argv)
    pyodide_dir = local_pyodide("site")
    if pyodide_dir is None:
        return 2
    trained = 10 if args.quick else 60
    with tempfile.TemporaryDirectory() as temporary:
        samples = measure(build.build(Path(temporary) / "site", pyodide_dir), args.runs, trained)

    first_paint, app, floor = (statistics.median(samples[key]) for key in ("app_paint", "app_ready", "floor_ready"))
    heap, wasm = samples["heap_mb"], samples["wasm_mb"]
    rows = [
        (f"first paint, app (median of {args.runs})", f"{first_paint:.2f} s", check(first_paint, 0.5, "s")),
        (f"boot to ready, app (median of {args.runs})", f"{app:.2f} s", ""),
        (f"boot to ready, floor (median of {args.runs})", f"{floor:.2f} s", ""),
        ("boot ratio app / floor", f"{app / floor:.2f}", check(app / floor, 1.5, "(aim 1.15)")),
        (f"frame callback, median of {MEASURED_FRAMES}", f"{samples['frame_ms']:.2f} ms",
         check(samples["frame_ms"], 8, "ms")),
        (f"frame floor (hand-written), median of {MEASURED_FRAMES}", f"{samples['floor_frame_ms']:.2f} ms", ""),
        ("frame callback / floor", f"{samples['frame_ms'] / samples['floor_frame_ms']:.2f}", ""),
        (f"JS heap after {trained} s, after a GC", f"{heap:.1f} MB", ""),
        (f"wasm memory after {trained} s", "n/a" if wasm is None else f"{wasm:.1f} MB", ""),
        (f"JS + wasm after {trained} s", "n/a" if wasm is None else f"{heap + wasm:.1f} MB",
         "" if wasm is None else check(heap + wasm, 100, "MB")),
    ]
    print_table(rows)
    for key in ("app_ready", "floor_ready"):
        print(f"{key} samples (s): {', '.join(f'{sample:.2f}' for sample in samples[key])}")
    return 0


def local_pyodide(bench):
    """The local Pyodide with numpy that the browser benchmarks run on, or None after saying it is missing."""
    pyodide_dir = build.local_pyodide_dir()
    if any(pyodide_dir.glob("numpy-*.whl")):
        return pyodide_dir
    print(f"bench {bench}: no Pyodide {build.PYODIDE_VERSION} with numpy at {pyodide_dir} (see tests/browser)")
    return None


def print_table(rows):
    """Print (measure, value, target) rows as aligned columns."""
    width = max(len(name) for name, _, _ in rows) + 2
    print(f"{'measure':<{width}}{'value':>10}   target")
    for name, value, target in rows:
        print(f"{name:<{width}}{value:>10}   {target}")


def check(value, limit, unit):
    return f"<= {limit:g} {unit}: {'met' if value <= limit else 'MISSED'}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
