"""How a setting shows on the page beyond its own controls: the problem type and the open room also mark the
page's body, so the stylesheet shows only the datasets (and legend) of classification or of regression, and
only the room that is open.
"""

# setting -> the body attribute it sets; an embedded page (embed) shows the core picture alone, without the
# parts it hides (hide, written space-separated there so the stylesheet matches each name with ~=)
BODY_MARKS = {"problem": "data-problem", "room": "data-room", "embed": "data-embed", "hide": "data-hide"}


def show_setting(page, name, text):
    """Show setting `name`'s value `text` in its controls; the problem type, the room, embedding and what an
    embedded page hides also go on the body."""
    page.set_control(name, text)
    if name in BODY_MARKS:
        page.set_attribute("body", BODY_MARKS[name], text.replace(",", " ") if name == "hide" else text)
