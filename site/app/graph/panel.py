"""The Computation graph panel: which graph it draws, where its nodes sit, the learner's zoom and pan, when it
was last built, which of its nodes a hovered part of the network lights, and how far Next node has stepped
the backward pass of an expression the code set as `graph`.

The panel does not own the run or the walkthrough; it is handed callables that say what they are now,
so it always draws the network that trains, at the moment the other views show.
"""
import numpy as np

from app.graph.backward_steps import BackwardWalk
from app.graph.layout import graph_of, layout_graph, neighbour, node_at, parameter_labels
from app.graph.linking import Links, NetworkMap
from app.graph.view import fitted_transform, paint_graph
from app.shared.frames import SLOW_PANELS_MS

NEXT_NODE_INTRO = ("Next node (or Next phase) steps backward through your expression one node at a time, in "
                   "the engine's order: each node's gradient times its local derivative, added into its inputs'.")
ZOOMS = (0.1, 12.0)   # how far the wheel zooms out and in, times the fitted view (a phone opens at true size)
WHEEL_ZOOM = 0.0015   # the zoom's exponent per unit of the wheel's delta


class GraphPanel:
    """The "graph" canvas of `page`. `run()` is the run that trains, `walkthrough()` the step being walked
    (or None), `theme()` and `moment()` the colours and the timestamp the other views are painted in."""

    def __init__(self, page, run, walkthrough, theme, moment):
        self.page, self.canvas = page, page.canvas("graph")
        self.run, self.walkthrough, self.theme, self.moment = run, walkthrough, theme, moment
        self.code_graph = None       # a Tensor the code set as `graph` (a scalar expression), drawn as it is
        self.nodes = self.layout = self.network_map = None  # the graph as built (`graph_of`), and its layout
        self.gradients = ()          # its gradients as drawn (training overwrites the parameters' own)
        self.drawn_at = None         # when it was last built; None builds it again at the next paint
        self.zoom, self.pan = 1.0, (0.0, 0.0)  # on top of the fitted view (`fitted_transform`)
        self.linked_nodes = frozenset()        # the nodes a hovered neuron or edge of the network is
        self.backward_walk = None    # Next node's steps through the code graph's backward pass, once pressed

    # ---- what it draws -------------------------------------------------------------------------------
    def root(self):
        """What the graph view draws: the code's expression, the recorded step, or the loss of the first
        training batch as the network stands (its gradients filled by a backward pass, no step taken)."""
        if self.code_graph is not None:
            return self.code_graph
        walk, run = self.walkthrough(), self.run()
        if walk is not None:
            return walk.steps.recording.loss
        if not len(run.inputs_train):
            return None
        batch = slice(0, run.state.batch_size)
        loss = run.training_loss(run.inputs_train[batch], run.y_train[batch])
        run.optimizer.zero_grad()  # the next training step starts with zero_grad too
        loss.backward()
        return loss

    def shown_walkthrough(self):
        """The walkthrough whose numbers the graph shows: none while it draws the code's expression."""
        return self.walkthrough() if self.code_graph is None else None

    def use_run(self):
        """A new run: its graph is built at the next paint, with nothing of the old network outlined; Next
        node is offered when the graph is the code's expression, from its first node."""
        self.drawn_at, self.linked_nodes, self.backward_walk = None, frozenset(), None
        self.page.set_attribute('[data-action="next-node"]', "hidden", self.code_graph is None)
        self.page.set_text("graph-step", "" if self.code_graph is None else NEXT_NODE_INTRO)

    # ---- Next node: the code graph's backward pass, one node at a time -------------------------------------
    def next_node(self):
        """Step the code graph's backward pass one node on (past the last: done; then from the first again),
        and say what that node does with the engine's numbers."""
        if self.backward_walk is None:
            try:
                self.backward_walk = BackwardWalk(self.code_graph)
            except ValueError as problem:
                self.page.set_text("graph-step", str(problem))
                return
        self.page.set_text("graph-step", self.backward_walk.next())
        self.redraw_soon()

    def stepping(self):
        """The backward walk under way on the code graph, or None."""
        walk = self.backward_walk
        return walk if walk is not None and walk.position is not None else None

    def due(self, timestamp_ms, playing):
        """Whether to build the graph again now: when asked to (`redraw_soon`), and while training, at most
        every SLOW_PANELS_MS."""
        return self.drawn_at is None or (playing and timestamp_ms - self.drawn_at >= SLOW_PANELS_MS)

    def redraw_soon(self):
        """Build the graph again at the next paint, even mid-training (the step shown has changed)."""
        self.drawn_at = None

    def paint(self, timestamp_ms):
        """Build the graph of `root()` again, at `timestamp_ms`, keeping the nodes that stayed where they were."""
        self.drawn_at = timestamp_ms
        root = self.root()
        self.canvas.fit()
        if root is None:
            return
        run = self.run()
        self.nodes = graph_of(root, parameter_labels(linear_layers(run)))
        self.gradients = [None if t.grad is None else np.array(t.grad) for t in self.nodes.tensors]
        self.layout = layout_graph(self.nodes, previous=self.layout)
        self.network_map = None if self.code_graph is not None else NetworkMap(self.nodes, run.weights, biases(run))
        self.draw()

    def draw(self):
        """Draw the graph as built: the nodes the walkthrough has reached lit, those a hovered neuron or edge
        is outlined, each with its value and gradient as the walkthrough's moment knows them."""
        if self.nodes is None:
            return
        walk, stepping, current = self.shown_walkthrough(), self.stepping(), None
        lit = walk.lit_nodes(self.nodes, self.moment()) if walk else []
        if stepping is not None:
            lit = [self.nodes.index_of(node) for node in stepping.reached()]
            current = None if stepping.current is None else self.nodes.index_of(stepping.current)
        numbers = [self.node_numbers(i)[:3] for i in range(len(self.nodes.tensors))]
        paint_graph(self.canvas.context, self.page.path, self.layout, self.nodes, self.theme(), self.canvas.width,
                    self.canvas.height, self.transform(), lit, numbers, self.linked_nodes, current)

    def node_numbers(self, index):
        """(data, gradient, reached, change) of graph node `index`: the walkthrough's recorded numbers as far
        as it has come (a parameter's data from before the step), Next node's as far as it has stepped, or
        the node's own as drawn outside both."""
        tensor, walk, stepping = self.nodes.tensors[index], self.shown_walkthrough(), self.stepping()
        if walk is not None:
            return walk.node_numbers(tensor, self.moment())
        if stepping is not None:
            gradients = stepping.gradients()
            return tensor.data, gradients.get(tensor), tensor in gradients or not tensor.requires_grad, None
        return tensor.data, self.gradients[index], True, None

    def index_of(self, key):
        """The index of the node drawn under `key`, or None when the graph has no such node."""
        return self.layout.keys.index(key) if self.layout is not None and key in self.layout.keys else None

    # ---- what it links to in the network -------------------------------------------------------------
    def links_of(self, part):
        """What `part` of a view ("node", key), ("neuron", l, i), ("edge", l, to, from) or None is in the
        other view: the network's parts a node is (as Links), the nodes a neuron or edge is (indices)."""
        links, linked = Links(), frozenset()
        if part and self.network_map is not None:
            if part[0] == "node" and self.index_of(part[1]) is not None:
                links = self.network_map.links_of(self.index_of(part[1]))
            elif part[0] == "neuron":
                linked = frozenset(self.network_map.nodes_of_neuron(part[1], part[2]))
            elif part[0] == "edge":
                linked = frozenset(self.network_map.nodes_of_edges(part[1]))
        return links, linked

    def outline(self, linked):
        """Outline these nodes (what a hovered neuron or edge is), drawing again only when they change."""
        if linked != self.linked_nodes:
            self.linked_nodes = linked
            self.draw()

    # ---- zoom, pan and the keys ------------------------------------------------------------------------
    def transform(self):
        """(scale, dx, dy) from graph to screen: the fitted view, zoomed and panned by the user."""
        scale, dx, dy = fitted_transform(self.layout, self.canvas.width, self.canvas.height, self.zoom)
        return scale, dx + self.pan[0], dy + self.pan[1]

    def move(self, kind, x, y, amount):
        """Zoom about the pointer ("wheel": the point under it stays put), pan by a "drag", or refit
        ("dblclick")."""
        if self.layout is None or kind == "dblclick":
            self.zoom, self.pan = 1.0, (0.0, 0.0)
        elif kind == "drag":
            self.pan = (self.pan[0] + amount[0], self.pan[1] + amount[1])
        else:
            scale, dx, dy = self.transform()
            world = ((x - dx) / scale, (y - dy) / scale)
            self.zoom = float(np.clip(self.zoom * np.exp(-amount * WHEEL_ZOOM), *ZOOMS))
            new_scale, new_dx, new_dy = self.transform()
            self.pan = (self.pan[0] + x - (world[0] * new_scale + new_dx),
                        self.pan[1] + y - (world[1] * new_scale + new_dy))
        self.redraw_soon()

    def key_at(self, x, y):
        """The key of the node at canvas (x, y), or None."""
        if self.layout is None:
            return None
        scale, dx, dy = self.transform()
        return node_at(self.layout, (x - dx) / scale, (y - dy) / scale)

    def next_key(self, key, direction):
        """The node an arrow key steps to from node `key` (see `layout.neighbour`): the first input when
        `key` is None. `direction` is (across, up)."""
        layout, at = self.layout, self.index_of(key)
        at = int(np.lexsort((layout.y, layout.x))[0]) if at is None else neighbour(layout, at, *direction)
        return layout.keys[at]

    def bring_into_view(self, key):
        """Pan to centre node `key` when it is not wholly on the canvas, and draw again at the next paint."""
        layout, at = self.layout, self.index_of(key)
        scale, dx, dy = self.transform()
        x, y = layout.x[at] * scale + dx, layout.y[at] * scale + dy
        width, height = self.canvas.width, self.canvas.height
        half_w, half_h = layout.node_width * scale / 2, layout.node_height * scale / 2
        if not half_w <= x <= width - half_w or not half_h <= y <= height - half_h:
            self.pan = (self.pan[0] + width / 2 - x, self.pan[1] + height / 2 - y)  # centre it
        self.redraw_soon()


def linear_layers(run):
    """The network's Linear layers, inputs first, as `run.weights` lists their weights."""
    return [layer for layer in run.model if getattr(layer, "weight", None) in run.weights]


def biases(run):
    """Each Linear layer's bias tensor (or None), inputs first, as `run.weights` lists their weights."""
    return [layer.bias for layer in linear_layers(run)]
