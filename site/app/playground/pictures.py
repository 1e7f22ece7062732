"""The pictures of the run: the Network view, the Output plane and the loss curve, with their canvases,
layout, pixel layers, the plane's grid and the numbers shown beside them.

They read the run that trains through a callable (`run()`), never keep it, so a new run needs no
hand-over beyond `use_run`; what the pointer, the walkthrough and the diagnostics add comes in as arguments.
"""
import numpy as np

from app.playground import plane
from app.playground.curve_view import paint_loss_curve
from app.playground.network_layout import layout_network
from app.playground.network_view import WEIGHT_FOR_MAX_WIDTH, label_room, paint_network, strongest_edges
from app.playground.output_view import paint_output, paint_points, paint_pulls, point_colours
from app.playground.run import INPUT_RANGE
from app.playground.stepthrough.particles_view import paint_links
from app.playground.stepthrough.walkthrough import colour_key
from app.playground.summary import label_of, points_note
from app.shared.colour_key import key_line
from app.shared.growing_rows import GrowingRows
from app.shared.numbers import number
from app.shared.palette import DARK, LIGHT

MAX_EDGES_DRAWN = 600  # past this, only the strongest edges are drawn (and the page says so)
# What the Output plane's colours mean, for each kind of output a run gives. "Greyer" is true in both themes:
# the unsure middle of the scale is a grey, light on a light page and dark on a dark one.
LEGEND_NOTES = {
    "binary": "Orange is class 0, blue class 1; the greyer, the less sure the network is.",
    "classes": "Each colour is the class the network favours there, greyer where it is less sure.",
    "regression": "The predicted value: orange below 0, blue above, full colour from −1 and 1 out.",
}
# What the crosshair on the plane is, said under it whenever it is drawn, with what a click there does (a
# learner's first try, which turns the dataset into their own points).
CROSSHAIR_NOTE = ("\u2295 marks the input whose values the Network shows; hover to move it, click to add a point there, "
                  "or click a training point to see how it alone pulls each weight.")
CHOSEN_NOTE = "The ringed training point is chosen: click it again, or press Escape here, to let go."


class Pictures:
    """The "network", "output" and "loss-curve" canvases of `page`, painted from `run()`."""

    def __init__(self, page, run):
        self.page, self.run = page, run
        self.network, self.output = page.canvas("network"), page.canvas("output")
        self.curve = page.canvas("loss-curve")
        self.heatmap_image, self.points_image, self.thumbnail_image = page.pixels(), page.pixels(), page.pixels()
        self.walkthrough_image = page.pixels()  # the walkthrough's still picture, drawn when it changes
        self.theme = theme_of(page)
        self.layout = None                  # where the Network view's neurons sit; None: placed at the next paint
        self.density = 1                    # the Network and Output canvases' pixels, times the screen's
        self.points_stale = True            # the points' layer is drawn again at the next paint
        self.resolution = plane.RESOLUTION  # the plane's grid, for the size of the network that trains
        self.grid = plane.plane_grid(self.resolution)
        self.numbers = (np.nan,) * 4        # the losses and accuracies shown, which a picture's caption repeats
        self.history_rows = GrowingRows(4)  # the run's history as an array, for the loss curve
        self.pulls_shown = False            # whether the points' layer shows a weight's pulls (see `paint_plane`)
        self.edges_show = None              # what the Network's colour key was last built for by `paint_network`
        self.show_axes()

    def use_run(self):
        """A new run: its network is placed afresh, its points drawn again, the plane's grid fits its size
        (see `plane.grid_resolution`), whether the controls or the code built it, and the legend its output
        and its points."""
        run = self.run()
        self.layout, self.points_stale = None, True
        self.resolution = plane.grid_resolution(sum(run.layer_sizes()[1:-1]))
        self.grid = plane.plane_grid(self.resolution)
        self.page.set_data("output-panel", "kind", output_kind(run))  # the stylesheet shows the legend's key for it
        self.show_legend()

    def resized(self):
        """Whether a canvas changed size since it was last fitted (then the network is placed again)."""
        if self.network.fit() | self.output.fit() | self.curve.fit():
            self.layout = None
            return True
        return False

    def fit(self):
        """Fit the canvases to their size and density; place the network again when the Network canvas
        changed (the theme is read again then too)."""
        if self.network.fit(self.density) or self.layout is None:
            self.theme = theme_of(self.page)
            self.layout = layout_network(self.run().layer_sizes(), self.network.width, self.network.height,
                                         left=label_room(self.network.context, self.input_labels()))
            self.points_stale = True
        self.points_stale |= self.output.fit(self.density)
        self.curve.fit()

    # ---- the network's numbers and names ---------------------------------------------------------------
    def neurons_at(self, point):
        """Every neuron's value at one point of the plane, as printed and as shaded."""
        run = self.run()
        outputs = run.layer_outputs(np.asarray(point, dtype=np.float64)[None, :])
        values = [layer[0] for layer in outputs[:-1]] + [run.output_values(outputs[-1])[0]]
        return values, [layer[0] for layer in neuron_shades(run, outputs)]

    def neuron_name(self, layer, index):
        run = self.run()
        if layer == 0:
            return f"feature {run.state.features[index]}"
        if layer == len(self.layout.centres) - 1:
            return f"output {index + 1}" if run.classes > 1 else "the output"
        return f"hidden layer {layer}, neuron {index + 1}"

    def describe_edge(self, edge):
        layer, to_neuron, from_neuron = edge
        weight = self.run().weights[layer].data[to_neuron, from_neuron]
        return (f"Weight from {self.neuron_name(layer, from_neuron)} to {self.neuron_name(layer + 1, to_neuron)}: "
                f"{weight:.3f}")

    def drawn_weights(self):
        return [w.data for w in self.run().weights]

    def captions(self):
        """The Network view's layer captions."""
        hidden = [f"Hidden {i + 1}" for i in range(len(self.run().state.hidden))]
        return ["Features", *hidden, "Output"]

    def input_labels(self):
        """The features' names as the Network view prints them by its inputs."""
        return [label_of(f) for f in self.run().state.features]

    # ---- the Output plane ------------------------------------------------------------------------------
    def show_axes(self):
        """The plane's tick labels, under it (x1) and beside it (x2): text around the canvas, each placed
        (--at, a share of the side) where `plane.to_plane` puts its value, so the picture stays all plane."""
        ticks = plane.axis_ticks()
        for element, side in (("plane-x-ticks", 0), ("plane-y-ticks", 1)):
            places = [plane.to_plane((value, value), 1, 1)[side] for value in ticks]
            self.page.build(element, [("span", {"style": f"--at: {100 * at:g}%"}, number(value))
                                      for value, at in zip(ticks, places)])

    def paint_plane(self, grid_outputs, hovered_neuron, point, chosen=None, pulls=None):
        """The Output canvas: the network's output over the plane (or the hovered neuron's), the points on
        it, a crosshair at `point` (or none) and a ring around the `chosen` training point (or none); the caption
        says which output it shows and what the marks are. With `pulls` ((what, each training point's ∂Lᵢ/∂w)
        for the part pointed at), the training points show them instead of their labels (`paint_pulls`)."""
        caption = self.paint_heatmap(grid_outputs, hovered_neuron)
        notes = [caption] + ([CROSSHAIR_NOTE] if point is not None else []) + ([CHOSEN_NOTE] if chosen is not None else [])
        self.page.set_text("output-caption", " ".join(notes))
        if pulls is not None:
            self.paint_pulls(*pulls)
        elif self.points_stale or self.pulls_shown:
            self.paint_points()
        paint_output(self.output.context, self.heatmap_image.element, self.points_image.element,
                     self.output.width, self.output.height, self.theme, point, chosen)

    def paint_pulls(self, what, pulls):
        """The points' layer as the training points' pulls on one parameter (`what`, in words), and their key."""
        run, width, height = self.run(), self.output.width, self.output.height
        self.points_image.fit(width, height, self.output.pixel_ratio)
        paint_pulls(self.points_image.context, width, height, run.X_train, pulls, self.theme)
        largest = float(np.abs(pulls).max()) if len(pulls) else 0.0
        self.page.build("pull-key", key_line(
            "Point colour", f"the sign of \u2202L\u1d62/\u2202{what}, how training point i alone pulls it",
            "blue +: its step lowers it", "orange \u2212: raises it", "size",
            f"|\u2202L\u1d62/\u2202{what}|, largest {number(largest)}") + [
            ("span", {}, " Test points do not train, so they pull nothing and are not drawn.")])
        self.pulls_shown, self.points_stale = True, True  # the labels come back once nothing is pointed at

    def paint_heatmap(self, grid_outputs, hovered_neuron):
        """The plane's picture: the network's output over it, or the hovered neuron's; returns the caption
        that says which."""
        run = self.run()
        if hovered_neuron is not None:
            layer, index = hovered_neuron
            values = neuron_shades(run, grid_outputs)[layer][:, index]
            image = plane.diverging_image(values.reshape(self.resolution, -1), self.theme, strength=plane.BACKDROP)
            caption = f"Showing {self.neuron_name(layer, index)} over the plane."
        else:
            image = output_image(run, grid_outputs[-1], self.resolution, self.theme)
            caption = "Showing the network's output over the plane."
        if self.resolution != plane.RESOLUTION:
            caption += f" Drawn on a {self.resolution} \u00d7 {self.resolution} grid to keep this large network interactive."
        self.heatmap_image.put(image)
        return caption

    def paint_points(self):
        """The points' layer (test points as `shows_test` says), and the legend's words on them."""
        run, width, height = self.run(), self.output.width, self.output.height
        self.points_image.fit(width, height, self.output.pixel_ratio)
        colours = lambda labels: point_colours(labels, run.regression, run.classes, self.theme)
        shown = slice(None) if shows_test(run) else slice(0)  # all the test points, or none
        paint_points(self.points_image.context, width, height, (run.X_train, colours(run.y_train)),
                     (run.X_test[shown], colours(run.y_test[shown])), self.theme)
        self.show_legend()
        if self.pulls_shown:
            self.page.build("pull-key", [])
        self.points_stale = self.pulls_shown = False

    def show_legend(self):
        """The legend's words: what the plane's colours mean for the run's output, and which points are test
        points when any are drawn."""
        run = self.run()
        note = points_note(run.state, len(run.X_train), len(run.X_test) if shows_test(run) else 0)
        self.page.set_text("legend-note", f"{LEGEND_NOTES[output_kind(run)]} {note}".strip())

    # ---- the Network view ------------------------------------------------------------------------------
    def paint_network(self, grid_outputs, point, marked, nonfinite, notes, gradients=None):
        """The Network view while training: every neuron's output over the plane and its value at `point`,
        the `marked` parts outlined, the layer where `nonfinite` (the monitor's, or None) appeared framed,
        and `notes` on where the network comes from under it. With `gradients` (one training point's own
        ∂Lᵢ/∂w, a matrix per layer) the edges show them instead of the weights, the largest at full width."""
        if point is not None:
            values, shades = self.neurons_at(point)
        else:
            values, shades = [None] * len(self.layout.centres), [np.zeros(len(c)) for c in self.layout.centres]
        self.paint_thumbnails(grid_outputs)
        weights = self.drawn_weights() if gradients is None else scaled_to_width(gradients)
        self.show_edge_key(gradients)
        shown = strongest_edges(weights, MAX_EDGES_DRAWN)
        total = sum(w.size for w in weights)
        paint_network(self.network.context, self.page.path, self.layout, weights, values, shades, self.theme,
                      self.captions(), self.input_labels(), (self.thumbnail_image.element, plane.THUMBNAIL), shown,
                      None if nonfinite is None or nonfinite.layer is None else nonfinite.layer + 1)
        if marked:
            paint_links(self.network.context, self.page.path, self.layout, marked, self.theme)
        if total > MAX_EDGES_DRAWN:
            notes = [*notes, f"Drawing the {MAX_EDGES_DRAWN} strongest of {total:,} weights."]
        self.page.set_text("network-note", " ".join(notes))

    def show_edge_key(self, gradients):
        """The Network's colour key, when what the edges show changed: the weights (the stepping-through's key
        outside a walked step), or one training point's gradients."""
        shows = "weights" if gradients is None else "gradients"
        if shows == self.edges_show:
            return
        self.edges_show = shows
        if gradients is None:
            self.page.build("network-colours", colour_key())
            return
        largest = max((float(np.abs(g).max()) for g in gradients if g.size), default=0.0)
        self.page.build("network-colours", key_line(
            "Edge colour", "the sign of \u2202L\u1d62/\u2202w, the chosen training point's own gradient",
            "blue +", "orange \u2212", "width", f"|\u2202L\u1d62/\u2202w|, widest at its largest, {number(largest)}"))

    def paint_thumbnails(self, grid_outputs):
        """Every neuron's output over the plane as one strip of small images, from the same forward pass."""
        if self.layout.radius < 6:
            return
        side = plane.THUMBNAIL
        small = [plane.downsample(layer, self.resolution).reshape(side * side, -1) for layer in grid_outputs]
        shades = np.concatenate(neuron_shades(self.run(), small), axis=1).reshape(side, side, -1)
        strip = shades.transpose(0, 2, 1).reshape(side, -1)  # neuron k fills columns k*side .. (k+1)*side
        self.thumbnail_image.put(plane.diverging_image(strip, self.theme))

    def paint_walkthrough(self, walk, marked, timestamp_ms):
        """The Network view of the walkthrough `walk` at this moment, the `marked` parts outlined."""
        self.edges_show = None  # the walkthrough keeps its own key
        walk.paint(self.network.context, self.walkthrough_image, self.page.path, self.layout, self.theme,
                   self.captions(), self.input_labels(), marked, timestamp_ms, self.network.pixel_ratio)

    # ---- the loss curve and the numbers ----------------------------------------------------------------
    def paint_curve(self):
        """The loss curve, and the epoch, losses and accuracies beside it."""
        run = self.run()
        history = self.history_rows.of(run.history)
        paint_loss_curve(self.curve.context, self.page.polyline, history[:, :2], self.curve.width, self.curve.height,
                         self.theme)
        self.page.set_text("epoch", str(run.epoch))
        self.page.set_text("current-lr", "" if run.scheduler is None else f"now {number(run.optimizer.lr)}")
        self.numbers = tuple(history[-1]) if len(history) else run.measure()
        train, test, train_accuracy, test_accuracy = self.numbers
        for element, value in (("train-loss", train), ("test-loss", test)):
            self.page.set_text(element, "–" if np.isnan(value) else f"{value:.3f}")
        for element, value in (("train-accuracy", train_accuracy), ("test-accuracy", test_accuracy)):
            self.page.set_text(element, "–" if np.isnan(value) else f"{100 * value:.1f}%")


def scaled_to_width(gradients):
    """Gradient matrices scaled together so the largest |∂L/∂w| draws as wide as a weight of
    WEIGHT_FOR_MAX_WIDTH: every edge keeps its sign and its size against the others, across layers."""
    largest = max((float(np.abs(g).max()) for g in gradients if g.size), default=0.0)
    return [g * (WEIGHT_FOR_MAX_WIDTH / largest) if largest > 0 else g for g in gradients]


def output_image(run, logits, side, theme):
    """The Output plane's picture of `run`'s output: its `logits` over a side x side grid of the plane as RGBA,
    the class it favours (or the value it predicts) in colour, greyer where it is less sure."""
    if run.classes > 1:
        probabilities = run.output_values(np.nan_to_num(logits)).reshape(side, side, -1)
        return plane.class_image(probabilities, theme, run.state.discretize, plane.BACKDROP)
    shade = run.output_shade(logits).reshape(side, side)
    return plane.diverging_image(shade, theme, run.state.discretize, plane.BACKDROP)


def shows_test(run):
    """Whether the Output plane draws the run's test points: always for your own, so every point you add
    shows; for a dataset's, with "Show test data"."""
    return run.state.show_test or run.state.dataset == "custom"


def output_kind(run):
    """What the run's output is, as the legend tells it: "binary", "classes" or "regression"."""
    return "regression" if run.regression else "classes" if run.classes > 1 else "binary"


def theme_of(page):
    """The palette for the page: dark when the viewer's system asks for it."""
    return DARK if page.prefers_dark() else LIGHT


def neuron_shades(run, outputs):
    """Layer outputs scaled into [-1, 1] for colour: each feature by the largest magnitude it reaches on the
    plane, hidden units as they are (clipped), the output as `Run.output_shade` does. NaN stays NaN: the
    palette shades it neutral."""
    features = outputs[0] / feature_ranges(run.state.features)
    hidden = [np.clip(h, -1.0, 1.0) for h in outputs[1:-1]]
    return [features, *hidden, run.output_shade(outputs[-1])]


def feature_ranges(features):
    """The largest magnitude each feature reaches on the plane, so its thumbnail spans the colour scale."""
    ranges = {"x1": INPUT_RANGE, "x2": INPUT_RANGE, "x1^2": INPUT_RANGE**2, "x2^2": INPUT_RANGE**2,
              "x1x2": INPUT_RANGE**2, "sin(x1)": 1.0, "sin(x2)": 1.0}
    return np.array([ranges[name] for name in features])
