"""Traces in Chromium: keep one, export it as a file, drop it back onto the page and scrub through it."""
import json

import numpy as np
from tests.browser.page_reading import READ_CANVAS

from engine import trace as traces
from engine import weights


def export(page, tmp_path, epochs=2):
    """Keep a trace of `epochs` epochs from a reset run and download it; the saved file's path."""
    page.get_by_role("button", name="Reset").click()
    page.get_by_label("Keep a trace of every training step").check()
    for epoch in range(1, epochs + 1):
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(f"document.querySelector('#epoch').textContent === '{epoch}'")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export trace").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return path


def drop(page, name, text):
    """Drop a file holding `text` onto the page, as a person dragging it from their desktop would."""
    page.evaluate("""([name, text]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], name, { type: "application/json" }));
        document.querySelector("main").dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
    }""", [name, text])


def test_an_exported_trace_dropped_back_replays_the_same_numbers(open_site, page_errors, tmp_path):
    page = open_site("#v=1&hidden=3,2&room=traces")
    path = export(page, tmp_path)
    assert path.name == "gradcanvas-trace.json"
    trace = traces.loads(path.read_text())
    assert trace.count == 50 and trace.structure.sizes == [2, 3, 2, 1]  # 25 batches of 10 an epoch
    live_loss = page.text_content("#train-loss")

    page.get_by_role("button", name="Reset").click()  # the live run starts again from epoch 0
    page.wait_for_function("document.querySelector('#epoch').textContent === '0'")
    drop(page, path.name, path.read_text())
    page.wait_for_function("document.querySelector('#trace-status').textContent.startsWith('Replaying')")
    timeline = page.get_by_label("Trace step", exact=True)
    assert timeline.is_visible() and timeline.get_attribute("max") == "50"
    network = page.get_by_label("Network", exact=True)
    before = network.evaluate(READ_CANVAS)

    timeline.fill("50")  # scrub to the end: the network as it stood after the last step
    page.wait_for_function("document.querySelector('#trace-status').textContent.includes('step 50 of 50')")
    page.wait_for_function("document.querySelector('#epoch').textContent === '2'")
    after = network.evaluate(READ_CANVAS)
    assert after["changed"] > after["total"] // 200, (before, after)
    # The replayed network's weights are the trace's, computed in CPython from the file.
    shown = page.evaluate("""() => {
        const model = window.gradcanvas.playground.run.model;
        return Array.from(model.layers.get(0).weight.data.tolist().toJs()).map((row) => Array.from(row));
    }""")
    np.testing.assert_allclose(shown, trace.parameters(50)["0.weight"], rtol=1e-6, atol=1e-7)
    assert live_loss != "–"

    page.get_by_role("button", name="Step").click()  # at the end, Step has nowhere to go
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function("document.querySelector('#trace-status').textContent.includes('step 0 of 50')")
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("document.querySelector('#trace-status').textContent.includes('step 50 of 50')")
    assert page.get_by_role("button", name="Play").is_visible()  # it paused at the end
    page.get_by_role("button", name="Back to live training").click()
    page.wait_for_function("document.querySelector('#trace-replay').hidden")
    assert page_errors == []


def test_a_broken_trace_file_is_refused_by_name_and_the_run_goes_on(open_site, page_errors, tmp_path):
    page = open_site("#room=traces")
    page.get_by_role("button", name="Pause").click()
    fragment = page.evaluate("location.hash")
    document = json.loads(export(page, tmp_path, epochs=1).read_text())
    document["steps"]["loss"]["shape"] = [7]
    page.get_by_label("Open a trace or weights file").set_input_files(
        files=[{"name": "broken.json", "mimeType": "application/json", "buffer": json.dumps(document).encode()}])
    page.wait_for_function("document.querySelector('#trace-status').textContent.includes('Could not open')")
    status = page.text_content("#trace-status")
    assert "steps.loss.shape" in status and "Nothing changed" in status
    assert page.evaluate("location.hash") == fragment and page.text_content("#epoch") == "1"
    assert page.locator("#trace-replay").is_hidden()
    assert page_errors == []


def test_saved_weights_open_again_in_a_new_page(open_site, page_errors, tmp_path):
    page = open_site("#v=1&hidden=5&dataset=xor&room=traces")
    page.get_by_role("button", name="Pause").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Save weights").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    model, meta = weights.load(path)
    assert [layer.n_out for layer in model if hasattr(layer, "n_out")] == [5, 1] and "epoch" in meta

    page = open_site()  # the default 2-4-2-1 network
    page.get_by_role("button", name="Pause").click()
    page.get_by_label("Open a trace or weights file").set_input_files(str(path))
    page.wait_for_function("document.querySelector('#trace-status').textContent.startsWith('Opened')")
    assert page.text_content("#network-note").startswith("The network comes from gradcanvas-weights.npz")
    shown = page.evaluate("""() => Array.from(window.gradcanvas.playground.run.model.layers.get(0).weight.data
                                 .tolist().toJs()).map((row) => Array.from(row))""")
    np.testing.assert_allclose(shown, model[0].weight.data, rtol=0, atol=0)
    assert page_errors == []
