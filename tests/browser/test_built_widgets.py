"""The widgets the playground builds through the door's generic operations, in Chromium and by their names:
the hidden-layer editor, the weight editor, and the problem type the stylesheet reads off the body."""
import numpy as np

from app.playground.network_layout import layout_network
from app.playground.network_view import edge_curve
from app.playground.run import Run
from app.playground.state import State


def test_the_hidden_layer_editor_is_built_with_named_buttons_and_menus_that_answer(open_site, page_errors):
    page = open_site("#v=1&hidden=3,2")
    sizes = page.locator("#layer-controls .layer-row .layer-size")
    assert sizes.all_text_contents() == ["3 neurons", "2 neurons"]
    page.get_by_role("button", name="Add a neuron to hidden layer 2").click()
    page.wait_for_function("location.hash.includes('hidden=3,3')")
    page.get_by_role("button", name="Remove a neuron from hidden layer 1").click()
    page.wait_for_function("location.hash.includes('hidden=2,3')")
    assert sizes.all_text_contents() == ["2 neurons", "3 neurons"]
    page.get_by_label("Hidden layer 2 function").select_option("relu")
    page.wait_for_function("location.hash.includes('relu')")
    # The editor was built again from the new state: each menu shows its layer's function.
    assert page.get_by_label("Hidden layer 1 function").input_value() == "tanh"
    assert page.get_by_label("Hidden layer 2 function").input_value() == "relu"
    assert page_errors == []


def test_clicking_an_edge_opens_the_weight_editor_with_the_value_selected_for_typing(open_site, page_errors):
    page = open_site()
    page.get_by_role("button", name="Pause").click()
    network = page.get_by_label("Network", exact=True)
    layout = layout_network(Run(State()).layer_sizes(), *network.evaluate("c => [c.clientWidth, c.clientHeight]"))
    start, c1, c2, end = (np.array(point) for point in edge_curve(*layout.centres[1][3], *layout.centres[2][1],
                                                                   layout.radius))
    x, y = 0.125 * start + 0.375 * c1 + 0.375 * c2 + 0.125 * end  # the middle of the edge
    assert not page.locator("#weight-editor").is_visible()
    network.click(position={"x": float(x), "y": float(y)})
    field = page.locator("#weight")
    field.wait_for(state="visible")
    assert page.text_content("#weight-label").startswith("Weight from hidden layer 1, neuron 4 to hidden layer 2")
    assert page.evaluate("document.activeElement.id") == "weight"
    page.keyboard.type("1.25")  # replaces the old value: it was selected
    assert field.input_value() == "1.25"
    page.keyboard.press("Enter")
    network.hover(position={"x": float(x) + 1, "y": float(y)})  # the inspector reads the edge's weight now
    page.wait_for_function("document.querySelector('#inspector').textContent.endsWith(': 1.250')")
    assert page_errors == []


def test_the_problem_type_marks_the_body_for_the_stylesheet(open_site, page_errors):
    page = open_site("#problem=regression&dataset=plane")
    assert page.evaluate("document.body.dataset.problem") == "regression"
    page.get_by_label("Problem type").select_option("classification")
    page.wait_for_function("document.body.dataset.problem === 'classification'")
    assert page.get_by_label("Three classes").is_visible() and not page.get_by_label("Plane").is_visible()
    assert page_errors == []
