"""Models opened in the digits lab from a file or a link: an ONNX file (exported by PyTorch, Keras or
TensorFlow) or an engine weights file (.npz), read in the page and shown by every view of the lab as its own
networks are, under the file's name in the Model menu.

A file is read here and only routed by the lab: a model for digits, (N, 784) or (N, 1, 28, 28) in and ten
scores out, joins the menu; one for the playground's plane, (N, 2) in, goes there as a weights file; a trace
goes where traces go (digit_traces.py reads it). Anything else is refused with the reason, and the model in use
stays.
"""
import io
import math
from pathlib import PurePosixPath
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import numpy as np

from engine import nn, weights

from app.digits import mnist
from app.digits.held_out import ScalingChoice
from app.digits.mlp_inspect import mlp_layers
from app.digits.mnist_models import NETWORKS
from app.models import onnx_file, onnx_rules

MODEL_FILES = (".onnx", ".npz")
# A model file is refused by its size, before it is read, so that no file can fill the page's memory. The limits
# hold onnx_rules.PARAMETER_LIMIT's 2,000,000 parameters with room to spare as each kind of file keeps them:
# exporters write ONNX weights as float32 (4 bytes each: 8 MB), the engine its weights files as float64 (8 bytes
# each: 16 MB), so a weights file saved here of any model the page opens opens again.
FILE_LIMITS_MB = {".onnx": 10, ".npz": 20}
DIGIT_INPUTS = {(784,): "(N, 784)", (1, mnist.SIZE, mnist.SIZE): "(N, 1, 28, 28)"}  # one digit, as a model takes it
PLANE_INPUT = (2,)  # the playground's (x1, x2)
DIGITS = 10


class HandOver(NamedTuple):
    """A file that is not for the lab: the playground opens it (`data`: a weights file's bytes, or a trace's)."""

    name: str
    data: bytes


class OpenedModel:
    """A model opened from a file or a link, with what the lab reads of one of its own networks
    (`mnist_models.Network`): its name, title and short name (all the file's name), the shape of one digit
    as it takes it, which views show it, and `as_input`; `build` is None, for Train from scratch has no
    recipe for it. `score` counts its held-out digits under each input scaling and says which it uses."""

    build = None

    def __init__(self, name, model, meta, input_shape, origin, digits):
        self.name = self.title = self.short = name
        self.model, self.views = as_viewed(model, input_shape)
        self.input_shape = (784,) if self.views == "mlp" else input_shape
        self.meta, self.origin = meta, origin
        self.score = ScalingChoice(self.model, self.input_shape, digits)

    @property
    def scaling(self):
        return self.score.in_use

    @property
    def weights_file(self):
        """The name Save weights gives its engine weights file: the file's stem, .npz."""
        return PurePosixPath(PurePosixPath(self.name).stem + ".npz")

    def as_input(self, levels):
        """Grey levels 0..255 (one 28x28 image or a stack) as this model's input, in its scaling."""
        return self.scaling.apply(mnist.as_input(levels, self.input_shape))


def as_viewed(model, input_shape):
    """The model as the lab shows it, and which of its views do: the MLP view for an MLP of 784 inputs it can
    draw (a leading Flatten of a (1, 28, 28) input is set aside: it changes no value), the layer-by-layer
    views ("cnn") for any other."""
    modules = list(model)
    if input_shape != (784,) and modules and isinstance(modules[0], nn.Flatten):
        modules = modules[1:]
    if modules and isinstance(modules[0], nn.Linear) and modules[0].n_in == 784:
        try:
            mlp_layers(nn.Sequential(*modules))
            return nn.Sequential(*modules), "mlp"
        except ValueError:  # not one the MLP view draws
            pass
    return model, "cnn"


def model_name(url):
    """The file name a #model= link opens under, checked: the page opens models from its own site only.

    >>> model_name("data/mnist-cnn.npz"), model_name("my%20net.onnx")
    ('mnist-cnn.npz', 'my net.onnx')
    >>> model_name("https://example.com/net.onnx")
    Traceback (most recent call last):
    ValueError: the link's model is at https://example.com/net.onnx, another site; the page opens models from its own files (a path like data/mnist-cnn.npz): download the file and open it with Open a model
    """
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        raise ValueError(f"the link's model is at {url}, another site; the page opens models from its own files "
                         "(a path like data/mnist-cnn.npz): download the file and open it with Open a model")
    name = unquote(PurePosixPath(parts.path).name)
    if not name.lower().endswith(MODEL_FILES):
        raise ValueError(f"the link's model, {url}, is not a .onnx or .npz file")
    return name


def read(name, data, origin, digits, dropped=False):
    """What the file `name` (its bytes `data`) holds: an `OpenedModel` for the lab, or a `HandOver` for the
    playground: a trace, an ONNX model or weights file of (N, 2) inputs and, when the file was `dropped` on
    the page rather than chosen in the lab, any weights file not for digits (the playground says what it
    makes of it). Raises ValueError naming what is wrong with anything else."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in MODEL_FILES:
        return HandOver(name, data)
    _check_size(suffix, len(data))
    if suffix == ".onnx":
        model, meta = onnx_file.open_onnx(data)
        if meta["opens_in"] == "playground":
            buffer = io.BytesIO()
            weights.save(model, buffer, meta=meta)
            return HandOver(PurePosixPath(name).stem + ".npz", buffer.getvalue())
        _count_scores(model, meta["input_shape"])
        return OpenedModel(name, model, meta, meta["input_shape"], origin, digits)
    model, meta = weights.load(io.BytesIO(bytes(data)))
    model.eval()  # the lab reads one digit at a time: batch norm from its running statistics, dropout passing all
    shape = _digit_input(model)
    if shape is None:
        if dropped or _takes(model, PLANE_INPUT):
            return HandOver(name, data)
        raise ValueError(f"its network takes neither {' nor '.join(DIGIT_INPUTS.values())} inputs with {DIGITS} "
                         f"digit scores out (it is {_layers(model)}); open a network for 28x28 digits, or one of "
                         "(N, 2) inputs for the playground")
    count = sum(parameter.size for parameter in model.parameters())
    if count > onnx_rules.PARAMETER_LIMIT:
        raise ValueError(f"its network has {count:,} parameters; the page opens models of up to "
                         f"{onnx_rules.PARAMETER_LIMIT:,}, so that a drawing is still read as you draw it")
    return OpenedModel(name, model, meta, shape, origin, digits)


def _check_size(suffix, size):
    """Refuse a `suffix` file of `size` bytes over its limit (FILE_LIMITS_MB), saying by how much.

    >>> _check_size(".onnx", 10_000_001)
    Traceback (most recent call last):
    ValueError: the file is 10.1 MB; the page opens .onnx files of up to 10 MB (room for 2,000,000 parameters): open a smaller model
    """
    limit = FILE_LIMITS_MB[suffix]
    if size > limit * 1_000_000:
        shown = math.ceil(size / 100_000) / 10  # rounded up, so a file just over the limit never reads as at it
        raise ValueError(f"the file is {shown} MB; the page opens {suffix} files of up to {limit} MB (room for "
                         f"{onnx_rules.PARAMETER_LIMIT:,} parameters): open a smaller model")


def _takes(model, shape):
    """Whether `model` computes for inputs of one example's `shape` (the engine refuses others: ValueError)."""
    try:
        return model(np.zeros((1, *shape))).shape[0] == 1
    except ValueError:
        return False


def _digit_input(model):
    """The shape of one digit as `model` takes it with ten scores out, or None."""
    for shape in DIGIT_INPUTS:
        if _takes(model, shape) and model(np.zeros((1, *shape))).shape == (1, DIGITS):
            return shape
    return None


def _count_scores(model, shape):
    scores = model(np.zeros((1, *shape))).shape[1:]
    if scores != (DIGITS,):
        raise ValueError(f"its output for a digit has shape {scores}; the lab reads models that give {DIGITS} "
                         "scores, one for each digit 0 to 9")


def _layers(model):
    """`model`'s first three layers as the engine writes them: "Flatten(), Linear(64, 3, bias=True)"."""
    shown = [repr(layer) for layer in list(model)[:3]]
    return ", ".join(shown) + (", …" if len(model) > 3 else "")


class OpenedModels:
    """The models opened since the page opened, by name, with the lab's own networks: what the Model menu lists.
    It opens files and links for the lab, saying on the `page` what it made of each (a model the lab shows, a
    file the playground takes by `hand_over`, or what is wrong), and keeps an opened model's Inputs menu. `read`
    says what a file holds (the lab gives digit_traces.read, which reads traces too)."""

    def __init__(self, page, digits, hand_over, read=read):
        self.page, self.digits, self.hand_over, self.read = page, digits, hand_over, read
        self.opened = {}

    def network(self, name):
        """The network or opened model called `name`, or None."""
        return NETWORKS.get(name) or self.opened.get(name)

    def options(self):
        """The Model menu's entries: (name, text)."""
        return [(name, network.title) for name, network in {**NETWORKS, **self.opened}.items()]

    def known(self, name, default="cnn"):
        """`name` when the menu has it; else, saying so, `default` (a link may name a model opened from a file,
        which it cannot carry)."""
        if self.network(name) is not None:
            return name
        self.page.set_text("digit-open-status", f"The link's model, {name}, came from a file: open it again.")
        return default

    def open(self, name, data, origin, dropped):
        """The `OpenedModel` the file holds, now in the Model menu (a model opened again under a name already
        there replaces it: a newer file of that name); None when it went to the playground or was refused."""
        try:
            opened = self.read(name, data, origin, self.digits, dropped)
        except Exception as error:  # a wrong file of any kind: nothing changes but the message
            self.page.set_text("digit-message", f"Could not open {name}: {error}. The model in use is kept.")
            return None
        self.page.set_text("digit-message", "")
        if isinstance(opened, HandOver):
            self.hand_over(*opened)
            if not dropped:  # chosen in the lab, so say where it went
                self.page.set_text("digit-open-status", f"{name} is not for digits: the playground opened it.")
            return None
        self.opened[name] = opened
        self.page.show_options("digit-model-choice", self.options(), name)
        note = opened.meta.get("note", "")  # the final Softmax dropped, say
        self.page.set_text("digit-open-status", f"Opened {name}: it is in the Model menu. {note.capitalize()}".strip())
        return opened

    async def fetch(self, url):
        """(file name, bytes) of the model a #model= link names, from the site's own files; None, saying why,
        when it is elsewhere or cannot be downloaded."""
        try:
            name = model_name(url)
            self.page.set_text("digit-open-status", f"Downloading {url}…")
            return name, await self.page.fetch_bytes(url)
        except (ValueError, RuntimeError) as error:  # RuntimeError: the page's fetch_bytes, naming the address
            self.page.set_text("digit-message", f"Could not open the link's model: {error}. The model in use is kept.")
            return None

    def show_scaling(self, network):
        """The Inputs menu: how an opened model is given its pixels, each way with its share of the tried digits
        once tried; hidden for the lab's own networks, which take pixel/255."""
        opened = isinstance(network, OpenedModel)
        self.page.set_attribute("#digit-scaling-choice", "hidden", not opened)
        if opened:
            self.page.show_options("digit-scaling", network.score.options(), network.scaling.name)

    def rescale(self, network, name):
        """The person chose scaling `name` in the Inputs menu for the opened model shown; True when it was one."""
        if isinstance(network, OpenedModel):
            network.score.choose(name)
            self.show_scaling(network)
        return isinstance(network, OpenedModel)
