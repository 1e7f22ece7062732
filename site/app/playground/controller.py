"""The playground: the settings, a training run and the pictures of it, kept in step.

The controller never touches the browser itself. It talks to a `page`, `app.browser` in the browser and a
stand-in in tests, which reports the user's actions here and draws what it is told; so every behaviour
of the page (what a click on Step does, what the URL says, what a diverging run shows) is tested in CPython.
"""
import dataclasses
import io

import numpy as np

from engine import nn, weights
from engine import trace as traces

from app.capture import clips
from app.playground import plane
from app.playground.stepthrough.particles_view import paint_links
from app.playground.curve_view import paint_loss_curve
from app.diagnostics.monitor import Monitor, check_gradients, layer_name
from app.diagnostics.view import HEADER, paint_histograms, paint_timeline, table_rows
from app.graph.layout import graph_of, layout_graph, neighbour
from app.graph.layout import node_at as graph_node_at
from app.graph.view import fitted_transform, paint_graph
from app.shared.growing_rows import GrowingRows
from app.playground.inspector import neuron_rows, node_rows, parameter_rows
from app.playground.network_layout import layout_network, neuron_at
from app.graph.linking import Links, NetworkMap
from app.playground.stepthrough.recorded_step import PHASES, forward_reading, network_step, record_step
from app.playground.network_view import edge_at, paint_network, strongest_edges
from app.playground.output_view import paint_output, paint_points, point_colours
from app.shared.palette import DARK, LIGHT
from app.playground.points import parse_csv
from app.editor.code_link import decode_code, encode_code
from app.playground.presets import find_preset
from app.playground.run import INPUT_RANGE, CodeError, Run
from app.editor.sandbox import run_user_code
from app.traces.replay import MAX_TRACE_STEPS, TraceReplay, start_trace
from app.playground.state import ACTIVATIONS, SETTINGS, State, decode, encode, hidden_activations, with_change
from app.playground.summary import caption, describe, label_of, network_shape
from app.playground.stepthrough.walkthrough import Walkthrough

# Changing these starts a new run; the others apply to the running one from its next step.
RESTARTS = {"dataset", "problem", "activation", "layer_activations", "train_ratio", "noise", "points", "hidden",
            "features", "seed", "custom"}
NETWORK_SETTINGS = {"hidden", "activation", "layer_activations"}  # what code that sets `model` takes over
SAVED_CODE, SAVED_SETTINGS = "gradcanvas:code", "gradcanvas:settings"  # localStorage keys
MAX_EDGES_DRAWN = 600        # past this, only the strongest edges are drawn (and the page says so)
DIAGNOSTICS_EVERY_MS = 500   # the diagnostics and graph panels repaint at most this often while training
SECONDS_PER_INPUT = 1.5      # how long each training point stays the drawn input when none is hovered
PLANE_STEP = 0.5             # an arrow key moves the inspected point this far on the plane (with Shift, 4x)
ARROWS = {"ArrowLeft": (-1.0, 0.0), "ArrowRight": (1.0, 0.0), "ArrowUp": (0.0, 1.0), "ArrowDown": (0.0, -1.0)}
LAYER_DELAYS_MS = (100, 300, 1000, 3000)  # the Animation speed control's choices, per layer
HOLD_SLOTS = 2.0             # animating every step, each phase holds this many layer delays once its motion ends
EXAMPLE = 0                  # the step-through shows the neurons of the batch's first example
# What the Output plane's colours mean, for each kind of output a run gives.
LEGEND_NOTES = {
    "binary": "Orange is class 0, blue class 1; the paler, the less sure the network is.",
    "classes": "Each colour is the class the network favours there, paler where it is less sure.",
    "regression": "The predicted value: orange below 0, blue above, full colour from −1 and 1 out.",
}
NO_POINTS = ("There are no points to train on yet: click the Output plane to add one (shift-click adds the other "
             "class, or −1 in regression), or paste CSV under “Your own points”.")
INSPECTOR_HEADER = ("Quantity", "Value")
PHASE_INTRO = ("Every node of the current computation with its value and its gradient (∇). Next phase (or the "
               "N key) pauses training and walks one real step in the Network and here: forward, loss, output "
               "gradient, gradients in the order the engine computed them, update.")
_SETTING_KINDS = {setting.name: setting.kind for setting in SETTINGS}


def control_text(state, name):
    """A setting's value as its control shows it: the same text a link carries."""
    return _SETTING_KINDS[name].write(getattr(state, name))


class Playground:
    """Owns the state, the run and the canvases; the page calls `act`, `change`, `pointer` and `frame`."""

    def __init__(self, page, fragment=""):
        self.page = page
        self.state, self.extras = State(), {}
        self.code = ""              # the code in charge: "" while the controls build the network
        self.code_model = False     # whether that code sets `model` (then it owns the network's shape)
        self.weights_file = None    # (name, bytes) of a weights file the learner opened: its network trains
        self.run = self.monitor = None  # open_link below builds them for the link's settings
        self.playing = True
        self.hovered_neuron = None     # (layer, index) under the pointer on the Network canvas
        self.hovered_point = None      # a point of the plane under the pointer on the Output canvas
        self.selected_edge = None      # (layer, to, from) clicked on the Network canvas
        self.hovered_part = self.selected_part = None  # ("neuron", l, i), ("edge", l, to, from) or ("node", key)
        self.links, self.linked_nodes = Links(), frozenset()  # what a hovered part lights in the other view
        self.inspector_rows = None
        self.message = ""
        self.network = page.canvas("network")
        self.output = page.canvas("output")
        self.curve = page.canvas("loss-curve")
        self.histograms, self.timeline = page.canvas("histograms"), page.canvas("timeline")
        self.graph_canvas = page.canvas("graph")
        self.code_graph = None       # a Tensor the code set as `graph` (a scalar expression), drawn as it is
        self.walkthrough = None      # the recorded step that Next phase (or animating every step) walks through
        self.batches_done = 0        # mini-batches of the current epoch the walkthrough has taken
        self.layer_delay_ms, self.animate_steps = 300, False  # the Animation speed and Animate every step controls
        self.keep_trace = False      # whether each run keeps a trace of its steps (for Export trace)
        self.trace_recorder = None   # that trace, for the current run
        self.replay = None           # a trace being replayed (a `traces.replay.TraceReplay`), or None when live
        self.replay_observed = None  # the replayed step the diagnostics last measured
        self.graph, self.graph_layout, self.graph_drawn_at = None, None, None
        self.network_map, self.graph_reached = None, None
        self.graph_gradients = ()    # the graph's gradients as drawn (training overwrites the parameters' own)
        self.walkthrough_point = None  # the example the walkthrough's neurons show, on the plane
        self.moment = 0.0            # the timestamp of the last frame painted: what pointer events are shown at
        self.graph_zoom, self.graph_pan = 1.0, (0.0, 0.0)  # on top of the fitted view (`fitted_transform`)
        self.heatmap_image, self.points_image, self.thumbnail_image = page.pixels(), page.pixels(), page.pixels()
        self.walkthrough_image = page.pixels()  # the walkthrough's still picture, drawn when it changes
        self.theme = DARK if page.prefers_dark() else LIGHT
        self.layout = None
        self.needs_paint, self.painted_input, self.diagnostics_shown = True, None, None
        self.numbers = (np.nan,) * 4        # the losses and accuracies shown, which a picture's caption repeats
        self.history_rows = GrowingRows(4)  # the run's history as an array, for the loss curve
        self.density = 1                    # the Network and Output canvases' pixels, times the screen's
        self.clip = None                    # the video or GIF under way
        page.set_text("capture-status", clips.hint())
        page.set_text("phase-caption", PHASE_INTRO)
        page.create_editor("", lambda text: self.act("run-code"), self.edit_code)
        self.open_link(fragment or page.load(SAVED_SETTINGS), saved_code=page.load(SAVED_CODE))

    def open_link(self, fragment, saved_code=None):
        """Show what a link describes. Its settings apply at once; code it carries goes into the editor
        but never runs until the user presses Run (a stranger may have written it), while a preset shipped
        with the site runs at once. Work saved in this browser is never overwritten: it stays saved."""
        decoded = decode(fragment)
        notes = list(decoded.notes)
        self.state, self.extras, code, run_now, message = decoded.state, dict(decoded.extras), "", False, ""
        if "preset" in self.extras:
            preset, note = find_preset(self.extras.pop("preset"))
            if preset is None:
                notes.append(note)
            else:
                self.state = decode(preset.settings).state
                code, run_now, message = preset.code or "", True, f"{preset.title}. {preset.lesson}"
        elif "code" in self.extras:
            code, note = decode_code(self.extras["code"])
            if code is None:
                notes.append(note)
                del self.extras["code"]
            else:
                message = "This link carries Python code, shown in the editor. Read it, then press Run to use it."
        elif saved_code:
            code = saved_code  # your own code from last time: shown, and run only when you press Run
        self.code = ""
        self.page.set_editor_text(code)
        self.restart()
        if run_now and code:
            self.run_code(code)
        if message:  # else the new run's own word stands (use_run)
            self.say(message)
        self.show_state(notes)
        if "trace" in self.extras:
            url = self.extras["trace"]
            self.page.set_text("trace-status", f"Fetching the trace at {url}…")
            self.page.fetch_text(url, lambda text: self.open_trace(url, text, link=url),
                                 lambda reason: self.page.set_text("trace-status", f"No trace: {reason}."))

    # ---- what the user does ------------------------------------------------------------------------
    def act(self, action, layer=None):
        """A button's `data-action`: toggle (Play/Pause), step, reset, regenerate, add-layer, remove-layer,
        add-neuron / remove-neuron (of hidden layer `layer`), run-code, copy-link, restore-code,
        next-phase, check-gradients, load-csv, save-image, record (a video), save-gif."""
        self.needs_paint = True
        hidden = list(self.state.hidden)
        if action == "toggle":
            if not self.playing and not self.animate_steps:
                self.leave_walkthrough()
            self.set_playing(not self.playing)
        elif action == "step":
            self.leave_walkthrough()
            self.set_playing(False)
            if self.replay:
                self.advance_replay()
            else:
                self.train_one_epoch()
        elif action == "reset" and self.replay:
            self.set_playing(False)
            self.seek_replay(0)
        elif action == "reset":
            self.restart()
            self.set_playing(False)
        elif action == "export-trace":
            self.export_trace()
        elif action == "save-weights":
            self.save_weights()
        elif action == "leave-replay":
            self.restart()
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
        elif action == "run-code":
            self.run_code(self.page.editor_text())
            self.page.save(SAVED_SETTINGS, encode(self.state))
        elif action == "copy-link":
            self.copy_link()
        elif action == "restore-code":
            self.restore_saved_code()
        elif action == "next-phase":
            self.next_phase()
        elif action == "check-gradients":
            self.page.set_text("gradient-check", self.describe_gradient_check())
        elif action == "load-csv":
            points, notes = parse_csv(self.page.read_text("csv"), regression=self.state.problem == "regression")
            self.change_many({"dataset": "custom", "custom": points}, notes)
        elif action == "save-image":
            self.save_image()
        elif action in ("record", "save-gif"):
            self.toggle_clip("video" if action == "record" else "gif")
        self.page.set_text("epoch", str(self.run.epoch))  # at once, not at the next frame

    def change(self, name, value):
        """A setting's control changed to `value` (its text, or a Python value)."""
        self.needs_paint = True
        if name == "weight":
            self.edit_weight(value)
        elif name == "keep_trace":
            self.keep_trace = value in (True, "true")
            self.keep_trace_of_run()
            self.page.set_text("trace-status", "Keeping a trace of every step from now on." if self.keep_trace else "")
        elif name == "trace_step":
            if self.replay:
                self.set_playing(False)
                self.seek_replay(int(float(value)))
        elif name == "layer_delay":
            self.set_layer_delay(value)
        elif name == "animate_steps":
            self.animate_steps = value in (True, "true")
            if not self.animate_steps and self.playing:
                self.leave_walkthrough()
        elif name == "layer_activation":
            layer, activation = value
            per_layer = hidden_activations(self.state)
            per_layer[layer] = activation
            self.change_many({"layer_activations": per_layer})
        else:
            self.change_many({name: value})

    def change_many(self, changes, notes=()):
        notes = list(notes)
        if self.network_source() and NETWORK_SETTINGS & set(changes):
            notes.append(f"The network comes from {self.network_source()}: change it there, or empty the editor and "
                         "press Run to build it with the controls again.")
            changes = {name: value for name, value in changes.items() if name not in NETWORK_SETTINGS}
        state, change_notes = with_change(self.state, **changes)
        previous, self.state = self.state, state
        if any(getattr(previous, name) != getattr(state, name) for name in RESTARTS):
            # A paused network keeps its trained weights through a change of activation, so the learner
            # sees the same weights under the new function; a playing one starts afresh, initialised for it.
            swap = set(changes) <= {"activation", "layer_activations"} and previous.hidden == state.hidden
            self.restart(keep_weights=set(changes) == {"custom"} or (swap and not self.playing))
            if swap:
                self.say(self.activation_message(hidden_activations(state)))
        else:
            self.run.state = state
            if (previous.optimizer, previous.lr) != (state.optimizer, state.lr) and self.run.optimizer_name != "code":
                self.run.use_optimizer(state.optimizer, state.lr)
        self.points_stale = True
        self.show_state([*notes, *change_notes])
        self.page.save(SAVED_SETTINGS, encode(self.state))  # your own change: a reload brings it back

    # ---- the code ----------------------------------------------------------------------------------
    def code_defines_model(self):
        return bool(self.code) and self.code_model

    def network_source(self):
        """Where the network comes from when not from the controls: "your code", a weights file's name,
        or None."""
        if self.code_defines_model():
            return "your code"
        return self.weights_file[0] if self.weights_file else None

    def run_code(self, source):
        """Run the editor's code (Run, or Ctrl/Cmd+Enter). If it sets `model`, that network trains from now
        on; if it fails, its message and line show and the previous network keeps running."""
        result = run_user_code(source, {})
        self.page.highlight_line(result.line)
        if not result.ok:
            self.page.set_text("code-output", result.output + result.error)
            return
        try:
            run = Run(self.state, result.namespace)
        except CodeError as error:
            self.page.set_text("code-output", f"{result.output}{error}")
            return
        self.page.set_text("code-output", result.output or "Ran without printing anything.")
        graph = result.namespace.get("graph")
        self.code_graph = graph if hasattr(graph, "parents") and hasattr(graph, "op") else None
        self.code = source if source.strip() else ""
        self.code_model = result.namespace.get("model") is not None
        self.weights_file = None  # Run puts the code in charge: its model, or the controls'
        self.extras = {"code": encode_code(source)} if self.code else {}
        self.use_run(run)
        self.show_state([])

    def restore_saved_code(self):
        """Put the code saved in this browser back into the editor (it is not run)."""
        self.page.set_editor_text(self.page.load(SAVED_CODE))

    def edit_code(self, text):
        """The editor's text changed: keep it, so a reload brings it back."""
        self.page.save(SAVED_CODE, text)

    def copy_link(self):
        """Put a link to exactly this (settings, seed and the code in charge) on the clipboard."""
        try:
            extras = {"code": encode_code(self.code)} if self.code else {}
        except ValueError as error:
            self.page.set_text("link-status", f"No link: {error}")
            return
        link = f"{self.page.page_url()}#{encode(self.state, extras)}"
        self.page.copy_text(link)
        self.page.set_text("link-status", f"Link copied: {link}")

    def pointer(self, canvas, kind, x, y, shift=False, amount=0.0):
        """The pointer moved over ("move"), left ("leave") or clicked ("click") a canvas, at CSS (x, y);
        on the graph it also drags ("drag", moved by `amount` = (dx, dy)), zooms ("wheel", `amount` = the
        wheel's delta) and refits ("dblclick")."""
        self.needs_paint = True
        if canvas == "graph" and kind in ("wheel", "drag", "dblclick"):
            self.move_graph(kind, x, y, amount)
            return
        if canvas == "network":
            neuron = neuron_at(self.layout, x, y) if kind != "leave" and self.layout else None
            edge = edge_at(self.layout, self.drawn_weights(), x, y) if kind != "leave" and self.layout and not neuron else None
            self.hovered_neuron = neuron if kind == "move" else None
            part = ("neuron", *neuron) if neuron else ("edge", *edge) if edge else None
            self.point_at(part, kind)
            if kind == "click" and edge is not None and self.walkthrough is None:  # not mid-step: inspect only
                self.selected_edge = edge
                self.page.edit_weight(self.describe_edge(edge), float(self.run.weights[edge[0]].data[edge[1], edge[2]]))
        elif canvas == "graph" and self.graph_layout is not None:
            scale, dx, dy = self.graph_transform()
            key = graph_node_at(self.graph_layout, (x - dx) / scale, (y - dy) / scale) if kind != "leave" else None
            self.point_at(("node", key) if key is not None else None, kind)
        elif canvas == "output":
            point = plane.from_plane(x, y, self.output.width, self.output.height)
            self.hovered_point = point if kind == "move" else None
            if kind == "click":
                self.add_point(point, shift)

    def key(self, canvas, name, shift=False):
        """A key pressed on a focused canvas; True when it was used. The keyboard points as the mouse does:
        on the Output plane at an input, on the Network at a neuron (see `key_on_plane`, `key_on_network`)."""
        if canvas == "output":
            used = self.key_on_plane(name, shift)
        elif canvas == "network":
            used = self.key_on_network(name)
        else:
            used = canvas == "graph" and self.key_on_graph(name)
        self.needs_paint |= used
        return used

    def key_on_plane(self, name, shift):
        """The arrows move the inspected point (from the input drawn now), Enter adds a point there as a
        click would (Shift: the other class), Escape lets go."""
        if name in ARROWS:
            start = self.hovered_point if self.hovered_point is not None else self.drawn_input(self.moment)
            start = (0.0, 0.0) if start is None else start
            step = PLANE_STEP * (4 if shift else 1)
            x, y = np.clip(np.add(start, np.multiply(ARROWS[name], step)), -plane.EXTENT, plane.EXTENT)
            self.hovered_point = (float(x), float(y))
        elif name == "Enter" and self.hovered_point is not None:
            self.add_point(self.hovered_point, shift)
        elif name == "Escape" and self.hovered_point is not None:
            self.hovered_point = None
        else:
            return False
        return True

    def key_on_network(self, name):
        """The arrows step from neuron to neuron, up and down a layer and across layers, each shown as a click
        shows it (the inspector reads its numbers) and as hovering does (its output over the plane); the
        first press picks the first input. Escape lets go."""
        if self.layout is None:
            return False
        if name in ARROWS:
            sizes = [len(column) for column in self.layout.centres]
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
        """The arrows step from node to node (see `graph_layout.neighbour`), each shown in the inspector as
        a click shows it, the view panning to keep it in sight; the first press picks the first input.
        Escape lets go."""
        layout, part = self.graph_layout, self.selected_part
        if layout is None or not layout.keys:
            return False
        at = layout.keys.index(part[1]) if part and part[0] == "node" and part[1] in layout.keys else None
        if name == "Escape" and at is not None:
            self.point_at(None, "click")
            return True
        if name not in ARROWS:
            return False
        at = int(np.lexsort((layout.y, layout.x))[0]) if at is None else neighbour(layout, at, *ARROWS[name])
        self.point_at(("node", layout.keys[at]), "click")
        scale, dx, dy = self.graph_transform()
        x, y = layout.x[at] * scale + dx, layout.y[at] * scale + dy
        width, height = self.graph_canvas.width, self.graph_canvas.height
        half_w, half_h = layout.node_width * scale / 2, layout.node_height * scale / 2
        if not half_w <= x <= width - half_w or not half_h <= y <= height - half_h:
            self.graph_pan = (self.graph_pan[0] + width / 2 - x, self.graph_pan[1] + height / 2 - y)  # centre it
        self.graph_drawn_at = None
        return True

    def point_at(self, part, kind):
        """The pointer is over `part` of a view (or nothing): hovering shows it in the inspector and lights
        what it is in the other view; a click keeps it in the inspector after the pointer leaves."""
        if kind == "click":
            self.selected_part = part
        self.hovered_part = part if kind in ("move", "click") else None
        links, linked = Links(), frozenset()
        if self.hovered_part and self.network_map is not None:
            if part[0] == "node" and part[1] in self.graph_layout.keys:
                links = self.network_map.links_of(self.graph_layout.keys.index(part[1]))
            elif part[0] == "neuron":
                linked = frozenset(self.network_map.nodes_of_neuron(part[1], part[2]))
            elif part[0] == "edge":
                linked = frozenset(self.network_map.nodes_of_edges(part[1]))
        if linked != self.linked_nodes:
            self.linked_nodes = linked
            self.draw_graph()
        self.links = links
        self.show_inspector()

    def marked_parts(self):
        """What the Network view outlines: the clicked neuron or edge, and what a hovered graph node is."""
        part, links = self.selected_part, self.links
        if part is not None and part[0] == "neuron":
            return Links(links.neuron_layers, links.neurons | {part[1:]}, links.edge_layers, links.edges)
        if part is not None and part[0] == "edge":
            return Links(links.neuron_layers, links.neurons, links.edge_layers, links.edges | {part[1:]})
        return links

    def edit_weight(self, text):
        try:
            value = float(text)
        except (TypeError, ValueError):
            value = float("nan")
        if self.selected_edge is None or not np.isfinite(value):
            self.page.show_notes([f"weight {str(text)[:40]!r} is not a number; the weight is unchanged"])
            return
        self.run.set_weight(*self.selected_edge, value)
        self.show_inspector()

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
        """A new run for the current settings; code in charge builds its model again, fresh. A trace being
        replayed is left: the page trains live again."""
        if self.replay is not None:
            self.leave_replay()
            self.page.set_text("trace-status", "Back to live training.")
            self.show_state([])
        namespace = {"model": weights.load(io.BytesIO(self.weights_file[1]))[0]} if self.weights_file else {}
        if self.code:
            result = run_user_code(self.code, {})
            namespace = result.namespace if result.ok else {}
            self.code_model = namespace.get("model") is not None
            if not result.ok:
                self.page.set_text("code-output", result.output + result.error)
        try:
            run = Run(self.state, namespace)
        except CodeError as error:
            self.page.set_text("code-output", f"Your code's model does not fit these settings: {error}. "
                                              "The controls' network is used until you change the code and press Run.")
            self.code, self.code_model = "", False
            run = Run(self.state)
        if keep_weights:
            run.adopt(self.run)
        self.use_run(run)

    def use_run(self, run):
        self.run = run
        self.walkthrough, self.batches_done, self.graph_drawn_at = None, 0, None
        self.keep_trace_of_run()
        self.hovered_part = self.selected_part = None
        self.links, self.linked_nodes = Links(), frozenset()
        self.needs_paint = True
        self.monitor = Monitor(self.run)
        self.diagnostics_painted_at, self.diagnostics_shown = -DIAGNOSTICS_EVERY_MS, False
        self.page.set_text("gradient-check", "")
        self.layout = None
        self.points_stale = True
        self.selected_edge = None
        self.use_grid()
        self.say("" if len(run.inputs_train) else NO_POINTS)
        kind = "regression" if run.regression else "classes" if run.classes > 1 else "binary"
        self.page.set_data("output-panel", "kind", kind)  # the stylesheet shows the legend's key for it
        self.page.set_text("legend-note", LEGEND_NOTES[kind])

    def use_grid(self):
        """The plane's grid for the size of the network that trains, the controls' or the code's (see
        `plane.grid_resolution`)."""
        self.resolution = plane.grid_resolution(sum(self.run.layer_sizes()[1:-1]))
        self.grid = plane.plane_grid(self.resolution)

    def train_one_epoch(self):
        """Train the rest of the epoch (all of it, unless the walkthrough took its first mini-batches). With
        no points there is nothing to pass over: the epoch counter waits, and the page says what to do."""
        if not len(self.run.inputs_train):
            self.say(NO_POINTS)
            return
        self.run.train_epoch(first_batch=self.batches_done)
        self.batches_done = 0
        self.monitor.observe(self.run.first_bad_batch)
        if self.run.recorder is not None and len(self.run.recorder.steps) >= MAX_TRACE_STEPS:
            self.run.recorder = None
            self.page.set_text("trace-status", f"The trace holds its first {len(self.trace_recorder.steps):,} steps, "
                                               "as many as it keeps: Export trace saves them.")
        if (diverged := self.monitor.diverged) is not None:
            self.set_playing(False)
            self.say(f"Epoch {self.run.epoch}: {diverged.message} {diverged.fix}")
        elif (reason := self.run.stop_reason()) is not None and self.playing:
            self.set_playing(False)
            self.say(reason)

    # ---- traces ------------------------------------------------------------------------------------
    def keep_trace_of_run(self):
        """Start the run's trace from its next step when the learner keeps one (a replay keeps none)."""
        keeping = self.keep_trace and self.replay is None
        self.trace_recorder = self.run.recorder = (start_trace(self.run, encode(self.state), self.batches_done)
                                                   if keeping else None)

    def export_trace(self):
        """Download the trace kept of this run (or the one being replayed) as a JSON file."""
        if self.replay is not None:
            self.page.download("gradcanvas-trace.json", traces.dumps(self.replay.trace))
            return
        if self.trace_recorder is None or not self.trace_recorder.steps:
            self.page.set_text("trace-status", "No steps kept yet: tick \u201cKeep a trace\u201d, then train "
                                               "(Play or Step), then Export trace.")
            return
        trace = self.trace_recorder.trace()
        self.page.download("gradcanvas-trace.json", traces.dumps(trace))
        self.page.set_text("trace-status", f"Exported a trace of {trace.count:,} steps.")

    def open_file(self, name, data):
        """A file chosen or dropped on the page: a weights file (.npz, bytes) to train on, or a trace
        (.json, text) to replay."""
        if str(name).lower().endswith(".npz"):
            self.open_weights(name, data)
        else:
            self.open_trace(name, data)

    def open_weights(self, name, data):
        """Train the network a weights file holds (saved by this page, `engine.weights.save`, or
        `tools/onnx_import.py`), from its weights. The features and the number of classes follow the
        network when they can; a network that cannot fit is refused, saying why, and nothing changes."""
        try:
            model, _ = weights.load(io.BytesIO(bytes(data)))
            state, run = self.state_for_model(model)
        except (ValueError, TypeError) as error:
            self.page.set_text("trace-status", f"Could not open {name}: {error}. Nothing changed.")
            return
        self.leave_replay()
        self.state, self.weights_file, self.code, self.code_model = state, (name, bytes(data)), "", False
        self.extras = {}
        self.use_run(run)
        self.show_state([])
        self.page.set_text("trace-status", f"Opened {name}: its network trains from the weights it holds.")

    def state_for_model(self, model):
        """The settings a model's first and last layers ask for, and the Run that trains it."""
        convolutional = [type(layer).__name__ for layer in model if isinstance(layer, (nn.Conv2d, nn.MaxPool2d))]
        linears = [layer for layer in model if isinstance(layer, nn.Linear)]
        if convolutional or not linears:
            raise ValueError(f"the file's network is {'a CNN (' + convolutional[0] + ')' if convolutional else 'not an MLP'}; "
                             "the playground trains networks of Linear layers and activations (open a CNN in the "
                             "digits lab)")
        changes = {}
        n_in, n_out = linears[0].n_in, linears[-1].n_out
        if n_in != len(self.state.features):
            if n_in != 2:
                raise ValueError(f"the file's network takes {n_in} inputs; choose {n_in} features first, or open a "
                                 "network that takes 2 (x1, x2)")
            changes["features"] = "x1,x2"
        if n_out == 3 and self.state.dataset != "blobs3":
            changes.update(problem="classification", dataset="blobs3")
        elif n_out == 1 and self.state.dataset == "blobs3":
            changes["dataset"] = "circle"
        state, _ = with_change(self.state, **changes)
        try:
            return state, Run(state, {"model": model})
        except CodeError as error:
            raise ValueError(str(error).replace("`model`", "the file's network")) from None

    def save_weights(self):
        """Download the network as it is now, as a weights file that Open brings back."""
        buffer = io.BytesIO()
        try:
            weights.save(self.run.model, buffer, meta={"link": encode(self.state), "epoch": self.run.epoch})
        except TypeError as error:
            self.page.set_text("trace-status", f"Cannot save these weights: {error}.")
            return
        self.page.download("gradcanvas-weights.npz", buffer.getvalue(), "application/octet-stream")
        self.page.set_text("trace-status", f"Saved the weights at epoch {self.run.epoch}.")

    def open_trace(self, name, text, link=None):
        """Replay the trace in `text`; `link`, its URL when it came from one, goes into the page's link.
        A bad trace is refused with the field that is wrong, and whatever was on screen stays."""
        try:
            replay = TraceReplay(traces.loads(text), name)
        except ValueError as error:
            self.page.set_text("trace-status", f"Could not open {name}: {error}. Nothing changed.")
            return
        self.replay, self.state, self.replay_observed = replay, replay.state, None
        self.extras = {"trace": link} if link else {}
        self.use_run(replay.run)
        self.set_playing(False)
        self.show_state([])
        self.seek_replay(0)

    def leave_replay(self):
        if self.replay is not None:
            self.replay = None
            self.extras.pop("trace", None)
            self.page.show_replay(None, 0)

    def seek_replay(self, step):
        """Show the trace before `step`; the slider reports a drag's end twice (input, then change), and
        the second report, which moves nothing, is not measured again."""
        if self.replay.seek(step) != self.replay_observed:
            self.replay_observed = self.replay.position
            self.monitor.observe()
        self.show_replay()

    def advance_replay(self):
        """One trace step on, measured as a live epoch is; at the end, pause there."""
        if self.replay.advance():
            self.replay_observed = self.replay.position
            self.monitor.observe()
        if self.replay.position == self.replay.trace.count:
            self.set_playing(False)
        self.show_replay()

    def show_replay(self):
        self.needs_paint = True
        if not self.playing:
            self.graph_drawn_at = None  # a step shown by hand: the graph follows it at once
        self.page.show_replay(self.replay.trace.count, self.replay.position)
        self.page.set_text("trace-status", self.replay.describe())

    def say(self, message):
        self.message = message
        self.page.set_text("message", message)

    def frame(self, timestamp_ms):
        """One animation frame: train an epoch if playing, then paint everything. A paused page paints
        only when something changed (an action, the pointer, the drawn input, the canvas size), so it
        costs nothing while it sits still. During the walkthrough only the Network view moves, and
        animating every step, each phase gives way to the next once its motion has ended."""
        walk = self.walkthrough
        if walk is None and self.playing and self.animate_steps and len(self.run.inputs_train):
            self.advance_walkthrough()
        elif walk is not None and self.playing and walk.finished(timestamp_ms, HOLD_SLOTS * walk.delay):
            self.advance_walkthrough()
        if self.walkthrough is not None:
            if self.needs_paint or self.resized():
                self.paint(timestamp_ms)
            elif self.walkthrough.moving(timestamp_ms):
                self.paint_walkthrough(timestamp_ms)
        elif self.playing:
            if self.replay:
                self.advance_replay()
            else:
                self.train_one_epoch()
            self.paint(timestamp_ms)
        elif self.needs_paint or self.resized() or self.input_key(timestamp_ms) != self.painted_input:
            self.paint(timestamp_ms)
        if self.clip is not None:
            self.film(timestamp_ms)

    def resized(self):
        if self.network.fit() | self.output.fit() | self.curve.fit():
            self.layout = None
            return True
        return False

    def input_key(self, timestamp_ms):
        """What decides the drawn input: the hovered point, or the number of the training point that is up
        (it changes every SECONDS_PER_INPUT, and holds still for viewers who ask for reduced motion)."""
        if self.hovered_point is not None:
            return self.hovered_point
        return 0 if self.page.prefers_reduced_motion() else int(timestamp_ms / 1000 / SECONDS_PER_INPUT)

    # ---- showing -----------------------------------------------------------------------------------
    def show_state(self, notes):
        """Put the state into the controls, the URL and the notes after it changed."""
        for setting in SETTINGS:
            if setting.name != "custom":
                self.page.set_control(setting.name, control_text(self.state, setting.name))
        self.page.show_layers(list(self.state.hidden), hidden_activations(self.state), ACTIVATIONS)
        self.page.set_fragment(encode(self.state, self.extras))
        self.page.show_notes(notes)
        self.set_playing(self.playing)

    def drawn_weights(self):
        return [w.data for w in self.run.weights]

    def inspected_input(self, timestamp_ms):
        """The point whose activations the network shows (see `input_key`), or None with no data."""
        key = self.input_key(timestamp_ms)
        if self.hovered_point is not None:
            return key
        points = self.run.X_train
        return points[key % len(points)] if len(points) else None

    def drawn_input(self, timestamp_ms):
        """The point whose activations the Network view shows: the walkthrough's example while it runs."""
        return self.walkthrough_point if self.walkthrough is not None else self.inspected_input(timestamp_ms)

    def summary(self, timestamp_ms):
        """The network in plain sentences (for screen readers too), about the input the Network view shows."""
        point = self.drawn_input(timestamp_ms)
        output = self.neurons_at(point)[0][-1] if point is not None else None
        return describe(self.state, self.run, point, output)

    def neuron_shades(self, outputs):
        """Layer outputs scaled into [-1, 1] for colour: each feature by the largest magnitude it reaches
        on the plane, hidden units as they are (clipped), the output as `Run.output_shade` does. NaN stays
        NaN: the palette shades it neutral."""
        features = outputs[0] / feature_ranges(self.state.features)
        hidden = [np.clip(h, -1.0, 1.0) for h in outputs[1:-1]]
        return [features, *hidden, self.run.output_shade(outputs[-1])]

    def neurons_at(self, point):
        """Every neuron's value at one point of the plane, as printed and as shaded."""
        outputs = self.run.layer_outputs(np.asarray(point, dtype=np.float64)[None, :])
        values = [layer[0] for layer in outputs[:-1]] + [self.run.output_values(outputs[-1])[0]]
        return values, [layer[0] for layer in self.neuron_shades(outputs)]

    def paint(self, timestamp_ms):
        self.needs_paint, self.painted_input, self.moment = False, self.input_key(timestamp_ms), timestamp_ms
        if self.network.fit(self.density) or self.layout is None:
            self.theme = DARK if self.page.prefers_dark() else LIGHT
            self.layout = layout_network(self.run.layer_sizes(), self.network.width, self.network.height)
            self.points_stale = True
        resized = self.output.fit(self.density)
        self.curve.fit()
        grid_outputs = self.plane_outputs()
        self.paint_heatmap(grid_outputs)
        if self.points_stale or resized:
            self.paint_points()
        point = self.drawn_input(timestamp_ms)
        if self.walkthrough is not None:
            self.paint_walkthrough(timestamp_ms)
        else:
            self.paint_network(grid_outputs, point)
        self.show_inspector()
        paint_output(self.output.context, self.heatmap_image.element, self.points_image.element,
                     self.output.width, self.output.height, self.theme, point)
        history = self.history_rows.of(self.run.history)
        paint_loss_curve(self.curve.context, self.page.polyline, history[:, :2], self.curve.width, self.curve.height, self.theme)
        self.show_numbers(history)
        graph_due = self.graph_drawn_at is None or (self.playing and timestamp_ms - self.graph_drawn_at >= DIAGNOSTICS_EVERY_MS)
        if graph_due:
            self.graph_drawn_at = timestamp_ms
            self.paint_graph_view()
        # While training, the two slow panels take turns: each costs about half a frame, and together they
        # made one frame in thirty twice as long as the rest (a visible hitch twice a second).
        fresh = self.monitor.latest is not self.diagnostics_shown
        diagnostics_due = timestamp_ms - self.diagnostics_painted_at >= DIAGNOSTICS_EVERY_MS and not graph_due
        if fresh and (not self.playing or diagnostics_due):
            self.diagnostics_painted_at, self.diagnostics_shown = timestamp_ms, self.monitor.latest
            self.paint_diagnostics()

    # ---- pictures and clips --------------------------------------------------------------------------
    def capture_caption(self):
        return caption(self.state, self.run, self.numbers, self.code_defines_model())

    def capture_stem(self):
        return clips.file_stem(self.state.dataset, network_shape(self.run), self.run.epoch)

    def save_image(self):
        """Save image: the Network and Output canvases side by side with a caption, as a PNG at the screen's
        pixel density, or twice it with "2x" checked (then both are painted again at that density, so
        edges and text stay sharp rather than being enlarged)."""
        name = self.capture_stem() + ".png"
        self.density = 2 if self.page.is_checked("image-2x") else 1
        try:
            if self.density != 1:
                self.paint(self.moment)
            width, height = self.page.save_image(clips.CAPTURED, self.capture_caption(), name)
        except RuntimeError as error:
            self.page.set_text("capture-status", f"Could not save the image: {error}.")
            return
        finally:
            if self.density != 1:
                self.density = 1
                self.paint(self.moment)
        self.page.set_text("capture-status", f"Saved {name}: {width} \u00d7 {height} pixels.")

    def toggle_clip(self, kind):
        """Record (a video) and Save GIF: start a clip of the Network and Output canvases, or end the one
        under way and download it. A clip also ends by itself at its time limit (see `film`)."""
        ended = self.clip.kind if self.clip is not None else None
        if ended is not None:
            self.end_clip()
        if ended == kind:
            return
        stem = self.capture_stem()
        try:
            extension = self.page.start_clip(kind, clips.CAPTURED, stem)
        except RuntimeError as error:
            self.page.set_text("capture-status", f"Could not record: {error}.")
            return
        if not extension:
            self.page.set_text("capture-status", "This browser cannot record video (it has no MediaRecorder for "
                                                 "WebM or MP4). Save GIF works in every browser.")
            return
        self.clip = clips.Clip(kind, f"{stem}.{extension}")
        self.page.show_clip(kind)
        self.page.set_text("capture-status", self.clip.status())

    def film(self, timestamp_ms):
        """Hand the clip under way this frame, with its caption; end it when its time is up."""
        over = self.clip.over(timestamp_ms)
        self.page.add_clip_frame(self.capture_caption())
        if over:
            self.end_clip()
        else:
            self.page.set_text("capture-status", self.clip.status())

    def end_clip(self):
        clip, self.clip = self.clip, None
        frames = self.page.finish_clip()
        self.page.show_clip(None)
        length = f"{clip.elapsed:.1f} s" + (f" in {frames} frames" if clip.kind == "gif" else "")
        self.page.set_text("capture-status", f"Recorded {length}: downloading {clip.file_name}.")

    # ---- the Network view ------------------------------------------------------------------------------
    def paint_network(self, grid_outputs, point):
        """The Network view while training: every neuron's output over the plane and its value at `point`."""
        if point is not None:
            values, shades = self.neurons_at(point)
        else:
            values, shades = [None] * len(self.layout.centres), [np.zeros(len(c)) for c in self.layout.centres]
        self.paint_thumbnails(grid_outputs)
        weights = self.drawn_weights()
        shown = strongest_edges(weights, MAX_EDGES_DRAWN)
        total = sum(w.size for w in weights)
        nonfinite = self.monitor.latest.nonfinite if self.monitor.latest else None
        paint_network(self.network.context, self.page.path, self.layout, weights, values, shades, self.theme,
                      self.captions(), [label_of(f) for f in self.state.features],
                      (self.thumbnail_image.element, plane.THUMBNAIL), shown,
                      None if nonfinite is None or nonfinite.layer is None else nonfinite.layer + 1)
        if marked := self.marked_parts():
            paint_links(self.network.context, self.page.path, self.layout, marked, self.theme)
        notes = [f"The network comes from {self.network_source()}."] if self.network_source() and not self.replay else []
        if self.replay:
            notes.append("The network is the trace's, as it stood before the step shown.")
        if total > MAX_EDGES_DRAWN:
            notes.append(f"Drawing the {MAX_EDGES_DRAWN} strongest of {total:,} weights.")
        self.page.set_text("network-note", " ".join(notes))

    # ---- the walkthrough of one step ---------------------------------------------------------------------
    def next_phase(self):
        """Next phase (the button, or the N key): pause, and walk one training step phase by phase. The
        first press records a real step, the next mini-batch of the epoch; the fifth shows each weight's
        change; the press after it records the next step."""
        self.set_playing(False)
        self.advance_walkthrough()

    def plane_outputs(self):
        """Every layer's outputs over the plane's grid, for the network the Network view shows: during a
        walkthrough, as it stood before the walked step until the update phase shows its change."""
        walk = self.walkthrough
        if walk is None or walk.index >= PHASES.index("update"):
            return self.run.layer_outputs(self.grid)
        now = self.run.model.state_dict()
        self.run.model.load_state_dict(walk.steps.recording.weights_before)
        try:
            return self.run.layer_outputs(self.grid)
        finally:
            self.run.model.load_state_dict(now)

    def advance_walkthrough(self):
        """The next phase, or a new step after the last: only a new step changes the weights, so only then
        is every panel painted again; a phase redraws the Network and graph views alone."""
        if self.walkthrough is None or self.walkthrough.done:
            self.record_next_step()
            self.needs_paint, self.graph_drawn_at = True, None
        else:
            self.walkthrough.next_phase()
            self.needs_paint |= self.walkthrough.index == PHASES.index("update")  # the plane takes the step
        self.graph_reached = None
        self.show_phase()

    def record_next_step(self):
        """Take the epoch's next mini-batch step, recorded, and start walking it; the epoch's last one
        completes the epoch (the loss curve and diagnostics learn of it)."""
        run, size = self.run, self.state.batch_size
        if self.replay is not None:
            self.record_replayed_step()
            return
        if not len(run.inputs_train):
            self.say(NO_POINTS)
            return
        if self.batches_done * size >= len(run.inputs_train):  # the batch size grew mid-epoch
            self.train_one_epoch()
        start = self.batches_done * size
        recording = record_step(run, slice(start, start + size))
        self.batches_done += 1
        if start + size >= len(run.inputs_train):
            self.train_one_epoch()
        self.start_walkthrough(recording, run.X_train[start + EXAMPLE])

    def record_replayed_step(self):
        """Walk the replayed trace's next step: the engine takes it again, on the batch the trace says and
        from the trace's parameters, so its gradients are the trace's; the update is the trace's own."""
        replay, run = self.replay, self.run
        batch = replay.batch()
        if batch is None:
            self.set_playing(False)
            self.say("The five phases need the batch each step trained on, which only a trace kept by this page "
                     "records (and none is left after the last step): move through this one with Step or the slider.")
            return
        recording = record_step(run, batch)
        self.seek_replay(replay.position + 1)  # the trace's update, not this page's optimizer's
        after = {name: np.array(param.data) for name, param in run.model.named_parameters()}
        self.start_walkthrough(dataclasses.replace(recording, weights_after=after), run.X_train[batch][EXAMPLE])

    def start_walkthrough(self, recording, point):
        """Walk `recording` phase by phase, the neurons showing the batch's example at `point`."""
        run = self.run
        story = network_step(recording, run.model)
        example = [layer[EXAMPLE:EXAMPLE + 1] for layer in story.values]
        values = [layer[0] for layer in example[:-1]] + [run.output_values(example[-1])[0]]
        shades = [layer[0] for layer in self.neuron_shades(example)]
        self.walkthrough = Walkthrough(recording, story, values, shades, self.layer_delay_ms / 1000,
                                       self.page.prefers_reduced_motion(), MAX_EDGES_DRAWN)
        self.walkthrough_point = point

    def show_phase(self):
        """The caption of the walkthrough's phase."""
        walk = self.walkthrough
        if walk is None:
            return
        phase = walk.phase
        text = f"Phase {walk.index + 1} of {len(PHASES)}: {phase.caption}"
        if phase.name == "forward":
            x1, x2 = self.walkthrough_point
            text += (f" The neurons show the batch's first example, at ({x1:.2f}, {x2:.2f}); rings mark "
                     "values past ±0.5.").replace("-", "−")
        elif phase.name == "gradients":
            text += (" Particles carry dL/dw back along each edge: blue positive, orange negative, larger for "
                     "a larger |dL/dw| (log scale).")
        elif phase.name == "update":
            largest = max(float(np.abs(change.change).max()) for change in phase.items)
            text += (f" The largest change is {largest:.3g}. Edges show each weight's change: blue up, orange "
                     "down, wider for larger (log scale).")
        self.page.set_text("phase-caption", text)

    def leave_walkthrough(self):
        """Back to training: the walkthrough ends; the epoch it began finishes with the next one trained."""
        if self.walkthrough is not None:
            self.walkthrough = None
            self.needs_paint, self.graph_drawn_at = True, None
            self.page.set_text("phase-caption", PHASE_INTRO)

    def set_layer_delay(self, text):
        try:
            delay = int(float(text))
        except (TypeError, ValueError, OverflowError):
            delay = None
        if delay not in LAYER_DELAYS_MS:
            self.page.show_notes([f"animation speed {str(text)[:40]!r} is not one of "
                                  f"{', '.join(map(str, LAYER_DELAYS_MS))} ms a layer; keeping {self.layer_delay_ms} ms"])
            return
        self.layer_delay_ms = delay
        if self.walkthrough is not None:
            self.walkthrough.set_delay(delay / 1000)

    def paint_walkthrough(self, timestamp_ms):
        """The Network view of the walkthrough at this moment (and the graph lit as far as it has come)."""
        if self.layout is None:
            self.paint(timestamp_ms)
            return
        walk, self.moment = self.walkthrough, timestamp_ms
        walk.paint(self.network.context, self.walkthrough_image, self.page.path, self.layout, self.theme,
                   self.captions(), [label_of(f) for f in self.state.features], self.marked_parts(), timestamp_ms,
                   self.network.pixel_ratio)
        reached = walk.reached_events(timestamp_ms)
        if reached != self.graph_reached and self.graph is not None:
            self.graph_reached = reached
            self.draw_graph()
            self.show_inspector()

    # ---- the computation graph -----------------------------------------------------------------------
    def graph_root(self):
        """What the graph view draws: the code's expression, the recorded step, or the loss of the first
        training batch as the network stands (its gradients filled by a backward pass, no step taken)."""
        if self.code_graph is not None:
            return self.code_graph
        if self.walkthrough is not None:
            return self.walkthrough.steps.recording.loss
        if not len(self.run.inputs_train):
            return None
        batch = slice(0, self.state.batch_size)
        loss = self.run.training_loss(self.run.inputs_train[batch], self.run.y_train[batch])
        self.run.optimizer.zero_grad()  # the next training step starts with zero_grad too
        loss.backward()
        return loss

    def graph_transform(self):
        """(scale, dx, dy) from graph to screen: the fitted view, zoomed and panned by the user."""
        scale, dx, dy = fitted_transform(self.graph_layout, self.graph_canvas.width, self.graph_canvas.height,
                                         self.graph_zoom)
        return scale, dx + self.graph_pan[0], dy + self.graph_pan[1]

    def move_graph(self, kind, x, y, amount):
        """Zoom about the pointer (the point under it stays put), pan by a drag, or refit."""
        if self.graph_layout is None or kind == "dblclick":
            self.graph_zoom, self.graph_pan = 1.0, (0.0, 0.0)
        elif kind == "drag":
            self.graph_pan = (self.graph_pan[0] + amount[0], self.graph_pan[1] + amount[1])
        else:
            scale, dx, dy = self.graph_transform()
            world = ((x - dx) / scale, (y - dy) / scale)
            self.graph_zoom = float(np.clip(self.graph_zoom * np.exp(-amount * 0.0015), 0.25, 12.0))
            new_scale, new_dx, new_dy = self.graph_transform()
            self.graph_pan = (self.graph_pan[0] + x - (world[0] * new_scale + new_dx),
                              self.graph_pan[1] + y - (world[1] * new_scale + new_dy))
        self.graph_drawn_at = None

    def paint_graph_view(self):
        root = self.graph_root()
        self.graph_canvas.fit()
        if root is None:
            return
        names = {param: name for name, param in self.run.model.named_parameters()}
        self.graph = graph_of(root, names)
        self.graph_gradients = [None if t.grad is None else np.array(t.grad) for t in self.graph.tensors]
        self.graph_layout = layout_graph(self.graph, previous=self.graph_layout)
        self.network_map = None if self.code_graph is not None else NetworkMap(self.graph, self.run.weights, self.biases())
        self.draw_graph()

    def draw_graph(self):
        """Draw the graph as built: the nodes the walkthrough has reached lit, those a hovered neuron or edge
        is outlined, each with its value and gradient as the walkthrough's moment knows them."""
        if self.graph is None:
            return
        walk = self.walkthrough if self.code_graph is None else None
        lit = walk.lit_nodes(self.graph, self.moment) if walk else []
        numbers = [self.node_numbers(i) for i in range(len(self.graph.tensors))]
        paint_graph(self.graph_canvas.context, self.page.path, self.graph_layout, self.graph, self.theme,
                    self.graph_canvas.width, self.graph_canvas.height, self.graph_transform(), lit,
                    [(data, gradient if reached else None) for data, gradient, reached, _ in numbers],
                    self.linked_nodes)

    def node_numbers(self, index):
        """(data, gradient, reached, change) of graph node `index`: the walkthrough's recorded numbers as far
        as it has come (a parameter's data from before the step), or the node's own as drawn outside it."""
        tensor = self.graph.tensors[index]
        if self.walkthrough is None or self.code_graph is not None:
            return tensor.data, self.graph_gradients[index], True, None
        return self.walkthrough.node_numbers(tensor, self.moment)

    def biases(self):
        """Each Linear layer's bias tensor (or None), inputs first, as `run.weights` lists their weights."""
        return [layer.bias for layer in self.run.model if getattr(layer, "weight", None) in self.run.weights]

    def paint_diagnostics(self):
        """The Diagnostics panel: warnings with their fixes, the per-layer table, histograms, timeline."""
        self.histograms.fit()
        self.timeline.fit()
        stats = self.monitor.latest
        names = [layer_name(row, self.monitor.layers) for row in range(self.monitor.layers)]
        self.page.show_list("alerts", [f"{alert.message} {alert.fix}" for alert in stats.alerts] if stats else [])
        self.page.show_table("layer-stats", HEADER, table_rows(stats, names) if stats else [])
        if stats is not None:
            paint_histograms(self.histograms.context, self.page.path, stats, names, self.histograms.width,
                             self.histograms.height, self.theme)
        paint_timeline(self.timeline.context, self.page.polyline, self.monitor.timeline, names, self.timeline.width,
                       self.timeline.height, self.theme)

    def describe_gradient_check(self):
        """Compare the engine's gradients with finite differences on the current network, in words."""
        if not len(self.run.inputs_train):
            return "There is no loss to check gradients on without points. " + NO_POINTS
        check = check_gradients(self.run)
        verdict = "they agree" if check.largest < 1e-5 else "they DISAGREE: a gradient is wrong"
        return (f"Largest relative error between the engine's gradients and central differences: "
                f"{check.largest:.1e}; {verdict}.")

    def paint_heatmap(self, grid_outputs):
        """The Output canvas's picture: the network's output over the plane, or the hovered neuron's."""
        if self.hovered_neuron is not None:
            layer, index = self.hovered_neuron
            values = self.neuron_shades(grid_outputs)[layer][:, index]
            image = plane.diverging_image(values.reshape(self.resolution, -1), self.theme, strength=plane.BACKDROP)
            caption = f"Showing {self.neuron_name(layer, index)} over the plane."
        else:
            logits, side = grid_outputs[-1], self.resolution
            if self.run.classes > 1:
                probabilities = self.run.output_values(np.nan_to_num(logits)).reshape(side, side, -1)
                image = plane.class_image(probabilities, self.theme, self.state.discretize, plane.BACKDROP)
            else:
                shade = self.run.output_shade(logits).reshape(side, side)
                image = plane.diverging_image(shade, self.theme, self.state.discretize, plane.BACKDROP)
            caption = "Showing the network's output over the plane."
        if self.resolution != plane.RESOLUTION:
            caption += f" Drawn on a {self.resolution} \u00d7 {self.resolution} grid to keep this large network interactive."
        self.heatmap_image.put(image)
        self.page.set_text("output-caption", caption)

    def paint_thumbnails(self, grid_outputs):
        """Every neuron's output over the plane as one strip of small images, from the same forward pass."""
        if self.layout.radius < 6:
            return
        side = plane.THUMBNAIL
        small = [plane.downsample(layer, self.resolution).reshape(side * side, -1) for layer in grid_outputs]
        shades = np.concatenate(self.neuron_shades(small), axis=1).reshape(side, side, -1)
        strip = shades.transpose(0, 2, 1).reshape(side, -1)  # neuron k fills columns k*side .. (k+1)*side
        self.thumbnail_image.put(plane.diverging_image(strip, self.theme))

    def paint_points(self):
        width, height = self.output.width, self.output.height
        self.points_image.fit(width, height, self.output.pixel_ratio)
        colours = lambda labels: point_colours(labels, self.run.regression, self.run.classes, self.theme)
        paint_points(self.points_image.context, width, height, (self.run.X_train, colours(self.run.y_train)),
                     (self.run.X_test, colours(self.run.y_test)), self.theme, self.state.show_test)
        self.points_stale = False

    def show_numbers(self, history):
        self.page.set_text("epoch", str(self.run.epoch))
        self.numbers = tuple(history[-1]) if len(history) else self.run.measure()
        train, test, train_accuracy, test_accuracy = self.numbers
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

    def show_inspector(self):
        """The inspector: the hovered part, else the clicked one, with the engine's numbers as the
        walkthrough's phase knows them (or the network's as it stands, outside the walkthrough)."""
        part = self.hovered_part or self.selected_part
        title, rows = "", []
        if part is not None and part[0] == "neuron" and self.layout is not None:
            title, rows = self.inspect_neuron(*part[1:])
        elif part is not None and part[0] == "edge":
            title, rows = self.inspect_edge(part[1:])
        elif part is not None and part[0] == "node" and self.graph_layout and part[1] in self.graph_layout.keys:
            title, rows = self.inspect_node(self.graph_layout.keys.index(part[1]))
        self.page.set_text("inspector", title)
        if rows != self.inspector_rows:
            self.inspector_rows = rows
            self.page.show_table("inspector-numbers", INSPECTOR_HEADER if rows else (), rows)

    def phase_words(self):
        walk = self.walkthrough
        return f" (phase {walk.index + 1} of {len(PHASES)}, {walk.phase.name.replace('_', ' ')})" if walk else ""

    def inspect_neuron(self, layer, index):
        name = self.neuron_name(layer, index)
        last = layer == len(self.layout.centres) - 1
        walk = self.walkthrough
        if walk is not None:
            story = walk.story
            pre = None if layer == 0 else story.pre_activations[layer][EXAMPLE, index]
            gradient = None if story.gradients[layer] is None else story.gradients[layer][EXAMPLE, index]
            bias = None if layer == 0 or story.biases[layer - 1] is None else \
                tuple(None if part is None else part[index] for part in story.biases[layer - 1])
            rows = neuron_rows(story.values[layer][EXAMPLE, index], pre, gradient, bias, walk.index,
                               walk.values[-1][index] if last else None)
            return f"{name[0].upper()}{name[1:]}, for the batch's first example{self.phase_words()}", rows
        point = self.inspected_input(self.moment)
        if point is None:
            return name, []
        values, pre_activations = forward_reading(self.run.model, self.run.layer_outputs(np.asarray(point)[None])[0])
        bias = None if layer == 0 or self.biases()[layer - 1] is None else \
            (self.biases()[layer - 1].data[index], None, None)
        rows = neuron_rows(values[layer][0, index], None if layer == 0 else pre_activations[layer][0, index], None,
                           bias, None, self.run.output_values(values[-1])[0][index] if last else None)
        return f"{name[0].upper()}{name[1:]} at the input ({point[0]:.2f}, {point[1]:.2f})".replace("-", "\u2212"), rows

    def inspect_edge(self, edge):
        layer, to_neuron, from_neuron = edge
        walk = self.walkthrough
        if walk is None:
            weight = self.run.weights[layer].data[to_neuron, from_neuron]
            return self.describe_edge(edge), parameter_rows("weight", (weight, None, None), None, "w")
        triple = tuple(None if part is None else part[to_neuron, from_neuron] for part in walk.story.weights[layer])
        title = (f"Weight from {self.neuron_name(layer, from_neuron)} to {self.neuron_name(layer + 1, to_neuron)}"
                 f"{self.phase_words()}")
        return title, parameter_rows("weight", triple, walk.index, "w")

    def inspect_node(self, index):
        data, gradient, reached, change = self.node_numbers(index)
        walk = self.walkthrough if self.code_graph is None else None
        title = f"Graph node {self.graph.labels[index]}{self.phase_words() if walk else ''}"
        return title, node_rows(data, gradient, walk.index if walk else None, reached, change)

    def activation_message(self, activations):
        names = " and ".join(dict.fromkeys(activations)) or "no activation"
        if not self.playing:
            return (f"The same weights (epoch {self.run.epoch}), now through {names}: the pictures show what it does "
                    f"with them. Play trains on from here; Reset starts a fresh network initialised for {names}.")
        return (f"A fresh network for {names}, initialised for it. To see trained weights through another "
                "function instead, pause first, then switch.")

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

