"""The weight editor opens on an edge with its value ready to be typed over."""
from tests.app.fake_page import FakePage
from tests.app.playground.reading import editing

from app.playground.weight_editor import edit_weight


def test_the_editor_opens_named_for_the_edge_with_its_value_selected():
    page = FakePage()
    page.set_attribute("#weight-editor", "hidden", True)  # as the page starts
    assert editing(page) is None
    edit_weight(page, "Weight from x1 to hidden layer 1, neuron 2", -0.123456)
    assert editing(page) == ("Weight from x1 to hidden layer 1, neuron 2", "-0.1235")
    assert page.attribute("#weight-editor", "hidden") is None
    assert page.selected_text == "weight"  # typing replaces the old value
