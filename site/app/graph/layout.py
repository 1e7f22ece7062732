"""Where each node of an engine computation graph sits in the "Computation graph" view: layered, left to
right, with stable keys so that an edited expression moves only the nodes that changed.

Pure Python + numpy: the graph is read from the engine's own `parents` and `op`, and positions are in
world pixels at a readable size (a column per layer, a row per node). The view pans and zooms over that
world (`fit_scale` gives the zoom that shows all of it), so a 100-node graph keeps legible labels instead
of being squeezed into the canvas, and growth never forces the nodes already drawn to move.
"""
import hashlib
from dataclasses import dataclass

import numpy as np

from engine import topological_order

COLUMN = 172.0       # world pixels between layers: room for a line such as "gradient mean −0.000449"
ROW = 56.0           # world pixels between nodes of one layer
NODE_WIDTH = 148.0   # less than COLUMN and NODE_HEIGHT less than ROW, so grid places never overlap
NODE_HEIGHT = 44.0   # three lines: what the node is, its value, its gradient
SWEEPS = 4           # barycentre passes each way; more rarely removes another crossing


@dataclass(frozen=True)
class Graph:
    """The nodes of one computation, inputs first (the engine's topological order).

    `parents[i]` holds the indices of node i's distinct parents; `tensors[i]` is the engine's node, so
    the view reads its data and grad from there.
    """

    keys: tuple
    labels: tuple
    parents: tuple
    tensors: tuple

    def index_of(self, tensor):
        """The index of an engine node in this graph (for the backward replay), or None."""
        for i, node in enumerate(self.tensors):
            if node is tensor:
                return i
        return None


def node_label(tensor, name=None):
    """What a node is, the first line of its box: its name or op ("n = add" when it has both), then its
    shape unless it holds one number (its value and gradient have lines of their own).

    >>> from engine import Tensor
    >>> x = Tensor(3.0, requires_grad=True, name="x")
    >>> n = x * 2
    >>> n.name = "n"
    >>> node_label(x), node_label(x * 2), node_label(n), node_label(Tensor(2.0))
    ('x', 'mul', 'n = mul', 'constant')
    >>> node_label(Tensor([[1.0, 2.0]]).T @ x.reshape(1, 1))
    'matmul (2, 1)'
    """
    head = _head(tensor, name)
    return head if tensor.ndim == 0 else f"{head} {tensor.shape}"


def _head(tensor, name):
    name = name or tensor.name
    if tensor.op:
        return f"{name} = {tensor.op}" if name else tensor.op
    if name:
        return name
    return "constant" if tensor.ndim == 0 else ("param" if tensor.requires_grad else "input")


def parameter_labels(linears):
    """The network's weights and biases named by layer, as a learner reads the Network view: {tensor:
    "Hidden 1 weights", ..., "Output bias"}, from its Linear layers, inputs first (a bias may be None).

    >>> from engine import nn
    >>> linears = [nn.Linear(2, 4), nn.Linear(4, 1, bias=False)]
    >>> sorted(parameter_labels(linears).values())
    ['Hidden 1 bias', 'Hidden 1 weights', 'Output weights']
    """
    labels = {}
    for count, layer in enumerate(linears, start=1):
        layer_name = "Output" if count == len(linears) else f"Hidden {count}"
        labels[layer.weight] = f"{layer_name} weights"
        if layer.bias is not None:
            labels[layer.bias] = f"{layer_name} bias"
    return labels


def graph_of(root, names=None):
    """The graph `root` was computed from, each node keyed by what it is rather than by its values.

    A key hashes the node's op (or name) and shape with its parents' keys, so building the same
    expression again, even with new numbers, gives the same keys; a node whose inputs changed gets a new
    key, and so does everything computed from it. Identical twins (the same op on the same parents)
    are told apart by their order of appearance. `names` maps tensors to names (e.g. "Hidden 1 weights").

    >>> from engine import Tensor
    >>> def build(value):
    ...     a = Tensor(value, requires_grad=True, name="a")
    ...     return graph_of((a * a).tanh())
    >>> build(1.0).keys == build(-5.0).keys, build(1.0).labels
    (True, ('a', 'mul', 'tanh'))
    """
    names = names or {}
    nodes = topological_order(root)
    index = {id(node): i for i, node in enumerate(nodes)}
    keys, labels, parents, seen = [], [], [], {}
    for node in nodes:
        name = names.get(node)
        parent_keys = "|".join(keys[index[id(p)]] for p in node.parents)
        identity = f"{_head(node, name) or 'const'}{node.shape}<{parent_keys}>"
        count = seen[identity] = seen.get(identity, -1) + 1
        keys.append(hashlib.blake2b(f"{identity}#{count}".encode(), digest_size=8).hexdigest())
        labels.append(node_label(node, name))
        parents.append(tuple(dict.fromkeys(index[id(p)] for p in node.parents)))
    return Graph(tuple(keys), tuple(labels), tuple(parents), tuple(nodes))


@dataclass(frozen=True)
class GraphLayout:
    """Node centres in world pixels, in the graph's order, within a width x height box.

    `edges` is an (E, 2) int array of (parent, child) indices; every edge runs left to right.
    `moved` holds the keys of the nodes that did not keep a previous position (all of them when there
    was no previous layout).
    """

    keys: tuple
    x: np.ndarray
    y: np.ndarray
    edges: np.ndarray
    width: float
    height: float
    moved: frozenset
    node_width: float = NODE_WIDTH
    node_height: float = NODE_HEIGHT

    def position(self, key):
        """The centre (x, y) of the node with this key."""
        i = self.keys.index(key)
        return float(self.x[i]), float(self.y[i])


def layers_of(graph):
    """Each node's layer: the longest path from the inputs, except that a leaf sits one layer before its
    first consumer, so a weight is drawn beside the op that uses it instead of far off at the left."""
    layer = [0] * len(graph.keys)
    children = [[] for _ in graph.keys]
    for i, parents in enumerate(graph.parents):
        if parents:
            layer[i] = 1 + max(layer[p] for p in parents)
        for p in parents:
            children[p].append(i)
    for i, parents in enumerate(graph.parents):
        if not parents and children[i]:
            layer[i] = min(layer[c] for c in children[i]) - 1
    return layer, children


def order_within_layers(graph, layer, children):
    """Nodes of each layer, top to bottom, ordered by a few barycentre sweeps to cut edge crossings.

    A node moves towards the mean height of its parents (sweeping right) or its children (sweeping
    left), heights measured as a share of each layer's length so short and long layers compare.
    """
    columns = [[] for _ in range(max(layer) + 1)]
    for i, c in enumerate(layer):
        columns[c].append(i)
    share = np.zeros(len(layer))

    def measure(column):
        share[column] = 0.5 if len(column) == 1 else np.arange(len(column)) / (len(column) - 1)

    for column in columns:
        measure(column)
    for _ in range(SWEEPS):
        for direction, neighbours in ((1, graph.parents), (-1, children)):
            for column in columns[::direction]:
                centre = {i: (sum(share[n] for n in neighbours[i]) / len(neighbours[i]) if neighbours[i] else share[i])
                          for i in column}
                column.sort(key=centre.__getitem__)
                measure(column)
    return columns


def layout_graph(graph, previous=None):
    """Lay `graph` out left to right; with `previous`, nodes whose key survives keep their place.

    The rule: a surviving node keeps its previous centre exactly. A new node goes to the first column
    right of all its parents (and no further left than its own layer), at the height of its parents'
    mean (or its fresh place if it has none), moved up or down by whole rows to the nearest free spot.
    The box grows when needed and never shrinks while earlier nodes survive, so nothing jumps.

    >>> from engine import Tensor
    >>> a = Tensor(2.0, requires_grad=True, name="a")
    >>> before = layout_graph(graph_of(a * 3))
    >>> after = layout_graph(graph_of((a * 3).exp()), previous=before)
    >>> sorted(after.moved) == sorted(set(after.keys) - set(before.keys)), len(after.moved)
    (True, 1)
    """
    layer, children = layers_of(graph)
    columns = order_within_layers(graph, layer, children)
    rows = max(len(column) for column in columns)
    x = (np.asarray(layer, dtype=np.float64) + 0.5) * COLUMN
    y = np.zeros(len(layer))
    for column in columns:
        y[column] = (rows / 2 + np.arange(len(column)) - (len(column) - 1) / 2) * ROW
    edges = np.array([(p, i) for i, parents in enumerate(graph.parents) for p in parents], dtype=np.int64).reshape(-1, 2)
    width, height = len(columns) * COLUMN, rows * ROW
    before = {} if previous is None else dict(zip(previous.keys, zip(previous.x.tolist(), previous.y.tolist())))
    kept = {k: before[k] for k in graph.keys if k in before}
    if not kept:
        return GraphLayout(graph.keys, x, y, edges, width, height, frozenset(graph.keys))

    occupied = {}  # column -> heights taken there (columns are COLUMN apart, so only a column can clash)
    for i, key in enumerate(graph.keys):
        if key in kept:
            x[i], y[i] = kept[key]
            occupied.setdefault(_column_of(x[i]), []).append(y[i])
    for i, key in enumerate(graph.keys):  # inputs first, so a new node's parents are already placed
        if key in kept:
            continue
        parents = graph.parents[i]
        column = max([layer[i]] + [_column_of(x[p]) + 1 for p in parents])
        wanted = float(np.mean(y[list(parents)])) if parents else y[i]
        x[i], y[i] = (column + 0.5) * COLUMN, _free_height(occupied.setdefault(column, []), wanted)
        occupied[column].append(y[i])
    width = max(previous.width, float(x.max() + COLUMN / 2))
    height = max(previous.height, float(y.max() + ROW / 2))
    return GraphLayout(graph.keys, x, y, edges, width, height, frozenset(set(graph.keys) - set(kept)))


def _column_of(x):
    return int(round(x / COLUMN - 0.5))


def _free_height(taken, wanted):
    """The height nearest `wanted` (in whole rows, never above the box's top row) where a node fits."""
    wanted = max(wanted, ROW / 2)
    for step in range(2 * len(taken) + 1):  # one taken height blocks at most two candidates
        for candidate in (wanted + step * ROW, wanted - step * ROW):
            if candidate >= ROW / 2 and all(abs(candidate - t) >= NODE_HEIGHT for t in taken):
                return candidate
    raise AssertionError("unreachable: 2 * len(taken) + 1 rows below `wanted` cannot all be taken")


def node_at(layout, x, y):
    """The key of the node whose box contains (x, y) in world pixels, or None (for hover and click;
    the view undoes its pan and zoom first).

    >>> from engine import Tensor
    >>> layout = layout_graph(graph_of(Tensor(2.0, requires_grad=True) * 3))
    >>> node_at(layout, *layout.position(layout.keys[-1])) == layout.keys[-1], node_at(layout, -5, -5)
    (True, None)
    """
    inside = (np.abs(layout.x - x) <= layout.node_width / 2) & (np.abs(layout.y - y) <= layout.node_height / 2)
    hits = np.flatnonzero(inside)
    return layout.keys[hits[0]] if len(hits) else None


def neighbour(layout, i, across, up):
    """The node an arrow key leads to from node `i`: `across` (+1 right, -1 left) the nearest node in the
    next column that way, at the nearest height; `up` (+1 up, -1 down) the next node in its own column;
    `i` itself at the graph's edge.

    >>> from engine import Tensor
    >>> x, w = Tensor(2.0, requires_grad=True, name="x"), Tensor(3.0, requires_grad=True, name="w")
    >>> layout = layout_graph(graph_of((x * w).tanh()))
    >>> x_at, w_at, mul_at = (layout.keys.index(k) for k in layout.keys[:3])
    >>> neighbour(layout, x_at, 0, -1) == w_at, neighbour(layout, w_at, +1, 0) == mul_at, neighbour(layout, x_at, -1, 0)
    (True, True, 0)
    """
    half = layout.node_width / 2
    if across:
        ahead = np.flatnonzero((layout.x - layout.x[i]) * across >= half)
        if not len(ahead):
            return i
        next_x = layout.x[ahead[np.argmin(np.abs(layout.x[ahead] - layout.x[i]))]]
        candidates = ahead[np.abs(layout.x[ahead] - next_x) < half]
    else:
        candidates = np.flatnonzero((np.abs(layout.x - layout.x[i]) < half) & ((layout.y[i] - layout.y) * up > 0))
        if not len(candidates):
            return i
    return int(candidates[np.argmin(np.abs(layout.y[candidates] - layout.y[i]))])


# A small graph (a micrograd expression) is drawn up to this much larger than true size, so that it fills
# the panel with numbers one can read from a step back, instead of sitting small in the middle of it.
MAX_FIT_SCALE = 1.5


def fit_scale(layout, width, height):
    """The zoom at which the whole layout fits a width x height canvas, at most MAX_FIT_SCALE.

    >>> from engine import Tensor
    >>> fit_scale(layout_graph(graph_of(Tensor(2.0, requires_grad=True) * 3)), 1000, 1000)
    1.5
    """
    return min(MAX_FIT_SCALE, width / layout.width, height / layout.height)
