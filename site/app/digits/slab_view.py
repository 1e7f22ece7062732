"""Paints the layered model view: each layer a slab whose face shows its maps, drawn far to near, with
the pass's pulse travelling between them; slabs not yet reached by the forward pass stay dim.
"""
import numpy as np

from app.digits.pass_animation import is_lit
from app.digits.slab_geometry import drawing_order, picture_transform, visible_faces

SIDE_SHADES = {2: 0.10, 3: 0.10, 4: 0.22, 5: 0.22}  # top/bottom and edge faces, darker than the picture


def paint_slabs(ctx, path, camera, slabs, names, atlas_source, places, state, selected, width, height, theme,
                predicted=None):
    """Draw `slabs` (with `names` above them) seen by `camera`; each picture face shows its `places`
    region of the atlas image; `state` is the pass animation's; the `selected` slab is outlined; the last
    slab's cells, when it is a column of scores, are labelled 0, 1, ... with the `predicted` one in bold."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    ctx.imageSmoothingEnabled = False
    for index in drawing_order(camera, slabs):
        slab, lit = slabs[index], is_lit(state, index)
        ctx.globalAlpha = 1.0 if lit else 0.25
        for polygon, face in visible_faces(camera, slab):
            if face < 2:
                ctx.save()
                ctx.transform(*picture_transform(camera, slab))
                x, y, w, h = places[index]
                ctx.drawImage(atlas_source, x, y, w, h, 0, 0, w, h)
                ctx.restore()
            else:
                ctx.fillStyle = theme.outline
                ctx.globalAlpha = (1.0 if lit else 0.25) * (1 - SIDE_SHADES[face])
                ctx.fill(path(_polygon_path(polygon)))
                ctx.globalAlpha = 1.0 if lit else 0.25
            ctx.strokeStyle = theme.text if index == selected else theme.outline
            ctx.lineWidth = 2 if index == selected else 0.75
            ctx.stroke(path(_polygon_path(polygon)))
    ctx.globalAlpha = 1.0
    _paint_names(ctx, camera, slabs, names, selected, theme)
    if slabs and slabs[-1].pixels[0] == 1:
        _paint_score_labels(ctx, camera, slabs[-1], predicted, theme)
    _paint_pulse(ctx, camera, slabs, state, theme)


def _polygon_path(points):
    return "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points) + "Z"


def _paint_names(ctx, camera, slabs, names, selected, theme):
    tops = camera.project(np.array([[slab.x, slab.height / 2, 0.0] for slab in slabs]))[0]
    bottoms = camera.project(np.array([[slab.x, -slab.height / 2, 0.0] for slab in slabs]))[0]
    ctx.font = "12px system-ui, sans-serif"
    ctx.textAlign = "center"
    ctx.textBaseline = "top"
    for index, name in enumerate(names):
        ctx.fillStyle = theme.text if index == selected else theme.muted_text
        x, y = bottoms[index] if index % 2 else tops[index]  # alternate below and above, so names never collide
        ctx.textBaseline = "top" if index % 2 else "bottom"
        ctx.fillText(name, x, y + (8 if index % 2 else -8))


def _paint_score_labels(ctx, camera, slab, predicted, theme):
    """Each cell of a column of scores labelled with its class, beside the column on the screen's right."""
    cells = (slab.pixels[1] + 1) // 2
    unit = slab.height / slab.pixels[1]
    ys = slab.height / 2 - (2 * np.arange(cells) + 0.5) * unit
    sides = [camera.project(np.column_stack([np.full(cells, slab.x), ys, np.full(cells, side * (slab.width / 2 + 2.5))]))[0]
             for side in (-1, 1)]
    labels = max(sides, key=lambda points: points[0, 0])
    ctx.textAlign, ctx.textBaseline = "left", "middle"
    for digit, (x, y) in enumerate(labels):
        ctx.font = "bold 11px system-ui, sans-serif" if digit == predicted else "10px system-ui, sans-serif"
        ctx.fillStyle = theme.text if digit == predicted else theme.muted_text
        ctx.fillText(str(digit), x, y)


def _paint_pulse(ctx, camera, slabs, state, theme):
    """A dot between two slabs: the palette's orange going forward (values), its blue coming back (gradients)."""
    if state.phase == "done" or len(slabs) < 2:
        return
    step = 1 if state.phase == "forward" else -1
    start, end = state.reached, state.reached + step
    if not 0 <= end < len(slabs):
        return
    x = slabs[start].x + (slabs[end].x - slabs[start].x) * state.progress
    (sx, sy), = camera.project(np.array([[x, 0.0, 0.0]]))[0]
    ctx.fillStyle = theme.css(-1.0 if step == 1 else 1.0)
    ctx.beginPath()
    ctx.arc(sx, sy, 6, 0, 2 * np.pi)
    ctx.fill()
