"""Learning-rate schedules, as `torch.optim.lr_scheduler`: call `step()` once per epoch, after the optimizer's.

Each sets `optimizer.lr` by torch's own recursive rule (each rate from the one before), so the sequence
matches torch's to the last bit, and a schedule saved with `state_dict()` carries on where it stopped.
"""
import math


class LRScheduler:
    """Holds the optimizer and the epoch count; subclasses define `next_lr()`, the rate for `last_epoch`."""

    def __init__(self, optimizer):
        if not hasattr(optimizer, "lr"):
            raise TypeError(f"{type(self).__name__}: {type(optimizer).__name__} has no `lr` to schedule; "
                            "pass an engine optimizer such as optim.SGD")
        self.optimizer, self.base_lr, self.last_epoch = optimizer, optimizer.lr, 0
        self.last_lr = optimizer.lr

    def step(self):
        """Move to the next epoch and set its learning rate on the optimizer."""
        self.last_epoch += 1
        self.optimizer.lr = self.last_lr = self.next_lr()

    def get_last_lr(self):
        """The learning rate the last `step()` set, in a list as torch gives one per parameter group."""
        return [self.last_lr]

    def state_dict(self):
        """Everything but the optimizer (which keeps its own state), as torch's schedulers do."""
        return {name: value for name, value in vars(self).items() if name != "optimizer"}

    def load_state_dict(self, state_dict):
        """Carry on from `state_dict()`'s epoch; the optimizer's rate is set by the next `step()`, as torch."""
        vars(self).update(state_dict)


class StepLR(LRScheduler):
    """Multiplies the learning rate by `gamma` every `step_size` epochs.

    >>> from engine import Tensor, optim
    >>> sgd = optim.SGD([Tensor([1.0], requires_grad=True)], lr=1.0)
    >>> schedule = StepLR(sgd, step_size=2, gamma=0.5)
    >>> [(schedule.step(), sgd.lr)[1] for _ in range(5)]
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer, step_size, gamma=0.1):
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a whole number of epochs >= 1, got {step_size!r}")
        super().__init__(optimizer)
        self.step_size, self.gamma = step_size, gamma

    def next_lr(self):
        return self.last_lr * self.gamma if self.last_epoch % self.step_size == 0 else self.last_lr


class CosineAnnealingLR(LRScheduler):
    """Lowers the learning rate from its start to `eta_min` along half a cosine over `T_max` epochs, then
    back up over the next `T_max`, and so on, as torch.

    >>> from engine import Tensor, optim
    >>> sgd = optim.SGD([Tensor([1.0], requires_grad=True)], lr=1.0)
    >>> schedule = CosineAnnealingLR(sgd, T_max=2)
    >>> [round((schedule.step(), sgd.lr)[1], 6) for _ in range(4)]
    [0.5, 0.0, 0.5, 1.0]
    """

    def __init__(self, optimizer, T_max, eta_min=0.0):  # noqa: N803 (torch's name)
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be a whole number of epochs >= 1, got {T_max!r}")
        super().__init__(optimizer)
        self.T_max, self.eta_min = T_max, eta_min

    def next_lr(self):
        epoch, period, lr = self.last_epoch, self.T_max, self.last_lr
        if (epoch - 1 - period) % (2 * period) == 0:  # the bottom of a valley: the cosine's ratio would be 0/0
            return lr + (self.base_lr - self.eta_min) * (1 - math.cos(math.pi / period)) / 2
        return ((1 + math.cos(math.pi * epoch / period)) / (1 + math.cos(math.pi * (epoch - 1) / period))
                * (lr - self.eta_min) + self.eta_min)
