"""The notes under the controls: plain-text remarks on what the playground could not take as asked (a link
read only in part, a skipped point, a weight that is not a number). The list hides when there are none.
"""


def show_notes(page, notes):
    """List `notes` (plain text) under the controls, or hide the list when there are none."""
    notes = list(notes)
    page.show_list("notes", notes)
    page.set_attribute("#notes", "hidden", not notes)
