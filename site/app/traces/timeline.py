"""The trace timeline: a slider over a replayed trace's steps with its position, and the button back to live
training; both hide while the playground trains live. The slider is `data-setting="trace_step"` and
`data-live`, so every move reaches the playground as change("trace_step", text).
"""


def show_replay(page, count, position):
    """Show the trace timeline (0..count, at `position`) and the way back to live training, or hide both
    when `count` is None."""
    page.set_attribute("#trace-replay", "hidden", count is None)
    page.set_attribute('[data-action="leave-replay"]', "hidden", count is None)
    if count is not None:
        page.set_attribute("#trace_step", "max", str(count))  # before the value, which the maximum clamps
        page.set_value("trace_step", str(position))
        page.set_text("trace-position", f"{position} / {count}")
