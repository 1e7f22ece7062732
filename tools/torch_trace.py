"""Record a PyTorch model's training as a gradcanvas trace (docs/trace-format.md), for the page to replay.

Hooks do the reading: forward hooks catch every layer's output on the probe batch before each update (in
evaluation: no unit dropped, batch norm by its running statistics), and each parameter's
post-accumulate-grad hook catches its gradient the moment PyTorch finishes it, so
the trace keeps the order autograd computed them in. Torch is imported here only; the engine never
needs it. From a shell, with a script that sets `model`, `probe`, `optimizer`, `loss_fn` and `batches`
(and optionally `probe_targets` and `meta`)::

    python -m tools.torch_trace my_training.py --out trace.json [--steps 1000]

>>> model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
>>> x, y = torch.randn(16, 2), torch.randn(16, 1)
>>> optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
>>> recorded = record_training(model, x[:4], optimizer, torch.nn.functional.mse_loss, [(x, y)] * 5)
>>> recorded.count, recorded.gradient_order
(5, ('2.bias', '2.weight', '0.bias', '0.weight'))
>>> describe(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.GELU(), torch.nn.BatchNorm1d(3, momentum=None)))
Traceback (most recent call last):
ValueError: unsupported layers: 1 (GELU), 2 (BatchNorm1d(3, eps=1e-05, momentum=None, affine=True, bias=True, track_running_stats=True): settings the engine lacks); a trace holds Linear, Conv2d, MaxPool2d, Flatten, ReLU, Tanh, Sigmoid, LeakyReLU, Identity, Dropout, BatchNorm1d, BatchNorm2d
"""
import argparse
import itertools
import runpy
import sys
from pathlib import Path

import numpy as np
import torch

from engine import trace


def _square(value):
    """One int for a PyTorch size that may be a pair; None (refused) when the pair is not square."""
    pair = value if isinstance(value, tuple) else (value, value)
    return pair[0] if pair[0] == pair[1] and isinstance(pair[0], int) else None


def _layer(module):
    """The trace's words for one torch layer, or None when the layer or one of its settings has none."""
    kind = type(module).__name__
    if kind in ("ReLU", "Tanh", "Sigmoid", "Identity"):
        return {"type": kind}
    if kind == "LeakyReLU":
        return {"type": kind, "slope": module.negative_slope}
    if kind == "Linear":
        return {"type": kind, "n_in": module.in_features, "n_out": module.out_features, "bias": module.bias is not None}
    if kind == "Flatten" and module.start_dim == 1 and module.end_dim == -1:
        return {"type": kind}
    if kind == "Conv2d" and module.groups == 1 and module.padding_mode == "zeros" and _square(module.dilation) == 1:
        spec = {"type": kind, "c_in": module.in_channels, "c_out": module.out_channels,
                "kernel_size": _square(module.kernel_size), "stride": _square(module.stride),
                "padding": _square(module.padding), "bias": module.bias is not None}
        return spec if None not in spec.values() else None
    if kind == "Dropout":
        return {"type": kind, "p": module.p}
    if kind in ("BatchNorm1d", "BatchNorm2d") and module.track_running_stats and module.momentum is not None \
            and module.affine == (module.bias is not None):  # the engine's affine is a weight and a bias
        return {"type": kind, "num_features": module.num_features, "eps": module.eps, "momentum": module.momentum,
                "affine": module.affine}
    if kind == "MaxPool2d" and _square(module.padding) == 0 and _square(module.dilation) == 1 \
            and not module.ceil_mode and not module.return_indices:
        spec = {"type": kind, "kernel_size": _square(module.kernel_size), "stride": _square(module.stride)}
        return spec if None not in spec.values() else None
    return None


SUPPORTED = ("Linear", "Conv2d", "MaxPool2d", "Flatten", "ReLU", "Tanh", "Sigmoid", "LeakyReLU", "Identity", "Dropout",
             "BatchNorm1d", "BatchNorm2d")


def describe(model):
    """The layers of a `torch.nn.Sequential` in the trace's words; every layer it cannot hold is named.

    Conv2d and MaxPool2d are held with square kernels, equal strides, numeric zero padding and no dilation
    or groups (what the engine computes); Flatten from dimension 1 on; BatchNorm with running statistics kept
    by a momentum (not momentum=None's cumulative average).
    """
    if not isinstance(model, torch.nn.Sequential):
        raise TypeError(f"a trace records a torch.nn.Sequential, not {type(model).__name__}")
    layers, refused = [], []
    for index, module in enumerate(model):
        layers.append(_layer(module))
        if layers[-1] is None:
            kind = type(module).__name__
            settings = f"{module!r}: settings the engine lacks"
            refused.append(f"{index} ({kind if kind not in SUPPORTED else settings})")
    if refused:
        raise ValueError(f"unsupported layers: {', '.join(refused)}; a trace holds {', '.join(SUPPORTED)}")
    return layers


def _numpy(tensor):
    return tensor.detach().cpu().numpy().copy()


def record(model, probe, step, steps, targets=None, meta=None):
    """Call `step()` `steps` times, each one training step of `model` that returns its loss, and return
    the Trace. `step` does the work (zero_grad, forward, backward, optimizer.step) as the user likes; each step
    is recorded with the mode its forward pass ran in (`model.train()` or `model.eval()`, as `step` sets it)."""
    layers = describe(model)
    parameters = dict(model.named_parameters())
    dtype = next(iter(parameters.values())).dtype if parameters else torch.float32
    probe = torch.as_tensor(np.asarray(probe), dtype=dtype)
    initial = {name: _numpy(values) for name, values in model.state_dict().items()}  # buffers too
    gradients = {}
    hooks = [param.register_post_accumulate_grad_hook(lambda p, name=name: gradients.__setitem__(name, _numpy(p.grad)))
             for name, param in parameters.items()]
    modes = []  # model.training at each forward pass of the step
    hooks.append(model.register_forward_pre_hook(lambda module, _inputs: modes.append(module.training)))
    recorded = []
    try:
        for _ in range(steps):
            outputs = _probe_outputs(model, probe)
            before = {name: _numpy(param) for name, param in parameters.items()}
            gradients.clear()
            modes.clear()
            loss = float(torch.as_tensor(step()).detach())
            training = modes[0] if modes else model.training
            update = {name: _numpy(param) - before[name] for name, param in parameters.items()}
            buffers = {name: _numpy(values) for name, values in model.named_buffers()}
            recorded.append(trace.Step(loss, outputs, dict(gradients), update, training, buffers))
    finally:
        for hook in hooks:
            hook.remove()
    meta = {"producer": f"torch {torch.__version__}", **(meta or {})}
    return trace.Trace.from_steps(layers, _numpy(probe), initial, recorded, targets, meta)


def _probe_outputs(model, probe):
    """Every layer's output on the probe as the model stands, in evaluation (so the probe drops no unit and moves
    no running statistic), copied: a later in-place ReLU must not change it."""
    outputs, mode = [], model.training
    hooks = [module.register_forward_hook(lambda _m, _i, out: outputs.append(_numpy(out))) for module in model]
    try:
        with torch.no_grad():
            model.eval()(probe)
    finally:
        model.train(mode)
        for hook in hooks:
            hook.remove()
    return tuple(outputs)


def record_training(model, probe, optimizer, loss_fn, batches, targets=None, meta=None):
    """Train `model` one step per (inputs, targets) pair of `batches` with `optimizer` and
    `loss_fn(outputs, targets)`, and return the Trace."""
    batches = list(batches)
    pairs = iter(batches)

    def step():
        inputs, labels = next(pairs)
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    meta = {"optimizer": type(optimizer).__name__, **(meta or {})}
    return record(model, probe, step, len(batches), targets, meta)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", help="a Python file that sets model, probe, optimizer, loss_fn and batches")
    parser.add_argument("--out", default="trace.json", help="where to write the trace (default: trace.json)")
    parser.add_argument("--steps", type=int, help="record at most this many steps (default: every batch)")
    args = parser.parse_args(argv)
    names = runpy.run_path(args.script, run_name="__trace__")
    missing = [name for name in ("model", "probe", "optimizer", "loss_fn", "batches") if name not in names]
    if missing:
        parser.error(f"{args.script} does not set {', '.join(missing)}")
    batches = names["batches"] if args.steps is None else itertools.islice(names["batches"], args.steps)
    try:
        recorded = record_training(names["model"], names["probe"], names["optimizer"], names["loss_fn"], batches,
                                   names.get("probe_targets"), names.get("meta"))
    except (TypeError, ValueError) as error:
        parser.error(str(error))
    text = trace.dumps(recorded)
    trace.validate(text)  # what is written is what the page will accept
    Path(args.out).write_text(text)
    print(f"wrote {args.out}: {recorded.count} steps of {len(recorded.structure.layers)} layers, "
          f"{len(text) / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
