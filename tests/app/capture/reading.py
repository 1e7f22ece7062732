"""Reading the clip buttons off the fake page, as a user sees them."""

BUTTONS = (('[data-action="record"]', "video"), ('[data-action="save-gif"]', "gif"))


def shown_clip(page):
    """The kind of clip whose button shows pressed ("video" or "gif"), or None."""
    pressed = [kind for button, kind in BUTTONS if page.attribute(button, "aria-pressed") == "true"]
    assert len(pressed) <= 1, f"both clip buttons show pressed: {pressed}"
    return pressed[0] if pressed else None
