"""More training options in Chromium: each control changed by hand is in the link, in the editor's code and in the
picture (the weights a zero initialisation draws, the rate a schedule has reached)."""
import numpy as np

from app.playground.network_layout import layout_network
from app.playground.network_view import edge_curve


def test_each_training_option_follows_into_the_link_the_code_and_the_picture(open_site, page_errors):
    page = open_site()
    page.get_by_role("button", name="Pause").click()
    page.locator("summary", has_text="More training options").click()
    page.get_by_label("Initialisation", exact=True).select_option("zeros")
    page.get_by_label("Schedule", exact=True).select_option("step")
    page.get_by_label("Gradient clipping", exact=True).select_option("0.5")
    page.wait_for_function("location.hash.includes('init=zeros&schedule=step&clip=0.5')")
    assert page.text_content("#training-options-on") == ": zeros init, halved every 100 epochs, clipping at 0.5"
    page.get_by_role("radio", name="Code", exact=True).check()
    code = page.get_by_role("textbox", name="Code").inner_text()
    assert 'init="zeros")' in code and "StepLR(optimizer, step_size=100, gamma=0.5)" in code
    assert "clip_grad_norm_(model.parameters(), max_norm=0.5)" in code

    # Zero weights: the inspector reads the engine's weight of an edge clicked in the picture as 0 (by default
    # this edge, the network's widest, starts at -0.99).
    network = page.get_by_label("Network", exact=True)
    layout = layout_network([2, 4, 2, 1], *network.evaluate("c => [c.clientWidth, c.clientHeight]"))
    start, c1, c2, end = (np.array(p) for p in edge_curve(*layout.centres[1][3], *layout.centres[2][0], layout.radius))
    x, y = 0.421875 * start + 0.421875 * c1 + 0.140625 * c2 + 0.015625 * end  # a quarter along, off any crossing
    network.click(position={"x": float(x), "y": float(y)})
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#inspector').textContent.startsWith('Weight from hidden layer 1, "
                           "neuron 4 to hidden layer 2, neuron 1')")
    rows = dict(page.evaluate("[...document.querySelectorAll('#inspector-numbers tr')].slice(1)"
                              ".map(row => [...row.cells].map(cell => cell.textContent))"))
    assert rows["weight"] == "0"

    assert page.text_content("#current-lr") == "now 0.03"
    for _ in range(100):
        page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function("document.querySelector('#epoch').textContent === '100'")
    page.wait_for_function("document.querySelector('#current-lr').textContent === 'now 0.015'")
    assert page_errors == []


def test_dropout_and_batch_norm_follow_into_the_link_the_code_and_a_walked_step(open_site, page_errors):
    from app.playground.run import Run
    from app.playground.state import decode
    from app.playground.stepthrough.recorded_step import network_step, record_step
    page = open_site()
    page.locator("summary", has_text="More training options").click()
    page.get_by_label("Dropout", exact=True).select_option("0.5")
    page.get_by_label("Batch norm", exact=True).check()
    page.wait_for_function("location.hash.includes('dropout=0.5&batch_norm=true')")
    assert page.text_content("#training-options-on") == ": dropout 0.5, batch norm"
    page.get_by_role("button", name="Reset", exact=True).click()  # epoch 0, paused: the first step is CPython's too
    page.wait_for_function("document.querySelector('#epoch').textContent === '0'")
    run = Run(decode("#v=1&dropout=0.5&batch_norm=true").state)
    story = network_step(record_step(run), run.model)
    dropped = story.dropped[1][0]
    assert dropped.any()  # the seed's first step switches some of hidden layer 1 off for its first example
    page.get_by_role("button", name="Next phase", exact=True).click()
    page.wait_for_function("document.querySelector('#phase-caption').textContent.includes('Crossed-out neurons')")
    network = page.get_by_label("Network", exact=True)
    layout = layout_network([2, 4, 2, 1], *network.evaluate("c => [c.clientWidth, c.clientHeight]"))
    unit = int(np.flatnonzero(dropped)[0])
    network.click(position={"x": float(layout.centres[1][unit][0]), "y": float(layout.centres[1][unit][1])})
    page.wait_for_function("document.querySelector('#math').textContent.includes('switched this unit off')")
    rows = dict(page.evaluate("[...document.querySelectorAll('#inspector-numbers tr')].slice(1)"
                              ".map(row => [...row.cells].map(cell => cell.textContent))"))
    assert rows["dropout"] == "switched off this step"
    page.get_by_role("radio", name="Code", exact=True).check()
    assert 'dropout=0.5, batch_norm=True)' in page.get_by_role("textbox", name="Code").inner_text()
    assert page_errors == []
