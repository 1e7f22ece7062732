"""Your own model in the real page: a CNN trained in torch 2.13 on MNIST's mean and std and exported to ONNX (by
either exporter) opens through "Open a model", is found to want that scaling, and reads a shown test digit
exactly as torch does; a bad file is refused in the lab's alert while the model in use keeps reading; a file
dropped on the page and the gallery's link open models too."""
import base64
import copy

import numpy as np
import pytest

from app.digits import mnist

from tests.app.digits.files import MNIST

torch = pytest.importorskip("torch")
from tests.tools.torch_exports import export  # noqa: E402
from tools import train_torch_mnist  # noqa: E402

EXPORTERS = {"legacy exporter": False, "dynamo exporter": True}
SCORED = "document.querySelector('#digit-model').textContent.includes('of 2,000 held-out digits with')"


@pytest.fixture(scope="module")
def trained():
    """A CNN torch trained for one epoch with tools/train_torch_mnist.py's recipe, on MNIST's mean and std."""
    return train_torch_mnist.train(train_torch_mnist.load(train_torch_mnist.DATA), epochs=1, log=lambda line: None)


def open_lab(open_site, fragment="#room=digits"):
    page = open_site(fragment)
    page.get_by_role("button", name="Pause").click()  # the playground's training would only slow the lab
    page.locator("#digits-lab").scroll_into_view_if_needed()
    return page


def probabilities(page):
    return np.array(page.get_attribute("#digit-bars", "data-probabilities").split(), float)


def torch_reads(model, index, scaling=(train_torch_mnist.MEAN, train_torch_mnist.STD)):
    """Torch's probabilities (float64) for held-out digit `index`, its pixels scaled as (x/255 − centre) / spread."""
    levels = mnist.load(MNIST).test_images[index]
    pixels = torch.tensor((levels / 255.0 - scaling[0]) / scaling[1]).reshape(1, 1, 28, 28)
    with torch.no_grad():
        return torch.softmax(copy.deepcopy(model).double()(pixels), dim=1)[0].numpy()


def show_a_test_digit(page):
    """Press Show a test digit; the index of the held-out digit shown, once the page has read it."""
    shown = page.evaluate("gradcanvas.digits.shown")
    page.get_by_role("button", name="Show a test digit").click()
    page.wait_for_function(f"gradcanvas.digits.shown === {shown + 1} && !gradcanvas.digits.stale")
    return page.evaluate("gradcanvas.digits.sample")


@pytest.mark.parametrize("dynamo", EXPORTERS.values(), ids=EXPORTERS.keys())
def test_a_torch_cnn_opens_finds_its_scaling_and_reads_a_test_digit_as_torch_does(dynamo, trained, open_site,
                                                                                 page_errors, artifacts):
    page = open_lab(open_site)
    onnx = export(trained, torch.zeros(2, 1, 28, 28), dynamo)
    page.get_by_label("Open a model", exact=True).set_input_files(
        files=[{"name": "my-cnn.onnx", "mimeType": "application/octet-stream", "buffer": onnx}])
    page.wait_for_function("document.querySelector('#digit-model-choice').value === 'my-cnn.onnx'")
    assert page.text_content("#digit-open-status") == "Opened my-cnn.onnx: it is in the Model menu."
    assert "digits_model=my-cnn.onnx" in page.evaluate("location.hash")
    page.wait_for_function(SCORED)
    assert page.get_by_label("Inputs", exact=True).input_value() == "mnist"  # found, not told
    assert "with MNIST's mean and std, the scaling it reads best" in page.text_content("#digit-model")
    index = show_a_test_digit(page)
    expected = torch_reads(trained, index)
    np.testing.assert_allclose(probabilities(page), expected, rtol=1e-9, atol=1e-15)
    assert page.text_content("#digit-prediction") == str(expected.argmax())
    assert page.locator("#digit-slabs").is_visible()  # a CNN: the layer-by-layer views show it
    page.locator("#digits-lab").screenshot(path=artifacts / "digits-lab-own-model.png")

    page.get_by_label("Inputs", exact=True).select_option("0..1")  # the wrong scaling reads it otherwise
    page.wait_for_function("!gradcanvas.digits.stale && document.querySelector('#digit-model').textContent"
                           ".includes('inputs 0..1')")
    np.testing.assert_allclose(probabilities(page), torch_reads(trained, index, (0.0, 1.0)), rtol=1e-9, atol=1e-15)
    assert page_errors == []


def test_a_bad_file_is_refused_and_dropped_files_and_the_gallery_open_models(trained, open_site, page_errors):
    page = open_lab(open_site)
    page.get_by_label("Open a model", exact=True).set_input_files(
        files=[{"name": "notes.onnx", "mimeType": "application/octet-stream", "buffer": b"just some notes"}])
    alert = page.get_by_role("alert").filter(has_text="Could not open notes.onnx")
    alert.wait_for()
    assert alert.text_content().startswith("Could not open notes.onnx: this file is not an ONNX model (")
    assert page.get_by_label("Model", exact=True).input_value() == "cnn"
    show_a_test_digit(page)
    assert page.text_content("#digit-prediction") != ""  # the CNN in use goes on reading

    onnx = base64.b64encode(export(trained, torch.zeros(2, 1, 28, 28), dynamo=False)).decode()
    dropped = page.evaluate_handle(f"""() => {{
        const bytes = Uint8Array.from(atob("{onnx}"), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], "dropped.onnx"));
        return transfer;
    }}""")
    page.dispatch_event("#digit-stats", "drop", {"dataTransfer": dropped})
    page.wait_for_function("document.querySelector('#digit-model-choice').value === 'dropped.onnx'")

    page.get_by_role("link", name="a CNN trained in PyTorch").click()
    page.wait_for_function("document.querySelector('#digit-model-choice').value === 'mnist-torch-cnn.onnx'")
    options = page.locator("#digit-model-choice option").all_text_contents()
    assert options == ["MLP 784-64-32-10", "CNN (LeNet-5 style)", "dropped.onnx", "mnist-torch-cnn.onnx"]
    page.wait_for_function(SCORED)
    assert page.text_content("#digit-model").startswith(
        "mnist-torch-cnn.onnx, weights: from data/mnist-torch-cnn.onnx. It reads 97.8% of 2,000 held-out digits "
        "with MNIST's mean and std, the scaling it reads best")
    assert page_errors == []
