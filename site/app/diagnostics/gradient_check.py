"""Check gradients: the engine's gradients on the live network against central differences, in one number.

>>> from app.playground.run import Run
>>> from app.playground.state import State
>>> check_gradients(Run(State())).right
True
"""
from typing import NamedTuple

from engine import nn, no_grad
from engine.gradcheck import gradient_errors

GRADCHECK_POINTS = 8     # training points in the checked batch: enough to exercise every unit, quick
GRADCHECK_EPS = 1e-6
GRADCHECK_FLOOR = 1e-6   # relative errors divide by at least this (times the loss when above 1): central
#                          differences carry ~1e-10 of rounding noise per unit of loss
GRADCHECK_RIGHT = 1e-3   # right gradients score 1e-9 to 1e-4 (the tiny ones of deep sigmoid stacks); a wrong
#                          rule scores about 0.1 to 1


class GradientCheck(NamedTuple):
    """The outcome of `check_gradients`: the `largest` relative error, and one error per parameter as
    (layer row, "weight" or "bias", error)."""

    largest: float
    errors: tuple

    @property
    def right(self):
        """True when every gradient agrees with finite differences (largest error below GRADCHECK_RIGHT)."""
        return self.largest < GRADCHECK_RIGHT


def check_gradients(run, points=GRADCHECK_POINTS, eps=GRADCHECK_EPS):
    """Compare the engine's gradients of the data loss on the first `points` training points with central
    differences (`engine.gradcheck.gradient_errors`), for every weight and bias of the current network.

    The error of one entry is |backward - numerical| / max(|backward| + |numerical|, floor), with floor =
    GRADCHECK_FLOOR x max(1, |loss|): relative even for the small gradients networks have, yet not dividing
    rounding noise by noise where both are ~0 (see GRADCHECK_RIGHT for what scores mean). Costs two forward
    passes per parameter entry, about a second for 10,000 weights in CPython; the weights, their gradients
    and the run's next step are left exactly as they were.
    """
    if not len(run.inputs_train):
        raise ValueError("check_gradients: the run has no training points to compute a loss on; add some points")
    model, inputs, labels = run.model, run.inputs_train[:points], run.y_train[:points]
    linears = [m for m in model if isinstance(m, nn.Linear)]
    parameters = [(row, kind, getattr(layer, kind)) for row, layer in enumerate(linears) for kind in ("weight", "bias")]
    tensors = [tensor for _, _, tensor in parameters]

    def loss(_):
        return run.data_loss(model(inputs), labels)

    with no_grad():
        floor = GRADCHECK_FLOOR * max(1.0, abs(loss(tensors).item()))
    errors = tuple((row, kind, error)
                   for (row, kind, _), error in zip(parameters, gradient_errors(loss, tensors, eps, floor)))
    return GradientCheck(max(error for _, _, error in errors), errors)
