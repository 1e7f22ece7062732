"""What the inspector says about a clicked neuron, edge or graph node: the engine's numbers as the current
phase of the step-through knows them, in rows of (quantity, number).

A gradient appears once the backward pass has computed it (phase 4) and an update once the optimizer has
taken its step (phase 5); before that the row says when it will. Outside the step-through there is no
recorded step, so only values and weights show. Plain Python: the numbers arrive as arrays.
"""
import numpy as np

from app.playground.stepthrough.recorded_step import PHASES

GRADIENTS, UPDATE = PHASES.index("gradients"), PHASES.index("update")
NOT_STEPPING = "press Next phase (or N) to take a recorded step"


def number(value, digits=4):
    """One number as the inspector prints it: 4 significant digits (or `digits`), a real minus sign.

    >>> number(-0.000123456), number(2.0), number(float("nan")), number(0.31318, 6)
    ('\u22120.0001235', '2', 'NaN', '0.31318')
    """
    value = float(value)
    if not np.isfinite(value):
        return "NaN" if np.isnan(value) else ("\u221e" if value > 0 else "\u2212\u221e")
    return f"{value:.{digits}g}".replace("-", "\u2212")


def tensor_text(values):
    """A node's data or gradient: the number itself, or a tensor's shape, mean and norm.

    >>> tensor_text(np.array(3.0)), tensor_text(np.ones((2, 2)))
    ('3', '(2, 2): mean 1, norm 2')
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size == 1:
        return number(values.ravel()[0])
    return f"{values.shape}: mean {number(values.mean())}, norm {number(np.linalg.norm(values))}"


def _later(phase, needed, what):
    if phase is None:
        return NOT_STEPPING
    return f"{what} in phase {needed + 1} ({PHASES[needed].replace('_', ' ')})"


def parameter_rows(name, triple, phase, symbol):
    """Rows for one weight or bias: (before, gradient, after) from the recorded step, or (value, None,
    None) outside it. `symbol` names it in the derivative, e.g. "w"."""
    before, gradient, after = triple
    rows = [(name, number(before))]
    if phase is not None and phase >= UPDATE:
        rows[0] = (name, f"{number(before, 6)} \u2192 {number(after, 6)}")  # enough digits to see it move
    if gradient is None and phase is not None and phase >= GRADIENTS:
        rows.append((f"gradient \u2202L/\u2202{symbol}", "none: it does not require one"))
    else:
        rows.append((f"gradient \u2202L/\u2202{symbol}", number(gradient) if phase is not None and phase >= GRADIENTS
                     else _later(phase, GRADIENTS, "computed")))
    rows.append((f"last update \u0394{symbol}", number(after - before) if phase is not None and phase >= UPDATE
                 else _later(phase, UPDATE, "taken")))
    return rows


def neuron_rows(value, pre_activation, gradient, bias, phase, output_value=None):
    """Rows for one neuron. `value`, `pre_activation` and `gradient` (dL/d value) are numbers or None
    (an input has no pre-activation and needs no gradient); `bias` is a parameter triple or None; for
    an output neuron, `output_value` is what it shows (a probability, or the predicted value) and
    `value` its logit, whose gradient the engine computes."""
    rows = []
    if output_value is not None:
        rows.append(("output", number(output_value)))
    if value is not None:
        rows.append(("logit" if output_value is not None else "value", number(value)))
    if pre_activation is not None and output_value is None:
        rows.append(("pre-activation", number(pre_activation)))
    if pre_activation is None:
        rows.append(("gradient", "none: the inputs need no gradient"))
    else:
        symbol = "logit" if output_value is not None else "a"
        rows.append((f"gradient \u2202L/\u2202{symbol}", number(gradient) if gradient is not None and phase is not None
                     and phase >= GRADIENTS else _later(phase, GRADIENTS, "computed")))
    if bias is not None:
        rows += parameter_rows("bias", bias, phase, "b")
    return rows


def node_rows(data, gradient, phase, reached, change=None):
    """Rows for one graph node: its data; its gradient, once the replay has `reached` it (always, outside
    the step-through), or None when nothing the loss depends on flows through it (a constant); and for a
    parameter its `change` (after - before) in the update phase."""
    rows = [("value", tensor_text(data))]
    if gradient is None and (reached or phase is None):
        rows.append(("gradient", "none: the loss does not depend on it"))
    elif reached:
        rows.append(("gradient", tensor_text(gradient)))
    else:
        rows.append(("gradient", _later(phase, GRADIENTS, "computed")))
    if change is not None:
        rows.append(("last update", tensor_text(change) if phase >= UPDATE else _later(phase, UPDATE, "taken")))
    return rows
