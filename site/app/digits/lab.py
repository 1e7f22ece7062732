"""The CNN lab: draw a digit and watch what each layer of a small CNN makes of it, train it, keep it.

The controller never touches the browser itself: like the playground it talks to a `page` (`app.browser`
in the browser, a stand-in in tests) that reports what the user does and draws what it is told. Work
happens in `frame`, at most once per animation frame, so a pen that sends many events per frame costs
one forward and backward pass per frame.
"""
import io
import time

import numpy as np

from engine import weights

from app.digits import data as digits_data
from app.digits import model as digits_model
from app.digits import optdigits
from app.digits.bars_view import bar_at, paint_bars
from app.digits.cnn_inspect import inspect
from app.shared.frames import FrameLoop
from app.digits.map_images import atlas, coloured, face_picture, filter_picture, magnitude
from app.digits.layers import STATS_HEADER, describe_filters, describe_shape, slabs_of, statistics_rows, weights_behind
from app.digits.maps_view import cell_at, map_at, paint_picture, paint_values
from app.digits.pad_view import ink_image, paint_grid_values, paint_pad
from app.shared.palette import DARK, LIGHT
from app.digits.pass_animation import duration_ms, pass_at, shows_gradient
from app.digits.slab_geometry import fit_camera, layout_slabs, slab_at, turned
from app.digits.slab_view import paint_slabs
from app.digits.strokes import Strokes
from app.digits.training_view import paint_training

TRAIN_BUDGET_S = 0.012       # training time per animation frame, so drawing and the playground stay smooth
TRAINING_REPAINT_MS = 300    # how often the views follow the weights while they train
EMPTY_PAD = ("Draw a digit on the pad (or press Show a test digit): with nothing drawn there is nothing to read, "
             "so no prediction is shown.")
CLICK_SLOP = 4               # pixels a press may move on the model view and still count as a click

# The lab's part of the page, each element named `digit-<name>` in site/index.html.
CANVASES = ("pad", "slabs", "maps", "map", "bars")  # these answer the pointer
POINTER_KINDS = ("down", "move", "up", "cancel", "leave", "dblclick")  # a press captures the pointer
ACTIONS = ("clear", "undo", "test-digit", "animate", "train", "save")  # buttons
CONTROLS = ("target", "layer", "overlay")  # menus and a checkbox


class DigitsLab:
    """Owns the model, the drawing, the views and a training run; the page calls `pointer`, `act`,
    `change`, `load_weights` and `frame`."""

    def __init__(self, page, model, meta, digits):
        self.page, self.digits = page, digits
        self.theme = DARK if page.prefers_dark() else LIGHT
        self.reduced_motion = page.prefers_reduced_motion()
        self.canvases = {name: page.canvas(f"digit-{name}") for name in
                         ("pad", "input", "saliency", "bars", "slabs", "maps", "gradients", "filters", "map", "training")}
        self.images = {name: page.pixels() for name in ("input", "saliency", "faces", "maps", "gradients", "filters", "map")}
        # The lab opens on the first held-out digit, so every view shows a real digit before anything is drawn.
        self.strokes, self.sample, self.target = Strokes(), 0, None
        self.camera = self.drag = self.last_pointer = None
        self.animation_started, self.hovered_cell = None, None
        self.trainer, self.training, self.repainted_at = None, False, 0.0
        self.inspection = self.counts = self.maps_placement = self.map_placement = None
        self.names, self.overlay, self.slabs_stale = None, True, True
        self.use_model(model, meta, "the shipped weights")

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
            self.sample = 0 if self.sample is None else (self.sample + 1) % len(self.digits.test_labels)
            self.stale = self.animate = True
        elif action == "animate":
            self.animate = True
            self.slabs_stale = True
        elif action == "train":
            self.stop_training() if self.training else self.start_training()
        elif action == "save":
            self.save_weights()

    def change(self, name, value):
        """A control changed: target (a digit or "auto"), layer (a slab index), overlay ("true"/"false")."""
        if name == "target":
            self.target = None if value == "auto" else int(value)
            self.stale = True
        elif name == "layer":
            self.select(int(value))
        elif name == "overlay":
            self.overlay = value == "true"
            self.paint_pad()

    def select(self, index):
        """Open a slab's maps in the inspector below the model view."""
        self.selected, self.channel, self.hovered_cell = index, 0, None
        self.page.set_value("digit-layer", str(index))
        self.slabs_stale = True
        self.paint_inspector()

    # ---- the model -----------------------------------------------------------------------------------
    def use_model(self, model, meta, origin):
        """Show `model` from now on; a model of another shape gets a new model view and layer list."""
        self.model, self.meta, self.origin = model, meta, origin
        probe = slabs_of(self.model_inspection(np.zeros((8, 8))))
        names = [slab.name for slab in probe]
        if names != self.names:
            self.names = names
            self.slabs = layout_slabs([slab.values.shape for slab in probe])
            self.camera, self.selected, self.channel = None, min(1, len(self.slabs) - 1), 0
            self.page.show_options("digit-layer", [(str(i), name) for i, name in enumerate(names)], str(self.selected))
        self.stale = self.animate = True
        self.describe_model()

    def model_inspection(self, image):
        return inspect(self.model, image, self.target)

    def load_weights(self, name, data):
        """A weights file chosen with Load CNN weights: use it if it is a model for 8x8 digits; otherwise say
        why and keep the current one."""
        try:
            model, meta = weights.load(io.BytesIO(data))
            scores = model(np.zeros((1, 1, 8, 8)))
            if scores.shape != (1, 10):
                raise ValueError(f"it gives {scores.shape[1:]} outputs for an 8x8 digit; the lab needs 10")
        except Exception as error:  # a wrong file of any kind: nothing changes but the message
            self.page.set_text("digit-message", f"Could not load {name}: {error}. The current weights are kept; "
                                                "choose a .npz saved by Save CNN weights or by build.py train-digits.")
            return
        self.stop_training()
        self.page.set_text("digit-message", "")
        self.use_model(model, meta, f"{name} (loaded)")

    def save_weights(self):
        """Download the current weights with what is known of how they were made (the recipe, the accuracy)."""
        buffer = io.BytesIO()
        weights.save(self.model, buffer, meta=self.meta)
        self.page.download("digits-cnn.npz", buffer.getvalue())

    def describe_model(self):
        _, correct = digits_model.evaluate(self.model, self.digits.test_images, self.digits.test_labels)
        count = len(self.digits.test_labels)
        self.page.set_text("digit-model", f"Weights: {self.origin}. They recognise {correct} of the {count} "
                                          f"held-out digits ({100 * correct / count:.1f}%).")

    # ---- training ------------------------------------------------------------------------------------
    def start_training(self):
        """Train a fresh network with the recipe that made the shipped weights, live, a few batches a frame."""
        self.trainer = digits_model.Trainer(self.digits)
        self.training = True
        self.use_model(self.trainer.model, self.trainer.recipe(), "training from scratch")
        self.page.set_text("digit-train", "Stop training")

    def stop_training(self):
        if not self.training:
            return
        self.training = False
        self.page.set_text("digit-train", "Train from scratch")
        self.meta = {**self.trainer.recipe(), "trained_by": "Train from scratch, in the page"}
        self.origin = f"trained in this page, {self.trainer.epoch} of {self.trainer.epochs} epochs"
        self.describe_model()
        self.stale = True

    def train_for(self, budget_s):
        started = time.perf_counter()
        while not self.trainer.done and time.perf_counter() - started < budget_s:
            self.trainer.step()
        trainer = self.trainer
        loss = trainer.progress[-1][1] if trainer.progress else float("nan")
        status = f"Epoch {trainer.epoch + (0 if trainer.done else 1)} of {trainer.epochs}, batch loss {loss:.3f}"
        if trainer.history:
            status += f"; held-out accuracy after epoch {trainer.history[-1][0]}: {100 * trainer.history[-1][4]:.1f}%"
        self.page.set_text("digit-training-status", status)
        if trainer.done:
            self.stop_training()

    # ---- each frame ----------------------------------------------------------------------------------
    def frame(self, timestamp_ms):
        """Do what is pending: a few training batches, a new inspection, the animation. Returns whether
        more frames are needed (False lets the page stop asking for them)."""
        if self.training:
            self.train_for(TRAIN_BUDGET_S)
            if timestamp_ms - self.repainted_at >= TRAINING_REPAINT_MS:
                self.stale = True
            self.paint_training()
        if self.stale:
            self.repainted_at = timestamp_ms
            self.update()
        if self.animate:
            self.animate = False
            self.animation_started = None if self.reduced_motion else timestamp_ms
            self.slabs_stale = True
        animating = self.animation_started is not None and timestamp_ms - self.animation_started < duration_ms(len(self.slabs))
        if self.slabs_stale or animating or self.animation_started is not None:
            self.paint_slabs(timestamp_ms)
            if not animating:
                self.animation_started = None
        return self.training or animating or self.stale

    def current_counts(self):
        """The network's input now: the drawing downsampled as optdigits was, or a held-out digit."""
        if self.sample is not None:
            return np.rint(self.digits.test_images[self.sample, 0] * digits_data.MAX_COUNT).astype(np.uint8)
        return optdigits.counts(self.strokes.strokes)

    def update(self):
        """One forward and backward pass for the input as it stands, and every view that shows it."""
        self.stale = False
        self.counts = self.current_counts()
        self.inspection = self.model_inspection(digits_data.as_input(self.counts)[0, 0])
        self.views = slabs_of(self.inspection)
        probabilities = self.inspection.probabilities
        self.page.set_data("digit-pad", "input", " ".join(map(str, self.counts.ravel().tolist())))
        self.page.set_data("digit-bars", "probabilities", " ".join(map(repr, probabilities.tolist())))
        predicted = int(probabilities.argmax())
        empty = self.sample is None and not self.strokes
        what = "a held-out digit, labelled " + str(self.digits.test_labels[self.sample]) if self.sample is not None else (
            "your drawing")
        self.page.set_text("digit-prediction", EMPTY_PAD if empty else f"The network reads {what} as {predicted} "
                                                                      f"({100 * probabilities[predicted]:.1f}%).")
        self.page.set_text("digit-saliency-note", f"Gradient of the score of {self.inspection.target}"
                                                  f"{' (the prediction)' if self.target is None else ''} with respect to "
                                                  "each input pixel: blue raises it, orange lowers it.")
        for canvas in self.canvases.values():
            canvas.fit()
        bars = self.canvases["bars"]
        paint_bars(bars.context, None if empty else probabilities, self.inspection.target, bars.width, bars.height,
                   self.theme)
        self.paint_input()
        self.paint_pad()
        self.paint_inspector()
        self.build_faces()
        self.slabs_stale = True

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
        if self.sample is not None:  # a held-out digit: its 8x8 ink, as large as the pad
            paint_picture(canvas.context, self.images["input"].element, (0, 0, 8, 8), canvas.width, canvas.height,
                          self.theme)
            return
        box = optdigits.fit(self.strokes.strokes).bitmap_box_on_pad() if self.strokes else None
        overlay = self.images["saliency"].element if self.overlay and self.strokes else None
        paint_pad(canvas.context, self.page.path, self.page.polyline, self.strokes.strokes, box, overlay, canvas.width,
                  canvas.height, self.theme)

    def paint_input(self):
        self.input_rgba = ink_image(self.counts, self.theme)
        self.images["input"].put(self.input_rgba)
        canvas = self.canvases["input"]
        paint_grid_values(canvas.context, self.counts, self.input_rgba, self.images["input"].element,
                          canvas.width, canvas.height, self.theme)
        saliency = self.inspection.saliency
        rgba = coloured(saliency, self.theme)
        self.images["saliency"].put(rgba)
        canvas = self.canvases["saliency"]
        paint_picture(canvas.context, self.images["saliency"].element, (0, 0, 8, 8), canvas.width, canvas.height,
                      self.theme)

    def paint_inspector(self):
        """The selected layer: its maps, their gradients, its filters, one map enlarged, every layer's stats."""
        values, gradient = self.slab_values(self.selected), self.slab_values(self.selected, gradient=True)
        name = self.names[self.selected]
        self.maps_placement = self.paint_picture("maps", face_picture(values))
        self.paint_picture("gradients", face_picture(gradient))
        weighted, weight = weights_behind(self.views, self.selected)
        self.paint_picture("filters", filter_picture(weight) if weight is not None else face_picture(values))
        self.channel = min(self.channel, values.shape[0] - 1)
        self.page.set_text("digit-maps-note", f"{name}: {describe_shape(values.shape)}, coloured by the layer's "
                                              "largest magnitude. Click a map to enlarge it.")
        self.page.set_text("digit-filters-note", describe_filters(name, weighted, weight))
        self.paint_enlarged()
        self.show_statistics()

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
        """The training curves (empty axes until Train from scratch is pressed)."""
        canvas = self.canvases["training"]
        canvas.fit()
        progress, history = (self.trainer.progress, self.trainer.history) if self.trainer else ([], [])
        paint_training(canvas.context, self.page.polyline, np.array(progress).reshape(-1, 2), np.array(history).reshape(-1, 5),
                       digits_model.EPOCHS, canvas.width, canvas.height, self.theme)


async def start(page):
    """Download the shipped weights and the digits, open the lab and send it the page's events; returns it."""
    model, meta = weights.load(io.BytesIO(await page.fetch_bytes(digits_model.WEIGHTS_FILE)))
    digits = digits_data.load(io.BytesIO(await page.fetch_bytes(str(digits_data.FILE))))
    lab = DigitsLab(page, model, meta, digits)

    def on_frame(timestamp_ms):
        try:
            busy = lab.frame(timestamp_ms)
        except Exception as error:
            page.set_text("digit-message", f"The digits lab stopped: {type(error).__name__}: {error}")
            raise
        if not busy:
            loop.pause()  # nothing to do until the user does something

    loop = FrameLoop(page.AnimationFrames, on_frame)

    def waking(handler):
        def handle(*args):
            handler(*args)
            loop.play()
        return handle

    for canvas in CANVASES:
        page.listen(f"digit-{canvas}", POINTER_KINDS,
                    waking(lambda kind, x, y, shift, canvas=canvas: lab.pointer(canvas, kind, x, y)))
    for action in ACTIONS:
        page.listen(f"digit-{action}", ("click",), waking(lambda kind, x, y, shift, action=action: lab.act(action)))
    for name in CONTROLS:
        page.listen(f"digit-{name}", ("change",), waking(lambda kind, value, name=name: lab.change(name, value)))
    page.listen("digit-load", ("file",), waking(lambda kind, name, data: lab.load_weights(name, data)))
    lab.update()
    lab.paint_training()
    loop.play()
    return lab
