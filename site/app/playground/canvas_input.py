"""Input on the canvases: what the pointer and the keys point at on the Network view, the Output plane and
the computation graph, what pointing there shows in the other views and the inspector, and so which input of
the plane the views show.

The keyboard points as the mouse does, so everything a hover or a click shows can be reached without one.
"""
import math

import numpy as np

from app.graph.linking import Links
from app.playground import plane
from app.playground.network_layout import neuron_at
from app.playground.network_view import edge_at
from app.playground.notes import show_notes
from app.playground.points import own_points
from app.playground.weight_editor import WeightEditor

CHOOSING_REACH = 6.0  # a click this close (CSS px) to a training point chooses it rather than adding a point
PLANE_STEP = 0.5  # an arrow key moves the inspected point this far on the plane (with Shift, 4x)
SECONDS_PER_INPUT = 1.5  # how long each training point stays the drawn input when none is hovered
ARROWS = {"ArrowLeft": (-1.0, 0.0), "ArrowRight": (1.0, 0.0), "ArrowUp": (0.0, 1.0), "ArrowDown": (0.0, -1.0)}


class CanvasInput:
    """Pointer and key events on `page`'s canvases. It hit-tests against the Network view (`pictures`) and
    the graph panel (`graph`) and shows what is pointed at with `inspect(part)` (in the inspector and the Math
    panel); `run()` is the run that trains,
    `stepthrough` the walkthrough's driver (mid-step, a click on an edge inspects it rather than editing it),
    `moment()` the timestamp the views show, and `change_settings(changes)` changes the settings (a click on
    the plane adds a point to the data, or on a training point chooses it: see `click_plane`)."""

    def __init__(self, page, pictures, graph, inspect, stepthrough, run, moment, change_settings):
        self.page, self.pictures, self.graph, self.inspect = page, pictures, graph, inspect
        self.stepthrough, self.run, self.moment, self.change_settings = stepthrough, run, moment, change_settings
        self.hovered_neuron = None     # (layer, index) under the pointer on the Network canvas
        self.hovered_point = None      # a point of the plane under the pointer on the Output canvas
        self.chosen_example = None     # the training point clicked on the plane (its index), whose own gradients show
        self.selected_edge = None      # (layer, to, from) clicked on the Network canvas: the weight editor's
        self.hovered_part = self.selected_part = None  # ("neuron", l, i), ("edge", l, to, from) or ("node", key)
        self.links = Links()           # what a hovered graph node is in the Network view
        self.weight_editor = WeightEditor(page)

    def use_run(self):
        """A new run: nothing of the old network stays pointed at."""
        self.hovered_part = self.selected_part = self.selected_edge = self.chosen_example = None
        self.links = Links()

    # ---- the pointer, and what its clicks change ----------------------------------------------------
    def pointer(self, canvas, kind, x, y, shift=False, amount=0.0):
        """The pointer moved over ("move"), left ("leave") or clicked ("click") a canvas, at CSS (x, y);
        on the graph it also drags ("drag", moved by `amount` = (dx, dy)), zooms ("wheel", `amount` = the
        wheel's delta) and refits ("dblclick")."""
        if canvas == "graph" and kind in ("wheel", "drag", "dblclick"):
            self.graph.move(kind, x, y, amount)
        elif canvas == "network":
            self.pointer_on_network(kind, x, y)
        elif canvas == "graph" and self.graph.layout is not None:
            key = self.graph.key_at(x, y) if kind != "leave" else None
            self.point_at(("node", key) if key is not None else None, kind)
        elif canvas == "output":
            point = plane.from_plane(x, y, self.pictures.output.width, self.pictures.output.height)
            self.hovered_point = point if kind == "move" else None
            if kind == "click":
                self.click_plane(point, shift)

    def click_plane(self, point, shift):
        """A click (or Enter) at `point` of the plane: on a training point it chooses that point, whose own
        gradients the views then show (on the chosen one it lets go); elsewhere it adds a point. With Shift it
        always adds one, of the other class, so a point can go on top of another."""
        example = None if shift else self.training_point_at(point)
        if example is None:
            self.add_point(point, shift)
        else:
            self.chosen_example = None if example == self.chosen_example else example
            self.inspect(self.inspected_part())

    def training_point_at(self, point):
        """The index of the training point nearest `point` within CHOOSING_REACH pixels of it, or None."""
        points = self.run().X_train
        if not len(points):
            return None
        output = self.pictures.output
        pixels = np.subtract(plane.to_plane(np.asarray(points).T, output.width, output.height),
                             np.reshape(plane.to_plane(point, output.width, output.height), (2, 1)))
        distances = np.hypot(*pixels)
        nearest = int(np.argmin(distances))
        return nearest if distances[nearest] <= CHOOSING_REACH else None

    def add_point(self, point, shift):
        """A click on the plane adds a point of the chosen class (shift: the other one); with a built-in
        dataset selected, its points become your own first, so nothing on screen disappears."""
        chosen, run = int(self.page.read_text("point-class") or 1), self.run()
        if run.state.problem == "regression":
            label = -1.0 if shift else 1.0
        else:
            label = (1 - chosen if chosen < 2 else 0) if shift else chosen
        points = list(run.state.custom) if run.state.dataset == "custom" else own_points(run)
        added = (round(point[0], 3), round(point[1], 3), label)
        self.change_settings({"dataset": "custom", "custom": points + [added]})

    def pointer_on_network(self, kind, x, y):
        """A neuron or an edge under the pointer is shown as pointed at; a click on an edge outside the
        walkthrough also opens the weight editor on it."""
        layout, weights = self.pictures.layout, self.pictures.drawn_weights()
        neuron = neuron_at(layout, x, y) if kind != "leave" and layout else None
        edge = edge_at(layout, weights, x, y) if kind != "leave" and layout and not neuron else None
        self.hovered_neuron = neuron if kind == "move" else None
        self.point_at(("neuron", *neuron) if neuron else ("edge", *edge) if edge else None, kind)
        if kind == "click" and edge is not None and self.stepthrough.walkthrough is None:  # mid-step: inspect only
            self.selected_edge = edge
            self.weight_editor.open(self.pictures.describe_edge(edge), float(weights[edge[0]][edge[1], edge[2]]), (x, y))

    def edit_weight(self, text):
        """The weight editor's number: the new weight of the edge clicked last."""
        try:
            value = float(text)
        except (TypeError, ValueError):
            value = math.nan
        if self.selected_edge is None or not math.isfinite(value):
            show_notes(self.page, [f"weight {str(text)[:40]!r} is not a number; the weight is unchanged"])
            return
        self.run().set_weight(*self.selected_edge, value)
        self.inspect(self.inspected_part())

    def point_at(self, part, kind):
        """The pointer is over `part` of a view (or nothing): hovering shows it in the inspector and lights
        what it is in the other view; a click keeps it in the inspector after the pointer leaves."""
        if kind == "click":
            self.selected_part = part
        self.hovered_part = part if kind in ("move", "click") else None
        links, linked = self.graph.links_of(self.hovered_part)
        self.graph.outline(linked)
        self.links = links
        self.inspect(self.inspected_part())

    def inspected_part(self):
        """What the inspector shows: the hovered part, else the clicked one."""
        return self.hovered_part or self.selected_part

    def marked_parts(self):
        """What the Network view outlines: the clicked neuron or edge, and what a hovered graph node is."""
        part, links = self.selected_part, self.links
        if part is not None and part[0] == "neuron":
            return Links(links.neuron_layers, links.neurons | {part[1:]}, links.edge_layers, links.edges)
        if part is not None and part[0] == "edge":
            return Links(links.neuron_layers, links.neurons, links.edge_layers, links.edges | {part[1:]})
        return links

    # ---- the input the views show ----------------------------------------------------------------------
    def input_key(self, timestamp_ms):
        """What decides the drawn input: the chosen training point (held until let go), the hovered point, or
        the number of the training point that is up (it changes every SECONDS_PER_INPUT, and holds still for
        viewers who ask for reduced motion)."""
        if self.chosen_example is not None:
            return ("chosen", self.chosen_example)
        if self.hovered_point is not None:
            return self.hovered_point
        return 0 if self.page.prefers_reduced_motion() else int(timestamp_ms / 1000 / SECONDS_PER_INPUT)

    def inspected_input(self, timestamp_ms):
        """The point whose activations the network shows (see `input_key`), or None with no data."""
        key, points = self.input_key(timestamp_ms), self.run().X_train
        if self.chosen_example is not None:
            return points[self.chosen_example]
        if self.hovered_point is not None:
            return key
        return points[key % len(points)] if len(points) else None

    def crosshair(self, timestamp_ms):
        """Where the plane's crosshair is: at the pointer (or the keys' point) while it is on the plane, where a
        click would act; else at the drawn input."""
        return self.hovered_point if self.hovered_point is not None else self.drawn_input(timestamp_ms)

    def chosen_point(self):
        """The chosen training point's place on the plane, or None."""
        return None if self.chosen_example is None else self.run().X_train[self.chosen_example]

    def drawn_input(self, timestamp_ms):
        """The point whose activations the Network view shows: the walkthrough's example while it runs."""
        if self.stepthrough.walkthrough is not None:
            return self.stepthrough.point
        return self.inspected_input(timestamp_ms)

    # ---- the keys ------------------------------------------------------------------------------------
    def key(self, canvas, name, shift=False):
        """A key pressed on a focused canvas; True when it was used. The keyboard points as the mouse does:
        on the Output plane at an input, on the Network at a neuron, on the graph at a node."""
        if canvas == "output":
            return self.key_on_plane(name, shift)
        if canvas == "network":
            return self.key_on_network(name)
        return canvas == "graph" and self.key_on_graph(name)

    def key_on_plane(self, name, shift):
        """The arrows move the inspected point (from the input drawn now), Enter clicks there (a point added,
        Shift: of the other class; or a training point chosen), Escape lets go of the point, then of the chosen
        training point."""
        if name in ARROWS:
            start = self.hovered_point if self.hovered_point is not None else self.drawn_input(self.moment())
            start = (0.0, 0.0) if start is None else start
            step = PLANE_STEP * (4 if shift else 1)
            x, y = np.clip(np.add(start, np.multiply(ARROWS[name], step)), -plane.EXTENT, plane.EXTENT)
            self.hovered_point = (float(x), float(y))
        elif name == "Enter" and self.hovered_point is not None:
            self.click_plane(self.hovered_point, shift)
        elif name == "Escape" and self.hovered_point is not None:
            self.hovered_point = None
        elif name == "Escape" and self.chosen_example is not None:
            self.chosen_example = None
            self.inspect(self.inspected_part())
        else:
            return False
        return True

    def key_on_network(self, name):
        """The arrows step from neuron to neuron, up and down a layer and across layers, each shown as a click
        shows it (the inspector reads its numbers) and as hovering does (its output over the plane); the
        first press picks the first input. Escape lets go."""
        layout = self.pictures.layout
        if layout is None:
            return False
        if name in ARROWS:
            sizes = [len(column) for column in layout.centres]
            across, up = (int(d) for d in ARROWS[name])
            if self.hovered_neuron is None:
                layer, index = 0, 0
            else:
                layer = min(max(self.hovered_neuron[0] + across, 0), len(sizes) - 1)
                index = min(max(self.hovered_neuron[1] - up, 0), sizes[layer] - 1)
            self.hovered_neuron = (layer, index)
            self.point_at(("neuron", layer, index), "click")
        elif name == "Escape" and self.hovered_neuron is not None:
            self.hovered_neuron = None
            self.point_at(None, "click")
        else:
            return False
        return True

    def key_on_graph(self, name):
        """The arrows step from node to node (see `GraphPanel.next_key`), each shown in the inspector as a
        click shows it, the view panning to keep it in sight; the first press picks the first input.
        Escape lets go."""
        graph, part = self.graph, self.selected_part
        if graph.layout is None or not graph.layout.keys:
            return False
        key = part[1] if part and part[0] == "node" and graph.index_of(part[1]) is not None else None
        if name == "Escape" and key is not None:
            self.point_at(None, "click")
            return True
        if name not in ARROWS:
            return False
        key = graph.next_key(key, ARROWS[name])
        self.point_at(("node", key), "click")
        graph.bring_into_view(key)
        return True
