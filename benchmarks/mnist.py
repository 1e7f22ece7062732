"""How fast the engine trains the MNIST lab's LeNet, in CPython and in Pyodide under Node, in one run.

    python build.py bench mnist [--quick] [--cpython-only]

A step trains on one mini-batch of the lab's 32 real digits (site/data/mnist.npz): forward, cross-entropy,
backward and an Adam update, float64, one BLAS thread. It is timed twice from the same weights, in
interleaved rounds: with the engine's `conv2d` and `max_pool2d`, and with the ones they replaced (kept below
as the baseline: a tensordot over sliding-window views, a slice-add per kernel offset in every backward,
argmax over copied windows for pooling). The same module then runs in Pyodide 0.27.7 under Node, the
page's runtime (numpy without BLAS). Digits per second are medians; the speedup over the baseline is what
compares across machines.
"""
import os
import sys

# Threaded BLAS on a 2-core machine makes timings random; the limit only works before numpy loads.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402  (after the thread limit, on purpose)
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

from benchmarks.engine import median_step_seconds  # noqa: E402
from engine import nn, optim  # noqa: E402
from engine.nn import functional as F  # noqa: E402
from engine.nn.conv import _check_image, _pair  # noqa: E402
from engine.tensor import as_tensor, record  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site"))
from app.digits import mnist, mnist_models  # noqa: E402

BATCH, BATCHES = mnist_models.BATCH_SIZE, 8  # the lab's batch size; the steps cycle through 8 batches
TARGETS = {"CPython": 2000, "Pyodide (Node)": 500}  # digits/s, from issue #21

# Loads Pyodide from the local distribution, mounts the repository at its own path, and prints what
# `digits_per_second` returns, as JSON. argv: the Pyodide directory, the repository, rounds, seconds a sample.
NODE_SCRIPT = """
const [dist, root, rounds, seconds] = process.argv.slice(1);
const { loadPyodide } = require(`${dist}/pyodide.js`);
(async () => {
  const pyodide = await loadPyodide({ indexURL: `${dist}/` });
  await pyodide.loadPackage("numpy", { messageCallback: () => {} });
  pyodide.FS.mkdirTree(root);
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root }, root);
  console.log(pyodide.runPython(`
import sys
sys.dont_write_bytecode = True  # the repository is mounted: leave no __pycache__ in it
sys.path.insert(0, ${JSON.stringify(root)})
import json
from benchmarks.mnist import digits_per_second
json.dumps(digits_per_second(${rounds}, ${seconds}))
`));
})().catch((error) => { console.error(error.message); process.exit(1); });
"""


# ---- the baseline: the window ops as they were before issue #21 ----------------------------------

def _previous_windows(images, kernel, stride):
    return sliding_window_view(images, kernel, axis=(2, 3))[:, :, ::stride[0], ::stride[1]]


def _previous_scatter_windows(window_grad, image_shape, stride):
    oh, ow, kh, kw = window_grad.shape[2:]
    sh, sw = stride
    grad = np.zeros(image_shape)
    for i in range(kh):
        for j in range(kw):
            grad[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw] += window_grad[..., i, j]
    return grad


def previous_conv2d(x, weight, bias, stride, padding):
    x, weight, bias = as_tensor(x), as_tensor(weight), as_tensor(bias)
    stride = _pair("conv2d", "stride", stride, 1)
    (ph, pw) = _pair("conv2d", "padding", padding, 0)
    _check_image("conv2d", x, weight.shape[2:], (ph, pw))
    height, width = x.shape[2:]
    padded = np.pad(x.data, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x.data
    windows = _previous_windows(padded, weight.shape[2:], stride)
    out = np.tensordot(windows, weight.data, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)
    out = out + bias.data[:, None, None]

    def backward(g):
        grad_x = None
        if x.requires_grad:
            window_grad = np.tensordot(g, weight.data, axes=([1], [0])).transpose(0, 3, 1, 2, 4, 5)
            grad_x = _previous_scatter_windows(window_grad, padded.shape, stride)[:, :, ph:ph + height, pw:pw + width]
        grad_w = np.tensordot(g, windows, axes=([0, 2, 3], [0, 2, 3]))
        return grad_x, grad_w, g.sum(axis=(0, 2, 3))

    return record("conv2d", np.ascontiguousarray(out), (x, weight, bias), backward)


def previous_max_pool2d(x, kernel_size, stride=None):
    x = as_tensor(x)
    kernel = _pair("max_pool2d", "kernel_size", kernel_size, 1)
    stride = kernel if stride is None else _pair("max_pool2d", "stride", stride, 1)
    windows = _previous_windows(x.data, kernel, stride)
    flat = windows.reshape(*windows.shape[:4], -1)
    winner = flat.argmax(axis=-1)[..., None]
    out = np.take_along_axis(flat, winner, axis=-1)[..., 0]

    def backward(g):
        window_grad = np.zeros(flat.shape)
        np.put_along_axis(window_grad, winner, g[..., None], axis=-1)
        return (_previous_scatter_windows(window_grad.reshape(windows.shape), x.shape, stride),)

    return record("max_pool2d", out, (x,), backward)


class Previous(nn.Module):
    """One of the lab LeNet's Conv2d or MaxPool2d layers, run by the previous window op."""

    def __init__(self, layer):
        self.layer = layer

    def forward(self, x):
        layer = self.layer
        if isinstance(layer, nn.Conv2d):
            return previous_conv2d(x, layer.weight, layer.bias, layer.stride, layer.padding)
        return previous_max_pool2d(x, layer.kernel_size, layer.stride)


# ---- the measurement, the same in both runtimes --------------------------------------------------

def training_step(window_ops):
    """(step, parameters) for the lab's LeNet from seed 0, trained by Adam on the first training digits;
    window_ops is "engine" or "previous"."""
    digits = mnist.load(ROOT / "site" / mnist.FILE)
    images = mnist.as_input(digits.train_images[:BATCH * BATCHES])
    labels = digits.train_labels[:BATCH * BATCHES]
    model = mnist_models.lenet(np.random.default_rng(0))
    parameters = model.parameters()
    if window_ops == "previous":
        model.layers = [Previous(layer) if isinstance(layer, (nn.Conv2d, nn.MaxPool2d)) else layer
                        for layer in model.layers]
    optimizer = optim.Adam(parameters, lr=mnist_models.LEARNING_RATE)
    batch = 0

    def step():
        nonlocal batch
        rows = slice(batch * BATCH, (batch + 1) * BATCH)
        optimizer.zero_grad()
        F.cross_entropy(model(images[rows]), labels[rows]).backward()
        optimizer.step()
        batch = (batch + 1) % BATCHES

    return step, parameters


def check_agreement():
    """Both versions must train the same network: compare every parameter after three steps."""
    trained = {}
    for window_ops in ("engine", "previous"):
        step, parameters = training_step(window_ops)
        for _ in range(3):
            step()
        trained[window_ops] = parameters
    for ours, theirs in zip(trained["engine"], trained["previous"]):
        if not np.allclose(ours.data, theirs.data, rtol=1e-9, atol=1e-12):
            raise AssertionError("bench mnist: the engine and the previous window ops train different networks")


def digits_per_second(rounds, sample_seconds):
    """{"engine": digits/s, "previous": digits/s}: medians over interleaved rounds, in this runtime."""
    check_agreement()
    steps = {window_ops: training_step(window_ops)[0] for window_ops in ("engine", "previous")}
    seconds = median_step_seconds(steps, rounds, sample_seconds)
    return {window_ops: BATCH / step_seconds for window_ops, step_seconds in seconds.items()}


def in_pyodide_under_node(pyodide_dir, rounds, sample_seconds):
    """`digits_per_second` run by Pyodide in Node, on this repository's files."""
    arguments = [str(pyodide_dir), str(ROOT), str(rounds), str(sample_seconds)]
    finished = subprocess.run(["node", "-e", NODE_SCRIPT, *arguments], capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"bench mnist: Pyodide under Node failed:\n{finished.stderr.strip()}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def main(argv=()):
    import build  # here, not above: this module also runs inside Pyodide, where build.py cannot load
    from benchmarks.site import print_table

    parser = argparse.ArgumentParser(prog="bench mnist", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples (about half a minute in all)")
    parser.add_argument("--cpython-only", action="store_true", help="skip Pyodide under Node")
    args = parser.parse_args(list(argv))
    rounds, sample_seconds = (5, 0.1) if args.quick else (15, 0.3)

    runtimes = {"CPython": digits_per_second(rounds, sample_seconds)}
    if not args.cpython_only:
        pyodide_dir = build.local_pyodide_dir()
        if shutil.which("node") is None or not any(pyodide_dir.glob("numpy-*.whl")):
            print(f"bench mnist: no node or no local Pyodide with numpy at {pyodide_dir} (see README, "
                  "'Browser tests offline'); --cpython-only runs the rest")
            return 2
        runtimes["Pyodide (Node)"] = in_pyodide_under_node(pyodide_dir, rounds, sample_seconds)

    print(f"LeNet training on MNIST, digits/s (median; batch {BATCH}, float64, Adam, one thread)")
    rows = []
    for runtime, speed in runtimes.items():
        target = TARGETS[runtime]
        rows += [(f"{runtime} previous window ops", f"{speed['previous']:.0f}", ""),
                 (f"{runtime} engine", f"{speed['engine']:.0f}",
                  f">= {target}: {'met' if speed['engine'] >= target else 'MISSED'}"),
                 (f"{runtime} engine / previous", f"{speed['engine'] / speed['previous']:.2f}x", "")]
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
