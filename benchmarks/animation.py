"""How smoothly the walkthrough animates and how fast the graph view lays out a big graph, in headless
Chromium.

    python build.py bench animation [--quick]

Particles: TF Playground's largest network (spiral, 6 hidden layers of 8, tanh) is paused, walked with
Next phase to the gradients phase and left until every Linear layer has been reached, so a particle flows
on every edge; the median of the app's frame-callback times (`window.gradcanvas.frameTimes`) is then
taken, and the number of particles on screen read from the pool. Beside it, in the same page: the same
network's frame while it trains (the playground's ordinary frame), and "Animate every step", which records
a real step per cycle. Target: median frame <= 16 ms (60 frames a second).

Graph layout: code run in the page's editor (so its interpreter times it, under the editor's deadline
hook, which only makes it slower) builds a 500-node expression and times `layout_graph` on it from
scratch; page JavaScript then times the whole graph panel repainting that graph (`graph_of`, the layout
against the previous one, drawing 500 boxes). CPython's time for the same layout is printed beside it.
Target: layout < 200 ms in the browser. One run, local Pyodide, served from 127.0.0.1.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import build
from benchmarks.playground import playing, served_browser, wait_for_frames, wait_until
from benchmarks.site import check, local_pyodide, print_table

FRAME_TARGET_MS, LAYOUT_TARGET_MS = 16, 200
NETWORK = "#dataset=spiral&hidden=8,8,8,8,8,8"
GRAPH_NODES = 500

# Builds a graph of GRAPH_NODES nodes shaped like a computation (leaves, products, tanh, a tree of sums)
# and prints the median of fresh layouts. Run as the editor's code; it also sets `graph`, so the page draws it.
GRAPH_CODE = '''
import statistics, time
from engine import Tensor
from app.graph.layout import graph_of, layout_graph

leaves = [Tensor(0.1 * (i % 7), requires_grad=True, name=f"x{i}") for i in range(50)]
level = [(leaves[i % 50] * leaves[(7 * i + 3) % 50]).tanh() for i in range(PRODUCTS)]
while len(level) > 1:
    level = [level[i] + level[i + 1] if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
graph = level[0]
nodes = graph_of(graph)
times = []
for _ in range(REPEATS):
    started = time.perf_counter()
    layout_graph(nodes)
    times.append(1000 * (time.perf_counter() - started))
print("nodes", len(nodes.keys), "layout_ms", statistics.median(times))
'''

# Median milliseconds of the graph panel's repaint of the graph the code set, called back to back.
REPAINT_MS = """
(milliseconds) => {
  const playground = window.gradcanvas.playground;
  const times = [];
  for (const started = performance.now(); performance.now() - started < milliseconds;) {
    const before = performance.now();
    playground.graph.paint(performance.now());
    times.push(performance.now() - before);
  }
  times.sort((a, b) => a - b);
  return [times[Math.floor(times.length / 2)], times.length];
}
"""


def graph_code(repeats):
    # 50 leaves, 151 products and 151 tanh, 150 sums: 502 nodes
    return GRAPH_CODE.replace("PRODUCTS", "151").replace("REPEATS", str(repeats))


def frame_median(page, frames, seconds):
    """(median, count, 95th percentile, slowest) of the frame-callback times recorded from now on."""
    page.evaluate("window.gradcanvas.frameTimes.length = 0")
    wait_for_frames(page, frames, seconds)
    times = sorted(page.evaluate(f"window.gradcanvas.frameTimes.slice(-{frames})"))
    return statistics.median(times), len(times), times[int(0.95 * (len(times) - 1))], times[-1]


def measure(site, quick):
    frames, seconds = (100, 4) if quick else (300, 12)
    results = {}
    with served_browser(site) as (browser, base):
        with playing(browser, base + NETWORK) as page:
            wait_for_frames(page, 60, 4)
            results["training"] = frame_median(page, frames, seconds)
            page.get_by_role("button", name="Pause").click()
            for _ in range(4):
                page.get_by_role("button", name="Next phase").click()
            wait_until(page, "document.querySelector('#phase-caption').textContent.startsWith('Phase 4 of 5')")
            page.wait_for_timeout(3000)  # seven layers at 0.3 s, and one more for the last to arrive
            results["particles"] = frame_median(page, frames, seconds)
            results["particles_shown"] = page.evaluate(
                "window.gradcanvas.playground.stepthrough.walkthrough.pool.visible().sum().item()")
            results["edges"] = 2 * 8 + 5 * 8 * 8 + 8
            page.get_by_label("Animate every step").check()
            page.get_by_role("button", name="Play").click()
            page.wait_for_timeout(1000)
            results["every_step"] = frame_median(page, frames, seconds)
            page.get_by_label("Animate every step").uncheck()

            page.evaluate("(code) => window.gradcanvas.playground.run_code(code)", graph_code(3 if quick else 7))
            printed = page.text_content("#code-output")
            if "layout_ms" not in printed:
                raise RuntimeError(f"the graph code did not run: {printed}")
            words = printed.split()
            results["nodes"] = int(words[words.index("nodes") + 1])
            results["layout_ms"] = float(words[words.index("layout_ms") + 1])
            page.get_by_role("button", name="Pause").click()
            results["repaint"] = page.evaluate(REPAINT_MS, 2000 if quick else 5000)
    return results


def cpython_layout_ms(repeats):
    namespace = {}
    code = graph_code(repeats).replace("print(", "result = (")
    exec(compile(code, "<bench>", "exec"), namespace)
    return namespace["result"][3]


def main(argv=()):
    parser = argparse.ArgumentParser(prog="bench animation", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="medians over 100 frames (or 4 s) instead of 300")
    args = parser.parse_args(argv)
    pyodide_dir = local_pyodide("animation")
    if pyodide_dir is None:
        return 2
    sys.path.insert(0, str(Path(build.__file__).resolve().parent / "site"))
    with tempfile.TemporaryDirectory() as temporary:
        started = time.perf_counter()
        results = measure(build.build(Path(temporary) / "site", pyodide_dir), args.quick)
    particles, count, particles_p95, _ = results["particles"]
    every_step, every_count, every_p95, every_slowest = results["every_step"]
    rows = [
        ("6x8 frame while training (the ordinary frame), median", f"{results['training'][0]:.2f} ms", ""),
        (f"6x8 gradients phase, particles on all edges, median of {count}", f"{particles:.2f} ms",
         check(particles, FRAME_TARGET_MS, "ms")),
        ("  95th percentile", f"{particles_p95:.2f} ms", ""),
        ("  particles on screen / edges", f"{results['particles_shown']} / {results['edges']}", ""),
        ("  ratio to the ordinary frame", f"{particles / results['training'][0]:.2f}", ""),
        (f"6x8 animating every step (a real step recorded per cycle), median of {every_count}",
         f"{every_step:.2f} ms", check(every_step, FRAME_TARGET_MS, "ms")),
        ("  95th percentile", f"{every_p95:.2f} ms", ""),
        ("  slowest (a new step: recorded, and every panel repainted)", f"{every_slowest:.2f} ms", ""),
        (f"layout of a {results['nodes']}-node graph in the page, under the editor's hook (median)",
         f"{results['layout_ms']:.1f} ms", check(results["layout_ms"], LAYOUT_TARGET_MS, "ms")),
        (f"graph panel repaint of it: graph_of + layout + 500 boxes (median of {results['repaint'][1]})",
         f"{results['repaint'][0]:.1f} ms", ""),
        ("the same layout in CPython (this machine)", f"{cpython_layout_ms(7):.1f} ms", ""),
    ]
    print_table(rows)
    print(f"({time.perf_counter() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
