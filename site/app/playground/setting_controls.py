"""How a setting shows on the page beyond its own controls: the problem type and the open room also mark the
page's body, so the stylesheet shows only the datasets (and legend) of classification or of regression, and
only the room that is open.
"""

BODY_MARKS = {"problem": "data-problem", "room": "data-room"}  # setting -> the body attribute it sets


def show_setting(page, name, text):
    """Show setting `name`'s value `text` in its controls; the problem type and the room also go on the body."""
    page.set_control(name, text)
    if name in BODY_MARKS:
        page.set_attribute("body", BODY_MARKS[name], text)
