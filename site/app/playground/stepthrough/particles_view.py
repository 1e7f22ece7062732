"""Paints the step-through's moving parts over the Network view: pulse rings, gradient particles, the
weights' changes, the loss and gradient labels, and the parts a hovered graph node belongs to.

A renderer takes arrays: positions from `animation.ParticlePool`, looks from `animation.gradient_looks`,
geometry from `layout`. Shapes of one look become one SVG path, so a frame makes a few dozen calls into
JavaScript however many particles fly.
"""
import numpy as np

from app.playground.stepthrough.particles import PULSE_THRESHOLD, SIZES, look_style
from app.playground.network_view import edges_path
from app.shared.shapes import circles_path

# px, for the smallest and the largest |change| of a weight (`gradient_looks`' log scale in between). The
# faded weights under them are up to `network_view.MAX_EDGE_WIDTH` wide: at 0.5-2.6 px every change read as
# one thin line, so the largest is as wide as the widest weight and the smallest a hairline.
CHANGE_WIDTH = (0.75, 6.0)


def particle_radius(neuron_radius):
    """The largest particle's radius beside neurons of `neuron_radius` px: 5 px, less among small neurons
    (a 2-100-100-1 network's), never under 3 px. The smallest |dL/dw| draws at 0.36 of it.

    >>> particle_radius(22.0), particle_radius(2.0)
    (5.0, 3.0)
    """
    return float(np.clip(0.4 * neuron_radius, 3.0, 5.0))


def paint_pulses(ctx, path, layout, pulses, shades, theme):
    """Rings spreading from neurons, as `PhaseMotion.pulses` lists them: from the neurons of a layer just
    lit whose value passes PULSE_THRESHOLD on the colour scale (coloured by its sign), or from every
    output neuron, in the text colour, for the loss and its gradient."""
    ctx.lineWidth = 2.0
    for layer, progress, every in pulses:
        radius = layout.radius * (1.0 + 0.8 * progress) + 2.0
        ctx.globalAlpha = 0.9 * (1.0 - progress) ** 1.5
        centres, values = layout.centres[layer], np.nan_to_num(shades[layer])
        if every:
            groups = [(theme.text, np.ones(len(centres), bool))]
        else:
            groups = [(theme.css(1.0), values >= PULSE_THRESHOLD), (theme.css(-1.0), values <= -PULSE_THRESHOLD)]
        for colour, mask in groups:
            if mask.any():
                ctx.strokeStyle = colour
                ctx.stroke(path(circles_path(centres[mask], radius)))
    ctx.globalAlpha = 1.0


def paint_particles(ctx, path, pool, theme, largest):
    """Every live particle of `pool` as a dot: orange for a negative dL/dw, blue for a positive one,
    larger (up to `largest` px radius) and brighter the larger |dL/dw| (log scale). One fill per look."""
    alive = pool.visible()
    if not alive.any():
        return
    positions, looks = pool.positions(), pool.look
    ctx.strokeStyle = theme.background
    ctx.lineWidth = 0.25 * largest
    for look in range(1, 2 * SIZES + 1):
        chosen = alive & (looks == look)
        if not chosen.any():
            continue
        sign, share = look_style(look)
        dots = path(circles_path(positions[chosen], largest * (0.36 + 0.64 * share)))
        ctx.fillStyle = theme.css(sign)
        ctx.globalAlpha = 0.5 + 0.5 * share
        ctx.fill(dots)
        ctx.stroke(dots)  # a rim in the background's colour sets a dot apart from an edge of its own colour
    ctx.globalAlpha = 1.0


def paint_changes(ctx, path, layout, looks, strength, theme):
    """Each weight's change in the optimizer's step, over its edge: blue where it grew, orange where it
    shrank, wider and stronger the larger |change| (log scale, `looks` per Linear layer from
    `animation.gradient_looks`); `strength` in [0, 1] fades the whole picture."""
    ctx.lineCap = "round"
    for look in range(1, 2 * SIZES + 1):
        segments = []
        for left, right, layer_looks in zip(layout.centres, layout.centres[1:], looks):
            for j, i in zip(*np.nonzero(layer_looks == look)):
                segments.append((*left[i], *right[j]))
        if not segments:
            continue
        sign, share = look_style(look)
        ctx.strokeStyle = theme.css(sign)
        ctx.lineWidth = CHANGE_WIDTH[0] + share * (CHANGE_WIDTH[1] - CHANGE_WIDTH[0])
        ctx.globalAlpha = strength * (0.3 + 0.6 * share)
        ctx.stroke(path(edges_path(segments, layout.radius)))
    ctx.globalAlpha = 1.0


def paint_label(ctx, x, y, text, theme, strong=False, right=np.inf):
    """A short label in a rounded box centred at (x, y), or further left if it would pass `right`:
    the loss, dL/dL = 1. Readable over edges."""
    ctx.font = f"{'600 ' if strong else ''}12px system-ui, sans-serif"
    width = ctx.measureText(text).width + 14
    x = min(x, right - width / 2)
    ctx.fillStyle = theme.background
    ctx.strokeStyle = theme.text if strong else theme.outline
    ctx.lineWidth = 1.5 if strong else 1.0
    ctx.beginPath()
    ctx.roundRect(x - width / 2, y - 11, width, 22, 6)
    ctx.fill()
    ctx.stroke()
    ctx.fillStyle = theme.text
    ctx.textAlign = "center"
    ctx.textBaseline = "middle"
    ctx.fillText(text, x, y + 0.5)


def paint_dropped(ctx, path, layout, dropped, theme):
    """Cross out the neurons dropout switched off in the step shown (`dropped`: per neuron layer a bool per
    neuron, or None): their value is 0 this step, and they pass no gradient back."""
    centres = [layout.centres[layer][index] for layer, off in enumerate(dropped) if off is not None
               for index in np.flatnonzero(off)]
    if not centres:
        return
    arm = layout.radius * 0.85
    ctx.strokeStyle, ctx.lineWidth = theme.text, 2.0
    ctx.stroke(path("".join(f"M{x - arm:.1f} {y - arm:.1f}L{x + arm:.1f} {y + arm:.1f}"
                            f"M{x - arm:.1f} {y + arm:.1f}L{x + arm:.1f} {y - arm:.1f}" for x, y in centres)))


def paint_links(ctx, path, layout, links, theme):
    """Outline the neurons and edges `links` (a `linking.Links`) names: what a hovered graph node is."""
    edges = set(links.edges)
    for layer in links.edge_layers:
        edges.update((layer, j, i) for j in range(len(layout.centres[layer + 1])) for i in range(len(layout.centres[layer])))
    neurons = set(links.neurons) | {(k, i) for k in links.neuron_layers for i in range(len(layout.centres[k]))}
    if edges:
        segments = [(*layout.centres[layer][i], *layout.centres[layer + 1][j]) for layer, j, i in sorted(edges)]
        ctx.strokeStyle = theme.text
        ctx.lineWidth = 1.5
        ctx.globalAlpha = 0.75
        ctx.stroke(path(edges_path(segments, layout.radius)))
        ctx.globalAlpha = 1.0
    if neurons:
        centres = np.array([layout.centres[layer][i] for layer, i in sorted(neurons)])
        ctx.strokeStyle = theme.text
        ctx.lineWidth = 2.5
        ctx.stroke(path(circles_path(centres, layout.radius + 4.0)))
