"""The Tensor: an ndarray that remembers how it was made, so gradients can flow back through it.

Every operation's backward rule sits right beside its forward, micrograd style. Each result keeps its
`parents` and an `op` label because the app draws the graph and replays the backward pass node by node.
"""
import numbers
from contextlib import contextmanager

import numpy as np

from .kernels import sigmoid_array, tanh_array

_grad_enabled = True


@contextmanager
def no_grad():
    """Build no graph inside this block (for evaluation and drawing), as `torch.no_grad()` does.

    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = (w * 2).sum()
    >>> y.requires_grad, y.parents
    (False, ())
    """
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


def as_tensor(value):
    """Return `value` itself if it is a Tensor, else a constant Tensor holding it: sharing the memory of a
    float64 ndarray, as `torch.as_tensor` does (a training step wraps every mini-batch and its targets),
    a copy of anything else.

    >>> batch = np.zeros(3)
    >>> as_tensor(batch).data is batch, as_tensor([1, 2]).data.dtype
    (True, dtype('float64'))
    """
    if isinstance(value, Tensor):
        return value
    if type(value) is np.ndarray and value.dtype == np.float64:
        return record("", value, (), None)
    return Tensor(value)


def record(op, data, parents, backward):
    """Make the result of one operation and, if any parent needs a gradient, remember how it was made.

    `backward(grad)` receives the gradient of the result and returns one gradient per parent (None where
    a parent needs none). Gradients may have the broadcast shape; `Tensor.backward` sums them back to each
    parent's shape, so no op has to repeat that bookkeeping.
    """
    out = Tensor.__new__(Tensor)
    # numpy turns 0-d results into scalars; `.data` stays an ndarray so every node behaves alike.
    out.data = data if type(data) is np.ndarray else np.asarray(data, dtype=np.float64)
    out.grad, out.name = None, None
    out.requires_grad, out.parents, out.op, out._backward = False, (), "", None
    if _grad_enabled:
        for parent in parents:
            if parent.requires_grad:
                out.requires_grad, out.parents, out.op, out._backward = True, parents, op, backward
                break
    return out


def elementwise(op, combine, a, b, backward):
    """Record `combine(a, b)` for a binary numpy ufunc, naming the op and both shapes if they cannot
    broadcast (numpy's own message names neither)."""
    try:
        data = combine(a.data, b.data)
    except ValueError:
        raise ValueError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together") from None
    return record(op, data, (a, b), backward)


def sum_to_shape(grad, shape):
    """Undo broadcasting: sum `grad` over the axes that broadcasting stretched to reach `shape`."""
    if grad.shape == shape:
        return grad
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True) if stretched else grad


def _normalize_axes(axis, ndim):
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(sorted(a % ndim for a in axes))


def _expand_reduced(grad, axis, keepdims, shape):
    """Spread the gradient of a reduction back over the shape it reduced."""
    if axis is not None and not keepdims:
        grad = np.expand_dims(grad, _normalize_axes(axis, len(shape)))
    return np.broadcast_to(grad, shape)


class Tensor:
    """An n-dimensional array of float64 that records operations for automatic differentiation.

    Shaped like `torch.Tensor`: shape `()` is a scalar, so micrograd-style expressions use the same API.

    >>> a = Tensor(2.0, requires_grad=True)
    >>> b = Tensor(-3.0, requires_grad=True)
    >>> c = a * b + a.tanh()
    >>> c.backward()
    >>> round(a.grad.item(), 4), b.grad.item()
    (-2.9293, 2.0)
    """

    __slots__ = ("data", "grad", "requires_grad", "name", "parents", "op", "_backward")
    # Makes `ndarray + Tensor` call Tensor.__radd__ instead of numpy broadcasting over a Tensor object.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False, name=None):
        self.data = np.array(data.data if isinstance(data, Tensor) else data, dtype=np.float64)
        self.grad = None
        self.requires_grad = requires_grad
        self.name = name
        self.parents = ()
        self.op = ""
        self._backward = None

    # ---- inspection --------------------------------------------------------------------------------
    shape = property(lambda self: self.data.shape, doc="The shape of `data`.")
    ndim = property(lambda self: self.data.ndim, doc="The number of dimensions of `data`.")
    size = property(lambda self: self.data.size, doc="The number of elements of `data`.")

    def item(self):
        """The value of a one-element tensor as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item: only a one-element tensor has a single value, this one has shape {self.shape}")
        return float(self.data.reshape(()))

    def numpy(self):
        """The values as an ndarray (the same memory, as in PyTorch)."""
        return self.data

    def detach(self):
        """The same values as a new leaf that is cut from the graph."""
        out = Tensor.__new__(Tensor)
        out.data, out.grad, out.requires_grad, out.name = self.data, None, False, self.name
        out.parents, out.op, out._backward = (), "", None
        return out

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        label = f", op={self.op!r}" if self.op else (f", name={self.name!r}" if self.name else "")
        grad = ", requires_grad=True" if self.requires_grad and not self.op else ""
        values = np.array2string(self.data, precision=4, separator=", ")
        return f"Tensor({values}{grad}{label})"

    # ---- arithmetic --------------------------------------------------------------------------------
    def __add__(self, other):
        return elementwise("add", np.add, self, as_tensor(other), lambda g: (g, g))

    def __sub__(self, other):
        return elementwise("sub", np.subtract, self, as_tensor(other), lambda g: (g, -g))

    def __mul__(self, other):
        other = as_tensor(other)
        return elementwise("mul", np.multiply, self, other, lambda g: (g * other.data, g * self.data))

    def __truediv__(self, other):
        other = as_tensor(other)
        return elementwise("div", np.divide, self, other,
                           lambda g: (g / other.data, -g * self.data / other.data**2))

    def __pow__(self, exponent):
        if not isinstance(exponent, numbers.Real):
            raise TypeError(f"pow: the exponent must be a number, not {type(exponent).__name__}")
        return record(f"**{exponent:g}", self.data**exponent, (self,),
                      lambda g: (g * exponent * self.data ** (exponent - 1),))

    def __neg__(self):
        return record("neg", -self.data, (self,), lambda g: (-g,))

    def __radd__(self, other):
        return as_tensor(other) + self

    def __rsub__(self, other):
        return as_tensor(other) - self

    def __rmul__(self, other):
        return as_tensor(other) * self

    def __rtruediv__(self, other):
        return as_tensor(other) / self

    def __rmatmul__(self, other):
        return as_tensor(other) @ self

    def __matmul__(self, other):
        other = as_tensor(other)
        a, b = self.data, other.data
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape}: both operands need at least one dimension")
        inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if a.shape[-1] != inner_b:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned "
                             f"({a.shape[-1]} columns vs {inner_b} rows)")

        def backward(g):
            if a.ndim == 1 and b.ndim == 1:  # a dot product
                return g * b, g * a
            # Treat vectors as 1-row / 1-column matrices so one rule covers 1-D, 2-D and batched inputs.
            a2 = a[None, :] if a.ndim == 1 else a
            b2 = b[:, None] if b.ndim == 1 else b
            g2 = g[..., None, :] if a.ndim == 1 else g
            g2 = g2[..., None] if b.ndim == 1 else g2
            ga = g2 @ np.swapaxes(b2, -1, -2) if self.requires_grad else None
            gb = np.swapaxes(a2, -1, -2) @ g2 if other.requires_grad else None
            if ga is not None and a.ndim == 1:
                ga = ga[..., 0, :]
            if gb is not None and b.ndim == 1:
                gb = gb[..., 0]
            return ga, gb

        return record("matmul", a @ b, (self, other), backward)

    # ---- elementwise functions ---------------------------------------------------------------------
    def exp(self):
        out = np.exp(self.data)
        return record("exp", out, (self,), lambda g: (g * out,))

    def log(self):
        return record("log", np.log(self.data), (self,), lambda g: (g / self.data,))

    def abs(self):
        return record("abs", np.abs(self.data), (self,), lambda g: (g * np.sign(self.data),))

    def tanh(self):
        out = tanh_array(self.data)
        return record("tanh", out, (self,), lambda g: (g * (1.0 - out * out),))

    def sigmoid(self):
        out = sigmoid_array(self.data)
        return record("sigmoid", out, (self,), lambda g: (g * out * (1.0 - out),))

    def relu(self):
        out = np.maximum(self.data, 0.0)
        return record("relu", out, (self,), lambda g: (g * (self.data > 0),))

    def leaky_relu(self, slope=0.01):
        x = self.data
        return record("leaky_relu", np.where(x > 0, x, slope * x), (self,), lambda g: (np.where(x > 0, g, slope * g),))

    def softmax(self, axis=-1):
        shifted = np.exp(self.data - self.data.max(axis=axis, keepdims=True))
        out = shifted / shifted.sum(axis=axis, keepdims=True)
        return record("softmax", out, (self,), lambda g: (out * (g - (g * out).sum(axis=axis, keepdims=True)),))

    def log_softmax(self, axis=-1):
        shifted = self.data - self.data.max(axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        return record("log_softmax", out, (self,),
                      lambda g: (g - np.exp(out) * g.sum(axis=axis, keepdims=True),))

    # ---- reductions --------------------------------------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        shape = self.shape
        return record("sum", self.data.sum(axis=axis, keepdims=keepdims), (self,),
                      lambda g: (_expand_reduced(g, axis, keepdims, shape),))

    def mean(self, axis=None, keepdims=False):
        shape, out = self.shape, self.data.mean(axis=axis, keepdims=keepdims)
        count = self.data.size / max(out.size, 1)
        return record("mean", out, (self,), lambda g: (_expand_reduced(g / count, axis, keepdims, shape),))

    def max(self, axis=None, keepdims=False):
        """The largest value; ties share the gradient equally (as `torch.amax`)."""
        out = self.data.max(axis=axis, keepdims=True)

        def backward(g):
            winners = self.data == out
            share = winners / winners.sum(axis=axis, keepdims=True)
            return (share * _expand_reduced(g, axis, keepdims, self.shape),)

        return record("max", out if keepdims else np.squeeze(out, axis=axis), (self,), backward)

    # ---- shape -------------------------------------------------------------------------------------
    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        original = self.shape
        return record("reshape", self.data.reshape(shape), (self,), lambda g: (g.reshape(original),))

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        axes = tuple(a % self.ndim for a in axes) or tuple(reversed(range(self.ndim)))
        inverse = tuple(sorted(range(len(axes)), key=axes.__getitem__))
        return record("transpose", self.data.transpose(axes), (self,), lambda g: (g.transpose(inverse),))

    T = property(lambda self: self.transpose(), doc="The transpose (all axes reversed), as `ndarray.T`.")

    def __getitem__(self, index):
        index = index.data.astype(np.intp) if isinstance(index, Tensor) else index

        def backward(g):
            grad = np.zeros_like(self.data)
            np.add.at(grad, index, g)  # repeated indices accumulate, as they must
            return (grad,)

        return record("index", self.data[index], (self,), backward)

    # ---- backpropagation ---------------------------------------------------------------------------
    def backward(self, grad=None, observer=None):
        """Fill `.grad` of every tensor this one depends on that requires a gradient.

        Leaves accumulate (call `zero_grad()` between steps, as in PyTorch); intermediate nodes get fresh
        gradients each call, kept so the graph view can show them. `observer(node)` is called once per node
        right after its gradient is complete, in the order the engine completes them.
        """
        if not self.requires_grad:
            raise RuntimeError("backward: this tensor does not require a gradient; "
                               "create its inputs with requires_grad=True")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward: a tensor of shape {self.shape} needs an explicit `grad` of "
                                   "that shape; only a single value seeds 1.0 by itself")
            grad = np.array(1.0, ndmin=self.data.ndim)  # one value: every dimension is 1 (np.ones is slower)
        else:
            grad = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=np.float64)
            if grad.shape != self.shape:
                raise ValueError(f"backward: grad shape {grad.shape} does not match tensor shape {self.shape}")

        order = topological_order(self, needs_grad=True)
        for node in order:
            if node._backward is not None:
                node.grad = None
        self.grad = grad if self.grad is None else self.grad + grad
        for node in reversed(order):
            if observer is not None:
                observer(node)
            if node._backward is None or node.grad is None:
                continue
            for parent, parent_grad in zip(node.parents, node._backward(node.grad)):
                if parent_grad is None or not parent.requires_grad:
                    continue
                if parent_grad.shape != parent.data.shape:
                    parent_grad = sum_to_shape(parent_grad, parent.data.shape)
                if parent.grad is None:
                    # A leaf owns its gradient, so optimizers and users may update it in place: copy one
                    # that is a view or that is passed through unchanged (shared with this node).
                    leaf_must_copy = parent._backward is None and (parent_grad is node.grad or parent_grad.base is not None)
                    parent.grad = np.array(parent_grad) if leaf_must_copy else parent_grad
                elif parent._backward is None:
                    parent.grad += parent_grad
                else:
                    parent.grad = parent.grad + parent_grad


def topological_order(tensor, needs_grad=False):
    """Every node `tensor` depends on, each once, inputs first; iterative, so long chains never recurse.
    With `needs_grad`, only the nodes that require a gradient: what a backward pass visits, in its order.

    >>> x = Tensor(3.0, requires_grad=True)
    >>> [node.op or "input" for node in topological_order((x * x).exp())]
    ['input', 'mul', 'exp']
    """
    order, seen = [], {tensor}
    stack = [(tensor, iter(tensor.parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:  # resumes where it left off when we come back to this node
            if parent not in seen and (parent.requires_grad or not needs_grad):
                seen.add(parent)
                if parent.parents:
                    stack.append((parent, iter(parent.parents)))
                    break
                order.append(parent)
        else:
            stack.pop()
            order.append(node)
    return order


def first_nonfinite(tensor):
    """The first node, inputs first, whose value holds NaN or infinity, or None when all are finite.

    Diagnostics use it to name the operation where training blew up.

    >>> x = Tensor([1.0, -1.0], requires_grad=True)
    >>> first_nonfinite(x.log().sum()).op
    'log'
    """
    for node in topological_order(tensor):
        if not np.isfinite(node.data).all():
            return node
    return None
