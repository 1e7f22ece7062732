"""The weight editor: a number field under the Network view where the user types a new value for one edge's
weight (the field is `data-setting="weight"`, so its change reaches the playground as change("weight", text)).
"""


def edit_weight(page, label, value):
    """Open the weight editor on one edge, named by `label`, with its current value selected for typing."""
    page.set_text("weight-label", label)
    page.set_attribute("#weight-editor", "hidden", False)
    page.set_value("weight", f"{value:.4g}")
    page.focus("weight", select=True)
