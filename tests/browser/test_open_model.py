"""Your own model in the real page: a CNN trained in torch 2.13 on MNIST's mean and std, and an MLP trained on
inputs −1..1, exported to ONNX (by either exporter) open through "Open a model", are found to want their
scaling, and read a shown test digit exactly as torch does, each in its own views; each kind of bad file is
refused in the lab's alert in its own words while the model in use keeps reading; a file dropped on the page
opens in the room where it shows, and the gallery's link opens models too."""
import base64
import copy

import numpy as np
import pytest

from app.digits import cnn_inspect, mnist, mnist_models
from engine import nn, weights

from tests.app.digits.files import MNIST, SITE

torch = pytest.importorskip("torch")
from tests.app.digits.test_opened_models import engine_file, float64_mlp_file  # noqa: E402
from tests.tools.torch_exports import export  # noqa: E402
from tools import train_torch_mnist  # noqa: E402

EXPORTERS = {"legacy exporter": False, "dynamo exporter": True}
SCORED = "document.querySelector('#digit-model').textContent.includes('of 2,000 held-out digits with')"


@pytest.fixture(scope="module")
def trained():
    """A CNN torch trained for one epoch with tools/train_torch_mnist.py's recipe, on MNIST's mean and std."""
    return train_torch_mnist.train(train_torch_mnist.load(train_torch_mnist.DATA), epochs=1, log=lambda line: None)


@pytest.fixture(scope="module")
def trained_mlp():
    """An MLP 784-32-10 trained with the same recipe for one epoch on flat digits scaled to −1..1, (x/255 − 0.5)
    / 0.5, as many PyTorch examples scale them: it reads 1,590 of the 2,000 held-out digits so, 1,146 given 0..1."""
    images, labels, held_out, held_out_labels = train_torch_mnist.load(train_torch_mnist.DATA)

    def minus_one_to_one(pixels):  # the recipe's mean/std normalisation undone, then −1..1, flat
        return ((pixels * train_torch_mnist.STD + train_torch_mnist.MEAN - 0.5) / 0.5).reshape(len(pixels), 784)

    layers = torch.nn
    return train_torch_mnist.train((minus_one_to_one(images), labels, minus_one_to_one(held_out), held_out_labels),
                                   epochs=1, log=lambda line: None,
                                   make=lambda: layers.Sequential(layers.Linear(784, 32), layers.ReLU(),
                                                                  layers.Linear(32, 10)))


def open_lab(open_site, fragment="#room=digits"):
    page = open_site(fragment)
    page.get_by_role("button", name="Pause").click()  # the playground's training would only slow the lab
    page.locator("#digits-lab").scroll_into_view_if_needed()
    return page


def probabilities(page):
    return np.array(page.get_attribute("#digit-bars", "data-probabilities").split(), float)


def torch_reads(model, index, scaling=(train_torch_mnist.MEAN, train_torch_mnist.STD), shape=(1, 28, 28)):
    """Torch's probabilities (float64) for held-out digit `index`, its pixels scaled as (x/255 − centre) / spread
    and shaped as the model takes one digit."""
    levels = mnist.load(MNIST).test_images[index]
    pixels = torch.tensor((levels / 255.0 - scaling[0]) / scaling[1]).reshape(1, *shape)
    with torch.no_grad():
        return torch.softmax(copy.deepcopy(model).double()(pixels), dim=1)[0].numpy()


def choose_file(page, name, data):
    """Choose a file called `name` holding `data` with the lab's Open a model."""
    page.get_by_label("Open a model", exact=True).set_input_files(
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}])


def drop(page, name, data):
    """Drop a file called `name` holding `data` on the page, as a person drags one there from their files."""
    encoded = base64.b64encode(data).decode()
    transfer = page.evaluate_handle(f"""() => {{
        const bytes = Uint8Array.from(atob("{encoded}"), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], "{name}"));
        return transfer;
    }}""")
    page.dispatch_event("body", "drop", {"dataTransfer": transfer})


def wait_until_at_the_top(page, element_id):
    """Wait until the page has scrolled element `element_id`'s top to the top of the window."""
    page.wait_for_function(f"Math.abs(document.getElementById('{element_id}').getBoundingClientRect().top) < 1")


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
    choose_file(page, "my-cnn.onnx", export(trained, torch.zeros(2, 1, 28, 28), dynamo))
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


def test_a_torch_mlp_from_either_exporter_is_shown_by_the_mlp_view_and_reads_a_test_digit_as_torch_does(
        trained_mlp, open_site, page_errors):
    page = open_lab(open_site)
    for name, dynamo in (("mlp-legacy.onnx", False), ("mlp-dynamo.onnx", True)):
        choose_file(page, name, export(trained_mlp, torch.zeros(2, 784), dynamo))
        page.wait_for_function(f"document.querySelector('#digit-model-choice').value === '{name}'")
        page.wait_for_function(SCORED)
        assert page.get_by_label("Inputs", exact=True).input_value() == "-1..1"  # found, not told
        index = show_a_test_digit(page)
        expected = torch_reads(trained_mlp, index, (0.5, 0.5), shape=(784,))
        np.testing.assert_allclose(probabilities(page), expected, rtol=1e-9, atol=1e-15)
        assert page.text_content("#digit-prediction") == str(expected.argmax())
        # the MLP view shows it, with its 32 hidden neurons' connections from the 784 pixels; not the CNN's slabs
        assert page.locator("#digits-lab").get_attribute("data-model") == "mlp"
        assert page.get_by_label("MLP network", exact=True).is_visible()
        assert not page.locator("#digit-slabs").is_visible()
        assert "of 25,088 into hidden 1" in page.text_content("#digit-mlp-summary")
    assert page_errors == []


def bad_files(trained):
    """(file name, bytes, the leading words of the lab's message) for each kind of file the lab refuses."""
    layers, cnn = torch.nn, export(trained, torch.zeros(2, 1, 28, 28), dynamo=False)

    def exported(shape, *modules):
        return export(layers.Sequential(*modules), torch.zeros(2, *shape), dynamo=False)

    return [
        ("notes.onnx", b"just some notes", "Could not open notes.onnx: this file is not an ONNX model ("),
        ("cut.onnx", cnn[:len(cnn) // 2], "Could not open cut.onnx: this ONNX file is cut short: it ends in the middle "
                                          "of its contents"),
        ("transformer-ish.onnx", exported((1, 28, 28), layers.Flatten(), layers.Linear(784, 32), layers.LayerNorm(32),
                                          layers.GELU(), layers.Linear(32, 10)),
         "Could not open transformer-ish.onnx: unsupported ONNX ops: Gelu, LayerNormalization; gradcanvas reads "),
        ("colour.onnx", exported((3, 32, 32), layers.Flatten(), layers.Linear(3 * 32 * 32, 10)),
         "Could not open colour.onnx: the model takes inputs of shape (N, 3, 32, 32); the page shows models that take "
         "(N, 2) in the playground, or (N, 784)"),
        ("huge.onnx", exported((784,), layers.Linear(784, 2600), layers.ReLU(), layers.Linear(2600, 10)),
         "Could not open huge.onnx: the model has 2,067,010 parameters; the page opens models of up to 2,000,000, so "
         "that a drawing is still read as you draw it: try a smaller model"),
        ("float64.onnx", float64_mlp_file(),
         "Could not open float64.onnx: the file is 12.1 MB; the page opens .onnx files of up to 10 MB (room for "
         "2,000,000 parameters): open a smaller model"),
        ("five.npz", engine_file(nn.Sequential(nn.Linear(5, 3))),
         "Could not open five.npz: its network takes neither (N, 784) nor "),
    ]


def test_each_bad_file_is_refused_in_its_own_words_and_the_model_in_use_keeps_reading(trained, open_site,
                                                                                       page_errors):
    page = open_lab(open_site)
    cnn, _ = weights.load(SITE / mnist_models.NETWORKS["cnn"].weights_file)
    for name, data, words in bad_files(trained):
        choose_file(page, name, data)
        alert = page.get_by_role("alert").filter(has_text=f"Could not open {name}")
        alert.wait_for()
        message = alert.text_content()
        assert message.startswith(words) and message.endswith(". The model in use is kept."), message
        assert page.get_by_label("Model", exact=True).input_value() == "cnn"
        index = show_a_test_digit(page)  # the shipped CNN goes on reading, as CPython reads that digit
        expected = cnn_inspect.inspect(cnn, mnist.load(MNIST).test_images[index] / 255).probabilities
        np.testing.assert_allclose(probabilities(page), expected, rtol=1e-9, atol=1e-15)
        assert page.text_content("#digit-prediction") == str(expected.argmax())
    assert "(it is Linear(5, 3, bias=True))" in message  # the weights file's network, named
    assert page_errors == []


def test_dropped_files_open_in_the_room_where_they_show_and_the_gallery_opens_models(trained, open_site, open_room,
                                                                                    page_errors):
    page = open_lab(open_site)
    open_room(page, "Graph")
    page.evaluate("window.scrollTo(0, 0)")  # looking at the core picture, far above the rooms
    drop(page, "dropped.onnx", export(trained, torch.zeros(2, 1, 28, 28), dynamo=False))
    page.wait_for_function("document.querySelector('#digit-model-choice').value === 'dropped.onnx'")
    page.wait_for_function("document.body.dataset.room === 'digits'")  # the lab's room opens, in view
    assert page.get_by_role("radio", name="Digits lab", exact=True).is_checked()
    wait_until_at_the_top(page, "rooms")
    status = page.locator("#digit-open-status")
    assert status.is_visible() and status.text_content() == "Opened dropped.onnx: it is in the Model menu."

    page.get_by_role("link", name="a CNN trained in PyTorch").click()
    page.wait_for_function("document.querySelector('#digit-model-choice').value === 'mnist-torch-cnn.onnx'")
    options = page.locator("#digit-model-choice option").all_text_contents()
    assert options == ["MLP 784-64-32-10", "CNN (LeNet-5 style)", "dropped.onnx", "mnist-torch-cnn.onnx"]
    page.wait_for_function(SCORED)
    assert page.text_content("#digit-model").startswith(
        "mnist-torch-cnn.onnx, weights: from data/mnist-torch-cnn.onnx. It reads 97.8% of 2,000 held-out digits "
        "with MNIST's mean and std, the scaling it reads best")

    # a model for the playground's plane, dropped on the lab: the core picture it changed comes into view, with
    # the Traces room open below it, saying what became of the file
    page.locator("#digit-stats").scroll_into_view_if_needed()
    layers = torch.nn
    drop(page, "xor.onnx", export(layers.Sequential(layers.Linear(2, 5), layers.Tanh(), layers.Linear(5, 1)),
                                  torch.zeros(2, 2), dynamo=False))
    page.wait_for_function("document.body.dataset.room === 'traces'")
    assert page.text_content("#trace-status").startswith("Opened xor.npz: its network trains from the weights")
    wait_until_at_the_top(page, "top")
    assert page.evaluate("gradcanvas.playground.run.layer_sizes().toJs()") == [2, 5, 1]
    assert page_errors == []
