"""How fast a trace of a CNN torch trained on MNIST opens and replays in the digits lab, in headless Chromium:
a trace of a few hundred steps of a small CNN (Conv2d(1, 4, 3), ReLU, MaxPool2d(2), Flatten, Linear(676, 10):
6,810 parameters) with 4 probe digits, recorded by tools/torch_trace.py, beside the lab's own CNN in the same page.

    python build.py bench digit_traces [--steps 300] [--seconds 2]

Open: from choosing the file with Open a model to its first reading shown; the longest task the page ran
meanwhile (Chromium's Long Tasks: the time the page could not answer). A step: what a move of the Digits trace
step slider costs, the network given that step's parameters and every view painted again (median of moves back
and forth). Both also as multiples of the lab's own CNN's update for a drawing in the same page, the baseline.
Needs torch (the test extras) to record the trace.
"""
import argparse
import shutil
import sys
import time

from benchmarks.digits import MEDIAN_MS
from benchmarks.open_model import lab_page
from benchmarks.playground import wait_until
from benchmarks.site import local_pyodide, print_table

SHOWN = "!window.gradcanvas.digits.stale && document.querySelector('#digit-model-choice').value === 'trace.json'"
WATCH_LONG_TASKS = """
() => {
  window.longTasks = [];
  new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((task) => task.duration)))
    .observe({ type: "longtask" });
}
"""
# Each move: the slider's report to the lab (the step's parameters), then the update its next frame makes.
STEP_MS = """
([count, milliseconds]) => {
  const lab = window.gradcanvas.digits, took = [];
  const started = performance.now();
  for (let move = 0; performance.now() - started < milliseconds; move++) {
    const before = performance.now();
    lab.change("trace-step", String((move * 37) % (count + 1)));
    lab.update();
    took.push(performance.now() - before);
  }
  took.sort((a, b) => a - b);
  return took[Math.floor(took.length / 2)];
}
"""


def recorded(steps):
    """The trace's file: the CNN trained by torch with SGD for `steps` batches of 32 shuffled training digits."""
    import torch  # a test extra, so only here

    from engine import trace as traces
    from tools import torch_trace, train_torch_mnist

    images, labels, _, _ = train_torch_mnist.load(train_torch_mnist.DATA)
    chosen = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    images, labels = images[chosen], labels[chosen]
    torch.manual_seed(0)
    t = torch.nn
    model = t.Sequential(t.Conv2d(1, 4, 3), t.ReLU(), t.MaxPool2d(2), t.Flatten(), t.Linear(4 * 13 * 13, 10))
    batches = [(images[i % len(labels):][:32], labels[i % len(labels):][:32]) for i in range(0, steps * 32, 32)]
    trace = torch_trace.record_training(model, images[:4], torch.optim.SGD(model.parameters(), lr=0.05),
                                        torch.nn.functional.cross_entropy, batches, labels[:4].numpy())
    return traces.dumps(trace).encode()


def chromium(data, steps, seconds):
    with lab_page() as (page, folder):
        results = {"baseline": page.evaluate(MEDIAN_MS, ["update", seconds * 1000])}
        page.evaluate(WATCH_LONG_TASKS)
        chosen = folder / "trace.json"  # a file on disk, as a person chooses one: Playwright hands the page a
        chosen.write_bytes(data)         # buffer's bytes by script, itself a long task
        started = time.perf_counter()
        page.get_by_label("Open a model", exact=True).set_input_files(chosen)
        wait_until(page, SHOWN)
        results["open"] = (time.perf_counter() - started) * 1000
        page.wait_for_timeout(500)  # the observer reports a task after it ends
        results["longest"] = max(page.evaluate("window.longTasks"), default=0.0)
        results["step"] = page.evaluate(STEP_MS, [steps, seconds * 1000])
        results["update"] = page.evaluate(MEDIAN_MS, ["update", seconds * 1000])
    return results


def main(argv=()):
    parser = argparse.ArgumentParser(prog="bench digit_traces", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="training steps the trace records")
    parser.add_argument("--seconds", type=float, default=2.0, help="time spent calling each measured function")
    args = parser.parse_args(argv)
    if shutil.which("chromium") is None:
        print("bench digit_traces: no chromium on PATH (see tests/browser)")
        return 2
    if local_pyodide("digit_traces") is None:
        return 2
    try:
        data = recorded(args.steps)
    except ImportError as error:
        print(f"bench digit_traces: {error}: install the test extras (pip install -e .[test]) to record the trace")
        return 2
    seen = chromium(data, args.steps, args.seconds)
    baseline = seen["baseline"]
    label = f"a {args.steps}-step trace of a 6,810-parameter CNN ({len(data) / 1e6:.1f} MB)"
    print_table([
        ("the lab's own CNN: update for a drawing (median)", f"{baseline:.1f} ms", "the baseline"),
        (f"{label}: open, to its first reading shown", f"{seen['open']:.0f} ms", f"{seen['open'] / baseline:.1f}x"),
        (f"{label}: the longest task meanwhile", f"{seen['longest']:.0f} ms", f"{seen['longest'] / baseline:.1f}x"),
        (f"{label}: a move of the step slider (median)", f"{seen['step']:.1f} ms", f"{seen['step'] / baseline:.1f}x"),
        (f"{label}: update for a drawing (median)", f"{seen['update']:.1f} ms", f"{seen['update'] / baseline:.1f}x"),
    ])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
