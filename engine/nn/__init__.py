"""Modules: layers that own their parameters, composed as in `torch.nn`.

A Module finds its parameters and sub-modules by looking at its own attributes, so user code in the
editor can write a PyTorch-style class without registering anything.
"""
import numpy as np

from ..tensor import Tensor, as_tensor
from . import functional as F


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

    def state_dict(self):
        """Each parameter's values by dotted name, copied: what a weights file stores, as in PyTorch."""
        return {name: param.data.copy() for name, param in self.named_parameters()}

    def load_state_dict(self, state):
        """Copy `state`'s arrays into the parameters of the same names; every name and shape must match."""
        params = dict(self.named_parameters())
        missing, unexpected = params.keys() - state.keys(), state.keys() - params.keys()
        if missing or unexpected:
            raise ValueError(f"load_state_dict: missing {sorted(missing)}, unexpected {sorted(unexpected)}")
        for name, param in params.items():
            values = np.asarray(state[name], dtype=np.float64)
            if values.shape != param.shape:
                raise ValueError(f"load_state_dict: {name} has shape {values.shape}, the model's is {param.shape}")
            param.data = values.copy()

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
    """A multi-layer perceptron: Linear + activation per hidden layer, then a linear output layer.

    `activation` names one activation for every hidden layer, or is a list with one name per hidden
    layer. Weights are drawn from `rng` (a seeded default when None), scaled for each layer's activation.

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
    """

    def __init__(self, n_in, hidden, n_out, activation="tanh", rng=None):
        rng = np.random.default_rng(0) if rng is None else rng
        hidden = list(hidden)
        per_layer = [activation] * len(hidden) if isinstance(activation, str) else list(activation)
        if len(per_layer) != len(hidden):
            raise ValueError(f"MLP: {len(per_layer)} activations for {len(hidden)} hidden layers; "
                             "give one name, or one per hidden layer")
        for name in per_layer:
            activation_by_name(name)  # fail on a bad name before drawing any weights
        sizes = [n_in, *hidden, n_out]
        layers = []
        for fan_in, fan_out, name in zip(sizes, sizes[1:], per_layer):
            layers.append(Linear(fan_in, fan_out, rng=rng, init="he" if name in ("relu", "leaky_relu") else "xavier"))
            layers.append(activation_by_name(name))
        layers.append(Linear(sizes[-2], n_out, rng=rng, init="xavier"))
        super().__init__(*layers)
        self.sizes, self.activation = sizes, activation

    def extra_repr(self):
        return f"{self.sizes[0]}, {self.sizes[1:-1]}, {self.sizes[-1]}, activation={self.activation!r}"
