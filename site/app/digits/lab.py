"""The digits lab: draw a digit and watch what a network trained on MNIST makes of it, the MLP 784-64-32-10 or
a LeNet-5-style CNN, layer by layer; train either from scratch, keep its weights.

The controller never touches the browser itself: like the playground it talks to a `page` (`app.browser`
in the browser, a stand-in in tests) that reports what the user does and draws what it is told. Work
happens in `frame`, at most once per animation frame, so a pen that sends many events per frame costs
one forward and backward pass per frame.

Which network is shown is a setting of the page's link (`digits_model`), kept by the playground's settings
table like the open room: main.py passes it to `follow` each frame, and `choose` (given by main.py) asks for
it to change when a model is opened (opened_models.py reads it; `hand_over`, given by main.py, takes what is
for the playground).
"""
import io
import time
from typing import NamedTuple

import numpy as np

from engine import weights

from app.digits import digit_traces, mnist, mnist_models, mnist_pipeline
from app.digits.bars_view import bar_at, paint_bars
from app.digits.cnn_inspect import inspect
from app.digits.held_out import HeldOutScore
from app.digits.layers import STATS_HEADER, describe_filters, describe_shape, slabs_of, statistics_rows, weights_behind
from app.digits.map_images import atlas, coloured, face_picture, filter_picture, magnitude
from app.digits.maps_view import cell_at, map_at, paint_picture, paint_values
from app.digits.mlp_panel import MlpPanel
from app.digits.opened_models import OpenedModel, OpenedModels
from app.digits.pad_view import ink_image, paint_pad
from app.digits.pass_animation import duration_ms, pass_at, shows_gradient
from app.digits.slab_geometry import fit_camera, layout_slabs, slab_at, turned
from app.digits.slab_view import paint_slabs
from app.digits.strokes import Strokes
from app.digits.trace_panel import TracePanel
from app.digits.training_panel import TrainingPanel
from app.shared.frames import FrameLoop
from app.shared.palette import DARK, LIGHT

NETWORKS = mnist_models.NETWORKS
TRAIN_BUDGET_S = 0.012       # training (or scoring) time per animation frame, so drawing and the playground stay smooth
TRAINING_REPAINT_MS = 300    # how often the views follow the weights while they train
SHOWN_ORDER_SEED = 0         # the held-out digits are stored 0s first; Show a test digit goes through them shuffled
EMPTY_PAD = ("Draw a digit on the pad (or press Show a test digit): with nothing drawn there is nothing to read, "
             "so no prediction is shown.")
CLICK_SLOP = 4               # pixels a press may move on the model view and still count as a click

# The lab's part of the page, each element named `digit-<name>` in site/index.html.
CANVASES = ("pad", "slabs", "maps", "map", "bars")  # these answer the pointer
POINTER_KINDS = ("down", "move", "up", "cancel", "leave", "dblclick")  # a press captures the pointer
ACTIONS = ("clear", "undo", "test-digit", "animate", "train", "save")  # buttons
CONTROLS = ("target", "layer", "overlay", "scaling")  # menus and a checkbox
LAB = "#digits-lab"  # its data-model names the network shown; the stylesheet shows that network's views


class Weights(NamedTuple):
    """A network's weights in use, what its file records beside them, and where they came from, in words."""

    model: object
    meta: dict
    origin: str


class DigitsLab:
    """Owns the networks' weights, the drawing, the views and a training run; the page calls `pointer`, `act`,
    `change`, `open_model` and `follow`, and the lab's own frame loop calls `frame`."""

    def __init__(self, page, shipped, digits, chosen="cnn", choose=lambda name: None,
                 hand_over=lambda name, data: None):
        self.page, self.digits, self.choose = page, digits, choose
        self.weights = dict(shipped)  # network name -> Weights
        self.opened = OpenedModels(page, digits, hand_over, digit_traces.read)  # the Model menu: ours and files opened
        self.theme = DARK if page.prefers_dark() else LIGHT
        self.reduced_motion = page.prefers_reduced_motion()
        self.loop = FrameLoop(page.AnimationFrames, self.on_frame)
        self.mlp = MlpPanel(page, self.theme, self.reduced_motion)  # the MLP's own views
        self.canvases = {name: page.canvas(f"digit-{name}") for name in
                         ("pad", "input", "saliency", "bars", "slabs", "maps", "gradients", "filters", "map")}
        self.images = {name: page.pixels() for name in ("input", "saliency", "faces", "maps", "gradients", "filters", "map")}
        # The lab opens on a held-out digit, so every view shows a real digit before anything is drawn.
        self.shown_order = np.random.default_rng(SHOWN_ORDER_SEED).permutation(len(digits.test_labels))
        self.shown, self.sample = 0, int(self.shown_order[0])  # the place in that order; the digit shown or None
        self.strokes, self.target, self.frame_on_pad = Strokes(), None, None
        self.camera = self.drag = self.last_pointer = None
        self.animation_started, self.hovered_cell = None, None
        self.training_panel, self.repainted_at, self.score = TrainingPanel(page, digits, self.theme), 0.0, None
        self.trace_panel = TracePanel(page, self.theme)  # a trace's step control
        self.inspection = self.levels = self.maps_placement = self.map_placement = None
        self.network, self.names, self.overlay, self.slabs_stale = None, None, True, True
        self.page.show_options("digit-model-choice", self.opened.options(), chosen)
        self.follow(self.opened.known(chosen))

    # ---- what the user does --------------------------------------------------------------------------
    def pointer(self, canvas, kind, x, y):
        """A pointer went "down", "move"d, went "up", was cancelled ("cancel"), "leave"s or double-clicked
        ("dblclick") on a canvas, at CSS (x, y)."""
        if canvas == "pad":
            self.draw(kind, x, y)
        elif canvas == "slabs":
            previous, self.last_pointer = self.last_pointer, (x, y)
            dx, dy = (x - previous[0], y - previous[1]) if previous and kind == "move" else (0.0, 0.0)
            self.turn(kind, x, y, dx, dy)
        elif canvas == "maps" and kind == "down" and self.maps_placement is not None:
            index = map_at(self.maps_placement, self.slab_values(self.selected).shape, x, y)
            if index is not None:
                self.channel = index
                self.paint_inspector()
        elif canvas == "map" and self.map_placement is not None:
            self.hovered_cell = cell_at(self.map_placement, self.enlarged_values()[0], x, y) if kind == "move" else None
            self.paint_enlarged()
        elif canvas == "bars" and kind == "down":
            digit = bar_at(x, self.canvases["bars"].width, len(self.inspection.probabilities))
            self.change("target", "auto" if digit is None or digit == self.target else str(digit))
            self.page.set_value("digit-target", "auto" if self.target is None else str(self.target))

    def draw(self, kind, x, y):
        if kind == "down":
            self.sample = None
            self.strokes.begin(x, y)
            self.stale = True
        elif kind == "move" and self.strokes.extend(x, y):
            self.stale = True
        elif kind in ("up", "cancel") and self.strokes.drawing:
            self.strokes.end()
            self.stale = self.animate = True

    def turn(self, kind, x, y, dx, dy):
        if kind == "down":
            self.drag = 0.0
        elif kind == "move" and self.drag is not None:
            self.drag += abs(dx) + abs(dy)
            if self.drag > CLICK_SLOP:
                view, canvas = turned(self.camera, dx, dy), self.canvases["slabs"]
                self.camera = fit_camera(self.slabs, canvas.width, canvas.height, view.yaw, view.pitch)
                self.slabs_stale = True
        elif kind == "up" and self.drag is not None:
            if self.drag <= CLICK_SLOP:
                index = slab_at(self.camera, self.slabs, x, y)
                if index is not None:
                    self.select(index)
            self.drag = None
        elif kind == "dblclick":
            self.camera = None
            self.slabs_stale = True
        elif kind == "leave":
            self.drag = None

    def act(self, action):
        """A button: clear, undo, test-digit, animate, train (toggles), save."""
        if action in ("clear", "undo"):
            self.sample = None
            self.strokes.clear() if action == "clear" else self.strokes.undo()
            self.stale = self.animate = True
        elif action == "test-digit":
            self.strokes.clear()
            self.shown = (self.shown + 1) % len(self.shown_order)
            self.sample = int(self.shown_order[self.shown])
            self.stale = self.animate = True
        elif action == "animate":
            self.animate = True
            self.slabs_stale = True
        elif action == "train":
            self.stop_training() if self.training else self.start_training()
        elif action == "save":
            self.save_weights()

    def change(self, name, value):
        """A control changed: target (a digit or "auto"), layer (a slab index), overlay ("true"/"false"),
        scaling (an opened model's: a name in held_out.SCALINGS), trace-step (a trace's step)."""
        if name == "target":
            self.target = None if value == "auto" else int(value)
            self.stale = True
        elif name == "layer":
            self.select(int(value))
        elif name == "overlay":
            self.overlay = value == "true"
            self.paint_pad()
        elif name == "scaling" and self.opened.rescale(self.network, value):
            self.stale = True
            self.describe_weights()
        elif name == "trace-step" and (held := self.trace_panel.seek(self.network, value)):
            self.weights[self.network.name] = Weights(*held)  # the trace's network as it stood at that step
            self.show_weights()

    def select(self, index):
        """Open a slab's maps in the inspector below the model view."""
        self.selected, self.channel, self.hovered_cell = index, 0, None
        self.page.set_value("digit-layer", str(index))
        self.slabs_stale = True
        self.paint_inspector()

    def wake(self):
        """Ask for frames again: something changed that the lab must show."""
        self.loop.play()

    # ---- the networks ------------------------------------------------------------------------------------
    def follow(self, name):
        """Show the network the Model menu names ("mlp", "cnn" or an opened model's file name), with the weights
        it last had here. The drawing stays: the other network reads it at once. A name the lab does not know
        (a link's, of a model opened from a file) changes nothing."""
        network = self.opened.network(name)
        if network is None or network is self.network:
            return
        self.stop_training()
        self.network = network
        self.page.set_value("digit-model-choice", name)
        self.page.set_attribute(LAB, "data-model", network.views)
        self.page.set_text("digit-save", f"Save {network.short} weights")
        self.page.set_attribute("#digit-train", "disabled", network.build is None)  # no recipe for an opened model
        self.opened.show_scaling(network)
        if self.trace_panel.show(network):  # a trace left: the curves' canvas is the training run's again
            self.paint_training()
        self.show_weights()
        self.wake()

    def show_weights(self):
        """The chosen network's weights in every view from now on; a model of another shape gets a new
        model view and layer list."""
        held = self.weights[self.network.name]
        probe = slabs_of(self.model_inspection(np.zeros((mnist.SIZE, mnist.SIZE))))
        names = [slab.name for slab in probe]
        if names != self.names:
            self.names = names
            self.slabs = layout_slabs([slab.values.shape for slab in probe])
            self.camera, self.selected, self.channel = None, min(1, len(self.slabs) - 1), 0
            self.page.show_options("digit-layer", [(str(i), name) for i, name in enumerate(names)], str(self.selected))
        opened = isinstance(self.network, OpenedModel)  # counted under each scaling once, when it was opened
        self.score = self.network.score if opened else HeldOutScore(held.model, self.network.as_input, self.digits)
        self.stale = self.animate = True
        self.describe_weights()

    @property
    def model(self):
        return self.weights[self.network.name].model

    def model_inspection(self, image):
        return inspect(self.model, image, self.target, self.network.input_shape)

    def open_model(self, name, data, origin="from your file", dropped=False):
        """A file chosen with Open a model, `dropped` on the page, or fetched for a #model= link: a model for
        digits joins the Model menu and is shown; what is for the playground goes there; anything else is
        refused, saying why, and the model in use stays (see OpenedModels.open)."""
        opened = self.opened.open(name, data, origin, dropped)
        if opened is not None:
            self.stop_training()
            self.weights[name] = Weights(opened.model, opened.meta, opened.origin)
            self.choose(name)  # the link's setting changes, and the page then follows it
            self.follow(name)

    async def open_link_model(self, url):
        """Fetch the model a #model= link names, from the site's own files, and open it as a chosen file is."""
        fetched = await self.opened.fetch(url)
        if fetched is not None:
            self.open_model(*fetched, origin=f"from {url}")
            self.wake()

    def save_weights(self):
        """Download the current weights with what is known of how they were made: their file's record (the
        recipe), and their held-out accuracy as this page measured it, once it has."""
        buffer = io.BytesIO()
        held, score = self.weights[self.network.name], self.score
        measured = {} if not score.done else {"test_correct": score.correct, "test_count": score.scored,
                                              "test_accuracy": score.correct / score.scored}
        weights.save(held.model, buffer, meta={**held.meta, **measured})
        self.page.download(self.network.weights_file.name, buffer.getvalue())

    def describe_weights(self):
        """Which weights are in use, and how many held-out digits they recognise (while they train, the
        curves below say that after each epoch)."""
        held = self.weights[self.network.name]
        scored = "Their held-out accuracy is measured after each epoch." if self.training else str(self.score)
        self.page.set_text("digit-model", f"{self.network.title}, weights: {held.origin}. {scored}")

    # ---- training ------------------------------------------------------------------------------------
    @property
    def training(self):
        return self.training_panel.training

    def start_training(self):
        self.weights[self.network.name] = Weights(*self.training_panel.start(self.network))
        self.show_weights()

    def stop_training(self):
        stopped = self.training_panel.stop()
        if stopped is not None:
            self.weights[self.network.name] = Weights(*stopped)
            self.show_weights()

    def score_for(self, budget_s):
        started = time.perf_counter()
        while not self.score.done and time.perf_counter() - started < budget_s:
            self.stale |= self.score.advance(budget_s)  # True when an opened model's scaling is found: read again
        if self.score.done:
            self.opened.show_scaling(self.network)
        self.describe_weights()

    # ---- each frame ----------------------------------------------------------------------------------
    def on_frame(self, timestamp_ms):
        try:
            busy = self.frame(timestamp_ms)
        except Exception as error:
            self.page.set_text("digit-message", f"The digits lab stopped: {type(error).__name__}: {error}")
            raise
        if not busy:
            self.loop.pause()  # nothing to do until the user does something

    def frame(self, timestamp_ms):
        """Do what is pending: a few training batches (or held-out digits scored), a new inspection, the
        animation. A frame that repaints the views trains nothing, so no frame does both. Returns whether
        more frames are needed (False lets the lab's loop stop asking for them)."""
        if self.training and timestamp_ms - self.repainted_at >= TRAINING_REPAINT_MS:
            self.stale = True
        if self.stale:
            self.repainted_at = timestamp_ms
            self.update()
        elif self.training:
            if self.training_panel.train_for(TRAIN_BUDGET_S):
                self.stop_training()
            self.paint_training()
        elif not self.score.done:
            self.score_for(TRAIN_BUDGET_S)
        if self.animate:  # the pass runs through the CNN's slabs; the MLP has none to show it on
            self.animate = False
            self.animation_started = timestamp_ms if self.shows_layers and not self.reduced_motion else None
            self.slabs_stale = True
        animating = self.animation_started is not None and timestamp_ms - self.animation_started < duration_ms(len(self.slabs))
        if self.shows_layers and (self.slabs_stale or animating or self.animation_started is not None):
            self.paint_slabs(timestamp_ms)
        if not animating:
            self.animation_started = None
        moving = not self.shows_layers and self.mlp.animate(timestamp_ms)  # the MLP's walkthrough
        return self.training or animating or moving or self.stale or not self.score.done

    @property
    def shows_layers(self):
        """Whether the CNN's own views are on the page: its feature maps, filters and slabs."""
        return self.network.views == "cnn"

    def current_digit(self):
        """The network's input now: a held-out digit, or the drawing made into a digit as MNIST's were."""
        if self.sample is not None:
            return mnist_pipeline.Digit(self.digits.test_images[self.sample], None)
        pad = self.canvases["pad"]
        return mnist_pipeline.from_strokes(self.strokes.strokes, mnist_pipeline.pen_width(pad.width, pad.height))

    def update(self):
        """One forward and backward pass for the input as it stands, and every view that shows it."""
        self.stale = False
        for canvas in self.canvases.values():
            canvas.fit()
        digit = self.current_digit()
        self.levels, self.frame_on_pad = digit.levels, digit.frame
        self.inspection = self.model_inspection(self.network.as_input(self.levels).reshape(self.levels.shape))
        self.views = slabs_of(self.inspection)
        probabilities = self.inspection.probabilities
        self.page.set_data("digit-pad", "input", " ".join(map(str, self.levels.ravel().tolist())))
        self.page.set_data("digit-bars", "probabilities", " ".join(map(repr, probabilities.tolist())))
        self.show_reading()
        self.page.set_text("digit-saliency-note", f"Gradient of the score of {self.inspection.target}"
                                                  f"{' (the prediction)' if self.target is None else ''} with respect to "
                                                  "each input pixel: blue raises it, orange lowers it.")
        bars = self.canvases["bars"]
        paint_bars(bars.context, None if self.empty else probabilities, self.inspection.target, bars.width,
                   bars.height, self.theme)
        self.paint_input()
        self.paint_pad()
        self.show_statistics()
        if self.shows_layers:
            self.paint_inspector()
            self.build_faces()
            self.slabs_stale = True
        else:
            self.mlp.show(self.model, self.network.as_input(self.levels)[0], self.target, self.true_label)

    @property
    def empty(self):
        """Nothing to read: no held-out digit shown and nothing drawn."""
        return self.sample is None and not self.strokes

    @property
    def true_label(self):
        """A shown held-out digit's label; None for a drawing."""
        return None if self.sample is None else int(self.digits.test_labels[self.sample])

    def show_reading(self):
        """The predicted digit and a shown digit's true label in their outputs, and the reading in words."""
        predicted = int(self.inspection.probabilities.argmax())
        label = self.true_label
        self.page.set_text("digit-prediction", "" if self.empty else str(predicted))
        self.page.set_text("digit-label", "" if label is None else str(label))
        what = "your drawing" if label is None else f"a held-out digit labelled {label}"
        self.page.set_text("digit-reading", EMPTY_PAD if self.empty else
                           f"The {self.network.short} reads {what} as {predicted} "
                           f"({100 * self.inspection.probabilities[predicted]:.1f}%).")

    # ---- the pictures --------------------------------------------------------------------------------
    def slab_values(self, index, gradient=False):
        """What slab `index` shows: (channels, h, w) maps or (units,), its values or their gradient."""
        return self.views[index].gradient if gradient else self.views[index].values

    def build_faces(self):
        """Every slab's face picture, values then gradients, in one atlas put to the page once."""
        pictures = [face_picture(self.slab_values(i, gradient)) for gradient in (False, True) for i in range(len(self.slabs))]
        sheet, self.face_places = atlas([coloured(picture, self.theme) for picture in pictures])
        self.images["faces"].put(sheet)

    def paint_slabs(self, timestamp_ms):
        self.slabs_stale = False
        canvas = self.canvases["slabs"]
        if self.camera is None:
            self.camera = fit_camera(self.slabs, canvas.width, canvas.height)
        state = pass_at(timestamp_ms - self.animation_started if self.animation_started is not None else 1e12,
                        len(self.slabs))
        count = len(self.slabs)
        places = [self.face_places[i + count if shows_gradient(state, i) else i] for i in range(count)]
        paint_slabs(canvas.context, self.page.path, self.camera, self.slabs, self.names, self.images["faces"].element,
                    places, state, self.selected, canvas.width, canvas.height, self.theme,
                    int(self.inspection.probabilities.argmax()))

    def paint_pad(self):
        canvas = self.canvases["pad"]
        if self.sample is not None:  # a held-out digit: its 28x28 grey levels, as large as the pad
            paint_picture(canvas.context, self.images["input"].element, (0, 0, mnist.SIZE, mnist.SIZE), canvas.width,
                          canvas.height, self.theme)
            return
        overlay = self.images["saliency"].element if self.overlay and self.strokes else None
        paint_pad(canvas.context, self.page.path, self.page.polyline, self.strokes.strokes, self.frame_on_pad, overlay,
                  canvas.width, canvas.height, self.theme)

    def paint_input(self):
        self.images["input"].put(ink_image(self.levels, self.theme))
        self.paint_picture("saliency", self.inspection.saliency)
        canvas = self.canvases["input"]
        paint_picture(canvas.context, self.images["input"].element, (0, 0, mnist.SIZE, mnist.SIZE), canvas.width,
                      canvas.height, self.theme)

    def paint_inspector(self):
        """The selected layer: its maps, their gradients, its filters, one map enlarged."""
        values, gradient = self.slab_values(self.selected), self.slab_values(self.selected, gradient=True)
        name = self.names[self.selected]
        self.maps_placement = self.paint_picture("maps", face_picture(values))
        self.paint_picture("gradients", face_picture(gradient))
        weighted, weight = weights_behind(self.views, self.selected)
        self.paint_picture("filters", filter_picture(weight) if weight is not None else face_picture(values))
        self.channel = min(self.channel, values.shape[0] - 1)
        self.page.set_text("digit-maps-note", f"{name}: {describe_shape(values.shape)}, coloured by the layer's "
                                              "largest magnitude. Click a map to enlarge it.")
        self.page.set_text("digit-filters-note", describe_filters(name, weighted, weight,
                                                                  self.views[self.selected].module))
        self.paint_enlarged()

    def paint_picture(self, name, picture):
        rgba = coloured(picture, self.theme)
        self.images[name].put(rgba)
        canvas = self.canvases[name]
        return paint_picture(canvas.context, self.images[name].element, (0, 0, rgba.shape[1], rgba.shape[0]),
                             canvas.width, canvas.height, self.theme)

    def enlarged_values(self):
        values, gradient = self.slab_values(self.selected), self.slab_values(self.selected, gradient=True)
        if values.ndim == 1:
            return values[:, None], gradient[:, None]
        return values[self.channel], gradient[self.channel]

    def paint_enlarged(self):
        values, gradient = self.enlarged_values()
        rgba = coloured(values, self.theme, magnitude(self.slab_values(self.selected)))
        self.images["map"].put(rgba)
        canvas = self.canvases["map"]
        self.map_placement = paint_picture(canvas.context, self.images["map"].element, (0, 0, values.shape[1],
                                           values.shape[0]), canvas.width, canvas.height, self.theme)
        paint_values(canvas.context, self.map_placement, values, rgba, self.theme, self.hovered_cell)
        name = self.names[self.selected]
        where = name if values.shape[1] == 1 else f"{name}, map {self.channel + 1}"
        if self.hovered_cell is not None:
            row, column = self.hovered_cell
            text = (f"{where}, row {row + 1}, column {column + 1}: value {values[row, column]:.4f}, "
                    f"gradient {gradient[row, column]:.4g}")
        else:
            text = f"{where}, enlarged. Hover a cell to read its value and its gradient."
        self.page.set_text("digit-map-note", text)

    def show_statistics(self):
        self.page.show_table("digit-stats", STATS_HEADER, statistics_rows(self.views))

    def paint_training(self):
        self.training_panel.paint()


async def start(page, chosen="cnn", choose=lambda name: None, hand_over=lambda name, data: None):
    """Download the digits and both networks' shipped weights, open the lab on the `chosen` network and send it
    the page's events; returns it. `choose(name)` asks the page to change the Model setting; `hand_over(name,
    data)` gives the playground a file that is for it."""
    digits = mnist.load(io.BytesIO(await page.fetch_bytes(str(mnist.FILE))))
    shipped = {}
    for name, network in NETWORKS.items():
        model, meta = weights.load(io.BytesIO(await page.fetch_bytes(str(network.weights_file))))
        shipped[name] = Weights(model, meta, "the shipped weights")
    lab = DigitsLab(page, shipped, digits, chosen, choose, hand_over)

    def waking(handler):
        def handle(*args):
            handler(*args)
            lab.wake()
        return handle

    for canvas in CANVASES:
        page.listen(f"digit-{canvas}", POINTER_KINDS,
                    waking(lambda kind, x, y, shift, canvas=canvas: lab.pointer(canvas, kind, x, y)))
    for action in ACTIONS:
        page.listen(f"digit-{action}", ("click",), waking(lambda kind, x, y, shift, action=action: lab.act(action)))
    for name in CONTROLS:
        page.listen(f"digit-{name}", ("change",), waking(lambda kind, value, name=name: lab.change(name, value)))
    page.listen("digit-open", ("file",), waking(lambda kind, name, data: lab.open_model(name, data)))
    page.listen("digit-trace-step", ("input",), waking(lambda kind, value: lab.change("trace-step", value)))
    lab.mlp.listen(page, waking)
    lab.update()
    lab.paint_training()
    return lab
