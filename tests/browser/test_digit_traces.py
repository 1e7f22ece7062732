"""A trace of a CNN torch trained on MNIST, recorded by tools/torch_trace.py, replayed in the real page's digits
lab: chosen with "Open a model" or opened by a #trace= link, it joins the Model menu, and the Digits trace step
slider (mouse or keyboard) puts each step's network in the lab, which reads a shown test digit exactly as torch's
network did before that step."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
from tests.app.digits.test_digit_traces import recorded_cnn, small_cnn  # noqa: E402
from tests.browser.test_open_model import (choose_file, open_lab, probabilities, show_a_test_digit,  # noqa: E402
                                            torch_reads)
from tools import train_torch_mnist  # noqa: E402

STEPS = 30
SHOWN = "document.querySelector('#digit-trace-position').textContent === 'step {} of 30' && !gradcanvas.digits.stale"


@pytest.fixture(scope="module")
def recorded():
    """The CNN trained by torch for STEPS steps of SGD on MNIST digits given as tools/train_torch_mnist.py gives
    them (MNIST's mean and std): its trace's file, and torch's state_dict before each step (and after the last)."""
    images, labels, _, _ = train_torch_mnist.load(train_torch_mnist.DATA)
    chosen = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))  # the file keeps 0s first
    return recorded_cnn(images[chosen], labels[chosen], STEPS, lr=0.05)


def at_step(before, step):
    model = small_cnn()
    model.load_state_dict(before[step])
    return model


def test_a_torch_cnn_trace_replays_step_by_step_reading_a_test_digit_as_torch_did(recorded, open_site, page_errors,
                                                                                   artifacts):
    data, before = recorded
    page = open_lab(open_site)
    choose_file(page, "cnn-trace.json", data)
    page.wait_for_function("document.querySelector('#digit-model-choice').value === 'cnn-trace.json'")
    steps = page.get_by_label("Digits trace step", exact=True)
    assert steps.is_visible() and steps.get_attribute("max") == "30" and page.locator("#digit-slabs").is_visible()
    assert "read with MNIST's mean and std, the scaling of its probe digits" in page.text_content("#digit-model")
    assert page.get_by_role("button", name="Train from scratch").is_disabled()
    index = show_a_test_digit(page)
    readings = {}
    for step in (0, 17, STEPS):
        steps.fill(str(step))
        page.wait_for_function(SHOWN.format(step))
        # The page sums the trace's float32 updates in float64 and computes in float64; torch's network at that
        # step holds float32 parameters, which the page's match to about a float32 rounding of each update (7e-9
        # here), so its reading of the digit agrees to about 1e-7 of each probability: torch's here in float64.
        expected = torch_reads(at_step(before, step), index)
        readings[step] = probabilities(page)
        np.testing.assert_allclose(readings[step], expected, rtol=1e-6, atol=1e-9)
        assert page.text_content("#digit-prediction") == str(expected.argmax())
    assert np.abs(readings[0] - readings[STEPS]).max() > 0.05  # the slider matters: the network learns
    page.locator("#digits-lab").screenshot(path=artifacts / "digits-lab-trace.png")

    steps.focus()  # a native slider: the keyboard moves it a step at a time
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(SHOWN.format(STEPS - 1))
    np.testing.assert_allclose(probabilities(page), torch_reads(at_step(before, STEPS - 1), index), rtol=1e-6,
                               atol=1e-9)
    assert page_errors == []


def test_a_link_to_a_digits_trace_opens_it_in_the_lab(recorded, page, open_site, page_errors):
    data, _ = recorded
    page.route("**/data/cnn-trace.json", lambda route: route.fulfill(body=data, content_type="application/json"))
    open_site("#trace=data/cnn-trace.json")
    page.wait_for_function("document.querySelector('#digit-model-choice').value === 'cnn-trace.json'")
    assert page.get_by_label("Digits trace step", exact=True).is_visible()  # the lab's room opened
    assert "from data/cnn-trace.json, as they stood before step 0 of 30" in page.text_content("#digit-model")
    assert page.text_content("#trace-status") == ("The trace at data/cnn-trace.json is of a network for digits: the "
                                                  "digits lab replays it.")
    assert "trace=data/cnn-trace.json" in page.evaluate("location.hash")
    assert page_errors == []
