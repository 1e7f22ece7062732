"""The preset gallery as data: each preset teaches one thing, opens as `#preset=<id>`, and is a set of
link settings (the keys of `state.py`) with, where the lesson needs more than the controls, code for the
editor that follows the editor's contract (see `sandbox.py`: it sets `model`, or `graph` for an expression).

A lesson seen outside the core picture names its room (`room=`): the code it runs, the diagnostics it
shows, the graph it draws.

Presets ship with the site, so their code may run as soon as one is opened; code from a link may not.
Pure data and one lookup: no engine, no browser; the tests prove each lesson with the engine.
"""
from typing import NamedTuple


class Preset(NamedTuple):
    """One gallery entry: a title, the lesson in one line, link settings, and optional editor code; a lesson
    `watched_in_room` happens in its room rather than in the core picture, so opening it brings the room into
    view."""

    title: str
    lesson: str
    settings: str
    code: str | None = None
    watched_in_room: bool = False


DEAD_RELU_CODE = '''\
# Every hidden ReLU starts with bias -5. On this data most of them output 0 at
# every point, so no gradient reaches them and they never come back.
# Try bias 0.0, or activation="leaky_relu", and press Run.
import numpy as np
from engine import nn

model = nn.MLP(2, [8, 8], 1, activation="relu", rng=np.random.default_rng(0))
for layer in list(model)[:-1]:  # the hidden layers; the output layer keeps bias 0
    if isinstance(layer, nn.Linear):
        layer.bias.data[:] = -5.0
'''

MICROGRAD_EXPRESSION_CODE = '''\
# One neuron by hand: out = tanh(x * w + b). The graph shows every value;
# backward() fills in how much `out` changes per unit change of each input.
# Press Next node to watch backward() go node by node: each node's gradient
# times its local derivative is added into the gradients of its inputs.
from engine import Tensor

x = Tensor(2.0, requires_grad=True, name="x")
w = Tensor(-3.0, requires_grad=True, name="w")
b = Tensor(6.5, requires_grad=True, name="b")
xw = x * w
n = xw + b
out = n.tanh()
xw.name, n.name, out.name = "xw", "n", "out"  # the names the graph and its steps use
out.backward()

print(f"out = {out.item():.4f}")
print(f"d out/dx = {x.grad:.4f}   d out/dw = {w.grad:.4f}   d out/db = {b.grad:.4f}")
graph = out  # the expression the graph view draws
# Try out = n.tanh() * x and Run: x then feeds two nodes, and its gradient is
# the sum of both contributions.
'''

PRESETS = {
    "xor-hidden": Preset(
        "XOR needs a hidden layer",
        "With no hidden layer the boundary is one straight line, and no line splits XOR: add a layer and "
        "watch it bend.",
        "dataset=xor&hidden="),
    "spiral-depth": Preset(
        "A spiral takes depth or features",
        "From x\u2081 and x\u2082 alone, three layers of 8 can wind around the spiral; with sin(x\u2081) and "
        "sin(x\u2082) switched on, two layers are enough.",
        "dataset=spiral&hidden=8,8,8&optimizer=adam&lr=0.01"),
    "relu-sparsity": Preset(
        "ReLU units are off half the time",
        "Each ReLU outputs exactly 0 on one side of a line: look at the neuron heatmaps, and how the output "
        "is glued from those pieces.",
        "dataset=circle&activation=relu&hidden=8,8"),
    "sigmoid-vanishing": Preset(
        "Sigmoid gradients vanish in depth",
        "Each sigmoid passes back at most a quarter of its gradient, so after 8 layers the first ones "
        "barely learn: try ReLU or tanh.",
        "activation=sigmoid&hidden=4,4,4,4,4,4,4,4&room=diagnostics"),
    "lr-too-high": Preset(
        "A learning rate too high diverges",
        "Each step at learning rate 0.1 overshoots the lowest loss by more than the last: watch the loss climb, "
        "then lower it to 0.03 and Reset.",
        # A line fitted to 25 points in batches of 10: slow enough to watch the loss climb for 20 epochs and
        # more before the run is stopped (tests/app/playground/test_presets.py); at rate 10 it overflowed at once.
        # At 15 epochs a second the climb takes about two seconds to watch.
        "problem=regression&dataset=plane&activation=linear&hidden=&lr=0.1&points=250&train_ratio=10&speed=15"),
    "dead-relu": Preset(
        "Dead ReLUs do not recover",
        "Hidden biases start at -5, so most ReLUs are 0 on every point and get no gradient: they stay dead "
        "however long you train.",
        "dataset=circle&activation=relu&hidden=8,8&room=code",
        DEAD_RELU_CODE),
    "width-not-depth": Preset(
        "Depth cannot stand in for width",
        "Layers of 2, no wider than the 2 inputs, cannot close a boundary around the circle's middle however many "
        "you stack; one layer of 3 can.",
        "dataset=circle&hidden=2,2,2,2"),
    "micrograd-expression": Preset(
        "Backpropagation through one expression",
        "A single neuron by hand: press Next node to step through backward() and watch the chain rule build "
        "each gradient, node by node.",
        "room=graph",
        MICROGRAD_EXPRESSION_CODE, watched_in_room=True),
    "three-class": Preset(
        "Three classes with softmax",
        "Three output neurons, and softmax turns them into probabilities that sum to 1; cross-entropy "
        "rewards the right class.",
        "dataset=blobs3&hidden=6&loss=cross_entropy"),
    "overfit": Preset(
        "A big network memorises a few points",
        "Twenty noisy training points and three layers of 16: the training loss falls to nearly 0 while "
        "the test loss climbs.",
        "dataset=circle&noise=50&points=200&train_ratio=10&hidden=16,16,16&show_test=true&race=dropout:0.3"),
    "regularization": Preset(
        "Regularization keeps the test loss down",
        "A big network on twenty noisy points, with L2 at 0.03 pulling every weight toward 0: the test loss "
        "stops climbing.",
        # Less noise than "overfit": at noise 50, measured with the engine, L2 at 0.03 still warned of overfitting
        # by epoch 300 and at 0.1 the training loss stayed at 0.67 (nothing learned). Proven in
        # tests/app/lessons/test_lessons.py.
        "dataset=circle&noise=30&points=200&train_ratio=10&hidden=16,16,16&regularization=l2&reg_rate=0.03"
        "&show_test=true"),
}


def find_preset(preset_id):
    """(the Preset called `preset_id`, "") or (None, a note in plain words).

    >>> find_preset("xor-hidden")[0].title
    'XOR needs a hidden layer'
    >>> find_preset("xor")[1][:48]
    "there is no preset 'xor'; the presets are xor-hi"
    """
    if preset_id in PRESETS:
        return PRESETS[preset_id], ""
    shown = preset_id[:40] + ("…" if len(preset_id) > 40 else "")
    return None, f"there is no preset {shown!r}; the presets are {', '.join(PRESETS)}"

