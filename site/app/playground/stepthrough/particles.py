"""Where the step-through's motion is at a moment: which layers the forward pass has lit, which neurons
pulse, which layers the backward pass has reached, and the particles flowing back along their edges.

Time is in seconds since the phase began and every duration is a multiple of the layer delay, so the
"Animation speed" control slows or quickens everything together. Pure numpy: the numbers shown come from
`replay.NetworkStep`, the pixels from `animation_view`.
"""
from dataclasses import dataclass

import numpy as np

from app.playground.network_view import edge_curve

PULSE_THRESHOLD = 0.5     # a neuron pulses when its value, on the colour scale's [-1, 1], reaches this far
PULSE_SLOTS = 1.5         # a pulse ring lasts this many layer delays
BADGE_SLOTS = 2.0         # the loss and the output gradient each pulse this long
UPDATE_SLOTS = 3.0        # the weights' changes glow, then settle, over this long
PARTICLES_PER_EDGE = 1    # a reached edge launches a particle every delay / this: so many fly on it at once
GOLDEN = 0.6180339887     # edge k of a layer runs this fraction of a launch behind edge k - 1 (mod 1): a
                          # flow spread evenly along the edges, not every particle of a layer in one column
DECADES = 4.0             # |dL/dw| from the step's largest down this many powers of ten spans the sizes
SIZES = 6                 # particle sizes (and brightnesses); with two signs, 12 looks drawn per frame


@dataclass(frozen=True)
class PhaseMotion:
    """The timeline of one phase (a name of `replay.PHASES`) of a network with `layers` neuron layers,
    whose Linear layers the backward pass reached in `order`; `delay` is seconds per layer. With `still`
    (the viewer prefers reduced motion) every phase shows its end at once."""

    phase: str
    layers: int
    order: tuple
    delay: float
    still: bool = False

    @property
    def duration(self):
        """Seconds until this phase's motion is complete (its particles keep flowing after)."""
        if self.still:
            return 0.0
        return {"forward": (self.layers - 1 + PULSE_SLOTS) * self.delay,
                "loss": BADGE_SLOTS * self.delay,
                "output_gradient": BADGE_SLOTS * self.delay,
                "gradients": (len(self.order) + 1) * self.delay,
                "update": UPDATE_SLOTS * self.delay}[self.phase]

    def lit(self, t):
        """How many neuron layers, inputs first, the forward pass has reached by `t`.

        >>> PhaseMotion("forward", 4, (2, 1, 0), 0.3).lit(0.31), PhaseMotion("loss", 4, (), 0.3).lit(0.0)
        (2, 4)
        """
        if self.phase != "forward" or self.still:
            return self.layers
        return int(min(self.layers, np.floor(t / self.delay + 1e-9) + 1))

    def pulses(self, t):
        """(neuron layer, progress in [0, 1), every) of each ring pulsing at `t`: a layer as the forward pass
        lights it (its neurons whose value passes PULSE_THRESHOLD), and every output neuron for the loss
        and again for its gradient (`every` true)."""
        if self.still:
            return []
        if self.phase in ("loss", "output_gradient"):
            progress = t / (BADGE_SLOTS * self.delay)
            return [(self.layers - 1, progress, True)] if 0 <= progress < 1 else []
        if self.phase != "forward":
            return []
        length = PULSE_SLOTS * self.delay
        return [(layer, (t - layer * self.delay) / length, False) for layer in range(self.lit(t))
                if t - layer * self.delay < length]

    def reached(self, t):
        """(Linear layer, the moment it was reached) for every layer the backward pass has reached by `t`,
        in the engine's order; a layer is reached one delay after the one before it."""
        if self.phase != "gradients":
            return []
        moments = [0.0] * len(self.order) if self.still else [i * self.delay for i in range(len(self.order))]
        return [(layer, moment) for layer, moment in zip(self.order, moments) if moment <= t]

    def glow(self, t):
        """How strongly the update phase marks each weight's change: 1 at first, settling to 0.55.

        >>> PhaseMotion("update", 3, (), 0.2).glow(0.0), PhaseMotion("update", 3, (), 0.2).glow(10.0)
        (1.0, 0.55)
        """
        if self.phase != "update":
            return 0.0
        settled = 1.0 if self.still else min(t / (UPDATE_SLOTS * self.delay), 1.0)
        return 1.0 - 0.45 * settled


def gradient_looks(gradients):
    """Each |dL/dw| of every layer as a look: 0 for none (exactly zero: nothing flows), else sign and size,
    1..SIZES for negative gradients and SIZES+1..2*SIZES for positive ones, the size on a log scale that
    spans DECADES below the largest gradient of the whole step (so layers compare: a vanishing layer's
    particles are small).

    >>> [look.tolist() for look in gradient_looks([np.array([[-1.0, 0.0], [1e-2, 1e-9]])])]
    [[[6, 0], [9, 7]]]
    """
    largest = max((float(np.abs(g).max()) for g in gradients if g.size), default=0.0)
    if not largest > 0 or not np.isfinite(largest):
        return [np.zeros(g.shape, np.intp) for g in gradients]
    looks = []
    for g in gradients:
        with np.errstate(divide="ignore"):
            share = (np.log10(np.abs(g)) - np.log10(largest)) / DECADES + 1.0
        size = 1 + np.rint(np.clip(np.nan_to_num(share, nan=0.0, neginf=0.0), 0.0, 1.0) * (SIZES - 1)).astype(np.intp)
        look = np.where(g > 0, SIZES + size, size)
        looks.append(np.where(np.isfinite(g) & (g != 0), look, 0))
    return looks


def look_style(look):
    """(sign, share of the largest size in [0, 1]) of a look from `gradient_looks`.

    >>> look_style(1), look_style(2 * SIZES)
    ((-1.0, 0.0), (1.0, 1.0))
    """
    positive = look > SIZES
    return (1.0 if positive else -1.0), (look - (SIZES if positive else 0) - 1) / (SIZES - 1)


def backward_curves(layout, weight_shape, layer, inset=0.0):
    """The Bezier control points of every edge of Linear `layer`, (n_out * n_in, 4, 2) in the weight's
    row-major order, each running right to left: from the neuron it feeds back to the neuron it reads.

    `inset` pulls both ends in along the edge's horizontal tangents, so a dot stops short of the neurons;
    the middle control points stay, so the path keeps to the drawn edge (only x moves, and only where
    the edge runs flat)."""
    left, right = layout.centres[layer], layout.centres[layer + 1]
    to_neuron, from_neuron = np.indices(weight_shape).reshape(2, -1)
    (x0, y0), (x1, y1) = left[from_neuron].T, right[to_neuron].T
    start, first, second, end = edge_curve(x0, y0, x1, y1, layout.radius)
    start, end = (start[0] + inset, start[1]), (end[0] - inset, end[1])
    return np.stack([np.column_stack(end), np.column_stack(second), np.column_stack(first),
                     np.column_stack(start)], axis=1)


class ParticlePool:
    """A fixed number of particles, each travelling along one cubic Bezier curve (an edge): control
    points, progress, speed and look live in arrays allocated once, so a frame allocates no particle.

    >>> pool = ParticlePool(4)
    >>> line = np.array([[[0.0, 0.0], [10.0, 0.0], [20.0, 0.0], [30.0, 0.0]]])
    >>> pool.emit(line, rate=1.0, looks=np.array([3]))
    1
    >>> pool.advance(0.5); pool.positions()[pool.visible()].tolist()
    [[15.0, 0.0]]
    """

    def __init__(self, capacity):
        self.capacity = capacity
        self.curve = np.zeros((capacity, 4, 2))
        self.progress = np.zeros(capacity)      # 0 at the curve's start, 1 at its end, where it dies; below
                                                # 0 it waits unseen before its start
        self.rate = np.zeros(capacity)          # progress per second
        self.look = np.zeros(capacity, np.intp)
        self.alive = np.zeros(capacity, bool)
        self._basis = np.zeros((capacity, 4))   # scratch: the Bernstein weights of each progress
        self._rest = np.zeros(capacity)         # scratch: 1 - progress
        self._scratch = np.zeros(capacity)
        self._position = np.zeros((capacity, 2))

    def clear(self):
        self.alive[:] = False

    def emit(self, curves, rate, looks, progress=0.0):
        """Start particles on `curves` (k, 4, 2) in free slots, as many as fit, `progress` (one number, or
        one per curve) along already; returns how many started."""
        free = np.flatnonzero(~self.alive)[: len(curves)]
        n = len(free)
        self.curve[free], self.look[free] = curves[:n], looks[:n]
        self.progress[free] = progress if np.ndim(progress) == 0 else progress[:n]
        self.rate[free] = rate
        self.alive[free] = True
        return n

    def advance(self, dt):
        """Move every live particle on by rate * dt, in place; those past their curve's end die."""
        np.multiply(self.rate, dt, out=self._scratch)
        np.add(self.progress, self._scratch, out=self.progress, where=self.alive)
        np.less(self.progress, 1.0, out=self.alive, where=self.alive)

    def visible(self):
        """Which particles are on their curve now: alive and past its start."""
        return self.alive & (self.progress >= 0.0)

    def positions(self):
        """Every particle's point on its curve, (capacity, 2) (the unseen too: mask with `visible()`)."""
        t, u, basis, product = self.progress, self._rest, self._basis, self._scratch
        np.subtract(1.0, t, out=u)
        np.multiply(u, u, out=product)
        np.multiply(product, u, out=basis[:, 0])        # (1 - t)^3
        np.multiply(product, t, out=basis[:, 1])        # 3 (1 - t)^2 t
        np.multiply(t, t, out=product)
        np.multiply(product, u, out=basis[:, 2])        # 3 (1 - t) t^2
        np.multiply(product, t, out=basis[:, 3])        # t^3
        basis[:, 1:3] *= 3.0
        return np.einsum("ck,ckd->cd", basis, self.curve, out=self._position)


class GradientFlow:
    """The backward animation's particles: once the backward pass reaches a Linear layer, every edge of it
    with a non-zero gradient launches a particle every `delay / PARTICLES_PER_EDGE` seconds, which takes
    one delay to travel the edge right to left, so each layer's wave reaches its left column as the next
    layer is reached. Edges start at staggered moments within a launch (GOLDEN), so the flow spreads along
    them. `curves[l]` and `looks[l]` are the edges of Linear layer l (flattened)."""

    def __init__(self, pool, curves, looks, delay):
        self.pool, self.delay = pool, delay
        self.curves = [c[(k > 0).ravel()] for c, k in zip(curves, looks)]
        self.looks = [k.ravel()[k.ravel() > 0] for k in looks]
        self.lags = [(np.arange(len(k)) * GOLDEN) % 1.0 / PARTICLES_PER_EDGE for k in self.looks]
        self.launched = [None] * len(curves)   # when each layer last launched its particles
        self.now = 0.0
        pool.clear()

    def update(self, t, reached, still=False):
        """Advance to `t` (seconds into the phase) given `reached` ((layer, moment) from `PhaseMotion`).
        Still: one motionless particle halfway along each edge of every reached layer, nothing moving."""
        if still:
            for layer, _ in reached:
                if self.launched[layer] is None:
                    self.launched[layer] = t
                    self.pool.emit(self.curves[layer], 0.0, self.looks[layer], progress=0.5)
            return
        self.pool.advance(max(t - self.now, 0.0))
        self.now = t
        interval = self.delay / PARTICLES_PER_EDGE
        for layer, moment in reached:
            launch = moment if self.launched[layer] is None else self.launched[layer] + interval
            while launch <= t:  # launched late by a slow frame: start as far along as it would be
                if t - launch < 2 * self.delay:
                    self.pool.emit(self.curves[layer], 1.0 / self.delay, self.looks[layer],
                                   (t - launch) / self.delay - self.lags[layer])
                self.launched[layer] = launch
                launch += interval
