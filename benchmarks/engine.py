"""How fast one training step is in the engine, against a hand-fused numpy floor and PyTorch, measured in one run.

    python build.py bench engine [--quick]      (or: python -m benchmarks.engine [--quick])

A step is forward, loss, backward and a plain SGD update (lr 0.01, float64). Each network is timed four
ways from the same initial weights: the engine from raw Tensor ops (`h @ W.T + b`), the engine's nn.MLP
with optim.SGD, numpy written by hand with the backward pass fused (the floor: no framework can do less
work), and PyTorch on one CPU thread when installed. Ratios to the floor compare across machines; raw
microseconds do not.
"""
import os
import sys

# Threaded BLAS on a 2-core machine makes timings random; the limit only works before numpy loads.
_NUMPY_WAS_LOADED = "numpy" in sys.modules
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402  (after the thread limit, on purpose)
import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks.linecount import BUDGET_PER_FILE, BUDGET_TOTAL, core_line_counts  # noqa: E402
from engine import Tensor, nn, optim  # noqa: E402
from engine.nn import functional as F  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

LR = 0.01


@dataclass(frozen=True)
class Workload:
    name: str
    sizes: tuple  # layer widths, input first
    activation: str
    batch: int
    loss: str  # "mse" on random targets, or "cross_entropy" on random class labels
    beat_torch: bool  # the target: faster than PyTorch here

    @property
    def label(self):
        return f"{self.name} {'-'.join(map(str, self.sizes))} {self.activation} b{self.batch}"


WORKLOADS = (
    Workload("W1", (2, 4, 2, 1), "tanh", 10, "mse", True),
    Workload("W2", (2, 8, 8, 8, 8, 8, 8, 1), "tanh", 10, "mse", True),  # TF Playground's largest
    Workload("W3", (2, 8, 8, 8, 8, 8, 8, 1), "tanh", 250, "mse", True),
    Workload("W4", (64, 32, 10), "relu", 64, "cross_entropy", True),
    Workload("W5", (2, 64, 64, 64, 64, 1), "relu", 256, "mse", False),
)


def problem(workload):
    """Initial weights [(W, b), ...] (from nn.MLP's own init), inputs and targets, all deterministic."""
    rng = np.random.default_rng(0)
    model = nn.MLP(workload.sizes[0], list(workload.sizes[1:-1]), workload.sizes[-1], workload.activation, rng=rng)
    params = [p.data.copy() for p in model.parameters()]
    X = rng.standard_normal((workload.batch, workload.sizes[0]))
    if workload.loss == "mse":
        y = rng.standard_normal((workload.batch, workload.sizes[-1]))
    else:
        y = rng.integers(0, workload.sizes[-1], workload.batch)
    return list(zip(params[::2], params[1::2])), X, y


# Each maker returns (step, weights): step() trains once, weights() lists every W and b as ndarrays.

def engine_raw(workload, layers, X, y):
    params = [Tensor(a.copy(), requires_grad=True) for pair in layers for a in pair]
    x, target, rows = Tensor(X), Tensor(y), np.arange(len(y))  # target for mse; rows, y for cross-entropy

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i].T + params[i + 1]
            if i < len(params) - 2:
                h = h.tanh() if workload.activation == "tanh" else h.relu()
        if workload.loss == "mse":
            loss = ((h - target) ** 2).mean()
        else:
            loss = -h.log_softmax(axis=-1)[rows, y].mean()
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data -= LR * p.grad

    return step, lambda: [p.data for p in params]


def engine_mlp(workload, layers, X, y):
    model = nn.MLP(workload.sizes[0], list(workload.sizes[1:-1]), workload.sizes[-1], workload.activation)
    for p, value in zip(model.parameters(), (a for pair in layers for a in pair)):
        p.data[...] = value
    opt = optim.SGD(model.parameters(), lr=LR)
    loss_fn = F.mse_loss if workload.loss == "mse" else F.cross_entropy

    def step():
        opt.zero_grad()
        loss_fn(model(X), y).backward()
        opt.step()

    return step, lambda: [p.data for p in model.parameters()]


def numpy_floor(workload, layers, X, y):
    layers = [(W.copy(), b.copy()) for W, b in layers]
    tanh = workload.activation == "tanh"
    one_hot = None if workload.loss == "mse" else np.eye(workload.sizes[-1])[y]

    def step():
        outputs = [X]  # each layer's input, then the network's output
        for i, (W, b) in enumerate(layers):
            z = outputs[-1] @ W.T + b
            if i < len(layers) - 1:
                z = np.tanh(z) if tanh else np.maximum(z, 0.0)
            outputs.append(z)
        out = outputs[-1]
        if one_hot is None:
            g = (2.0 / out.size) * (out - y)
        else:
            e = np.exp(out - out.max(axis=1, keepdims=True))
            g = (e / e.sum(axis=1, keepdims=True) - one_hot) / len(y)
        for i in range(len(layers) - 1, -1, -1):
            W, b = layers[i]
            h = outputs[i]
            g_next = None if i == 0 else g @ W
            W -= LR * (g.T @ h)
            b -= LR * g.sum(axis=0)
            if i:
                g = g_next * (1.0 - h * h) if tanh else g_next * (h > 0)

    return step, lambda: [a for pair in layers for a in pair]


def pytorch(workload, layers, X, y):
    modules = []
    for W, b in layers:
        linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        modules += [linear, torch.nn.Tanh() if workload.activation == "tanh" else torch.nn.ReLU()]
    model = torch.nn.Sequential(*modules[:-1])
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    x, target = torch.from_numpy(X), torch.from_numpy(y)
    loss_fn = torch.nn.functional.mse_loss if workload.loss == "mse" else torch.nn.functional.cross_entropy

    def step():
        opt.zero_grad()
        loss_fn(model(x), target).backward()
        opt.step()

    return step, lambda: [p.detach().numpy() for p in model.parameters()]


def check_agreement(workload, makers):
    """Every implementation must train the same network: compare weights after a few steps."""
    results = {}
    for name, make in makers.items():
        step, weights = make(workload, *problem(workload))
        for _ in range(3):
            step()
        results[name] = weights()
    reference = results["floor"]
    for name, weights in results.items():
        for ours, expected in zip(weights, reference):
            if not np.allclose(ours, expected, rtol=1e-9, atol=1e-12):
                raise AssertionError(f"{workload.name}: {name} trains a different network than the numpy floor")


def median_step_seconds(steps, rounds, sample_seconds):
    """Median seconds per step for each step function, timed in interleaved rounds so drift hits all alike."""
    batch = {}  # steps per sample, so that one sample lasts about sample_seconds
    for name, step in steps.items():
        step()  # warm up caches and allocators
        start, count = time.perf_counter(), 0
        while time.perf_counter() - start < sample_seconds / 4:
            step()
            count += 1
        batch[name] = max(1, round(sample_seconds * count / (time.perf_counter() - start)))
    samples = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            start = time.perf_counter()
            for _ in range(batch[name]):
                step()
            samples[name].append((time.perf_counter() - start) / batch[name])
    return {name: statistics.median(values) for name, values in samples.items()}


def main(argv=()):
    parser = argparse.ArgumentParser(prog="bench engine", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples (a few seconds in all)")
    args = parser.parse_args(list(argv))
    rounds, sample_seconds = (5, 0.01) if args.quick else (25, 0.04)

    makers = {"raw": engine_raw, "mlp": engine_mlp, "floor": numpy_floor}
    if torch is not None:
        torch.set_num_threads(1)
        makers["torch"] = pytorch
    if _NUMPY_WAS_LOADED:
        print("warning: numpy was imported before this benchmark, so BLAS may use several threads")

    print("Median time of one training step in µs (ratio to the numpy floor); float64, one thread")
    columns = ["floor", "raw", "mlp"] + (["torch"] if torch is not None else [])
    titles = {"floor": "numpy floor", "raw": "engine raw ops", "mlp": "engine nn.MLP", "torch": "pytorch"}
    print(f"{'workload':<31}" + "".join(f"{titles[c]:>17}" for c in columns))
    ratios = {}
    for workload in WORKLOADS:
        check_agreement(workload, makers)
        steps = {name: make(workload, *problem(workload))[0] for name, make in makers.items()}
        seconds = median_step_seconds(steps, rounds, sample_seconds)
        ratios[workload] = {name: seconds[name] / seconds["floor"] for name in seconds}
        cells = [f"{seconds['floor'] * 1e6:>17.0f}"]
        cells += [f"{seconds[c] * 1e6:>9.0f} ({ratios[workload][c]:4.1f}x)" for c in columns[1:]]
        print(f"{workload.label:<31}" + "".join(cells))

    print("\nTargets (engine raw ops / engine nn.MLP):")
    for engine_column in ("raw", "mlp"):
        slow = [f"{w.name} {r[engine_column]:.1f}x" for w, r in ratios.items() if r[engine_column] > 2.0]
        verdict = "met" if not slow else f"NOT met ({', '.join(slow)})"
        print(f"  {titles[engine_column]:<15} within 2x of the numpy floor on W1-W5: {verdict}")
        if torch is not None:
            lost = [w.name for w, r in ratios.items() if w.beat_torch and r[engine_column] >= r["torch"]]
            verdict = "met" if not lost else f"NOT met ({', '.join(lost)})"
            print(f"  {titles[engine_column]:<15} faster than PyTorch on W1-W4:          {verdict}")

    counts = core_line_counts()
    biggest = max(counts, key=counts.get)
    print(f"\nEngine core: {sum(counts.values())} code lines (budget {BUDGET_TOTAL}); largest file {biggest} "
          f"with {counts[biggest]} (budget {BUDGET_PER_FILE}); docstrings, comments and blank lines not counted")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
