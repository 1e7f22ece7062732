"""The walkthrough's driver: Next phase and Animate every step take real training steps (the run's next
mini-batch, or a replayed trace's next step) and walk each one phase by phase, at the learner's speed.

A walked step is a step of the run: the epoch it begins is finished by the next one trained, so walking
and training by the epoch train exactly the same network.
"""
import dataclasses

import numpy as np

from app.playground.notes import show_notes
from app.playground.pictures import MAX_EDGES_DRAWN, neuron_shades
from app.playground.stepthrough.recorded_step import PHASES, network_step, record_step, weights_before_the_step
from app.playground.stepthrough.walkthrough import EXAMPLE, Walkthrough, colour_key
from app.playground.summary import NO_POINTS

LAYER_DELAYS_MS = (100, 300, 1000, 3000)  # the Animation speed control's choices, per layer
HOLD_SLOTS = 2.0  # animating every step, each phase holds this many layer delays once its motion ends
PHASE_INTRO = ("Next phase (or the N key) pauses training and walks one real training step in five phases, in the "
               "Network and in the Computation graph: the forward pass, the loss, the start of the backward pass, "
               "the gradients (how much the loss changes as each weight changes, in the order the engine computed "
               "them) and the update.")
EXPRESSION_INTRO = ("Your code set `graph`: Next phase (or the N key) steps its backward pass node by node, in "
                    "the Computation graph.")
NO_BATCH = ("The five phases need the batch each step trained on, which only a trace kept by this page records "
            "(and none is left after the last step): move through this one with Step or the slider.")


class WalkthroughDriver:
    """Walks steps of `run()`, or of the replay in `traces` (a `TraceSession`) when there is one. It asks the
    playground to `train_epoch()` (the rest of an epoch, as Step does), to `pause()`, to `say(message)`
    and to `seek_replay(step)`; a new step makes the `graph` panel build its graph again."""

    def __init__(self, page, graph, traces, run, train_epoch, pause, say, seek_replay):
        self.page, self.graph, self.traces = page, graph, traces
        self.run, self.train_epoch, self.pause, self.say, self.seek_replay = run, train_epoch, pause, say, seek_replay
        self.walkthrough = None      # the recorded step that Next phase (or animating every step) walks through
        self.point = None            # the example its neurons show, on the plane
        self.batches_done = 0        # mini-batches of the current epoch the walkthrough has taken
        self.layer_delay_ms, self.animate_steps = 300, False  # the Animation speed and Animate every step controls
        self.graph_reached = None    # how far the graph was lit, in the walk's gradient events
        page.set_text("phase-caption", PHASE_INTRO)

    def use_run(self):
        """A new run: nothing of it has been walked. Next phase will walk the code's expression when the
        graph shows one, and the caption says which it walks."""
        self.walkthrough, self.batches_done = None, 0
        self.show_intro()

    def finish_epoch(self):
        """The rest of the epoch is being trained: the number of its mini-batches walked already (the next
        epoch starts with none)."""
        walked, self.batches_done = self.batches_done, 0
        return walked

    # ---- the controls --------------------------------------------------------------------------------
    def set_layer_delay(self, text):
        """The Animation speed: milliseconds per layer, one of LAYER_DELAYS_MS; the phase under way plays
        again at it."""
        try:
            delay = int(float(text))
        except (TypeError, ValueError, OverflowError):
            delay = None
        if delay not in LAYER_DELAYS_MS:
            show_notes(self.page, [f"animation speed {str(text)[:40]!r} is not one of "
                                  f"{', '.join(map(str, LAYER_DELAYS_MS))} ms a layer; keeping {self.layer_delay_ms} ms"])
            return
        self.layer_delay_ms = delay
        if self.walkthrough is not None:
            self.walkthrough.set_delay(delay / 1000)

    def set_animated(self, animated, playing):
        """Animate every step; turning it off while training goes back to training by the epoch."""
        self.animate_steps = animated
        if not animated and playing:
            self.leave()

    # ---- walking ---------------------------------------------------------------------------------------
    def next_phase(self):
        """Next phase: the code's expression one node on when the graph shows it (see `GraphPanel.next_node`),
        else the training step's next phase (see `advance`). True when every panel must be painted again."""
        if self.graph.code_graph is not None:
            self.graph.next_node()
            return False
        return self.advance()

    def due(self, timestamp_ms, playing):
        """Whether this frame walks on by itself: animating every step, a new step when none is walked (and
        there are points to train on), else the next phase once the current one's motion has ended and held."""
        walk = self.walkthrough
        if walk is None:
            return playing and self.animate_steps and len(self.run().inputs_train) > 0
        return playing and walk.finished(timestamp_ms, HOLD_SLOTS * walk.delay)

    def advance(self):
        """The next phase, or a new step after the last. True when every panel must be painted again: only a
        new step changes the weights (and the update phase shows it on the plane); a phase redraws the Network
        and graph views alone."""
        if self.walkthrough is None or self.walkthrough.done:
            self.record_next_step()
            self.graph.redraw_soon()
            repaint = True
        else:
            self.walkthrough.next_phase()
            repaint = self.walkthrough.index == PHASES.index("update")  # the plane takes the step
        self.graph_reached = None
        self.show_phase()
        return repaint

    def record_next_step(self):
        """Take the epoch's next mini-batch step, recorded, and start walking it; the epoch's last one
        completes the epoch (the loss curve and diagnostics learn of it)."""
        if self.traces.replay is not None:
            self.record_replayed_step()
            return
        run = self.run()
        size = run.state.batch_size
        if not len(run.inputs_train):
            self.say(NO_POINTS)
            return
        if self.batches_done * size >= len(run.inputs_train):  # the batch size grew mid-epoch
            self.train_epoch()
        start = self.batches_done * size
        recording = record_step(run, slice(start, start + size))
        self.batches_done += 1
        if start + size >= len(run.inputs_train):
            self.train_epoch()
        self.start(recording, run.X_train[start + EXAMPLE])

    def record_replayed_step(self):
        """Walk the replayed trace's next step: the engine takes it again, on the batch the trace says and
        from the trace's parameters, so its gradients are the trace's; the update is the trace's own."""
        replay, run = self.traces.replay, self.run()
        batch = replay.batch()
        if batch is None:
            self.pause()
            self.say(NO_BATCH)
            return
        recording = record_step(run, batch)
        self.seek_replay(replay.position + 1)  # the trace's update, not this page's optimizer's
        after = {name: np.array(param.data) for name, param in run.model.named_parameters()}
        self.start(dataclasses.replace(recording, weights_after=after), run.X_train[batch][EXAMPLE])

    def start(self, recording, point):
        """Walk `recording` phase by phase, the neurons showing the batch's example at `point`."""
        run = self.run()
        story = network_step(recording, run.model)
        example = [layer[EXAMPLE:EXAMPLE + 1] for layer in story.values]
        values = [layer[0] for layer in example[:-1]] + [run.output_values(example[-1])[0]]
        shades = [layer[0] for layer in neuron_shades(run, example)]
        self.walkthrough = Walkthrough(recording, story, values, shades, self.layer_delay_ms / 1000,
                                       self.page.prefers_reduced_motion(), MAX_EDGES_DRAWN)
        self.point = point

    def show_phase(self):
        """The caption of the walkthrough's phase, and the key to what its colours and sizes mean."""
        walk = self.walkthrough
        if walk is None:
            return
        phase = walk.phase
        self.page.build("network-colours", colour_key(phase.name))
        text = f"Phase {walk.index + 1} of {len(PHASES)}: {phase.caption}"
        if phase.name == "forward":
            x1, x2 = self.point
            text += (f" The neurons show the batch's first example, at ({x1:.2f}, {x2:.2f}); rings mark "
                     "values past ±0.5.").replace("-", "−")
            if any(dropped is not None and dropped[EXAMPLE].any() for dropped in walk.story.dropped):
                text += (" Crossed-out neurons were switched off by dropout in this step: they output 0 and pass no "
                         "gradient back.")
        elif phase.name == "gradients":
            text += (" Particles carry each weight's gradient dL/dw (how much the loss changes as that weight grows) "
                     "back along its edge; the key under the Network says what they show.")
        elif phase.name == "update":
            largest = max(float(np.abs(change.change).max()) for change in phase.items)
            text += (f" The largest change is {largest:.3g}. Edges now show each weight's change, as the key under "
                     "the Network says.")
        self.page.set_text("phase-caption", text)

    def leave(self):
        """Back to training: the walkthrough ends; the epoch it began finishes with the next one trained."""
        if self.walkthrough is not None:
            self.walkthrough = None
            self.graph.redraw_soon()
            self.show_intro()

    def show_intro(self):
        """The caption outside a walked step: what Next phase will walk, the code's expression or a step; the
        colour key goes back to the weights'."""
        self.page.set_text("phase-caption", PHASE_INTRO if self.graph.code_graph is None else EXPRESSION_INTRO)
        self.page.build("network-colours", colour_key())

    # ---- what the views show during it -------------------------------------------------------------------
    def plane_outputs(self, grid):
        """Every layer's outputs over the plane's `grid`, for the network the Network view shows: during a
        walkthrough, as it stood before the walked step until the update phase shows its change."""
        walk, run = self.walkthrough, self.run()
        if walk is None or walk.index >= PHASES.index("update"):
            return run.layer_outputs(grid)
        with weights_before_the_step(walk.steps.recording):
            return run.layer_outputs(grid)

    def reached_further(self, timestamp_ms):
        """Whether the walk has reached further into the graph at this moment than when the graph was last
        lit for it (the graph is then lit again)."""
        reached = self.walkthrough.reached_events(timestamp_ms)
        if reached == self.graph_reached:
            return False
        self.graph_reached = reached
        return True
