"""gradcanvas beside TensorFlow Playground, in one headless Chromium, each page reading its own epoch counter.

    python build.py bench side_by_side [--quick] [--memory] [--tf-playground-source PATH_OR_URL]

TF Playground is built from its public source (tensorflow/playground at TF_PLAYGROUND_COMMIT) for this
benchmark only: cloned and built with npm once into ~/.cache/gradcanvas-bench/, never into this repository,
and served from 127.0.0.1 in a folder next to our built site. Every request of its page that is not to
127.0.0.1 (Google Fonts, analytics) is refused, so the two pages run offline alike; fonts do not change the
timing.

1. TF Playground's default network (circle, 2-4-2-1 tanh, learning rate 0.03, batch 10, half the points to
   train on, no noise: its src/state.ts) and 2. its largest, 6x8 on the spiral. Both pages stay open, one
   paused by its own Play/Pause while the other trains and draws; they take turns, TF Playground first,
   because this 2-core machine's speed moves in spells of a few seconds. Each turn plays a page, waits out a
   warm-up, counts its epochs and its animation frames for a fixed wall time, and pauses it; the ratio
   ours / TF Playground is the median of the turn pairs' ratios. The app's own frame-callback times
   (`gradcanvas.frameTimes`) are secondary figures.
3. Ours alone on 2-100-100-1 (~10,000 weights; TF Playground allows at most 8 neurons a layer).
4. Boot to ready: our page against a bare page that only loads the same local Pyodide and numpy (no
   PyScript, unlike `bench site`'s floor), fresh browser context each, alternating.
5. With --memory: our page's JS heap (after a garbage collection) and both interpreters' wasm memories (the
   page's and the training worker's) after 60 s of training the default network.
"""

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from dataclasses import replace
from typing import NamedTuple

import build
from benchmarks.floor_page import PLAY_APP
from benchmarks.playground import SWITCH_NETWORK, playing, served_browser
from benchmarks.site import boot_seconds, check, local_pyodide, memory_mb, print_table

sys.path.insert(0, str(build.SITE))
from app.playground.state import SETTINGS, State, decode, encode  # noqa: E402

# tensorflow/playground's HEAD when this benchmark was written (2022: "Merge pull request #169").
TF_PLAYGROUND_COMMIT = "02469bd3751764b20486015d4202b792af5362a6"
TF_PLAYGROUND_URL = "https://github.com/tensorflow/playground"
# Where this machine keeps a mirror of it (made by fetching github:tensorflow/playground); a clone elsewhere,
# or the URL itself, goes in TF_PLAYGROUND_SOURCE or --tf-playground-source.
TF_PLAYGROUND_MIRROR = "/work/.mirror/tensorflow+playground/repo"
CACHE = Path.home() / ".cache" / "gradcanvas-bench"
TF_PLAYGROUND_FOLDER = "tf-playground"  # its built page, next to ours in the served site

# Our settings TF Playground has too, by its link key (its src/state.ts), with the names it knows when it
# knows fewer than we do; the values are written as our links write them, which is how it writes its own.
# Every other setting must keep our default, which is what TF Playground does (inputs x1 and x2, 500 points,
# no regularization, plain SGD).
TF_PLAYGROUND_KEYS = {
    "dataset": ("dataset", ("circle", "xor", "gauss", "spiral")),
    "hidden": ("networkShape", None),
    "activation": ("activation", ("relu", "tanh", "sigmoid", "linear")),
    "lr": ("learningRate", None),
    "batch_size": ("batchSize", None),
    "train_ratio": ("percTrainData", None),
    "noise": ("noise", None),
}
PAGE_ONLY = {"room", "digits_model"}  # what the page shows, not what it trains

# TF Playground's defaults, written out so both pages get them even if ours change.
DEFAULT_NETWORK = State(dataset="circle", hidden=(4, 2), activation="tanh", lr=0.03, batch_size=10,
                        train_ratio=50, noise=0)
# Each network, what it is held to, and whether TF Playground runs it too: (its state, the least ratio
# ours / TF Playground in epochs/s or None, the least frames/s of ours while training).
NETWORKS = {
    "default network (2-4-2-1, circle)": (DEFAULT_NETWORK, 1.5, 55),
    "6x8 spiral (2-8x6-1)": (replace(DEFAULT_NETWORK, dataset="spiral", hidden=(8,) * 6), 2.5, 30),
    "2-100-100-1 (ours alone)": (replace(DEFAULT_NETWORK, hidden=(100, 100)), None, 30),
}
BOOT_RATIO_TARGET = 1.5
MEMORY_TARGET_MB = 120
MEMORY_SECONDS = 60

# A page that loads only Pyodide and numpy from the site's local copy, then says it is ready: the least a
# Python page can do before its first line of its own.
BARE_HTML = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>bare Pyodide + numpy</title></head>
<body data-state="loading">
<script type="module">
import { loadPyodide } from "./pyodide/pyodide.mjs";
const pyodide = await loadPyodide();
await pyodide.loadPackage("numpy");
pyodide.runPython("import numpy");
document.body.dataset.state = "ready";
</script>
</body>
</html>
"""

# The epoch counter's rise and the animation frames per second of wall time, over `milliseconds`, read in
# the page itself while it trains and draws. TF Playground writes its counter zero-padded with commas.
TRAINING_RATES = """
async ([counter, milliseconds]) => {
  const epoch = () => Number(document.querySelector(counter).textContent.replace(/\\D/g, ""));
  let frames = 0, counting = true;
  const count = () => { if (counting) { frames += 1; requestAnimationFrame(count); } };
  const [firstEpoch, started] = [epoch(), performance.now()];
  requestAnimationFrame(count);
  await new Promise((resolve) => setTimeout(resolve, milliseconds));
  counting = false;
  const seconds = (performance.now() - started) / 1000;
  return [(epoch() - firstEpoch) / seconds, frames / seconds];
}
"""
# Plays or pauses TF Playground with its own button; returns whether it now plays.
PLAY_TF_PLAYGROUND = """(on) => {
  const button = document.querySelector("#play-pause-button");
  if (button.classList.contains("playing") !== on) button.click();
  return button.classList.contains("playing");
}"""
# What TF Playground shows it runs: its link (it writes its whole state there on start) and the hidden
# layers drawn (each has its own +/- neurons control).
TF_PLAYGROUND_SHOWS = """() => [location.hash.slice(1),
                               document.querySelectorAll("#network div.plus-minus-neurons").length]"""


def tf_playground_link(state):
    """TF Playground's URL fragment (no '#') for the network `state` trains; raises ValueError for a setting
    it does not have.

    >>> tf_playground_link(State(dataset="spiral", hidden=(8, 8)))
    'dataset=spiral&learningRate=0.03&activation=tanh&percTrainData=50&noise=0&batchSize=10&networkShape=8,8'
    """
    parts = []
    for setting in SETTINGS:
        value = getattr(state, setting.name)
        if setting.name in TF_PLAYGROUND_KEYS:
            key, names = TF_PLAYGROUND_KEYS[setting.name]
            if names is not None and value not in names:
                raise ValueError(f"TF Playground has no {setting.label} {value!r}; it knows {', '.join(names)}")
            parts.append(f"{key}={setting.kind.write(value)}")
        elif setting.name not in PAGE_ONLY and value != setting.default:
            raise ValueError(f"TF Playground has no setting for {setting.label} ({setting.kind.write(value)!r}); "
                             f"a network run on both pages may change only {', '.join(TF_PLAYGROUND_KEYS)}")
    return "&".join(parts)


def tf_playground_site(source):
    """TF Playground's built page at TF_PLAYGROUND_COMMIT: built once from `source` (a clone, a mirror or its
    URL) into CACHE and reused after; None after saying what went wrong."""
    built = CACHE / f"tf-playground-{TF_PLAYGROUND_COMMIT}"
    if (built / "bundle.js").exists():
        return built
    if "://" not in source and not Path(source).exists():
        print(f"bench side_by_side: no TF Playground source at {source}. Clone it there (git clone --mirror "
              f"{TF_PLAYGROUND_URL} {source}), or name a clone, or the URL itself, with --tf-playground-source "
              "or TF_PLAYGROUND_SOURCE.")
        return None
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"bench side_by_side: building TF Playground {TF_PLAYGROUND_COMMIT[:7]} from {source} into {built} "
          "(once)", flush=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as temporary:
        checkout = Path(temporary) / "playground"
        steps = (["git", "clone", "-q", "--no-checkout", source, str(checkout)],
                 ["git", "-C", str(checkout), "checkout", "-q", TF_PLAYGROUND_COMMIT],
                 # its package-lock.json pins typescript 2.9, browserify 17, uglify-js 2.8: they build on node 20
                 ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(checkout)],
                 ["npm", "run", "build", "--prefix", str(checkout)])
        for step in steps:
            if subprocess.run(step, stdout=subprocess.DEVNULL).returncode != 0:
                print(f"bench side_by_side: building TF Playground failed at `{' '.join(step)}` (its error is "
                      "above); nothing was cached, so the next run tries again")
                return None
        (checkout / "dist").rename(built)
    return built


class Turns(NamedTuple):
    """How long each measure runs."""

    warm_up_seconds: float  # after a page starts playing, before counting
    seconds: float          # counting epochs and frames, each turn
    turns: int              # per page and network
    boots: int              # page loads per boot median, each page


FULL = Turns(warm_up_seconds=2, seconds=8, turns=3, boots=3)
QUICK = Turns(warm_up_seconds=1, seconds=3, turns=2, boots=2)


class Side:
    """One page in its own browser context, playing only during its turns: its epoch counter's selector and
    the page JavaScript that plays or pauses it, `(on) => whether it now plays`. Each page's own pause, because
    freezing the page over CDP (Page.setWebLifecycleState) left TF Playground counting in headless Chromium."""

    def __init__(self, name, page, counter, play):
        self.name, self.page, self.counter, self.play_script = name, page, counter, play

    def play(self, on):
        if self.page.evaluate(self.play_script, on) != on:
            raise RuntimeError(f"{self.name} did not {'play' if on else 'pause'}")

    def turn(self, plan, frame_times=False):
        """(epochs/s, frames/s, and the app's frame-callback times if asked) over one turn."""
        self.play(True)
        self.page.wait_for_timeout(plan.warm_up_seconds * 1000)
        if frame_times:
            self.page.evaluate("window.gradcanvas.frameTimes.length = 0")
        epochs, frames = self.page.evaluate(TRAINING_RATES, [self.counter, plan.seconds * 1000])
        times = self.page.evaluate("Array.from(window.gradcanvas.frameTimes)") if frame_times else []
        self.play(False)
        return epochs, frames, times


def refuse_other_hosts(route):
    """Let the page fetch from 127.0.0.1 only, as if offline."""
    if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


@contextlib.contextmanager
def tf_playground(browser, base, state):
    """TF Playground on `state`'s network, checked to run it, paused (as it opens); closed on leaving."""
    link = tf_playground_link(state)
    context = browser.new_context()
    try:
        context.route("**/*", refuse_other_hosts)
        page = context.new_page()
        page.goto(f"{base}{TF_PLAYGROUND_FOLDER}/index.html#{link}")
        page.wait_for_function("document.querySelectorAll('#svg g.node').length > 0", timeout=60_000)
        shown, layers = page.evaluate(TF_PLAYGROUND_SHOWS)
        runs = dict(part.partition("=")[::2] for part in shown.split("&"))
        differ = [f"{key}={runs.get(key)} (asked {value})" for key, value in
                  (part.split("=") for part in link.split("&")) if runs.get(key) != value]
        if differ or layers != len(state.hidden):
            raise RuntimeError(f"TF Playground did not take its link {link}: it runs {', '.join(differ)} with "
                               f"{layers} hidden layers drawn; have its link keys changed?")
        yield Side("TF Playground", page, "#iter-number", PLAY_TF_PLAYGROUND)
    finally:
        context.close()


def switch(ours, old, new):
    """Set our page from network `old` to `new` through its own controls, and check its link."""
    changes = {setting.name: setting.kind.write(getattr(new, setting.name)) for setting in SETTINGS
               if getattr(new, setting.name) != getattr(old, setting.name)}
    ours.page.evaluate(SWITCH_NETWORK, changes)
    runs = decode(ours.page.evaluate("location.hash")).state
    if runs != new:
        raise RuntimeError(f"our page runs {encode(runs)}, not {encode(new)} as asked")


def training(browser, base, plan):
    """For each network of NETWORKS: per turn, (epochs/s, frames/s) of TF Playground (if it runs it) and of
    ours, and all of ours' frame-callback times."""
    results = {}
    first = next(iter(NETWORKS.values()))[0]
    with playing(browser, f"{base}#{encode(first)}") as page:
        ours, previous = Side("ours", page, "#epoch", PLAY_APP), first
        ours.play(False)
        for name, (state, ratio_target, _) in NETWORKS.items():
            switch(ours, previous, state)
            previous = state
            with contextlib.ExitStack() as stack:
                tfp = stack.enter_context(tf_playground(browser, base, state)) if ratio_target else None
                turns = {"tfp": [], "ours": [], "frame_ms": []}
                for _ in range(plan.turns):
                    if tfp:
                        turns["tfp"].append(tfp.turn(plan)[:2])
                    epochs, frames, times = ours.turn(plan, frame_times=True)
                    turns["ours"].append((epochs, frames))
                    turns["frame_ms"] += times
            results[name] = turns
    return results


def boots(browser, base, runs):
    """Seconds from navigation to ready, per load: ours, and the bare Pyodide + numpy page, alternating."""
    samples = {"ours": [], "bare": []}
    for _ in range(runs):
        samples["ours"].append(boot_seconds(browser, base)[1])
        samples["bare"].append(boot_seconds(browser, base + "bare.html")[1])
    return samples


# The training worker's interpreter's memory, in MB: it answers a "memory" message (site/trainer.js).
WORKER_MEMORY = """() => new Promise((resolve) => {
  const worker = window.gradcanvas.worker;
  const answer = ({ data }) => {
    if (data.kind !== "memory") return;
    worker.removeEventListener("message", answer);
    resolve(Number(data.data) / 2 ** 20);
  };
  worker.addEventListener("message", answer);
  worker.postMessage({ kind: "memory" });
})"""


def memory_after_training(browser, base, seconds):
    """(JS heap MB after a garbage collection, the page's wasm MB, the training worker's wasm MB) of our page
    after `seconds` training the default network."""
    with playing(browser, f"{base}#{encode(DEFAULT_NETWORK)}") as page:  # it checks the app still runs
        page.wait_for_timeout(seconds * 1000)
        return (*memory_mb(page), page.evaluate(WORKER_MEMORY))


def at_least(value, limit, unit):
    return f">= {limit:g} {unit}: {'met' if value >= limit else 'MISSED'}"


def network_rows(name, turns, plan):
    """Table rows for one network: epochs/s and frames/s of each page, the ratio, the frame callbacks."""
    _, ratio_target, fps_target = NETWORKS[name]
    ours_epochs, ours_fps = zip(*turns["ours"])
    rows = []
    if ratio_target:
        tfp_epochs, tfp_fps = zip(*turns["tfp"])
        ratio = statistics.median(mine / theirs for mine, theirs in zip(ours_epochs, tfp_epochs))
        rows += [(f"TF Playground epochs/s (median of {plan.turns} turns of {plan.seconds:g} s)",
                  f"{statistics.median(tfp_epochs):.1f}", ""),
                 ("ours epochs/s", f"{statistics.median(ours_epochs):.1f}", ""),
                 (f"ours / TF Playground (median of {plan.turns} turn pairs)", f"{ratio:.2f}",
                  at_least(ratio, ratio_target, "times")),
                 ("TF Playground frames/s", f"{statistics.median(tfp_fps):.1f}", "")]
    else:
        rows.append((f"ours epochs/s (median of {plan.turns} turns of {plan.seconds:g} s)",
                     f"{statistics.median(ours_epochs):.1f}", ""))
    times, fps = turns["frame_ms"], statistics.median(ours_fps)
    rows += [("ours frames/s", f"{fps:.1f}", at_least(fps, fps_target, "fps")),
             (f"ours frame callback, median of {len(times)}", f"{statistics.median(times):.2f} ms", ""),
             ("ours frame callback, 90th percentile", f"{statistics.quantiles(times, n=10)[-1]:.2f} ms", "")]
    return rows


def main(argv=()):
    parser = argparse.ArgumentParser(prog="bench side_by_side", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK.turns} turns of {QUICK.seconds:g} s instead of {FULL.turns} of {FULL.seconds:g}")
    parser.add_argument("--memory", action="store_true",
                        help=f"also measure our page's memory after {MEMORY_SECONDS} s of training")
    parser.add_argument("--tf-playground-source",
                        default=os.environ.get("TF_PLAYGROUND_SOURCE", TF_PLAYGROUND_MIRROR),
                        help="a clone or mirror of tensorflow/playground, or its URL (default: TF_PLAYGROUND_SOURCE, "
                             f"else {TF_PLAYGROUND_MIRROR})")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    pyodide_dir = local_pyodide("side_by_side")
    tfp_dist = tf_playground_site(args.tf_playground_source)
    if pyodide_dir is None or tfp_dist is None:
        return 2
    with tempfile.TemporaryDirectory() as temporary:
        site = build.build(Path(temporary) / "site", pyodide_dir)
        (site / "bare.html").write_text(BARE_HTML)
        shutil.copytree(tfp_dist, site / TF_PLAYGROUND_FOLDER)
        with served_browser(site) as (browser, base):
            boot = boots(browser, base, plan.boots)
            networks = training(browser, base, plan)
            memory = memory_after_training(browser, base, MEMORY_SECONDS) if args.memory else None

    for name, turns in networks.items():
        print(f"\n{name}")
        print_table(network_rows(name, turns, plan))
        for side, label in (("tfp", "TF Playground"), ("ours", "ours")):
            if turns[side]:
                print(f"{label} per turn, epochs/s / frames/s: "
                      f"{', '.join(f'{epochs:.1f} / {frames:.1f}' for epochs, frames in turns[side])}")
    ours, bare = statistics.median(boot["ours"]), statistics.median(boot["bare"])
    print("\nboot to ready")
    rows = [(f"ours (median of {plan.boots})", f"{ours:.2f} s", ""),
            (f"bare Pyodide + numpy page (median of {plan.boots})", f"{bare:.2f} s", ""),
            ("ours / bare", f"{ours / bare:.2f}", check(ours / bare, BOOT_RATIO_TARGET, "times"))]
    print_table(rows)
    for side in ("ours", "bare"):
        print(f"{side} samples (s): {', '.join(f'{sample:.2f}' for sample in boot[side])}")
    if memory is not None:
        heap, wasm, worker = memory
        total = heap + wasm + worker
        print(f"\nmemory after {MEMORY_SECONDS} s of training the default network")
        print_table([("JS heap, after a garbage collection", f"{heap:.1f} MB", ""),
                     ("wasm memory, the page's Python", f"{wasm:.1f} MB", ""),
                     ("wasm memory, the training worker's Python", f"{worker:.1f} MB", ""),
                     ("JS + both wasm memories", f"{total:.1f} MB", check(total, MEMORY_TARGET_MB, "MB"))])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
