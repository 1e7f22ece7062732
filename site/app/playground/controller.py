"""The playground: the settings, a training run and whether it plays, routed to the parts that show it.

The controller never touches the browser itself. It talks to a `page`, `app.browser` in the browser and a
stand-in in tests, which reports the user's actions here and draws what it is told; so every behaviour
of the page (what a click on Step does, what the URL says, what a diverging run shows) is tested in CPython.
Each part keeps its own state: the pictures, the graph panel, the inspector, input on the canvases, the
walkthrough, the diagnostics, the code in charge, traces and capture. They reach the run and each other
only through what this class hands them.
"""
from dataclasses import replace

from app.capture.recorder import Recorder
from app.diagnostics.monitor import Monitor
from app.diagnostics.panel import DiagnosticsPanel
from app.editor.session import SAVED_CODE, CodeSession
from app.graph.panel import GraphPanel
from app.lessons.panel import LessonPanel
from app.lessons.reading import read_page
from app.playground import layer_editor
from app.playground.attribution import Attribution, chosen_note
from app.playground.canvas_input import CanvasInput
from app.playground.inspector import Inspector
from app.playground.link import ROOMS, TOP, read_link
from app.playground.math_panel import MathPanel
from app.playground.messages import LESSON, PASSING, UNREAD_CODE, Messages
from app.playground.notes import show_notes
from app.playground.pictures import Pictures
from app.playground.points import parse_csv
from app.playground.setting_controls import show_setting
from app.playground.state import ACTIVATIONS, SETTINGS, State, encode, hidden_activations, with_change
from app.playground.stepthrough.driver import WalkthroughDriver
from app.playground.summary import NO_POINTS, activation_message, caption, describe, training_options
from app.race.panel import RacePanel
from app.traces.session import TraceSession
from app.training.pace import Pace
from app.training.trainer import train_epoch
from app.training.worker import TrainingWorker

# Changing these starts a new run; the others apply to the running one from its next step.
RESTARTS = {"dataset", "problem", "activation", "layer_activations", "train_ratio", "noise", "points", "hidden",
            "features", "seed", "custom", "init", "dropout", "batch_norm"}
SAVED_SETTINGS = "gradcanvas:settings"  # localStorage key
LAYER_BUTTONS = {"add-layer", "remove-layer", "add-neuron", "remove-neuron"}
# The rooms (state.ROOMS) where an opened file shows: the digits lab's models, and the Traces room, which says
# what became of a trace or weights file for the playground and holds a trace's slider.
LAB_ROOM, FILES_ROOM = "digits", "traces"


class Playground:
    """Owns the settings, the run and playing; the page calls `act`, `change`, `pointer`, `key`, `open_link`,
    `open_file` and `frame`. `take_trace(url, text)` is asked first for a #trace= link's trace once fetched, and
    True means another part of the page took it (main.py's: the digits lab, a trace of a network for digits)."""

    def __init__(self, page, fragment="", take_trace=lambda url, text: False):
        self.page, self.take_trace = page, take_trace
        self.state, self.extras = State(), {}  # the settings, and what else the link carries (code, a trace)
        self.run = self.monitor = None  # open_link below builds them for the link's settings
        self.playing, self.pace = True, Pace()  # the Speed control's pace here (the worker keeps its own)
        self.needs_paint, self.painted_input = True, None
        self.moment = 0.0            # the timestamp of the last frame painted: what pointer events are shown at
        self.reveal = ""             # an element to bring into view at the next frame, once the page is laid out
        self.said_not_kept = False   # whether an embedded page said, at a first change, that it keeps nothing
        # The parts, each handed what it may read or ask for; `run` and `walkthrough` say what they are now.
        run, walkthrough, moment = (lambda: self.run), (lambda: self.stepthrough.walkthrough), (lambda: self.moment)
        self.messages = Messages(page)  # the calm note and the red alert above the panels
        self.editor = CodeSession(page)
        self.traces = TraceSession(page)
        self.pictures = Pictures(page, run)
        self.graph = GraphPanel(page, run, walkthrough, theme=lambda: self.pictures.theme, moment=moment)
        self.stepthrough = WalkthroughDriver(page, self.graph, self.traces, run, train_epoch=self.train_one_epoch,
                                             pause=lambda: self.set_playing(False), say=self.say,
                                             seek_replay=self.seek_replay)
        self.canvas_input = CanvasInput(page, self.pictures, self.graph, self.show_part, self.stepthrough, run,
                                        moment=moment, change_settings=self.change_many)
        self.attribution = Attribution(run, self.canvas_input, walkthrough)  # the training points' own gradients
        self.inspector = Inspector(page, self.pictures, self.graph, run, walkthrough,
                                   inspected_input=lambda: self.canvas_input.inspected_input(self.moment))
        self.math = MathPanel(page, self.pictures, run, walkthrough,
                              inspected_input=lambda: self.canvas_input.inspected_input(self.moment), graph=self.graph,
                              attribution=self.attribution)
        self.diagnostics = DiagnosticsPanel(page)
        self.worker = TrainingWorker(page, on_problem=self.train_here)  # trains while the page plays
        self.capture = Recorder(page, run, caption=self.capture_caption, repaint=self.paint_at)
        self.lessons = LessonPanel(page)  # the open lesson's step, and the progress kept in this browser
        self.race = RacePanel(page)  # the Race room: this setup against the same with one setting changed
        # A button's data-action and what it does; the layer buttons (LAYER_BUTTONS) are `layer_editor.edited_layers`.
        self.actions = {
            "toggle": self.toggle, "step": self.step, "reset": self.reset, "leave-replay": self.restart,
            "export-trace": self.traces.export, "save-weights": lambda: self.traces.save_weights(self.run),
            "regenerate": lambda: self.change("seed", (self.state.seed + 1) % 2**32),
            "run-code": self.run_editor_code, "copy-link": lambda: self.editor.copy_link(self.state),
            "restore-code": self.editor.restore_saved, "next-phase": self.next_phase, "next-node": self.next_phase,
            "check-gradients": lambda: self.diagnostics.check_gradients(self.run), "load-csv": self.load_csv,
            "save-image": self.capture.save_image, "record": lambda: self.capture.toggle_clip("video"),
            "save-gif": lambda: self.capture.toggle_clip("gif"), "race": self.toggle_race,
            "copy-embed": lambda: self.editor.copy_embed_code(self.state),
            **self.lessons.actions,
        }
        # The controls that are not settings, and what a change of each does; any other name is a setting.
        self.controls = {
            "weight": self.canvas_input.edit_weight, "trace_step": self.scrub_replay,
            "layer_activation": self.set_layer_activation, "layer_delay": self.stepthrough.set_layer_delay,
            "keep_trace": lambda on: self.traces.keep(on in (True, "true"), self.run, self.stepthrough.batches_done),
            "animate_steps": lambda on: self.stepthrough.set_animated(on in (True, "true"), self.playing),
            "race_setting": lambda name: self.change_many({"race": self.race.change_to(name, self.state)}),
            "race_value": lambda value: self.change_many({"race": self.race.value_to(value, self.state)}),
        }
        page.create_editor("", lambda text: self.act("run-code"), self.editor.keep_text)
        self.open_link(fragment or page.load(SAVED_SETTINGS), saved_code=page.load(SAVED_CODE))

    def open_link(self, fragment, saved_code=None):
        """Show what a link describes (see `link.read_link`). Its settings apply at once; code it carries goes
        into the editor but never runs until the user presses Run (a stranger may have written it), while a
        preset shipped with the site runs at once. Work saved in this browser is never overwritten."""
        opened = read_link(fragment, saved_code)
        self.state, self.extras, self.reveal = opened.state, opened.extras, opened.reveal
        self.editor.show(opened.code)
        self.graph.code_graph = None  # the expression of the code that was in charge goes with it
        self.messages.clear()
        self.restart()
        if opened.lesson:  # a lesson plays at once, even after a pause or a run that diverged
            self.set_playing(True)
        if opened.run_now and opened.code:
            self.run_code_here(opened.code)  # a lesson's own code, which returns: at once
        if opened.message:  # a preset's lesson, or a word on the link's code; else the new run's own word stands
            self.say(opened.message, LESSON if opened.lesson else UNREAD_CODE)
        self.show_state([*opened.notes, *self.lessons.open_link(opened.lesson, opened.step)])
        if "trace" in self.extras:
            url = self.extras["trace"]
            self.traces.fetch(url, lambda text: self.open_linked_trace(url, text))

    def open_linked_trace(self, url, text):
        """A #trace= link's trace, fetched: replayed here, unless another part of the page takes it."""
        if self.take_trace(url, text):
            self.page.set_text("trace-status", f"The trace at {url} is of a network for digits: the digits lab "
                                               "replays it.")
        else:
            self.open_trace(url, text, link=url)

    # ---- what the user does ------------------------------------------------------------------------
    def act(self, action, layer=None):
        """A button's `data-action` (see `self.actions`, and LAYER_BUTTONS for `layer`'s)."""
        self.take_back()
        self.needs_paint = True
        if action in LAYER_BUTTONS:
            hidden = layer_editor.edited_layers(self.state.hidden, action, layer)
            if hidden is not None:
                self.change("hidden", hidden)
        elif action in self.actions:
            self.actions[action]()
        self.page.set_text("epoch", str(self.run.epoch))  # at once, not at the next frame

    def change(self, name, value):
        """A control changed to `value` (its text, or a Python value): one of `self.controls`, else a setting."""
        self.take_back()
        self.needs_paint = True
        if name in self.controls:
            self.controls[name](value)
        else:
            self.change_many({name: value})

    def change_many(self, changes, notes=()):
        """Apply setting `changes` (with `notes` on them): a change of the data or the network starts a new run,
        any other applies to the running one from its next step."""
        self.take_back()
        changes, withheld = self.editor.leave_to_controls(changes)
        state, change_notes = with_change(self.state, **changes)
        previous, self.state = self.state, state
        changed = {setting.name for setting in SETTINGS
                   if getattr(previous, setting.name) != getattr(state, setting.name)}
        self.messages.settings_changed(changed)
        if changed & RESTARTS:
            # A paused network keeps its trained weights through a change of activation, so the learner
            # sees the same weights under the new function; a playing one starts afresh, initialised for it.
            swap = set(changes) <= {"activation", "layer_activations"} and previous.hidden == state.hidden
            self.restart(keep_weights=set(changes) == {"custom"} or (swap and not self.playing))
            if swap:
                self.say(activation_message(hidden_activations(state), self.playing, self.run.epoch))
        else:
            self.run.state = state
            training = ("optimizer", "lr", "schedule")
            if [getattr(previous, name) for name in training] != [getattr(state, name) for name in training] \
                    and self.run.optimizer_name != "code":
                self.run.use_optimizer(state.optimizer, state.lr, state.schedule)
        self.pictures.points_stale = True
        self.show_state([*notes, *withheld, *change_notes])
        self.keep_settings()  # your own change: a reload brings it back

    def toggle(self):
        """Play or Pause; pausing mid-walkthrough keeps walking it, playing goes back to training by the epoch."""
        if not self.playing and not self.stepthrough.animate_steps:
            self.stepthrough.leave()
        self.set_playing(not self.playing)

    def step(self):
        """Step: pause and train exactly one epoch (or one step of a replayed trace)."""
        self.stepthrough.leave()
        self.set_playing(False)
        self.advance_run()

    def reset(self):
        """Reset: pause at a fresh network (or at a replayed trace's first step)."""
        self.messages.end("reset")
        if self.traces.replay:
            self.set_playing(False)
            self.seek_replay(0)
        else:
            self.restart()
            self.set_playing(False)

    def next_phase(self):
        """Next phase (the button, or the N key; Next node too): pause, and walk one training step phase by
        phase. The first press records a real step, the next mini-batch of the epoch; the fifth shows each
        weight's change; the press after it records the next step. When the graph shows the code's
        expression, each press steps its backward pass one node instead."""
        self.set_playing(False)
        self.needs_paint |= self.stepthrough.next_phase()

    def run_editor_code(self):
        """Run (or Ctrl/Cmd+Enter): the editor's code, and the settings it ran with kept for a reload."""
        self.run_code(self.page.editor_text())
        self.keep_settings()

    def run_code(self, source):
        """Run `source` as the editor's code. If it sets `model`, that network trains from now on; if it
        fails, its message and line show and the previous network keeps running. Once the training worker is
        up the code runs there first, where code that never returns is ended without the page waiting for it
        (`worker.overdue`); here only once it has returned."""
        if not self.worker.ready:
            self.run_code_here(source)
            return
        self.take_back()
        self.editor.show_output("Running your code…")
        self.worker.try_code(source, lambda tried: self.run_code_here(source) if tried.ok
                             else self.editor.show_output(tried.output + tried.error, tried.line))

    def run_code_here(self, source):
        """Run `source` in the page's interpreter now (under the trace hook's deadline), and put it in charge
        if it worked."""
        ran = self.editor.run(source, self.state)
        if ran is not None:
            run, self.graph.code_graph = ran  # the graph is the Tensor the code set as `graph`, or None
            self.take_over(self.state, run, self.editor.link_extras())
            self.messages.end("code")

    def keep_settings(self):
        """Keep the settings in this browser for a reload; an embedded page keeps nothing (your own work, saved
        by the same site, stays as you left it), and says so at the first change, as a page whose browser will
        not keep anything does."""
        if not self.state.embed and self.page.save(SAVED_SETTINGS, encode(self.state)) or self.said_not_kept:
            return
        self.said_not_kept = True
        if self.state.embed:
            self.say("Changes in an embedded page are not kept: Copy embed code, or open the page itself, to keep "
                     "them in a link.")
        else:
            self.say("This browser does not let the page keep your work (its storage is blocked here): Copy link "
                     "keeps it in a link.")

    def toggle_race(self):
        """Start the race / Stop the race: a race that starts has the page's frames to itself, so the run above
        pauses (the race's run A is a copy of it, from epoch 0)."""
        if self.race.toggle():
            self.set_playing(False)

    def load_csv(self):
        points, notes = parse_csv(self.page.read_text("csv"), regression=self.state.problem == "regression")
        self.change_many({"dataset": "custom", "custom": points}, notes)

    def set_layer_activation(self, value):
        layer, activation = value
        per_layer = hidden_activations(self.state)
        per_layer[layer] = activation
        self.change_many({"layer_activations": per_layer})

    def pointer(self, canvas, kind, x, y, shift=False, amount=0.0):
        """The pointer on a canvas (see `CanvasInput.pointer`); a press may edit the run, so it is taken back."""
        if kind in ("down", "drag", "dblclick"):
            self.take_back()
        self.needs_paint = True
        self.canvas_input.pointer(canvas, kind, x, y, shift, amount)

    def key(self, canvas, name, shift=False):
        """A key pressed on a focused canvas (see `CanvasInput.key`); True when it was used."""
        self.take_back()
        used = self.canvas_input.key(canvas, name, shift)
        self.needs_paint |= used
        return used

    # ---- traces and weights files ------------------------------------------------------------------------
    def open_file(self, name, data):
        """A file chosen or dropped on the page: a weights file (.npz, bytes) whose network then trains from
        the weights it holds, in charge instead of any code, or a trace (.json, text) to replay. One that comes
        while the digits lab is the room shown would change nothing in view: the Traces room opens, and the
        page brings into view the core picture it changed, or, when it was refused, the room saying why."""
        from_the_lab = self.state.room == LAB_ROOM
        if not str(name).lower().endswith(".npz"):
            opened = self.open_trace(name, data)
        elif (opened := self.traces.open_weights(name, data, self.state)) is not None:
            self.leave_replay()
            self.editor.use_weights(name, data)
            self.graph.code_graph = None  # the file's network is in charge now, not the code's expression
            self.messages.clear()
            self.take_over(*opened, {})
        if from_the_lab:
            self.change_many({"room": FILES_ROOM})
            self.reveal = TOP if opened else ROOMS

    def open_trace(self, name, text, link=None):
        """Replay the trace in `text`, paused at its first step; `link`, its URL when it came from one, goes
        into the page's link. A bad trace is refused and whatever was on screen stays. Returns the replay,
        None when refused."""
        replay = self.traces.open_trace(name, text)
        if replay is not None:
            self.set_playing(False)
            self.messages.clear()
            self.take_over(replay.state, replay.run, {"trace": link} if link else {})
            self.seek_replay(0)
        return replay

    def show_digits_model(self, name):
        """The digits lab opened model `name`: the Model setting names it, and the lab's room opens, brought into
        view when another room was open (a model dropped there would otherwise join the Model menu unseen)."""
        if self.state.room != LAB_ROOM:
            self.reveal = ROOMS
        self.change_many({"digits_model": name, "room": LAB_ROOM})

    def leave_replay(self):
        """Stop replaying (the link no longer carries the trace); True when a trace was being replayed."""
        left = self.traces.leave()
        if left:
            self.extras.pop("trace", None)
        return left

    def scrub_replay(self, value):
        """The replay's timeline slider moved to step `value`: pause there."""
        if self.traces.replay:
            self.set_playing(False)
            self.seek_replay(int(float(value)))

    def seek_replay(self, step):
        self.traces.seek(step, self.monitor)
        self.show_replay()

    def advance_replay(self):
        """One trace step on; at the end, pause there."""
        if self.traces.advance(self.monitor):
            self.set_playing(False)
        self.show_replay()

    def show_replay(self):
        """The replayed step changed: paint it."""
        self.needs_paint = True
        if not self.playing:
            self.graph.redraw_soon()  # a step shown by hand: the graph follows it at once

    # ---- running -----------------------------------------------------------------------------------
    def set_playing(self, playing):
        if not playing:
            self.take_back()
        elif not self.playing:
            self.pace = Pace(self.epochs_per_second())
        self.playing = playing
        self.page.set_text("play-pause", "Pause" if playing else "Play")
        self.page.set_data("play-pause", "playing", "true" if playing else "false")  # its ▶ or ❚❚, drawn by CSS

    def say(self, note, lasts=PASSING):
        """Say `note` calmly, until one of the events `lasts` happens (see `messages`); errors go to
        `self.messages.error`."""
        self.messages.note(note, lasts)

    def restart(self, keep_weights=False):
        """A new run for the current settings; code in charge builds its model again, fresh. A trace being
        replayed is left: the page trains live again."""
        if self.leave_replay():
            self.page.set_text("trace-status", "Back to live training.")
            self.show_state([])
        run = self.editor.build_run(self.state)
        if keep_weights:
            run.adopt(self.run)
        self.use_run(run)

    def take_over(self, state, run, extras):
        """Settings and a run from elsewhere (the code, a file) take over the page, with what the link carries;
        the room the user is in stays open (a trace opened in the Traces room goes on showing its slider)."""
        self.state, self.extras = replace(state, room=self.state.room), extras
        self.use_run(run)
        self.show_state([])

    def use_run(self, run):
        """`run` trains from now on: every part starts afresh with it."""
        self.take_back()
        self.run = run
        self.stepthrough.use_run()
        self.graph.use_run()
        self.traces.keep_trace_of(run, self.stepthrough.batches_done)
        self.canvas_input.use_run()
        self.needs_paint = True
        self.monitor = Monitor(run)
        self.diagnostics.use_run()
        self.pictures.use_run()
        self.messages.use_run(len(run.inputs_train) > 0)

    def advance_run(self):
        """Train: in the worker when it can, else the next epoch here; or show the replayed trace's next step.
        Whether there is something new to draw."""
        if self.traces.replay:
            self.advance_replay()
        elif self.playing and self.trains_in_worker():
            return self.follow_worker()
        else:
            self.train_one_epoch()
        return True

    def train_one_epoch(self):
        """Train the rest of the epoch (all of it, unless the walkthrough took its first mini-batches). With
        no points there is nothing to pass over: the epoch counter waits, and the page says what to do."""
        if not len(self.run.inputs_train):
            self.say(NO_POINTS)
            return
        stopped = train_epoch(self.run, self.monitor, first_batch=self.stepthrough.finish_epoch())
        self.traces.stop_when_full(self.run)
        self.pause_if(stopped)

    def pause_if(self, stopped):
        """Pause when the run stopped by itself (`stopped`, see trainer.train_epoch), saying why."""
        if stopped == "diverged":
            self.set_playing(False)
            diverged = self.monitor.diverged
            self.messages.error(f"Epoch {self.run.epoch}: {diverged.message} {diverged.fix}")
        elif stopped == "stopped" and self.playing:
            self.set_playing(False)
            self.say(self.run.stop_reason())

    # ---- training in the worker ----------------------------------------------------------------------
    def trains_in_worker(self):
        """Whether the run trains in the worker: once it is ready (and has not refused this run), unless a trace
        is being kept, which sees every step here."""
        return self.worker.takes(self.run) and not self.traces.keeping and len(self.run.inputs_train) > 0

    def due(self, timestamp_ms):
        """Whether the Speed control lets the next epoch train here now (a new speed counts from now)."""
        if self.pace.per_second != self.epochs_per_second():
            self.pace = Pace(self.epochs_per_second())
        return self.pace.due(timestamp_ms / 1000)

    def epochs_per_second(self):
        """The Speed control's pace: epochs a second, or None for as many as training takes."""
        return None if self.state.speed == "max" else float(self.state.speed)

    def follow_worker(self):
        """Hand the run to the worker if it does not hold it yet, and take in what it sent; whether the run
        moved (there is something new to draw)."""
        if not self.worker.holds_run:
            self.worker.hand_on(self.run, self.monitor, first_batch=self.stepthrough.batches_done,
                                pace=self.epochs_per_second(), code=self.editor.code)
            if not self.worker.holds_run:  # it could not go: it trains here, from this epoch on
                self.train_one_epoch()
                return True
            self.stepthrough.finish_epoch()  # the worker finishes the epoch the walkthrough began
        moved, stopped = self.worker.follow(self.run, self.monitor)
        self.pause_if(stopped)
        return moved

    def train_here(self, reason):
        """The worker cannot train (`reason`, in words): training goes on in the page's frames, as it did
        before the worker was up; the page says so."""
        self.say(f"{reason[:1].upper()}{reason[1:]}: training goes on here, between the frames that draw it, "
                 "more slowly.")

    def take_back(self):
        """The run trains here again (the learner is changing something): the worker stops."""
        self.worker.take_back(self.run, self.monitor)

    def frame(self, timestamp_ms):
        """One animation frame: train an epoch if playing, then paint everything. A paused page paints
        only when something changed (an action, the pointer, the drawn input, the canvas size), so it
        costs nothing while it sits still. During the walkthrough only the Network view moves, and
        animating every step, each phase gives way to the next once its motion has ended."""
        self.needs_paint |= self.worker.overdue()  # the editor's code never returned: its worker is ended
        if self.stepthrough.due(timestamp_ms, self.playing):
            self.needs_paint |= self.stepthrough.advance()
        walk = self.stepthrough.walkthrough
        if walk is not None:
            if self.needs_paint or self.pictures.resized():
                self.paint(timestamp_ms)
            elif walk.moving(timestamp_ms):
                self.paint_walkthrough(timestamp_ms)
        elif self.playing and (self.trains_in_worker() or self.due(timestamp_ms)) and self.advance_run():
            self.paint(timestamp_ms)
        elif (self.needs_paint or self.pictures.resized()
              or self.canvas_input.input_key(timestamp_ms) != self.painted_input):
            self.paint(timestamp_ms)
        self.capture.film(timestamp_ms)
        self.race.frame(timestamp_ms, self.state.room == "race", self.pictures.theme)
        if self.reveal:
            self.page.reveal(self.reveal)
            self.reveal = ""
        self.follow_lesson()

    def follow_lesson(self):
        """Check the open lesson's step against the page as it stands; a step it moved to goes into the link."""
        if self.lessons.lesson is None:
            return
        reading = read_page(self.state, self.run, self.monitor, self.editor.defines_model(), self.graph.code_graph,
                            self.graph.backward_walk, self.canvas_input.hovered_neuron, self.race.race)
        if self.lessons.follow(reading):
            self.page.set_fragment(encode(self.state, self.link_extras()))

    def link_extras(self):
        """What the page's address carries beside the settings: the code, a trace, and the open lesson's step."""
        return {**self.extras, **self.lessons.link_extras()}

    # ---- showing -----------------------------------------------------------------------------------
    def show_state(self, notes):
        """Put the state into the controls, the URL and the notes after it changed."""
        for setting in SETTINGS:  # each control shows its value as a link writes it
            if setting.name != "custom":
                show_setting(self.page, setting.name, setting.kind.write(getattr(self.state, setting.name)))
        held = self.editor.held_note()  # the network comes from your code or a file: show that one, held
        sizes, activations = list(self.state.hidden), hidden_activations(self.state)
        if held:
            sizes, activations = self.run.layer_sizes()[1:-1], self.run.activation_names()[:-1]
        layer_editor.show_layers(self.page, sizes, activations, ACTIVATIONS, held)
        self.page.set_text("training-options-on", training_options(self.state))
        self.race.use_state(self.state)
        self.editor.follow_controls(self.state)
        self.editor.keeps_work = not self.state.embed
        self.page.set_fragment(encode(self.state, self.link_extras()))
        show_notes(self.page, notes)
        self.set_playing(self.playing)

    def summary(self, timestamp_ms):
        """The network in plain sentences (for screen readers too), about the input the Network view shows."""
        point = self.canvas_input.drawn_input(timestamp_ms)
        output = self.pictures.neurons_at(point)[0][-1] if point is not None else None
        return describe(self.state, self.run, point, output)

    def network_notes(self):
        """Where the drawn network comes from, when not from the controls; and the chosen training point."""
        notes = []
        if self.traces.replay:
            notes.append("The network is the trace's, as it stood before the step shown.")
        elif source := self.editor.network_source():
            notes.append(f"The network comes from {source}.")
        if self.canvas_input.chosen_example is not None and self.stepthrough.walkthrough is None:
            notes.append(chosen_note(self.run, self.canvas_input.chosen_example))
        return notes

    def capture_caption(self):
        return caption(self.state, self.run, self.pictures.numbers, self.editor.defines_model())

    def show_inspector(self):
        self.show_part(self.canvas_input.inspected_part())

    def show_part(self, part):
        """What is pointed at, in the inspector's rows and written out in the Math panel."""
        self.inspector.show(part)
        self.math.show(part)

    def paint_at(self, density):
        """Paint the moment shown again with `density` times the screen's pixels (a picture at 2x)."""
        self.pictures.density = density
        self.paint(self.moment)

    def paint(self, timestamp_ms):
        """Paint every view as it is at `timestamp_ms` (the slow panels only when they are due)."""
        input_key = self.canvas_input.input_key(timestamp_ms)
        self.needs_paint, self.painted_input, self.moment = False, input_key, timestamp_ms
        self.pictures.fit()
        grid_outputs = self.stepthrough.plane_outputs(self.pictures.grid)
        point, walking = self.canvas_input.drawn_input(timestamp_ms), self.stepthrough.walkthrough is not None
        self.attribution.update()
        self.pictures.paint_plane(grid_outputs, self.canvas_input.hovered_neuron, self.canvas_input.crosshair(timestamp_ms),
                                  None if walking else self.canvas_input.chosen_point(), self.attribution.pulls())
        if walking:
            self.paint_walkthrough(timestamp_ms)
            self.page.set_text("network-note", " ".join(self.network_notes()))
        else:
            latest = self.monitor.latest
            self.pictures.paint_network(grid_outputs, point, self.canvas_input.marked_parts(),
                                        latest.nonfinite if latest else None, self.network_notes(),
                                        self.attribution.of_chosen())
        self.show_inspector()
        self.pictures.paint_curve()
        graph_due = self.graph.due(timestamp_ms, self.playing)
        if graph_due:
            self.graph.paint(timestamp_ms)
        if self.diagnostics.due(self.monitor, timestamp_ms, self.playing, graph_due):  # the slow panels take turns
            self.diagnostics.paint(self.monitor, self.pictures.theme, timestamp_ms)

    def paint_walkthrough(self, timestamp_ms):
        """The Network view of the walkthrough at this moment, and the graph lit as far as it has come."""
        if self.pictures.layout is None:
            self.paint(timestamp_ms)
            return
        self.moment = timestamp_ms
        self.pictures.paint_walkthrough(self.stepthrough.walkthrough, self.canvas_input.marked_parts(), timestamp_ms)
        if self.graph.nodes is not None and self.stepthrough.reached_further(timestamp_ms):
            self.graph.draw()
            self.show_inspector()
