"""The weight editor opens next to the clicked edge with its value ready to be typed over, and closes when the
user is done with it."""
from tests.app.fake_page import FakePage
from tests.app.playground.reading import editing

from app.playground.weight_editor import WeightEditor


def test_the_editor_opens_at_the_click_named_for_the_edge_with_its_value_selected():
    page = FakePage()
    page.set_attribute("#weight-editor", "hidden", True)  # as the page starts
    editor = WeightEditor(page)
    assert editing(page) is None
    editor.open("Weight from x1 to hidden layer 1, neuron 2", -0.123456, (212.4, 87.6))
    assert editing(page) == ("Weight from x1 to hidden layer 1, neuron 2", "-0.1235")
    assert page.attribute("#weight-editor", "hidden") is None
    assert page.attribute("#weight-editor", "style") == "--x: 212px; --y: 88px"  # the stylesheet places it there
    assert page.selected_text == "weight"  # typing replaces the old value


def test_escape_or_leaving_the_field_closes_the_editor_and_other_keys_are_typing():
    page = FakePage()
    editor = WeightEditor(page)
    editor.open("Weight from x1 to hidden layer 1, neuron 2", 0.5, (10, 10))
    assert page.fire("weight", "key", "7", False) is False  # typed into the field, not taken
    assert page.attribute("#weight-editor", "hidden") is None
    assert page.fire("weight", "key", "Escape", False) is True
    assert page.attribute("#weight-editor", "hidden") == ""
    editor.open("Weight from x2 to hidden layer 1, neuron 1", 0.5, (10, 10))
    page.fire("weight", "blur")
    assert page.attribute("#weight-editor", "hidden") == ""
