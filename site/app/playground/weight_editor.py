"""The weight editor: a number field over the Network view, next to the edge the user clicked, where they type
a new value for that edge's weight (the field is `data-setting="weight"`, so its change reaches the playground
as change("weight", text)). It sits where the eye already is, so opening it never scrolls the page.
"""


class WeightEditor:
    """Opens on an edge at the click and closes when the user is done with it: Escape, or the focus leaving the
    field (a click elsewhere, Tab), so it never stays over the network it covers."""

    def __init__(self, page):
        self.page = page
        page.listen("weight", ("key", "blur"), self.on_field)

    def open(self, label, value, at):
        """Open on one edge, named by `label`, with `value` (the weight as drawn when it was clicked) selected
        for typing, just below the point `at` (x, y in the Network canvas's CSS pixels); the stylesheet keeps
        the box inside the canvas."""
        x, y = at
        self.page.set_text("weight-label", label)
        self.page.set_attribute("#weight-editor", "style", f"--x: {x:.0f}px; --y: {y:.0f}px")
        self.page.set_attribute("#weight-editor", "hidden", False)
        self.page.set_value("weight", f"{value:.4g}")
        self.page.focus("weight", select=True)

    def close(self):
        self.page.set_attribute("#weight-editor", "hidden", True)

    def on_field(self, kind, key=None, shift=False):
        """A key in the field (Escape closes it; any other is typing) or the field losing the focus (closes it)."""
        if kind == "blur" or key == "Escape":
            self.close()
            return True
        return False
