"""Which nodes of the computation graph are which parts of the drawn network, both ways: hovering a graph
node outlines its neurons and edges, hovering a neuron or an edge outlines its graph nodes.

Read from the graph's own structure, so it holds for any graph of the network (the recorded step, or the
loss of the first batch): a node with Linear layer l's weight among its parents is that layer's output
(the pre-activations of neuron layer l + 1), a node computed from that alone is its activation, the
weight's other parent is what the layer reads, and everything computed from the last layer's output (the
loss) belongs to the output neurons.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Links:
    """Parts of the drawn network: whole neuron layers, single neurons (layer, index), every edge of some
    Linear layers, single edges (layer, to, from)."""

    neuron_layers: frozenset = frozenset()
    neurons: frozenset = frozenset()
    edge_layers: frozenset = frozenset()
    edges: frozenset = frozenset()

    def __bool__(self):
        return bool(self.neuron_layers or self.neurons or self.edge_layers or self.edges)


class NetworkMap:
    """The role of every node of `graph` (from `graph.layout.graph_of`) in a network whose Linear layers
    have these `weights` and `biases` (engine tensors, inputs first; a bias may be None).

    Roles: ("weight", l) for Linear layer l's weight (and a penalty computed from it alone), ("bias", l),
    ("neurons", k) for a node holding neuron layer k's values (inputs, pre-activations, activations, and
    the loss computed from the outputs), or None.
    """

    def __init__(self, graph, weights, biases):
        index = {id(tensor): i for i, tensor in enumerate(graph.tensors)}
        self.roles = [None] * len(graph.tensors)
        weight_nodes = {index.get(id(w)): layer for layer, w in enumerate(weights)}
        bias_nodes = {index.get(id(b)): layer for layer, b in enumerate(biases) if b is not None}
        weight_nodes.pop(None, None)
        bias_nodes.pop(None, None)
        last = len(weights)  # the output neuron layer
        for i, parents in enumerate(graph.parents):
            roles = {self.roles[p] for p in parents}
            reads = [p for p in parents if p not in weight_nodes and p not in bias_nodes]
            uses = [weight_nodes[p] for p in parents if p in weight_nodes]
            if i in weight_nodes:
                self.roles[i] = ("weight", weight_nodes[i])
            elif i in bias_nodes:
                self.roles[i] = ("bias", bias_nodes[i])
            elif uses and reads and (uses[0] == 0 or ("neurons", uses[0]) in {self.roles[p] for p in reads}):
                self.roles[i] = ("neurons", uses[0] + 1)  # the Linear layer's output
                if uses[0] == 0:
                    for p in reads:  # what the first layer reads: the inputs
                        self.roles[p] = self.roles[p] or ("neurons", 0)
            elif len(roles) == 1 and None not in roles and next(iter(roles)) != ("neurons", 0):
                self.roles[i] = next(iter(roles))  # an activation, or a penalty term of one layer's weights
        for i, role in enumerate(self.roles):  # the loss and what leads to it from the outputs
            if role is None and any(self.roles[p] == ("neurons", last) for p in graph.parents[i]):
                self.roles[i] = ("neurons", last)

    def links_of(self, node):
        """The network parts graph node `node` (an index) is, as Links (empty when it is none of them)."""
        role = self.roles[node]
        if role is None:
            return Links()
        kind, layer = role
        if kind == "weight":
            return Links(edge_layers=frozenset({layer}))
        return Links(neuron_layers=frozenset({layer + 1 if kind == "bias" else layer}))

    def nodes_of_neuron(self, layer, index):
        """Graph nodes that hold neuron (layer, index): its layer's values and its Linear's bias."""
        wanted = {("neurons", layer), ("bias", layer - 1)}
        return {i for i, role in enumerate(self.roles) if role in wanted}

    def nodes_of_edges(self, layer):
        """Graph nodes that hold the edges of Linear `layer`: its weight."""
        return {i for i, role in enumerate(self.roles) if role == ("weight", layer)}
