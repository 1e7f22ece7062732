"""Optimizers that update parameters exactly as `torch.optim` does, so results carry over to PyTorch.

Each keeps its per-parameter state in lists aligned with `params`, and skips a parameter whose gradient
is None (it took no part in the loss), as PyTorch does. `state_dict` and `load_state_dict` hand that state on
in PyTorch's own names, so training carries on elsewhere (another interpreter, or PyTorch) exactly as here.
"""
import numpy as np

from . import lr_scheduler  # noqa: F401 (public as optim.lr_scheduler, as in torch)


class Optimizer:
    """Holds the parameters; subclasses define `step()`, name in `STATE` the per-parameter lists they keep
    (PyTorch's name -> the attribute), plus `steps` when they count their steps, and in `SETTINGS` their
    hyperparameters (PyTorch's names, and the attributes')."""

    STATE, SETTINGS = {}, ("lr",)

    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list; pass model.parameters()")
        if not lr > 0:
            raise ValueError(f"{type(self).__name__}: learning rate must be positive, got {lr}")
        self.lr = lr

    def zero_grad(self):
        """Forget accumulated gradients before the next backward pass."""
        for param in self.params:
            param.grad = None

    def state_dict(self):
        """The optimizer's state, shaped as `torch.optim.Optimizer.state_dict()`: {"state": {index: {name:
        array}}, "param_groups": [{"lr": ..., and its other settings}]}, copies of what it keeps. `load_state_dict` of another
        optimizer of the same kind over parameters of the same shapes makes it take the same steps from here.

        >>> from engine import Tensor
        >>> w = Tensor([1.0], requires_grad=True)
        >>> (w * 3).sum().backward()
        >>> first = Adam([w], lr=0.1)
        >>> first.step()
        >>> first.state_dict()["state"]
        {0: {'exp_avg': array([0.3]), 'exp_avg_sq': array([0.009]), 'step': 1}}
        """
        counted = {"step": self.steps} if hasattr(self, "steps") else {}
        state = {index: {**{name: getattr(self, attribute)[index].copy() for name, attribute in self.STATE.items()
                            if getattr(self, attribute)[index] is not None}, **counted}
                 for index in range(len(self.params))}
        return {"state": state, "param_groups": [{name: getattr(self, name) for name in self.SETTINGS}]}

    def load_state_dict(self, state_dict):
        """Take on `state_dict` (from `state_dict()`, here or PyTorch's converted to numpy), checked against
        the parameters: a saved state of another shape raises ValueError naming the parameter."""
        for name, value in state_dict["param_groups"][0].items():
            if name in self.SETTINGS:
                setattr(self, name, tuple(value) if isinstance(value, list | tuple) else value)
        for index, saved in state_dict["state"].items():
            index = int(index)
            for name, attribute in self.STATE.items():
                if name not in saved:
                    continue
                value = np.array(saved[name], dtype=np.float64)
                if value.shape != self.params[index].data.shape:
                    raise ValueError(f"{type(self).__name__}.load_state_dict: parameter {index}'s {name} has shape "
                                     f"{value.shape}, but the parameter has {self.params[index].data.shape}")
                getattr(self, attribute)[index] = value
            if "step" in saved and hasattr(self, "steps"):
                self.steps = int(saved["step"])


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay.

    >>> from engine import Tensor
    >>> w = Tensor([1.0], requires_grad=True)
    >>> (w * 3).sum().backward()
    >>> SGD([w], lr=0.1).step()
    >>> w.data
    array([0.7])
    """

    STATE, SETTINGS = {"momentum_buffer": "velocity"}, ("lr", "momentum", "weight_decay")

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum, self.weight_decay = momentum, weight_decay
        self.velocity = [None] * len(self.params)

    def step(self):
        for i, param in enumerate(self.params):
            if param.grad is None:
                continue
            grad = param.grad + self.weight_decay * param.data if self.weight_decay else param.grad
            if self.momentum:
                v = self.velocity[i]
                grad = self.velocity[i] = grad.copy() if v is None else self.momentum * v + grad
            param.data -= self.lr * grad


class Adam(Optimizer):
    """Adam: per-weight step sizes from running averages of the gradient and its square.

    >>> from engine import Tensor
    >>> w = Tensor([1.0], requires_grad=True)
    >>> (w * 3).sum().backward()
    >>> Adam([w], lr=0.1).step()
    >>> w.data.round(6)
    array([0.9])
    """

    STATE, SETTINGS = {"exp_avg": "mean", "exp_avg_sq": "square"}, ("lr", "betas", "eps", "weight_decay")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.steps = 0
        self.mean = [np.zeros_like(p.data) for p in self.params]
        self.square = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        self.steps += 1
        beta1, beta2 = self.betas
        step_size = self.lr / (1.0 - beta1**self.steps)
        root_correction = np.sqrt(1.0 - beta2**self.steps)
        for param, mean, square in zip(self.params, self.mean, self.square):
            if param.grad is None:
                continue
            grad = param.grad + self.weight_decay * param.data if self.weight_decay else param.grad
            mean *= beta1
            mean += (1.0 - beta1) * grad
            square *= beta2
            square += (1.0 - beta2) * grad * grad
            param.data -= step_size * mean / (np.sqrt(square) / root_correction + self.eps)


class RMSprop(Optimizer):
    """RMSprop: divides each gradient by a running root-mean-square of its recent values.

    >>> from engine import Tensor
    >>> w = Tensor([1.0], requires_grad=True)
    >>> (w * 3).sum().backward()
    >>> RMSprop([w], lr=0.01).step()
    >>> w.data.round(4)
    array([0.9])
    """

    STATE, SETTINGS = {"square_avg": "square"}, ("lr", "alpha", "eps")

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(params, lr)
        self.alpha, self.eps = alpha, eps
        self.square = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        for param, square in zip(self.params, self.square):
            if param.grad is None:
                continue
            square *= self.alpha
            square += (1.0 - self.alpha) * param.grad * param.grad
            param.data -= self.lr * param.grad / (np.sqrt(square) + self.eps)
