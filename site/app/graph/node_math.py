"""A computation-graph node written out for the Math panel: its op's local derivative for each input, and the
`+=` contributions that made its gradient, e.g. for x used by xw = x·w and by out = tanh(n)·x:
`∂out/∂x = ∂out/∂xw · ∂xw/∂x + ∂out/∂out · ∂out/∂x = (…)·(…) + (…)·(…) = …`.

Every number is the engine's: a local derivative is the node's own backward rule run on a gradient of 1 at its
first element, and the contributions and sums come from `backward_steps` (the engine's pass, node by node).
Where an input holds many numbers (a Linear's weights) the rule is written per element in words, with the
first element's number beside it.
"""
import numpy as np

from app.graph.backward_steps import grouped_name, local_words
from app.shared.numbers import number, values_text
from engine.tensor import sum_to_shape

# Each op's local derivative for one element of each input, in words (the number beside it is the engine's).
ELEMENT_WORDS = {
    "linear": ("out\u2099\u2c7c = \u03a3\u2096 x\u2099\u2096\u00b7W\u2c7c\u2096 + b\u2c7c, so \u2202out\u2099\u2c7c/"
               "\u2202x\u2099\u2096 = W\u2c7c\u2096, the weight it is multiplied by",
               "\u2202out\u2099\u2c7c/\u2202W\u2c7c\u2096 = x\u2099\u2096, the input it multiplies (for each example "
               "n, summed over the batch)",
               "\u2202out\u2099\u2c7c/\u2202b\u2c7c = 1 (for each example n, summed over the batch)"),
    "matmul": ("\u2202(A@B)\u1d62\u2c7c/\u2202A\u1d62\u2096 = B\u2096\u2c7c",
               "\u2202(A@B)\u1d62\u2c7c/\u2202B\u2096\u2c7c = A\u1d62\u2096"),
    "tanh": ("1 \u2212 out\u1d62\u00b2, element by element",),
    "sigmoid": ("out\u1d62\u00b7(1 \u2212 out\u1d62), element by element",),
    "relu": ("1 where x\u1d62 > 0, else 0",),
    "sum": ("1 for every element",),
    "mean": ("1/n for every one of its n elements",),
    "bce_with_logits": ("(\u03c3(z\u1d62) \u2212 y\u1d62)/n: the predicted probability minus the label, over the "
                        "batch's n examples",),
    "mse_loss": ("2\u00b7(\u0177\u1d62 \u2212 y\u1d62)/n: twice the error, over the batch's n examples",),
    "cross_entropy": ("(softmax(z)\u2099\u2c7c \u2212 [j is example n's label])/n",),
    "batch_norm": ("\u03b3\u2c7c/\u221a(\u03c3\u2c7c\u00b2 + \u03b5) from evaluation's running statistics; in training "
                   "less the share of it that reaches every example through the batch's own mean and variance",
                   "x\u0302\u2099\u2c7c, the normalised value (for each example n, summed over the batch)",
                   "1 (for each example n, summed over the batch)"),
}


def local_derivatives(node):
    """{input slot: the engine's ∂node/∂input at the first element of each} for each input that takes a
    gradient: the node's backward rule run on a gradient of 1 at its own first element."""
    seed = np.zeros_like(node.data, dtype=np.float64)
    seed.flat[0] = 1.0
    found = {}
    for slot, (parent, amount) in enumerate(zip(node.parents, node._backward(seed))):
        if amount is not None and parent.requires_grad:
            found[slot] = float(sum_to_shape(amount, parent.data.shape).flat[0])
    return found


def local_lines(node, names):
    """The op's local derivative for each input of `node` (`names` from `node_names`), with its number."""
    if node._backward is None:
        return []
    name, lines = grouped_name(names[node]), []
    for slot, value in local_derivatives(node).items():
        parent = node.parents[slot]
        symbol = f"\u2202{name}/\u2202{grouped_name(names[parent])}"
        if node.data.size == 1 and parent.data.size == 1:
            words = local_words(node, slot, names)
            rule = "" if words in (None, number(value)) else f"{words} = "
            lines.append(f"{symbol} = {rule}{bracketed(value)}")
        else:
            words = ELEMENT_WORDS.get(node.op, ())
            rule = words[slot] if slot < len(words) else "its rule for each element"
            lines.append(f"{symbol}, for each element: {rule}; for the first, {bracketed(value)}")
    return lines


def gradient_lines(node, steps, names, taken, stepper="Next node"):
    """How `node`'s gradient was made from the first `taken` of the backward pass's `steps` (all of them once it
    is done): the `+=` contributions from the nodes that use it, and their sum, the engine's `.grad`. `stepper`
    names what takes the pass further, for the lines that say what is still to come."""
    top = grouped_name(names[steps[0].node])
    symbol = f"\u2202{top}/\u2202{grouped_name(names[node])}"
    if not node.requires_grad:
        return [f"{symbol}: none, it is a constant: nothing needs its gradient"]
    if taken == 0:
        return [f"{symbol}: filled in by the backward pass: press {stepper} to step through it"]
    if node is steps[0].node:
        return [f"{symbol} = 1: the backward pass starts here"]
    arrived = [(step, c) for step in steps[:taken] for c in step.contributions if c.parent is node]
    own = next(i for i, step in enumerate(steps) if step.node is node)
    so_far = "" if own < taken else ", so far"
    if not arrived:
        return [f"{symbol}: nothing added yet; it is filled in as {stepper} reaches the nodes that use it"]
    total = next(r.after for step, _ in reversed(arrived) for r in step.received if r.parent is node)
    if all(c.local is not None for _, c in arrived):
        uses = [f"\u2202{top}/\u2202{grouped_name(names[step.node])} \u00b7 \u2202{grouped_name(names[step.node])}/"
                f"\u2202{grouped_name(names[node])}" for step, _ in arrived]
        values = [f"{bracketed(step.gradient.ravel()[0])}\u00b7{bracketed(c.local)}" for step, c in arrived]
        return [f"{symbol} = {' + '.join(uses)}{so_far}", f"  = {' + '.join(values)}", f"  = {number(total)}"]
    return ([f"{symbol} = the sum of what the nodes that use it pass back{so_far}:"] +
            [f"  += from {names[step.node]}: {values_text(c.amount)}" for step, c in arrived] +
            [f"  = {values_text(total)}"])


def node_lines(node, steps, names, taken, stepper="Next node"):
    """Everything the Math panel writes for graph node `node`: what it computes, its op's local derivatives, and
    how its gradient was made by the first `taken` of `steps` (see `gradient_lines`)."""
    return [f"{names[node]} = {values_text(node.data)}", *local_lines(node, names),
            *gradient_lines(node, steps, names, taken, stepper)]


def bracketed(value):
    return f"({number(value)})"
