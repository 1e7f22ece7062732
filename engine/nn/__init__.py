"""Modules: layers that own their parameters, composed as in `torch.nn`.

A Module finds its parameters and sub-modules by looking at its own attributes, so user code in the
editor can write a PyTorch-style class without registering anything.
"""
import numpy as np

from ..tensor import Tensor, as_tensor, record
from . import functional as F
from . import init, utils  # noqa: F401 (public as nn.init and nn.utils, as in torch)


class RemovableHandle:
    """Returned by `register_forward_hook`; `remove()` unhooks it, as in PyTorch."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class Module:
    """Base class of every layer and model; subclasses define `forward`.

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         self.scale = Tensor(2.0, requires_grad=True)
    ...     def forward(self, x):
    ...         return x * self.scale
    >>> [name for name, _ in Affine().named_parameters()]
    ['scale']
    """

    training = True  # until `train(False)` or `eval()`, as a fresh torch module

    def __call__(self, *inputs):
        output = self.forward(*inputs)
        hooks = self.__dict__.get("_forward_hooks")
        if hooks:
            for hook in list(hooks):  # a copy: a hook may remove itself
                replaced = hook(self, inputs, output)
                output = output if replaced is None else replaced
        return output

    def forward(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def register_forward_hook(self, hook):
        """Call `hook(module, inputs, output)` after every forward; a non-None return replaces the output."""
        hooks = self.__dict__.setdefault("_forward_hooks", [])
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    def named_children(self):
        """Direct sub-modules with their attribute names (list entries as `name.i`)."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                yield from ((f"{name}.{i}", m) for i, m in enumerate(value) if isinstance(m, Module))

    def modules(self):
        """This module and every module inside it, depth first, as in PyTorch."""
        yield self
        for _, child in self.named_children():
            yield from child.modules()

    def named_parameters(self, prefix=""):
        """Every parameter (a Tensor attribute that requires grad) as (dotted name, tensor), each once."""
        seen = set()
        for name, value in vars(self).items():
            if isinstance(value, Tensor) and value.requires_grad and value not in seen:
                seen.add(value)
                yield prefix + name, value
        for name, child in self.named_children():
            for child_name, param in child.named_parameters(f"{prefix}{name}."):
                if param not in seen:
                    seen.add(param)
                    yield child_name, param

    def parameters(self):
        """The parameters as a list, ready for an optimizer."""
        return [param for _, param in self.named_parameters()]

    def register_buffer(self, name, values):
        """Keep `values` (an ndarray) as attribute `name`: state the module updates itself, not by gradient
        (BatchNorm's running statistics), so it travels in `state_dict()` but no optimizer ever sees it."""
        setattr(self, name, values)
        names = self.__dict__.setdefault("_buffer_names", [])
        if name not in names:
            names.append(name)

    def named_buffers(self, prefix=""):
        """Every buffer (see `register_buffer`) as (dotted name, ndarray), children's included."""
        for name in self.__dict__.get("_buffer_names", ()):
            yield prefix + name, getattr(self, name)
        for name, child in self.named_children():
            yield from child.named_buffers(f"{prefix}{name}.")

    def train(self, mode=True):
        """Switch this module and every sub-module to training (`mode` True) or evaluation; returns self.
        Dropout drops units and BatchNorm uses the batch's statistics only while training, as in PyTorch."""
        self.training = bool(mode)
        for _, child in self.named_children():
            child.train(mode)
        return self

    def eval(self):
        """Switch to evaluation mode (`train(False)`): Dropout passes everything, BatchNorm uses its running
        statistics, so a prediction depends on its input alone. Returns self.

        >>> model = Sequential(Linear(2, 2), Dropout(0.5)).eval()
        >>> model.training, model[1].training
        (False, False)
        """
        return self.train(False)

    def state_dict(self):
        """Each parameter's and buffer's values by dotted name, copied: what a weights file stores, as in PyTorch."""
        return {name: values.copy() for name, values in
                [*((name, param.data) for name, param in self.named_parameters()), *self.named_buffers()]}

    def load_state_dict(self, state):
        """Copy `state`'s arrays into the parameters and buffers of the same names; every name and shape must
        match."""
        params, buffers = dict(self.named_parameters()), dict(self.named_buffers())
        expected = params.keys() | buffers.keys()
        missing, unexpected = expected - state.keys(), state.keys() - expected
        if missing or unexpected:
            raise ValueError(f"load_state_dict: missing {sorted(missing)}, unexpected {sorted(unexpected)}")
        for name, current in [*((name, param.data) for name, param in params.items()), *buffers.items()]:
            values = np.asarray(state[name])
            if values.shape != current.shape:
                raise ValueError(f"load_state_dict: {name} has shape {values.shape}, the model's is {current.shape}")
            if name in params:
                params[name].data = values.astype(np.float64)  # a copy, never the caller's array
            else:
                current[...] = values  # in place, keeping the buffer's own dtype (an int count stays an int)

    def zero_grad(self):
        """Forget accumulated gradients before the next backward pass."""
        for param in self.parameters():
            param.grad = None

    def __repr__(self):
        lines = [f"  ({name}): " + repr(child).replace("\n", "\n  ") for name, child in self.named_children()]
        children = "\n" + "\n".join(lines) + "\n" if lines else ""
        return f"{type(self).__name__}({self.extra_repr()}{children})"

    def extra_repr(self):
        return ""


class Linear(Module):
    """`y = x @ weight.T + bias`, weight (n_out, n_in) and bias (n_out,) as in PyTorch.

    `init` is "xavier" (uniform Glorot, for tanh, sigmoid and linear units) or "he" (normal Kaiming, for
    ReLU units): the spread that keeps activations from shrinking or exploding layer after layer.

    >>> layer = Linear(3, 2, rng=np.random.default_rng(0))
    >>> layer.weight.shape, layer.bias.shape, layer(np.ones((5, 3))).shape
    ((2, 3), (2,), (5, 2))
    """

    def __init__(self, n_in, n_out, bias=True, rng=None, init="xavier"):
        rng = np.random.default_rng(0) if rng is None else rng
        if init == "xavier":
            limit = np.sqrt(6.0 / (n_in + n_out))
            weight = rng.uniform(-limit, limit, size=(n_out, n_in))
        elif init == "he":
            weight = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
        else:
            raise ValueError(f"Linear: unknown init {init!r}; choose 'xavier' or 'he'")
        self.n_in, self.n_out = n_in, n_out
        self.weight = Tensor(weight, requires_grad=True, name="weight")
        self.bias = Tensor(np.zeros(n_out), requires_grad=True, name="bias") if bias else None

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"{self.n_in}, {self.n_out}, bias={self.bias is not None}"


class Conv2d(Module):
    """A bank of `c_out` learned filters, each (c_in, k, k), slid over NCHW images: `F.conv2d`.

    Weights are He-normal (fan_in = c_in * k * k), the spread that suits the ReLUs a CNN puts after each
    convolution; biases start at 0.

    >>> layer = Conv2d(1, 8, 3, padding=1, rng=np.random.default_rng(0))
    >>> layer.weight.shape, layer.bias.shape, layer(np.ones((5, 1, 8, 8))).shape
    ((8, 1, 3, 3), (8,), (5, 8, 8, 8))
    """

    def __init__(self, c_in, c_out, kernel_size, stride=1, padding=0, bias=True, rng=None):
        rng = np.random.default_rng(0) if rng is None else rng
        self.c_in, self.c_out, self.kernel_size, self.stride, self.padding = c_in, c_out, kernel_size, stride, padding
        fan_in = c_in * kernel_size * kernel_size
        weight = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(c_out, c_in, kernel_size, kernel_size))
        self.weight = Tensor(weight, requires_grad=True, name="weight")
        self.bias = Tensor(np.zeros(c_out), requires_grad=True, name="bias") if bias else None

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self):
        return (f"{self.c_in}, {self.c_out}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, bias={self.bias is not None}")


class MaxPool2d(Module):
    """Keeps the largest value of each window: `F.max_pool2d`; `stride=None` means the kernel size.

    >>> MaxPool2d(2)(np.ones((5, 8, 8, 8))).shape
    (5, 8, 4, 4)
    """

    def __init__(self, kernel_size, stride=None):
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class Flatten(Module):
    """Folds every axis after the batch axis into one, so feature maps can feed a `Linear`.

    >>> Flatten()(np.ones((5, 16, 2, 2))).shape
    (5, 64)
    """

    def forward(self, x):
        x = as_tensor(x)
        return x.reshape(x.shape[0], -1)


class ReLU(Module):
    """max(0, x): cheap, and its gradient never shrinks where it flows, but a unit stuck below 0 is dead."""

    def forward(self, x):
        return x.relu()


class Tanh(Module):
    """tanh(x): zero-centred, saturates at -1 and 1."""

    def forward(self, x):
        return x.tanh()


class Sigmoid(Module):
    """1 / (1 + exp(-x)): saturates at 0 and 1; its gradient is at most 0.25, so deep stacks vanish."""

    def forward(self, x):
        return x.sigmoid()


class LeakyReLU(Module):
    """x for x > 0, else slope * x: a ReLU whose units cannot die."""

    def __init__(self, slope=0.01):
        self.slope = slope

    def forward(self, x):
        return x.leaky_relu(self.slope)

    def extra_repr(self):
        return f"slope={self.slope}"


class Identity(Module):
    """Passes its input through: the "linear" activation."""

    def forward(self, x):
        return x


class Dropout(Module):
    """While training, zeroes each input with probability `p` and scales the survivors by 1 / (1 - p) (inverted
    dropout, so evaluation needs no rescaling); in evaluation, passes everything. The mask is drawn from `rng`
    (an `np.random.Generator`; a seeded default when None), so a run can be replayed, and kept as `mask`
    (True where a unit survived; None when nothing was dropped) for pictures of the dropped units.

    >>> layer = Dropout(0.5, rng=np.random.default_rng(1))
    >>> layer(np.ones((1, 4))).data, layer.mask
    (array([[2., 2., 0., 2.]]), array([[ True,  True, False,  True]]))
    >>> layer.eval()(np.ones((1, 4))).data, layer.mask
    (array([[1., 1., 1., 1.]]), None)
    """

    def __init__(self, p=0.5, rng=None):
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
            raise ValueError(f"Dropout: p={p!r} is the probability of dropping a unit and must be a number in "
                             "[0, 1); 0 keeps every unit, 1 would keep none")
        self.p, self.mask = p, None
        self.rng = np.random.default_rng(0) if rng is None else rng

    def forward(self, x):
        x = as_tensor(x)
        if not self.training or self.p == 0:
            self.mask = None
            return x
        self.mask = self.rng.random(x.shape) >= self.p
        scale = self.mask / (1.0 - self.p)  # the same mask and scale carry the gradient back
        return record("dropout", x.data * scale, (x,), lambda g: (g * scale,))

    def extra_repr(self):
        return f"p={self.p}"


class _BatchNorm(Module):
    """Shared by BatchNorm1d and BatchNorm2d, which differ only in the input shapes they accept."""

    DIMS = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True):
        self.num_features, self.eps, self.momentum, self.affine = num_features, eps, momentum, affine
        self.weight = Tensor(np.ones(num_features), requires_grad=True, name="weight") if affine else None
        self.bias = Tensor(np.zeros(num_features), requires_grad=True, name="bias") if affine else None
        self.register_buffer("running_mean", np.zeros(num_features))
        self.register_buffer("running_var", np.ones(num_features))
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))

    def forward(self, x):
        x = as_tensor(x)
        if x.ndim not in self.DIMS or x.shape[1] != self.num_features:
            expected = " or ".join(f"{n}-D" for n in self.DIMS)
            raise ValueError(f"{type(self).__name__}({self.num_features}): input shape {x.shape} does not fit; "
                             f"expected {expected} input with {self.num_features} channels on axis 1")
        out = F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, self.training,
                           self.momentum, self.eps)
        if self.training:
            self.num_batches_tracked += 1
        return out

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"


class BatchNorm1d(_BatchNorm):
    """Normalises each feature over the batch, (N, C) or (N, C, L) input, then scales by `weight` and shifts
    by `bias` (learned, from 1 and 0). Training uses the batch's mean and variance and keeps running
    estimates (buffers `running_mean`, `running_var`, momentum 0.1, unbiased variance, as torch); evaluation
    uses those estimates.

    >>> layer = BatchNorm1d(2)
    >>> layer(np.array([[1.0, 10.0], [3.0, 30.0]])).data.round(4), layer.running_mean
    (array([[-1., -1.],
           [ 1.,  1.]]), array([0.2, 2. ]))
    """

    DIMS = (2, 3)


class BatchNorm2d(_BatchNorm):
    """BatchNorm1d for images (N, C, H, W): each channel normalised over the batch and every pixel.

    >>> BatchNorm2d(3)(np.ones((2, 3, 4, 4))).shape
    (2, 3, 4, 4)
    """

    DIMS = (4,)


# The activations by name, in the order the page lists them: the one table MLP, the page's settings and
# its diagnostics read. Each name is also the op label its Tensor method records ("linear" records none).
_ACTIVATION_MODULES = {"tanh": Tanh, "relu": ReLU, "sigmoid": Sigmoid, "linear": Identity, "leaky_relu": LeakyReLU}
ACTIVATIONS = tuple(_ACTIVATION_MODULES)


def activation_by_name(name):
    """The activation module called `name`, one of ACTIVATIONS.

    >>> activation_by_name("relu"), ACTIVATIONS
    (ReLU(), ('tanh', 'relu', 'sigmoid', 'linear', 'leaky_relu'))
    """
    if name not in _ACTIVATION_MODULES:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return _ACTIVATION_MODULES[name]()


class Sequential(Module):
    """Applies its modules in order; indexable and iterable like `torch.nn.Sequential`."""

    def __init__(self, *modules):
        self.layers = list(modules)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def named_children(self):
        return ((str(i), layer) for i, layer in enumerate(self.layers))

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)


class MLP(Sequential):
    """A multi-layer perceptron: per hidden layer Linear, then BatchNorm1d (when `batch_norm`), the activation
    and Dropout (when `dropout` > 0); then a linear output layer.

    `activation` and `dropout` each give one value for every hidden layer, or a list with one per hidden
    layer. Weights are drawn from `rng` (a seeded default when None), scaled for each layer's activation;
    `init` instead names one of INITS for every Linear weight (biases start at 0). Dropout draws its masks
    from the same `rng`, so one seed replays the whole run.

    >>> model = MLP(2, [4, 4], 1, activation="relu")
    >>> model
    MLP(2, [4, 4], 1, activation='relu'
      (0): Linear(2, 4, bias=True)
      (1): ReLU()
      (2): Linear(4, 4, bias=True)
      (3): ReLU()
      (4): Linear(4, 1, bias=True)
    )
    >>> len(model.parameters()), MLP(2, [3, 3], 1, activation=["relu", "sigmoid"])[3]
    (6, Sigmoid())
    >>> [type(layer).__name__ for layer in MLP(2, [4], 1, dropout=0.2, batch_norm=True, init="he_normal")]
    ['Linear', 'BatchNorm1d', 'Tanh', 'Dropout', 'Linear']
    """

    def __init__(self, n_in, hidden, n_out, activation="tanh", rng=None, dropout=0.0, batch_norm=False, init=None):
        rng = np.random.default_rng(0) if rng is None else rng
        hidden = list(hidden)
        activations, rates = _per_layer("activations", activation, hidden), _per_layer("dropout rates", dropout, hidden)
        for name in activations:
            activation_by_name(name)  # fail on a bad name before drawing any weights
        if init is not None and init not in INITS:
            raise ValueError(f"MLP: unknown init {init!r}; choose one of {', '.join(INITS)}, or None for the default")
        sizes = [n_in, *hidden, n_out]
        layers = []
        for fan_in, fan_out, name, rate in zip(sizes, sizes[1:], activations, rates):
            layers.append(_initialised(Linear(fan_in, fan_out, rng=rng, init="he" if name in ("relu", "leaky_relu")
                                              else "xavier"), init, name, rng))
            layers += [BatchNorm1d(fan_out)] if batch_norm else []
            layers.append(activation_by_name(name))
            layers += [Dropout(rate, rng=rng)] if rate else []
        layers.append(_initialised(Linear(sizes[-2], n_out, rng=rng, init="xavier"), init, "linear", rng))
        super().__init__(*layers)
        self.sizes, self.activation = sizes, activation
        self.dropout, self.batch_norm, self.init = dropout, batch_norm, init

    def extra_repr(self):
        dropping = any(_per_layer("dropout rates", self.dropout, self.sizes[1:-1]))
        options = ([f"dropout={self.dropout!r}"] if dropping else []) + (["batch_norm=True"] if self.batch_norm else [])
        options += [f"init={self.init!r}"] if self.init else []
        return ", ".join([f"{self.sizes[0]}, {self.sizes[1:-1]}, {self.sizes[-1]}, activation={self.activation!r}",
                          *options])


def _per_layer(what, value, hidden):
    """`value` repeated for each hidden layer, or `value` itself when it is already one per layer."""
    per_layer = list(value) if isinstance(value, (list, tuple)) else [value] * len(hidden)
    if len(per_layer) != len(hidden):
        raise ValueError(f"MLP: {len(per_layer)} {what} for {len(hidden)} hidden layers; "
                         "give one value, or one per hidden layer")
    return per_layer


# MLP's `init` choices, each filling a Linear weight (out, in) through nn.init. Xavier is Glorot's plain
# formula (gain 1), as the default init uses it; "he_normal" takes the gain of the activation that follows;
# "uniform" is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), what torch.nn.Linear's own default init
# (kaiming_uniform_ with a=sqrt(5)) comes to, so a model can start as a fresh torch model would.
INITS = {
    "xavier_uniform": lambda w, activation, rng: init.xavier_uniform_(w, rng=rng),
    "xavier_normal": lambda w, activation, rng: init.xavier_normal_(w, rng=rng),
    "he_normal": lambda w, activation, rng: init.kaiming_normal_(w, a=0.01, nonlinearity=activation, rng=rng),
    "uniform": lambda w, activation, rng: init.uniform_(w, -w.shape[1] ** -0.5, w.shape[1] ** -0.5, rng=rng),
    "zeros": lambda w, activation, rng: init.zeros_(w),
}


def _initialised(layer, name, activation, rng):
    """`layer` with its weight refilled by INITS[name], or as drawn when `name` is None (its bias stays 0)."""
    if name is not None:
        INITS[name](layer.weight, activation, rng)
    return layer
