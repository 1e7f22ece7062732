"""One backward pass of an expression, node by node as the engine takes it, in words a learner can follow:
each node's finished gradient, times its local derivative, added into each parent's gradient.

Every number is the engine's. The order is the one `backward(observer=...)` completes the nodes in; what a
node passes to a parent is its own backward rule run on its gradient (the local derivative: the same rule
run on a gradient of 1), summed back to the parent's shape as `backward` does; and a parent's running sum
is its `.grad` as the engine left it. The expression's own gradients are given back afterwards untouched.
"""
import re
from dataclasses import dataclass

import numpy as np

from app.shared.numbers import number, values_text
from engine import topological_order
from engine.tensor import sum_to_shape

NAME_LENGTH = 16  # an unnamed node is called by its formula up to this long (e.g. "a·b"), else by its op

# How each op reads with its parents' names: {0}, {1} as they are, {g0}, {g1} in brackets when compound.
FORMULAS = {
    "add": "{0} + {1}", "sub": "{0} \u2212 {g1}", "mul": "{g0}\u00b7{g1}", "div": "{g0} / {g1}",
    "matmul": "{g0} @ {g1}", "neg": "\u2212{g0}", "tanh": "tanh({0})", "exp": "exp({0})", "log": "log({0})",
    "sigmoid": "\u03c3({0})", "relu": "relu({0})", "abs": "|{0}|", "sum": "sum({0})", "mean": "mean({0})",
}
# Each op's local derivative per parent in the same names ({out}, {gout}: the node itself). Words only, for
# a learner to recognise the rule: the number written beside them is the engine's.
LOCAL_WORDS = {
    "add": ("1", "1"), "sub": ("1", "\u22121"), "mul": ("{1}", "{0}"), "div": ("1 / {g1}", "\u2212{g0} / {g1}\u00b2"),
    "neg": ("\u22121",), "tanh": ("1 \u2212 {gout}\u00b2",), "exp": ("{out}",), "log": ("1 / {g0}",),
    "sigmoid": ("{gout}\u00b7(1 \u2212 {out})",), "relu": ("1 if {0} > 0, else 0",), "abs": ("sign({0})",),
}


@dataclass(frozen=True)
class Contribution:
    """What a node adds into one parent's gradient: `amount`, the engine's; `local`, ∂node/∂parent, for a
    node of one number with parents of one number (None otherwise); `slot`, which operand the parent is."""

    parent: object
    slot: int
    local: object
    amount: np.ndarray


@dataclass(frozen=True)
class Received:
    """A parent's gradient just before a node's contributions reached it (None: they were its first) and
    right after, as the engine left it."""

    parent: object
    before: object
    after: np.ndarray


@dataclass(frozen=True)
class BackwardStep:
    """The engine finished `node`'s gradient (None if none reached it) and passed it on."""

    node: object
    gradient: object
    contributions: tuple
    received: tuple


def backward_steps(root):
    """The backward pass from `root` (one number that needs a gradient), one BackwardStep per node in the
    order the engine completes them. Raises ValueError, in words, for a root it cannot start from.

    >>> from engine import Tensor
    >>> a = Tensor(2.0, requires_grad=True, name="a")
    >>> steps = backward_steps(a * a)
    >>> [float(c.amount) for c in steps[0].contributions], float(steps[0].received[0].after), a.grad
    ([2.0, 2.0], 4.0, None)
    """
    if not root.requires_grad:
        raise ValueError("`graph` needs no gradient, so it has no backward pass to step through: create its "
                         "inputs with requires_grad=True")
    if root.data.size != 1:
        raise ValueError(f"`graph` has shape {root.shape}; a backward pass starts from one number: set graph "
                         "to a single value, e.g. its .sum()")
    nodes = topological_order(root)
    kept = [(node, node.grad) for node in nodes]
    for node in nodes:
        if node._backward is None:  # a leaf accumulates: start it from nothing, as a first backward() does
            node.grad = None
    steps, pending = [], []

    def settle():  # the node observed last has passed its gradient on: read its parents' sums now
        if pending:
            node, gradient, contributions, before = pending.pop()
            received = tuple(Received(parent, grad, np.array(parent.grad)) for parent, grad in before.items())
            steps.append(BackwardStep(node, gradient, contributions, received))

    def observe(node):
        settle()
        gradient = None if node.grad is None else np.array(node.grad)
        contributions = () if gradient is None or node._backward is None else _contributions(node)
        before = {c.parent: None if c.parent.grad is None else np.array(c.parent.grad) for c in contributions}
        pending.append((node, gradient, contributions, before))

    try:
        root.backward(observer=observe)
        settle()
    finally:
        for node, grad in kept:
            node.grad = grad
    return tuple(steps)


def _contributions(node):
    """The node's backward rule run on its gradient, per parent that takes one; and on a gradient of 1 for
    the local derivative, when the node and that parent hold one number each."""
    amounts = node._backward(node.grad)
    locals_ = node._backward(np.ones_like(node.grad)) if node.data.size == 1 else (None,) * len(amounts)
    found = []
    for slot, (parent, amount, local) in enumerate(zip(node.parents, amounts, locals_)):
        if amount is None or not parent.requires_grad:
            continue
        if amount.shape != parent.data.shape:
            amount = sum_to_shape(amount, parent.data.shape)
        one_number = local is not None and parent.data.size == 1
        found.append(Contribution(parent, slot, float(np.sum(local)) if one_number else None, np.array(amount)))
    return tuple(found)


# ---- in words -----------------------------------------------------------------------------------------
def node_names(root):
    """What each node of `root`'s graph is called in the steps: its own name (`x.name = "x"`), else its
    formula in its parents' names while short ("a·b", "tanh(a)"), else its op; a constant by its value.

    >>> from engine import Tensor
    >>> a, b = Tensor(2.0, requires_grad=True, name="a"), Tensor(-3.0, requires_grad=True, name="b")
    >>> names = node_names(a * b + a.tanh())
    >>> sorted(names.values())
    ['a', 'a·b', 'a·b + tanh(a)', 'b', 'tanh(a)']
    """
    names = {}
    for node in topological_order(root):
        if node.name:
            names[node] = node.name
        elif not node.op:
            names[node] = number(node.data.ravel()[0]) if node.data.size == 1 else "constant"
        else:
            formula = _formula(FORMULAS.get(node.op), node, names)
            names[node] = formula if formula and len(formula) <= NAME_LENGTH else node.op
    return names


def _formula(template, node, names, out=None):
    """`template` in the names of `node`'s parents (and `out`, the node's own), or None when it has none."""
    if template is None and node.op.startswith("**"):
        template = "{g0}" + node.op
    if template is None:
        return None
    parents = [names[parent] for parent in node.parents]
    grouped = {f"g{i}": grouped_name(name) for i, name in enumerate(parents)}
    return template.format(*parents, **grouped, out=out, gout=out and grouped_name(out))


def grouped_name(name):
    """`name` in brackets where it is compound ("x·w + b"), as it is where it reads as one ("x", "tanh(n)").

    >>> grouped_name("x"), grouped_name("tanh(x·w)"), grouped_name("a·b"), grouped_name("tanh(a) + exp(b)")
    ('x', 'tanh(x·w)', '(a·b)', '(tanh(a) + exp(b))')
    """
    if re.fullmatch(r"[\w.\u2212]+", name):
        return name
    if re.match(r"\w*\(", name) and name.endswith(")"):
        depth = 0
        for i, character in enumerate(name):
            depth += (character == "(") - (character == ")")
            if depth == 0 and character == ")":
                if i == len(name) - 1:
                    return name  # one call, or one bracket, from end to end
                break
    return f"({name})"


def local_words(node, slot, names):
    """∂node/∂(parent `slot`) as its rule reads, e.g. "b" for a·b, or None for an op with no words here.

    >>> from engine import Tensor
    >>> x = Tensor(0.5, requires_grad=True, name="x")
    >>> out = x.tanh()
    >>> local_words(out, 0, {x: "x", out: "out"})
    '1 \u2212 out\u00b2'
    """
    rules = LOCAL_WORDS.get(node.op)
    if node.op.startswith("**"):
        exponent = float(node.op[2:])
        rules = (f"{number(exponent)}\u00b7{{g0}}**{number(exponent - 1)}",)
    return None if rules is None else _formula(rules[slot], node, names, out=names[node])


class BackwardWalk:
    """Steps through `backward_steps(root)`: `position` is the step shown (None before the first, and
    len(steps) once all are done); what the graph shows of each node follows it."""

    def __init__(self, root):
        self.root, self.steps, self.names = root, backward_steps(root), node_names(root)
        self.position = None

    @property
    def done(self):
        return self.position == len(self.steps)

    def next(self):
        """One node on; past the last, "done"; after done, the first again. Returns what it says."""
        self.position = 0 if self.position is None or self.done else self.position + 1
        return self.caption()

    @property
    def current(self):
        """The node being processed, or None (before the first step, or done)."""
        return None if self.position is None or self.done else self.steps[self.position].node

    def reached(self):
        """The nodes processed so far, in the engine's order (the current one last)."""
        return [step.node for step in self.steps[: (self.position or 0) + (self.position is not None)]]

    def gradients(self):
        """{node: its gradient as the engine had it once the current node had passed its own on}; a node
        absent has received nothing yet."""
        shown = {}
        if self.position is not None:
            shown[self.steps[0].node] = self.steps[0].gradient  # the pass starts from d root/d root = 1
            for step in self.steps[: self.position + 1]:
                shown.update((r.parent, r.after) for r in step.received)
        return shown

    def received_by(self, node):
        """(the name of the node it came from, amount) for each contribution `node` has received so far."""
        return [(self.names[step.node], c.amount) for step in self.steps[: len(self.reached())]
                for c in step.contributions if c.parent is node]

    def caption(self):
        """What the current step does, with the engine's numbers."""
        if self.position is None:
            return ""
        if self.done:
            return (f"Backward pass done: all {len(self.steps)} nodes have their gradients, the same numbers "
                    f"backward() gives. Next node starts again from {self.names[self.root]}.")
        step = self.steps[self.position]
        return f"Node {self.position + 1} of {len(self.steps)}: {describe_step(step, self.names)}"


def describe_step(step, names):
    """One step in words (`names` from `node_names`): each contribution, and a parent's sum where it
    holds more than one, e.g.
    "c = a·b: c.grad 1 × ∂c/∂a = b = −3 → a.grad += −3, now 0.07065 + (−3) = −2.929"."""
    node, name = step.node, names[step.node]
    grad = f"{grouped_name(name)}.grad"
    formula = _formula(FORMULAS.get(node.op), node, names) if node.op else None
    headline = f"{name} = {formula}" if formula and formula != name else name
    if step.gradient is None:
        return f"{headline}: no gradient reaches it, so it passes none on."
    if node._backward is None:
        return (f"{headline}, an input: its gradient is complete, {grad} = {values_text(step.gradient)}; it "
                "passes nothing on.")
    received = {r.parent: r for r in step.received}
    parts = []
    for i, c in enumerate(step.contributions):
        parent = names[c.parent]
        target = f"{grouped_name(parent)}.grad"
        if c.local is None:
            gradient = values_text(step.gradient)
            gradient = gradient if step.gradient.size == 1 else f"({gradient})"
            part = f"{grad} {gradient} \u2192 {target} += {values_text(c.amount)}"
        else:
            words = local_words(node, c.slot, names)
            local = number(c.local) if words in (None, number(c.local)) else f"{words} = {number(c.local)}"
            part = (f"{grad} {number(step.gradient.ravel()[0])} \u00d7 \u2202{grouped_name(name)}/\u2202{grouped_name(parent)} "
                    f"= {local} \u2192 {target} += {values_text(c.amount)}")
        last = all(later.parent is not c.parent for later in step.contributions[i + 1:])
        parts.append(part + (_sum(received[c.parent], step.contributions) if last else ""))
    return f"{headline}: " + "; ".join(parts)


def _sum(received, contributions):
    """", now 0.07065 + (−3) = −2.929": a parent's gradient as the sum of what it held and what this step
    added, when that is more than one term; "" otherwise."""
    amounts = [c.amount for c in contributions if c.parent is received.parent]
    terms = ([] if received.before is None else [received.before]) + amounts
    if len(terms) < 2:
        return ""
    written = [values_text(terms[0])] + [_signed(values_text(t)) for t in terms[1:]]
    return f", now {' + '.join(written)} = {values_text(received.after)}"


def _signed(text):
    return f"({text})" if text.startswith("\u2212") else text
