"""One recorded training step shown phase by phase: the Network view's picture of each phase with its
motion, and the graph nodes and inspector rows the phase has reached, kept in step with each other.

The phases are `replay.StepThrough`'s; the timeline is `animation.PhaseMotion`'s. The still parts of a
picture (edges, neurons, captions) are drawn once into an off-screen layer whenever they change (a
layer lit, a phase begun, a hover), and each frame copies that layer and draws the moving parts over it:
a frame's cost does not grow with the number of edges, only with the number of particles.
"""
import numpy as np

from app.playground.stepthrough.particles import (DECADES, PARTICLES_PER_EDGE, GradientFlow, ParticlePool, PhaseMotion,
                                                  backward_curves, gradient_looks)
from app.playground.stepthrough.particles_view import (paint_changes, paint_dropped, paint_label, paint_links,
                                                      paint_particles, paint_pulses, particle_radius)
from app.playground.network_view import WEIGHT_FOR_MAX_WIDTH, paint_network, strongest_edges
from app.playground.stepthrough.recorded_step import PHASES, StepThrough
from app.shared.colour_key import key_line

EXAMPLE = 0  # the step-through shows the neurons of the batch's first example

# How strongly each phase draws the weights: in the gradients and update phases they step back, so the
# particles and the changes drawn over them read first.
EDGE_ALPHA = {"gradients": 0.45, "update": 0.22}


def colour_key(phase=None):
    """What colour and size mean in the Network view during `phase` (a name of PHASES; None outside a walked
    step), as `page.build` children. Blue is positive and orange negative everywhere, but what is positive
    changes (the weight, its gradient, its change), so the key says it wherever the picture does."""
    smallest = f"log scale, from the step's largest down to 1/{10 ** DECADES:,.0f} of it"
    if phase == "gradients":
        return (key_line("Particle colour", "the sign of dL/dw", "blue +", "orange \u2212", "size",
                         f"|dL/dw|, {smallest}")
                + [("span", {}, " The faded edges are the weights.")])
    if phase == "update":
        return key_line("Edge colour", "the weight went up or down", "blue up", "orange down", "width",
                        f"how much it changed, {smallest}")
    return (key_line("Edge colour", "the weight's sign", "blue +", "orange \u2212", "width",
                     f"|weight|, widest from {WEIGHT_FOR_MAX_WIDTH:g}")
            + [("span", {}, " Neuron colour: its value at the input shown, orange \u22121 to blue +1.")])


class Walkthrough:
    """The step-through of `recording` (its `replay.NetworkStep` is `story`), showing the batch's example
    whose neuron values are `values` (as printed, per neuron layer) and `shades` (on the colour scale).
    `delay` is seconds per layer; `still` shows each phase's end at once (reduced motion)."""

    def __init__(self, recording, story, values, shades, delay, still=False, max_edges=None):
        self.steps = StepThrough(recording)
        self.story, self.values, self.shades = story, values, shades
        self.delay, self.still = delay, still
        before = [w for w, _, _ in story.weights]
        after = [w for _, _, w in story.weights]
        self.shown = strongest_edges(before, max_edges)
        self.shown_after = strongest_edges(after, max_edges)
        self.gradient_looks = [look * mask for look, mask in
                               zip(gradient_looks([g for _, g, _ in story.weights]), self.shown)]
        self.change_looks = [look * mask for look, mask in
                             zip(gradient_looks([a - b for b, _, a in story.weights]), self.shown_after)]
        self.ranks = {id(event.node): rank for rank, event in enumerate(recording.backward)}
        self.pool = None
        self.start_phase()

    # ---- where the step-through is --------------------------------------------------------------------
    @property
    def phase(self):
        return self.steps.phase()

    @property
    def index(self):
        return self.steps.index

    @property
    def done(self):
        return self.steps.done

    def next_phase(self):
        self.steps.next_phase()
        self.start_phase()

    def start_phase(self):
        """Begin the current phase's motion; its clock starts at the next frame."""
        self.motion = PhaseMotion(self.phase.name, len(self.values), self.story.order, self.delay, self.still)
        self.started, self.flow, self.flow_layout, self.drawn = None, None, None, None
        self.painted = -1.0  # the moment (seconds into the phase) last painted

    def set_delay(self, delay):
        """A new speed: the current phase plays again at it."""
        self.delay = delay
        self.start_phase()

    def seconds(self, timestamp_ms):
        """Seconds since the current phase's first frame (which is `timestamp_ms` if none was yet)."""
        if self.started is None:
            self.started = timestamp_ms
        return max(timestamp_ms - self.started, 0.0) / 1000

    def moving(self, timestamp_ms):
        """Whether the picture changes from frame to frame: motion under way (until a frame has shown its
        end), or gradients flowing."""
        if self.still:
            return self.painted < 0
        return self.phase.name == "gradients" or self.painted < self.motion.duration

    def finished(self, timestamp_ms, hold):
        """Whether the phase's motion is over and `hold` more seconds have passed (animating every step)."""
        return self.started is not None and self.seconds(timestamp_ms) >= self.motion.duration + hold

    def reached_events(self, timestamp_ms):
        """How many of the recording's GradientEvents (in the engine's order) this moment has reached:
        none before the output gradient, the loss's own at it, and in the gradients phase every event up
        to the weight of the last Linear layer the animation has reached (all of them once it is over)."""
        name, events = self.phase.name, len(self.steps.recording.backward)
        if name in ("forward", "loss"):
            return 0
        if name == "output_gradient":
            return 1
        if name == "update" or self.started is None:
            return events if name == "update" else 1
        t = self.seconds(timestamp_ms)
        reached = self.motion.reached(t)
        if t >= self.motion.duration or len(reached) == len(self.story.order):
            return events
        return self.story.completed[reached[-1][0]] + 1 if reached else 1

    def lit_nodes(self, graph, timestamp_ms):
        """Graph node indices the phase lights, in the order the engine reached them: every op in the
        forward pass, the loss, then the gradients as far as the animation has reached, then the
        parameters the optimizer changed."""
        recording, name = self.steps.recording, self.phase.name
        if name == "forward":
            return [i for i, tensor in enumerate(graph.tensors) if tensor.op]
        if name == "loss":
            return [graph.index_of(recording.loss)]
        events = recording.backward[: self.reached_events(timestamp_ms)]
        if name == "update":
            events = [event for event in events if event.node in recording.parameter_names]
        return [i for i in (graph.index_of(event.node) for event in events) if i is not None]

    def node_numbers(self, tensor, timestamp_ms):
        """(data, gradient, reached, change) of a graph node as this moment knows it: a parameter's data
        from before the step and its change (None for other nodes), the recorded gradient once the replay
        has reached it. A node that needs no gradient counts as reached, with none."""
        recording = self.steps.recording
        name = recording.parameter_names.get(tensor)
        data = tensor.data if name is None else recording.weights_before[name]
        change = None if name is None else recording.weights_after[name] - data
        rank = self.ranks.get(id(tensor))
        if rank is None:
            return data, None, not tensor.requires_grad, change
        reached = rank < self.reached_events(timestamp_ms)
        return data, recording.backward[rank].gradient if reached else None, reached, change

    # ---- the picture ------------------------------------------------------------------------------------
    def paint(self, ctx, layer, path, layout, theme, captions, input_labels, links, timestamp_ms, pixel_ratio):
        """Draw the Network view of this moment on `ctx` (the canvas, CSS pixels), the still parts through
        `layer` (an off-screen `Pixels`), the moving ones straight over it."""
        t = self.painted = self.seconds(timestamp_ms)
        motion, name = self.motion, self.phase.name
        lit = motion.lit(t)
        key = (name, lit, id(layout), theme, links)
        if key != self.drawn:
            self.drawn = key
            layer.fit(layout.width, layout.height, pixel_ratio)
            update = name == "update"
            weights = [(a if update else b) for b, _, a in self.story.weights]
            values = [v if k < lit else None for k, v in enumerate(self.values)]
            shades = [s if k < lit else np.zeros_like(s) for k, s in enumerate(self.shades)]
            paint_network(layer.context, path, layout, weights, values, shades, theme, captions, input_labels,
                          None, self.shown_after if update else self.shown, edge_alpha=EDGE_ALPHA.get(name, 1.0))
            if links:
                paint_links(layer.context, path, layout, links, theme)
            paint_dropped(layer.context, path, layout, [None if d is None else d[EXAMPLE] for d in self.story.dropped],
                          theme)
        ctx.drawImage(layer.element, 0, 0, layout.width, layout.height)
        if name == "update":
            paint_changes(ctx, path, layout, self.change_looks, motion.glow(t), theme)
        if name == "gradients":
            self.flow_at(t, layout).update(t, motion.reached(t), self.still)
            paint_particles(ctx, path, self.pool, theme, particle_radius(layout.radius))
        paint_pulses(ctx, path, layout, motion.pulses(t), self.shades, theme)
        self.paint_labels(ctx, layout, theme)

    def flow_at(self, t, layout):
        """The particles of the gradients phase, set up on its first frame for this layout."""
        if self.flow is None or self.flow_layout is not layout:
            edges = sum(int(mask.sum()) for mask in self.shown)
            if self.pool is None or self.pool.capacity < (PARTICLES_PER_EDGE + 1) * edges:
                self.pool = ParticlePool((PARTICLES_PER_EDGE + 1) * edges)
            curves = [backward_curves(layout, looks.shape, l, particle_radius(layout.radius) + 1.0)
                      for l, looks in enumerate(self.gradient_looks)]
            self.flow, self.flow_layout = GradientFlow(self.pool, curves, self.gradient_looks, self.delay), layout
        return self.flow

    def paint_labels(self, ctx, layout, theme):
        """The loss under the output neurons from phase 2 on, and dL/dL = 1 under it from phase 3 on."""
        if self.index < PHASES.index("loss"):
            return
        outputs = layout.centres[-1]
        x, right = outputs[-1, 0], layout.width - 3
        y = min(outputs[-1, 1] + layout.radius + 22, layout.height - 40)
        paint_label(ctx, x, y, f"loss {self.story.loss:.4g}".replace("-", "\u2212"), theme, self.index == 1, right)
        if self.index >= PHASES.index("output_gradient"):
            paint_label(ctx, x, y + 28, "\u2202L/\u2202L = 1", theme, self.index == 2, right)
