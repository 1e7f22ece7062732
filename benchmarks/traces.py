"""How fast the page opens, replays and scrubs a 1,000-step trace of the 6x8 network, in headless Chromium.

    python build.py bench traces [--quick] [--profile]

The trace: TF Playground's largest network (spiral, 2 inputs, six hidden layers of 8, tanh, 1 output,
batch 10) trained in CPython for 1,000 steps, recorded as the page records its own runs
(`app.traces.replay.start_trace` on an `app.playground.run.Run`, so its meta carries the link and a replay rebuilds
the same dataset), written by `engine.trace.dumps`.

In one page, on that network's link: first the page trains live (the baseline: the median of the app's
frame-callback times, `window.gradcanvas.frameTimes`, and steps per second, 25 to an epoch), and again
after everything else, so a busy spell of a shared machine in one of them shows; the replay is held to the
lower of the two. Then the
trace's text, already in the page, is handed to the playground's `open_file` (what a drop calls); timed
from that call to the end of the next frame, which is the first replayed frame (parse, validate, rebuild
the network, measure it, paint it). Then Play replays every step, one per frame, to the end: the median
frame callback over those 1,000 frames, set against the live one (replaying must not be slower than
training) and against 33 ms (30 frames a second), and steps per second of wall time. Last, scrubbing: the
timeline is moved (`change('trace_step', k)`, what the slider calls) to random steps, each timed to the end
of the next frame, and the work alone (the change plus that frame's callback). Where a replayed frame
goes: the replay's own work for a step (`advance_replay()`) and one redraw (`paint(t)`), each timed back
to back over the trace's last steps.

--profile also runs cProfile inside Pyodide around 100 replayed frames and prints where they went (the
profiler is reached through the playground's own module globals: the page exposes no interpreter).
One run, local Pyodide, served from 127.0.0.1.
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

import build
from benchmarks.playground import (EPOCHS_PER_SECOND, LATENCY_TARGET_MS, NETWORKS, TF_PLAYGROUND_LARGEST,
                                   median_frame_ms, playing, served_browser, warm_up)
from benchmarks.site import MEASURED_FRAMES, check, local_pyodide, print_table

TRACE_STEPS = 1_000
SMOOTH_MS = 33  # 30 frames a second
TRACE_NAME = "bench-6x8.json"

# Opens the trace held in window.benchTrace as a dropped file would, and returns [open_file's own time, the
# time to the end of the next frame] in ms. A frame request made now runs after the app's, already pending.
OPEN_TRACE = """
async () => {
  const playground = window.gradcanvas.playground;
  const started = performance.now();
  playground.open_file(window.benchTrace.name, window.benchTrace.text);
  const opened = performance.now() - started;
  await new Promise(requestAnimationFrame);
  const status = document.querySelector("#trace-status").textContent;
  if (!status.startsWith("Replaying")) throw new Error(`the trace did not open: ${status}`);
  return [opened, performance.now() - started];
}
"""

# Presses Play on a replay at step 0 and keeps every frame time until the replay pauses at its end. The
# first `count` frames after Play each advance one step; any after that are the paused page's.
PLAY_TO_END = """
async () => {
  const playground = window.gradcanvas.playground;
  const frameTimes = window.gradcanvas.frameTimes;
  const count = playground.traces.replay.trace.count;
  if (playground.traces.replay.position !== 0 || playground.playing) throw new Error("the replay is not paused at step 0");
  playground.act("toggle");
  frameTimes.length = 0;
  const started = performance.now();
  const times = [];
  do {
    await new Promise(requestAnimationFrame);
    times.push(...frameTimes.splice(0));  // the app keeps only its last 1,000
  } while (playground.playing && document.body.dataset.state !== "error");
  const seconds = (performance.now() - started) / 1000;
  return { times: times.slice(0, count), seconds, position: playground.traces.replay.position, count };
}
"""

# Moves the timeline to each step in turn, each just after a frame (as a slider's input event lands between
# frames): [change()'s own time, the time to the end of the next frame, that frame's callback] in ms.
SCRUB = """
async (steps) => {
  const playground = window.gradcanvas.playground;
  const frameTimes = window.gradcanvas.frameTimes;
  const seeks = [];
  for (const step of steps) {
    await new Promise(requestAnimationFrame);
    frameTimes.length = 0;
    const started = performance.now();
    playground.change("trace_step", String(step));
    const changed = performance.now() - started;
    await new Promise(requestAnimationFrame);
    const shown = playground.traces.replay.position;
    if (shown !== step) throw new Error(`asked for step ${step}, shown ${shown}`);
    seeks.push([changed, performance.now() - started, frameTimes[0]]);
  }
  return seeks;
}
"""

# Median ms of the replay's own work for one step (`advance_replay()`: the parameters before the next step,
# the loss curve up to it, the diagnostics measured there) and of one full redraw (`paint(t)`), each called
# back to back over the last `steps` steps of the trace (where the curve is longest) while paused, so no
# animation frame runs in between; a median, so a garbage collection or another process's time slice does
# not count.
REPLAY_PARTS = """
(steps) => {
  const playground = window.gradcanvas.playground;
  const first = String(playground.traces.replay.trace.count - steps);
  const median = (times) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  const timed = (call) => {
    playground.change("trace_step", first);
    const times = [];
    for (let step = 0; step < steps; step++) {
      const started = performance.now();
      call();
      times.push(performance.now() - started);
    }
    return median(times);
  };
  return [timed(() => playground.advance_replay()), timed(() => playground.paint(performance.now()))];
}
"""

# cProfile around `frames` replayed frames, from step 0, inside Pyodide; returns pstats' text. The page
# exposes no interpreter, so `import` is reached through the playground module's globals.
PROFILE_REPLAY = """
async ([frames, lines]) => {
  const playground = window.gradcanvas.playground;
  const builtins = playground.frame.__func__.__globals__.get("__builtins__");  // a module's: a dict
  const [cProfile, pstats, io] = ["cProfile", "pstats", "io"].map((name) => builtins.get("__import__")(name));
  playground.change("trace_step", "0");
  const profile = cProfile.Profile();
  profile.enable();
  playground.act("toggle");
  for (let frame = 0; frame < frames && playground.playing; frame++) await new Promise(requestAnimationFrame);
  profile.disable();
  if (playground.playing) playground.act("toggle");
  const out = io.StringIO();
  pstats.Stats.callKwargs(profile, { stream: out }).sort_stats("cumulative").print_stats(lines);
  return out.getvalue();
}
"""


class Plan(NamedTuple):
    """How much each measure takes in."""

    warm_up_seconds: float  # at most, for WARM_UP_FRAMES of live training
    frames: int             # live frame times per median ...
    frame_seconds: float    # ... or as many as this much more wall time brings
    epoch_seconds: float    # counting live epochs
    opens: int              # times the trace is opened
    seeks: int              # random steps scrubbed to
    loop_steps: int         # steps the replay's own work and a redraw are each timed over


FULL = Plan(warm_up_seconds=3, frames=MEASURED_FRAMES, frame_seconds=15, epoch_seconds=10, opens=3, seeks=30,
            loop_steps=200)
QUICK = Plan(warm_up_seconds=2, frames=100, frame_seconds=4, epoch_seconds=4, opens=1, seeks=10,
             loop_steps=50)


def make_trace(steps=TRACE_STEPS):
    """(link, steps per epoch, JSON text) of `steps` training steps of the 6x8 network, recorded as the page
    records its own run."""
    sys.path.insert(0, str(build.ROOT / "site"))
    from app.playground.run import Run
    from app.playground.state import State, encode, with_change
    from app.traces.replay import start_trace
    from engine import trace as traces

    state, notes = with_change(State(), **NETWORKS[TF_PLAYGROUND_LARGEST][0])
    if notes:
        raise RuntimeError(f"the 6x8 settings were not taken as given: {notes}")
    run = Run(state)
    link = encode(state)
    recorder = run.recorder = start_trace(run, link)
    while len(recorder.steps) < steps:
        run.train_epoch()
    del recorder.steps[steps:]
    return link, recorder.meta["steps_per_epoch"], traces.dumps(recorder.trace())


def measure(site, plan, link, steps_per_epoch, text, profile_frames=0):
    """Everything, from one page on the 6x8 link: live training, then the trace opened, played, scrubbed."""
    results = {}
    with served_browser(site) as (browser, base):
        with playing(browser, f"{base}#{link}") as page:
            results["live_frames"] = [median_frame_ms(page, plan, warm_up(page, plan))]
            results["live_steps_per_s"] = page.evaluate(EPOCHS_PER_SECOND, plan.epoch_seconds * 1000) * steps_per_epoch

            page.evaluate("([name, text]) => { window.benchTrace = { name, text }; }", [TRACE_NAME, text])
            results["opens"] = [page.evaluate(OPEN_TRACE) for _ in range(plan.opens)]

            played = page.evaluate(PLAY_TO_END)
            if played["position"] != played["count"] or len(played["times"]) != played["count"]:
                raise RuntimeError(f"the replay stopped at step {played['position']} of {played['count']} "
                                   f"after {len(played['times'])} frames")
            results["replay_times"], results["replay_seconds"] = played["times"], played["seconds"]

            steps = np.random.default_rng(0).integers(0, played["count"] + 1, plan.seeks).tolist()
            results["seeks"] = page.evaluate(SCRUB, steps)
            results["step_ms"], results["paint_ms"] = page.evaluate(REPLAY_PARTS, plan.loop_steps)
            if profile_frames:
                results["profile"] = page.evaluate(PROFILE_REPLAY, [profile_frames, 40])

            # Live training again on the same network (a fresh run, as at first), so a busy spell of the
            # machine during one of the two baselines shows.
            page.evaluate("""() => {
                window.gradcanvas.playground.act("leave-replay");
                window.gradcanvas.playground.act("toggle");
                window.gradcanvas.frameTimes.length = 0;
            }""")
            if not page.evaluate("window.gradcanvas.playground.playing"):
                raise RuntimeError("the page did not train live again after the replay")
            results["live_frames"].append(median_frame_ms(page, plan, warm_up(page, plan)))
    return results


def main(argv=()):
    parser = argparse.ArgumentParser(prog="bench traces", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="live medians over 100 frames (or 4 s), one open, 10 seeks")
    parser.add_argument("--profile", action="store_true", help="also profile 100 replayed frames inside Pyodide")
    args = parser.parse_args(argv)
    pyodide_dir = local_pyodide("traces")
    if pyodide_dir is None:
        return 2
    plan = QUICK if args.quick else FULL
    link, steps_per_epoch, text = make_trace()
    with tempfile.TemporaryDirectory() as temporary:
        results = measure(build.build(Path(temporary) / "site", pyodide_dir), plan, link, steps_per_epoch, text,
                          100 if args.profile else 0)

    size_mb = len(text.encode()) / 1e6
    open_ms, first_frame_ms = (statistics.median(sample[i] for sample in results["opens"]) for i in (0, 1))
    (live_before, live_count), (live_after, _) = results["live_frames"]
    live_ms = min(live_before, live_after)  # the stricter baseline
    replay = results["replay_times"]
    replay_ms = statistics.median(replay)
    replay_steps_per_s = len(replay) / results["replay_seconds"]
    seeks = results["seeks"]
    seek_painted, seek_work = (statistics.median(seek[1] for seek in seeks),
                               statistics.median(seek[0] + seek[2] for seek in seeks))
    opens = f"median of {plan.opens}" if plan.opens > 1 else "one open"
    rows = [
        (f"trace file, {TRACE_STEPS:,} steps of 6x8", f"{size_mb:.2f} MB", "~5 MB (issue 9)"),
        (f"open: open_file() alone ({opens})", f"{open_ms:.0f} ms", ""),
        (f"open -> first replayed frame painted ({opens})", f"{first_frame_ms:.0f} ms", ""),
        (f"live training frame callback, median of {live_count}, before", f"{live_before:.2f} ms", ""),
        ("live training frame callback, the same, after the replay", f"{live_after:.2f} ms", ""),
        (f"replay frame callback, median of {len(replay)}", f"{replay_ms:.2f} ms",
         check(replay_ms, live_ms, "ms (the lower live)")),
        ("replay frame callback, the same median", f"{replay_ms:.2f} ms", check(replay_ms, SMOOTH_MS, "ms (30 fps)")),
        ("replay frame callback, 95th percentile", f"{np.percentile(replay, 95):.2f} ms", ""),
        ("replay frame callback, first / last 100 steps (medians)",
         f"{statistics.median(replay[:100]):.1f} / {statistics.median(replay[-100:]):.1f} ms", ""),
        (f"replay's own work a step, advance_replay(), last {plan.loop_steps} steps (median)",
         f"{results['step_ms']:.2f} ms", ""),
        (f"one full redraw, paint(t), last {plan.loop_steps} steps (median)", f"{results['paint_ms']:.2f} ms", ""),
        (f"steps/s, replay (one a frame, {results['replay_seconds']:.1f} s)", f"{replay_steps_per_s:.1f}", ""),
        (f"steps/s, live training ({steps_per_epoch} a frame)", f"{results['live_steps_per_s']:.1f}", ""),
        (f"seek to a random step -> painted, median of {len(seeks)}", f"{seek_painted:.1f} ms",
         check(seek_painted, LATENCY_TARGET_MS, "ms")),
        ("seek work: change() + that frame's callback", f"{seek_work:.1f} ms", ""),
    ]
    print_table(rows)
    print(f"open samples (ms, open_file / first frame): "
          f"{', '.join(f'{a:.0f}/{b:.0f}' for a, b in results['opens'])}")
    if "profile" in results:
        print(results["profile"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
