"""The micrograd lesson in Chromium: Next phase (and the graph's own Next node) steps the expression's backward
pass node by node, the caption saying what each node does with the same numbers the engine gives in CPython,
and the Computation graph's pixels moving on at every step."""
from tests.browser.page_reading import READ_CANVAS

from app.editor.sandbox import run_user_code
from app.graph.backward_steps import BackwardWalk
from app.playground.presets import PRESETS


def expected_captions():
    """The lesson's steps as the engine walks them here, in CPython: the caption of each press, in order."""
    walk = BackwardWalk(run_user_code(PRESETS["micrograd-expression"].code, {}).namespace["graph"])
    return [walk.next() for _ in range(len(walk.steps) + 2)]


def test_next_phase_steps_the_lessons_backward_pass_node_by_node(open_site, page_errors, artifacts):
    page = open_site("#preset=micrograd-expression")
    expected = expected_captions()
    assert expected[0].startswith("Node 1 of 6: out = tanh(n)") and expected[-2].startswith("Backward pass done")
    caption = page.locator("#graph-step")
    graph = page.get_by_label("Computation graph", exact=True)
    graph.scroll_into_view_if_needed()
    graph.evaluate(READ_CANVAS)  # the picture before the first step
    for press, text in enumerate(expected):
        if press == 2:
            page.get_by_role("button", name="Next node", exact=True).click()  # the graph's own step control
        else:
            page.get_by_role("button", name="Next phase", exact=True).click()
        page.wait_for_function("([element, text]) => element.textContent === text",
                               arg=[caption.element_handle(), text])
        page.wait_for_timeout(200)  # the graph is drawn at the next frame
        reading = graph.evaluate(READ_CANVAS)
        assert reading["changed"] > 200, (press, reading)  # the graph moved on with the caption
        if press == 3:
            page.screenshot(path=artifacts / "graph-steps.png")
    assert caption.get_attribute("aria-live") == "polite"
    assert page.get_by_role("button", name="Play").is_visible()  # Next phase paused training
    assert page_errors == []
