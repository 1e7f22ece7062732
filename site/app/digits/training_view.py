"""Paints the live training curves: loss per mini-batch (thin) and per epoch on both sets, and accuracy
per epoch on both sets (in the palette's blue); training solid, held-out dashed, as the playground's loss
curve. For a trace replayed in the lab, its loss per step instead, the step shown marked.
"""
import numpy as np

GAP = 12  # between the two plots


def accuracy_floor(history):
    """The bottom of the accuracy axis: 80%, or lower in steps of 10% while a curve is below it.

    >>> accuracy_floor(np.array([[1, 0.5, 0.6, 0.93, 0.91]])), accuracy_floor(np.array([[1, 2.0, 2.1, 0.42, 0.35]]))
    (0.8, 0.3)
    """
    lowest = float(history[:, 3:5].min()) if len(history) else 1.0
    return min(0.8, float(np.floor(lowest * 10)) / 10)


def paint_training(ctx, polyline, progress, history, epochs, width, height, theme):
    """`progress`: (n, 2) of (epochs so far, batch loss); `history`: (m, 5) rows of (epoch, train loss,
    test loss, train accuracy, test accuracy); the x axis spans `epochs`. Loss at the left, accuracy right."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    half, top, plot_height = (width - GAP) / 2, 16, height - 18
    loss_box, accuracy_box = (0, top, half, plot_height), (half + GAP, top, half, plot_height)
    floor = accuracy_floor(history)
    ctx.font = "11px system-ui, sans-serif"
    ctx.textAlign, ctx.textBaseline = "left", "top"
    ctx.fillStyle = theme.muted_text
    ctx.fillText("loss", 2, 0)
    ctx.fillText(f"accuracy, {100 * floor:.0f} to 100%", half + GAP + 2, 0)
    ctx.strokeStyle = theme.outline
    ctx.lineWidth = 1
    for left in (0, half + GAP):
        ctx.strokeRect(left + 0.5, top + 0.5, half - 1, plot_height - 1)
    if not len(progress):  # before any training, each box says what will appear in it
        ctx.textAlign, ctx.textBaseline = "center", "middle"
        for (left, _, box_width, _), curve in ((loss_box, "loss"), (accuracy_box, "accuracy")):
            ctx.fillText(f"Train from scratch draws the {curve} here", left + box_width / 2, top + plot_height / 2,
                         box_width - 8)
        return
    loss_range = (0.0, max(float(progress[:, 1].max()), 1e-9))
    _line(ctx, polyline, progress[:, 0], progress[:, 1], epochs, loss_range, loss_box, theme.outline, [], 1.0)
    for column, dash in ((1, []), (2, [4, 3])):
        _line(ctx, polyline, history[:, 0], history[:, column], epochs, loss_range, loss_box, theme.text, dash, 1.75)
    for column, dash in ((3, []), (4, [4, 3])):
        _line(ctx, polyline, history[:, 0], history[:, column], epochs, (floor, 1.0), accuracy_box, theme.css(1.0),
              dash, 1.75)
    ctx.setLineDash([])


def paint_trace_loss(ctx, polyline, losses, step, width, height, theme):
    """A trace's loss per step, `losses` (count,), across the whole width, and a mark (in the palette's orange)
    where the network shown stands: before step `step`, on that step's loss (0..count; count is after the last)."""
    ctx.fillStyle = theme.background
    ctx.fillRect(0, 0, width, height)
    top, plot_height = 16, height - 18
    box, count = (0, top, width, plot_height), len(losses)
    ctx.font = "11px system-ui, sans-serif"
    ctx.textAlign, ctx.textBaseline = "left", "top"
    ctx.fillStyle = theme.muted_text
    ctx.fillText(f"loss of each step of the trace, on its own batch; the network shown is as before step {step} "
                 f"of {count}", 2, 0, width - 4)
    ctx.strokeStyle = theme.outline
    ctx.lineWidth = 1
    ctx.strokeRect(0.5, top + 0.5, width - 1, plot_height - 1)
    finite = losses[np.isfinite(losses)]
    ceiling = max(float(finite.max()), 1e-9) if len(finite) else 1.0
    _line(ctx, polyline, np.arange(count), losses, count, (0.0, ceiling), box, theme.text, [], 1.25)
    x = min(step / max(count, 1) * width, width - 1)  # after the last step: inside the box's right edge
    ctx.strokeStyle = theme.css(-1.0)
    ctx.lineWidth = 2
    ctx.setLineDash([])
    ctx.stroke(polyline(np.array([[x, top], [x, top + plot_height]])))


def _line(ctx, polyline, xs, ys, span, value_range, box, colour, dash, width):
    """A polyline of (xs, ys) in `box`, x over 0..span, y over value_range (bottom, top), clipped; one
    point is drawn as a flat line from the start."""
    if not len(xs):
        return
    left, top, w, h = box
    bottom, ceiling = value_range
    if len(xs) == 1:
        xs, ys = np.concatenate([[0.0], xs]), np.concatenate([ys, ys])
    points = np.column_stack([left + np.asarray(xs) / max(span, 1e-9) * w,
                              top + h - np.clip((np.asarray(ys) - bottom) / (ceiling - bottom), 0, 1) * h])
    ctx.strokeStyle = colour
    ctx.lineWidth = width
    ctx.setLineDash(dash)
    ctx.stroke(polyline(points))
