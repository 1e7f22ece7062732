"""Reading the trace timeline off the fake page, as a user sees it."""


def shown_replay(page):
    """(steps, position) of the trace timeline when it shows, or None when it is hidden (or never shown)."""
    if page.attribute("#trace-replay", "hidden") is not None or "#trace-replay" not in page.attributes:
        return None
    return int(page.attribute("#trace_step", "max")), int(page.values["trace_step"])
