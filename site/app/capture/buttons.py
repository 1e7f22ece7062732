"""The Record and Save GIF buttons: the one recording is pressed (`aria-pressed`), the other is disabled
until it ends, so only one clip is made at a time.
"""

BUTTONS = (("record", "video"), ("save-gif", "gif"))  # each button's data-action, and the clip kind it makes


def show_clip(page, kind):
    """Show which clip is recording ("video", "gif" or None): its button pressed, the other one disabled."""
    for action, button_kind in BUTTONS:
        button = f'[data-action="{action}"]'
        page.set_attribute(button, "aria-pressed", "true" if kind == button_kind else "false")
        page.set_attribute(button, "disabled", kind is not None and kind != button_kind)
