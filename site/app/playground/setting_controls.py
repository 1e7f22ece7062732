"""How a setting shows on the page beyond its own controls: the problem type also marks the page's body,
so the stylesheet shows only the datasets (and legend) of classification or of regression.
"""


def show_setting(page, name, text):
    """Show setting `name`'s value `text` in its controls; the problem type also goes on the body."""
    page.set_control(name, text)
    if name == "problem":
        page.set_attribute("body", "data-problem", text)
