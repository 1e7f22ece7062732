"""Weights files: a model's layers and parameters in one `.npz`, so a trained network can be kept and shared.

The file holds the parameter arrays and buffers (BatchNorm's running statistics) under their `state_dict`
names ("0.weight", "0.bias", "1.running_mean", ...) plus two JSON strings: `architecture`, the layers of an
`nn.Sequential` in order, and `meta`, free-form facts the writer wants kept beside the weights (accuracy,
recipe, source). Only plain arrays are stored, never pickles, so loading a file from anywhere runs no code.
The page, the build's digit trainer and the ONNX importer all write and read this one format.

>>> import io
>>> from engine import nn
>>> model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
>>> buffer = io.BytesIO()
>>> save(model, buffer, meta={"note": "example"})
>>> _ = buffer.seek(0)
>>> copy, meta = load(buffer)
>>> copy, meta
(Sequential(
  (0): Linear(2, 3, bias=True)
  (1): Tanh()
  (2): Linear(3, 1, bias=True)
), {'note': 'example'})
>>> bool((copy[2].weight.data == model[2].weight.data).all())
True
"""
import json
import zipfile

import numpy as np

from . import nn

FORMAT = "gradcanvas-weights/1"

_ARGUMENTS = {  # each layer type's constructor arguments, read from and given back to the module
    "Linear": ("n_in", "n_out"),
    "Conv2d": ("c_in", "c_out", "kernel_size", "stride", "padding"),
    "MaxPool2d": ("kernel_size", "stride"),
    "LeakyReLU": ("slope",),
    "Dropout": ("p",),
    "BatchNorm1d": ("num_features", "eps", "momentum", "affine"),
    "BatchNorm2d": ("num_features", "eps", "momentum", "affine"),
    "Flatten": (), "ReLU": (), "Tanh": (), "Sigmoid": (), "Identity": (),
}


def describe(model):
    """The layers of `model` (an `nn.Sequential`) as a list of JSON-ready dicts; raises on other modules."""
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"weights files hold an nn.Sequential, not {type(model).__name__}")
    layers = []
    for index, layer in enumerate(model):
        kind = type(layer).__name__
        if kind not in _ARGUMENTS:
            raise TypeError(f"layer {index} is a {kind}; weights files hold {', '.join(_ARGUMENTS)}")
        spec = {"type": kind, **{name: getattr(layer, name) for name in _ARGUMENTS[kind]}}
        if kind in ("Linear", "Conv2d"):  # BatchNorm's bias is part of `affine`
            spec["bias"] = layer.bias is not None
        layers.append(spec)
    return layers


def build(layers):
    """An `nn.Sequential` made from `describe`'s list (fresh parameters, to be overwritten)."""
    modules = []
    for index, spec in enumerate(layers):
        spec = dict(spec)
        kind = spec.pop("type", None)
        if kind not in _ARGUMENTS:
            raise ValueError(f"layer {index}: unknown type {kind!r}; known: {', '.join(_ARGUMENTS)}")
        try:
            modules.append(getattr(nn, kind)(**spec))
        except TypeError as error:
            raise ValueError(f"layer {index} ({kind}): {error}") from None
    return nn.Sequential(*modules)


def save(model, file, meta=None):
    """Write `model`'s layers and parameters (and the `meta` dict) to `file`, a path or a binary file."""
    arrays = {name: values.astype(np.float64) for name, values in model.state_dict().items()}
    np.savez_compressed(file, format=np.array(FORMAT), architecture=np.array(json.dumps(describe(model))),
                        meta=np.array(json.dumps(meta or {})), **arrays)


class UnreadableFile(ValueError):
    """The file is not an .npz of plain arrays at all (truncated, another kind of file, or holding pickled
    objects), as opposed to an .npz that holds the wrong network."""


def load(file):
    """The model and meta dict stored in `file`; a wrong or damaged file raises ValueError saying why
    (`UnreadableFile` when it is not an .npz of arrays at all)."""
    try:
        with np.load(file, allow_pickle=False) as stored:
            contents = {name: stored[name] for name in stored.files}
    except FileNotFoundError:
        raise  # a path that names no file: the reader needs that, not a verdict on a file never read
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        # numpy's own words ("Object arrays cannot be loaded when allow_pickle=False", "File is not a zip
        # file") speak of its internals; the reader needs to know what the file is not and what to use.
        raise UnreadableFile("not a weights file (it could not be read as an .npz of arrays): save one with "
                             "engine.weights.save") from None
    if str(contents.pop("format", "")) != FORMAT:
        raise ValueError(f"not a gradcanvas weights file: its 'format' entry is not {FORMAT!r}")
    model = build(json.loads(str(contents.pop("architecture"))))
    meta = json.loads(str(contents.pop("meta", "{}")))
    model.load_state_dict(contents)
    return model, meta
