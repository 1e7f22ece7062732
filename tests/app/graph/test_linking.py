"""Which graph nodes are which parts of the network, read from the graph's structure."""
from app.graph.layout import graph_of
from app.graph.linking import Links, NetworkMap
from app.playground.run import Run
from app.playground.state import State
from engine import Tensor


def roles_by_label(state):
    run = Run(state)
    loss = run.training_loss(run.inputs_train[:10], run.y_train[:10])
    graph = graph_of(loss, {param: name for name, param in run.model.named_parameters()})
    biases = [layer.bias for layer in run.model if hasattr(layer, "weight")]
    network = NetworkMap(graph, run.weights, biases)
    return network, [(label.split()[0], role) for label, role in zip(graph.labels, network.roles)]


def test_each_layers_nodes_map_to_its_neurons_and_edges_and_the_loss_to_the_outputs():
    network, roles = roles_by_label(State(hidden=(3,), loss="mse"))
    assert roles == [("input", ("neurons", 0)), ("0.weight", ("weight", 0)), ("0.bias", ("bias", 0)),
                     ("linear", ("neurons", 1)), ("tanh", ("neurons", 1)), ("2.weight", ("weight", 1)),
                     ("2.bias", ("bias", 1)), ("linear", ("neurons", 2)), ("sigmoid", ("neurons", 2)),
                     ("input", None), ("mse_loss", ("neurons", 2))]
    assert network.links_of(5) == Links(edge_layers=frozenset({1}))      # a weight: its layer's edges
    assert network.links_of(2) == Links(neuron_layers=frozenset({1}))    # a bias: the neurons it feeds
    assert network.links_of(9) == Links() and not network.links_of(9)    # the labels: nothing drawn
    assert network.nodes_of_neuron(1, 2) == {2, 3, 4} and network.nodes_of_edges(0) == {1}


def test_a_penalty_term_belongs_to_the_weights_it_is_computed_from():
    _, roles = roles_by_label(State(hidden=(3,), regularization="l2", reg_rate=0.1))
    squares = [role for label, role in roles if label == "**2"]
    assert squares == [("weight", 0), ("weight", 1)]
    assert roles[-1] == ("add", ("neurons", 2))   # the data loss plus the penalty: the output's loss


def test_an_expression_that_is_no_network_maps_to_nothing():
    x = Tensor(2.0, requires_grad=True, name="x")
    graph = graph_of((x * x).tanh())
    assert NetworkMap(graph, [], []).roles == [None, None, None]
