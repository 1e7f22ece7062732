"""The playground: the settings, a training run and the pictures of it, kept in step.

The controller never touches the browser itself. It talks to a `page`, `app.browser` in the browser and a
stand-in in tests, which reports the user's actions here and draws what it is told; so every behaviour
of the page (what a click on Step does, what the URL says, what a diverging run shows) is tested in CPython.
"""
import numpy as np

from . import heatmap
from .curve_view import paint_loss_curve
from .layout import layout_network, neuron_at
from .network_view import edge_at, paint_network, strongest_edges
from .output_view import paint_output, paint_points, point_colours
from .palette import DARK, LIGHT
from .points import parse_csv
from .run import INPUT_RANGE, Run
from .state import ACTIVATIONS, SETTINGS, decode, encode, layer_sizes, with_change

# Changing these starts a new run; the others apply to the running one from its next step.
RESTARTS = {"dataset", "problem", "activation", "layer_activations", "train_ratio", "noise", "points", "hidden",
            "features", "seed", "custom"}
MAX_EDGES_DRAWN = 600        # past this, only the strongest edges are drawn (and the page says so)
SECONDS_PER_INPUT = 1.5      # how long each training point stays the drawn input when none is hovered
_SETTING_KINDS = {setting.name: setting.kind for setting in SETTINGS}


def control_text(state, name):
    """A setting's value as its control shows it: the same text a link carries."""
    return _SETTING_KINDS[name].write(getattr(state, name))


class Playground:
    """Owns the state, the run and the canvases; the page calls `act`, `change`, `pointer` and `frame`."""

    def __init__(self, page, fragment=""):
        self.page = page
        decoded = decode(fragment)
        self.state, self.extras = decoded.state, decoded.extras
        self.run = Run(self.state)
        self.playing = True
        self.hovered_neuron = None     # (layer, index) under the pointer on the Network canvas
        self.hovered_point = None      # a point of the plane under the pointer on the Output canvas
        self.selected_edge = None      # (layer, to, from) clicked on the Network canvas
        self.message = ""
        self.network = page.canvas("network")
        self.output = page.canvas("output")
        self.curve = page.canvas("loss-curve")
        self.heatmap_image, self.points_image, self.thumbnail_image = page.pixels(), page.pixels(), page.pixels()
        self.layout = None
        self.points_stale = True
        self.theme = DARK if page.prefers_dark() else LIGHT
        self.use_grid()
        self.show_state(decoded.notes)

    # ---- what the user does ------------------------------------------------------------------------
    def act(self, action, layer=None):
        """A button: toggle (Play/Pause), step, reset, regenerate, add-layer, remove-layer,
        add-neuron / remove-neuron (of hidden layer `layer`), load-csv."""
        hidden = list(self.state.hidden)
        if action == "toggle":
            self.set_playing(not self.playing)
        elif action == "step":
            self.set_playing(False)
            self.train_one_epoch()
        elif action == "reset":
            self.restart()
            self.set_playing(False)
        elif action == "regenerate":
            self.change("seed", (self.state.seed + 1) % 2**32)
        elif action == "add-layer":
            self.change("hidden", hidden + [hidden[-1] if hidden else 4])
        elif action == "remove-layer" and hidden:
            self.change("hidden", hidden[:-1])
        elif action in ("add-neuron", "remove-neuron") and layer is not None and 0 <= layer < len(hidden):
            hidden[layer] += 1 if action == "add-neuron" else -1
            if hidden[layer] >= 1:
                self.change("hidden", hidden)
        elif action == "load-csv":
            points, notes = parse_csv(self.page.read_text("csv"), regression=self.state.problem == "regression")
            self.change_many({"dataset": "custom", "custom": points}, notes)

    def change(self, name, value):
        """A setting's control changed to `value` (its text, or a Python value)."""
        if name == "weight":
            self.edit_weight(value)
        elif name == "layer_activation":
            layer, activation = value
            per_layer = list(self.state.layer_activations) or [self.state.activation] * len(self.state.hidden)
            per_layer[layer] = activation
            self.change_many({"layer_activations": per_layer})
        else:
            self.change_many({name: value})

    def change_many(self, changes, notes=()):
        state, change_notes = with_change(self.state, **changes)
        previous, self.state = self.state, state
        if any(getattr(previous, name) != getattr(state, name) for name in RESTARTS):
            self.restart(keep_weights=set(changes) == {"custom"})
        else:
            self.run.state = state
            if (previous.optimizer, previous.lr) != (state.optimizer, state.lr):
                self.run.use_optimizer(state.optimizer, state.lr)
        self.points_stale = True
        self.show_state([*notes, *change_notes])

    def pointer(self, canvas, kind, x, y, shift=False):
        """The pointer moved over ("move"), left ("leave") or clicked ("click") a canvas, at CSS (x, y)."""
        if canvas == "network":
            self.hovered_neuron = neuron_at(self.layout, x, y) if kind == "move" and self.layout else None
            edge = edge_at(self.layout, self.drawn_weights(), x, y) if kind != "leave" and self.layout else None
            if kind == "click" and edge is not None:
                self.selected_edge = edge
                self.page.edit_weight(self.describe_edge(edge), float(self.run.weights[edge[0]].data[edge[1], edge[2]]))
            self.page.set_text("inspector", self.describe_edge(edge) if edge else self.describe_neuron())
        elif canvas == "output":
            point = heatmap.from_plane(x, y, self.output.width, self.output.height)
            self.hovered_point = point if kind == "move" else None
            if kind == "click":
                self.add_point(point, shift)

    def edit_weight(self, text):
        try:
            value = float(text)
        except (TypeError, ValueError):
            value = float("nan")
        if self.selected_edge is None or not np.isfinite(value):
            self.page.show_notes([f"weight {str(text)[:40]!r} is not a number; the weight is unchanged"])
            return
        self.run.set_weight(*self.selected_edge, value)
        self.page.set_text("inspector", self.describe_edge(self.selected_edge))

    def add_point(self, point, shift):
        """A click on the plane adds a point of the chosen class (shift: the other one); with a built-in
        dataset selected, its points become your own first, so nothing on screen disappears."""
        chosen = int(self.page.read_text("point-class") or 1)
        if self.state.problem == "regression":
            label = -1.0 if shift else 1.0
        else:
            label = (1 - chosen if chosen < 2 else 0) if shift else chosen
        points = list(self.state.custom) if self.state.dataset == "custom" else self.current_points()
        self.change_many({"dataset": "custom", "custom": points + [(round(point[0], 3), round(point[1], 3), label)]})

    def current_points(self):
        X = np.concatenate([self.run.X_train, self.run.X_test])
        y = np.concatenate([self.run.y_train, self.run.y_test])
        return [(round(a, 3), round(b, 3), float(label) if self.run.regression else int(label))
                for (a, b), label in zip(X.tolist(), y.tolist())]

    # ---- running -----------------------------------------------------------------------------------
    def set_playing(self, playing):
        self.playing = playing
        self.page.set_text("play-pause", "Pause" if playing else "Play")

    def restart(self, keep_weights=False):
        previous = self.run
        self.run = Run(self.state)
        if keep_weights:
            self.run.adopt(previous)
        self.layout = None
        self.points_stale = True
        self.selected_edge = None
        self.use_grid()
        self.say("")

    def use_grid(self):
        """The plane's grid for this network's size (see `heatmap.grid_resolution`)."""
        self.resolution = heatmap.grid_resolution(sum(self.state.hidden))
        self.grid = heatmap.plane_grid(self.resolution)

    def train_one_epoch(self):
        self.run.train_epoch()
        if self.run.diverged():
            self.set_playing(False)
            self.say(f"Training diverged at epoch {self.run.epoch}: the loss is no longer a finite number. The "
                     f"learning rate ({self.state.lr:g}) is too high for this network; lower it, then press Reset.")
        elif (reason := self.run.stop_reason()) is not None and self.playing:
            self.set_playing(False)
            self.say(reason)

    def say(self, message):
        self.message = message
        self.page.set_text("message", message)

    def frame(self, timestamp_ms):
        """One animation frame: train an epoch if playing, then paint everything."""
        if self.playing:
            self.train_one_epoch()
        self.paint(timestamp_ms)

    # ---- showing -----------------------------------------------------------------------------------
    def show_state(self, notes):
        """Put the state into the controls, the URL and the notes after it changed."""
        for setting in SETTINGS:
            if setting.name != "custom":
                self.page.set_control(setting.name, control_text(self.state, setting.name))
        per_layer = list(self.state.layer_activations) or [self.state.activation] * len(self.state.hidden)
        self.page.show_layers(list(self.state.hidden), per_layer, ACTIVATIONS)
        self.page.set_fragment(encode(self.state, self.extras))
        self.page.show_notes(notes)
        self.set_playing(self.playing)

    def drawn_weights(self):
        return [w.data for w in self.run.weights]

    def inspected_input(self, timestamp_ms):
        """The point whose activations the network shows: the hovered one, else a training point that
        changes every SECONDS_PER_INPUT (held still for viewers who ask for reduced motion)."""
        if self.hovered_point is not None:
            return self.hovered_point
        points = self.run.X_train
        if not len(points):
            return None
        if self.page.prefers_reduced_motion():
            return points[0]
        return points[int(timestamp_ms / 1000 / SECONDS_PER_INPUT) % len(points)]

    def neuron_shades(self, outputs):
        """Layer outputs scaled into [-1, 1] for colour: each feature by the largest magnitude it reaches
        on the plane, hidden units as they are (clipped), the output as `Run.output_shade` does."""
        features = outputs[0] / feature_ranges(self.state.features)
        hidden = [np.clip(np.nan_to_num(h), -1.0, 1.0) for h in outputs[1:-1]]
        return [features, *hidden, self.run.output_shade(np.nan_to_num(outputs[-1]))]

    def neurons_at(self, point):
        """Every neuron's value at one point of the plane, as printed and as shaded."""
        outputs = self.run.layer_outputs(np.asarray(point, dtype=np.float64)[None, :])
        values = [layer[0] for layer in outputs[:-1]] + [self.run.output_values(outputs[-1])[0]]
        return values, [layer[0] for layer in self.neuron_shades(outputs)]

    def paint(self, timestamp_ms):
        if self.network.fit() or self.layout is None:
            self.theme = DARK if self.page.prefers_dark() else LIGHT
            self.layout = layout_network(layer_sizes(self.state), self.network.width, self.network.height)
            self.points_stale = True
        resized = self.output.fit()
        self.curve.fit()
        grid_outputs = self.run.layer_outputs(self.grid)
        self.paint_heatmap(grid_outputs)
        if self.points_stale or resized:
            self.paint_points()
        point = self.inspected_input(timestamp_ms)
        if point is not None:
            values, shades = self.neurons_at(point)
        else:
            values, shades = [None] * len(self.layout.centres), [np.zeros(len(c)) for c in self.layout.centres]
        self.paint_thumbnails(grid_outputs)
        weights = self.drawn_weights()
        shown = strongest_edges(weights, MAX_EDGES_DRAWN)
        total = sum(w.size for w in weights)
        paint_network(self.network.context, self.page.path, self.layout, weights, values, shades, self.theme,
                      self.captions(), [label_of(f) for f in self.state.features],
                      (self.thumbnail_image.element, heatmap.THUMBNAIL), shown)
        self.page.set_text("network-note", "" if total <= MAX_EDGES_DRAWN else
                           f"Drawing the {MAX_EDGES_DRAWN} strongest of {total:,} weights.")
        paint_output(self.output.context, self.heatmap_image.element, self.points_image.element,
                     self.output.width, self.output.height, self.theme, point)
        history = np.array(self.run.history).reshape(-1, 4)
        paint_loss_curve(self.curve.context, self.page.path, history[:, :2], self.curve.width, self.curve.height, self.theme)
        self.show_numbers(history)

    def paint_heatmap(self, grid_outputs):
        """The Output canvas's picture: the network's output over the plane, or the hovered neuron's."""
        if self.hovered_neuron is not None:
            layer, index = self.hovered_neuron
            values = self.neuron_shades(grid_outputs)[layer][:, index]
            image = heatmap.diverging_image(values.reshape(self.resolution, -1), self.theme, strength=heatmap.BACKDROP)
            caption = f"Showing {self.neuron_name(layer, index)} over the plane."
        else:
            logits, side = np.nan_to_num(grid_outputs[-1]), self.resolution
            if self.run.classes > 1:
                probabilities = self.run.output_values(logits).reshape(side, side, -1)
                image = heatmap.class_image(probabilities, self.theme, self.state.discretize, heatmap.BACKDROP)
            else:
                shade = self.run.output_shade(logits).reshape(side, side)
                image = heatmap.diverging_image(shade, self.theme, self.state.discretize, heatmap.BACKDROP)
            caption = "Showing the network's output over the plane."
        if self.resolution != heatmap.RESOLUTION:
            caption += f" Drawn on a {self.resolution} \u00d7 {self.resolution} grid to keep this large network interactive."
        self.heatmap_image.put(image)
        self.page.set_text("output-caption", caption)

    def paint_thumbnails(self, grid_outputs):
        """Every neuron's output over the plane as one strip of small images, from the same forward pass."""
        if self.layout.radius < 6:
            return
        side = heatmap.THUMBNAIL
        small = [heatmap.downsample(layer, self.resolution).reshape(side * side, -1) for layer in grid_outputs]
        shades = np.concatenate(self.neuron_shades(small), axis=1).reshape(side, side, -1)
        strip = shades.transpose(0, 2, 1).reshape(side, -1)  # neuron k fills columns k*side .. (k+1)*side
        self.thumbnail_image.put(heatmap.diverging_image(strip, self.theme))

    def paint_points(self):
        ratio = self.page.pixel_ratio()
        width, height = self.output.width, self.output.height
        self.points_image.fit(width, height, ratio)
        colours = lambda labels: point_colours(labels, self.run.regression, self.run.classes, self.theme)
        paint_points(self.points_image.context, width, height, (self.run.X_train, colours(self.run.y_train)),
                     (self.run.X_test, colours(self.run.y_test)), self.theme, self.state.show_test)
        self.points_stale = False

    def show_numbers(self, history):
        self.page.set_text("epoch", str(self.run.epoch))
        train, test, train_accuracy, test_accuracy = history[-1] if len(history) else self.run.measure()
        for element, value in (("train-loss", train), ("test-loss", test)):
            self.page.set_text(element, "–" if np.isnan(value) else f"{value:.3f}")
        for element, value in (("train-accuracy", train_accuracy), ("test-accuracy", test_accuracy)):
            self.page.set_text(element, "–" if np.isnan(value) else f"{100 * value:.1f}%")

    def captions(self):
        hidden = [f"Hidden {i + 1}" for i in range(len(self.state.hidden))]
        return ["Features", *hidden, "Output"]

    def neuron_name(self, layer, index):
        if layer == 0:
            return f"feature {self.state.features[index]}"
        if layer == len(self.layout.centres) - 1:
            return f"output {index + 1}" if self.run.classes > 1 else "the output"
        return f"hidden layer {layer}, neuron {index + 1}"

    def describe_neuron(self):
        return f"Hovering {self.neuron_name(*self.hovered_neuron)}." if self.hovered_neuron else ""

    def describe_edge(self, edge):
        layer, to_neuron, from_neuron = edge
        weight = self.run.weights[layer].data[to_neuron, from_neuron]
        return (f"Weight from {self.neuron_name(layer, from_neuron)} to {self.neuron_name(layer + 1, to_neuron)}: "
                f"{weight:.3f}")


def feature_ranges(features):
    """The largest magnitude each feature reaches on the plane, so its thumbnail spans the colour scale."""
    ranges = {"x1": INPUT_RANGE, "x2": INPUT_RANGE, "x1^2": INPUT_RANGE**2, "x2^2": INPUT_RANGE**2,
              "x1x2": INPUT_RANGE**2, "sin(x1)": 1.0, "sin(x2)": 1.0}
    return np.array([ranges[name] for name in features])


def label_of(feature):
    """A feature's name as the network view prints it."""
    return feature.replace("x1", "x\u2081").replace("x2", "x\u2082").replace("^2", "\u00b2")
