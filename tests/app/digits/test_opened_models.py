"""Models opened in the digits lab, as a person opens them: ONNX files torch 2.13 exported (with either
exporter) and engine weights files join the Model menu under their names and read the digits exactly as torch
does; a model trained on −1..1 inputs is found out by the held-out digits and read that way; what is for the
playground goes there; a link opens a model from the site's files; every bad file is refused in words, and
the model in use keeps working."""
import asyncio
import copy
import io

import numpy as np
import pytest

from app.digits import digit_traces, held_out, mnist, mnist_models, opened_models, training
from app.digits import lab as digits_lab
from app.digits.cnn_inspect import inspect
from app.playground import state
from app.playground.state import decode, encode
from engine import nn, optim, weights
from engine.nn import functional as F

from tests.app.digits.files import SITE
from tests.app.digits.test_lab import SEVEN, digits, draw, open_lab, score_fully, shipped, shown_probabilities
from tests.app.fake_page import FakePage

torch = pytest.importorskip("torch")
from tests.tools.torch_exports import export  # noqa: E402

t = torch.nn
EXPORTERS = {"legacy exporter": False, "dynamo exporter": True}


def torch_cnn():
    torch.manual_seed(0)
    return t.Sequential(t.Conv2d(1, 8, 3, padding=1), t.ReLU(), t.MaxPool2d(2), t.Conv2d(8, 16, 3, padding=1),
                        t.ReLU(), t.MaxPool2d(2), t.Flatten(), t.Linear(16 * 7 * 7, 10))


def torch_mlp():
    """An MLP as PyTorch's examples write one: it flattens the (N, 1, 28, 28) images itself."""
    torch.manual_seed(1)
    return t.Sequential(t.Flatten(), t.Linear(784, 48), t.ReLU(), t.Linear(48, 10))


def minus_one_to_one_mlp():
    """The lab's shipped MLP made into one that takes inputs −1..1, in torch: its first layer's weights halved
    and their half sum added to its bias, since W x + b = (W / 2)(2x − 1) + (b + W 1 / 2)."""
    model = shipped()["mlp"].model
    layers = []
    for module in model:
        if isinstance(module, mnist_models.nn.Linear):
            layer = t.Linear(module.n_in, module.n_out)
            weight, bias = module.weight.data, module.bias.data
            if not layers:
                weight, bias = weight / 2, bias + weight.sum(axis=1) / 2
            layer.weight.data, layer.bias.data = torch.tensor(weight).float(), torch.tensor(bias).float()
            layers.append(layer)
        else:
            layers.append(t.ReLU())
    return t.Sequential(*layers)


def torch_reads(model, lab):
    """Torch's probabilities for the digit the lab shows, given as the lab gives it (in its scaling), in float64."""
    pixels = torch.tensor(lab.network.as_input(lab.levels)).reshape(1, 1, 28, 28)
    with torch.no_grad():
        return torch.softmax(copy.deepcopy(model).double()(pixels), dim=1)[0].numpy()


def exported(model, dynamo=False, shape=(1, 28, 28)):
    return export(model, torch.zeros(2, *shape), dynamo)


def engine_file(model, meta=None):
    buffer = io.BytesIO()
    weights.save(model, buffer, meta=meta)
    return buffer.getvalue()


def show_test_digits(lab, count, at=100.0):
    for step in range(count):
        lab.act("test-digit")
        lab.frame(at + step)


@pytest.mark.parametrize("dynamo", EXPORTERS.values(), ids=EXPORTERS.keys())
def test_an_onnx_cnn_from_torch_joins_the_model_menu_and_reads_held_out_digits_as_torch_does(dynamo):
    asked = []
    lab = open_lab("cnn", asked)
    model = torch_cnn()
    lab.open_model("torch-cnn.onnx", exported(model, dynamo))
    lab.frame(10.0)
    assert asked == ["torch-cnn.onnx"] and lab.network.name == "torch-cnn.onnx"
    assert lab.page.options["digit-model-choice"] == [("mlp", "MLP 784-64-32-10"), ("cnn", "CNN (LeNet-5 style)"),
                                                      ("torch-cnn.onnx", "torch-cnn.onnx")]
    assert lab.page.values["digit-model-choice"] == "torch-cnn.onnx"
    assert lab.page.texts["digit-open-status"] == "Opened torch-cnn.onnx: it is in the Model menu."
    for step in range(3):
        show_test_digits(lab, 1, at=20.0 + step)
        np.testing.assert_allclose(shown_probabilities(lab), torch_reads(model, lab), rtol=1e-9, atol=1e-15)
        assert lab.page.texts["digit-prediction"] == str(torch_reads(model, lab).argmax())
    # the layer-by-layer views show it: its own layers, maps and filters
    assert lab.page.attribute("#digits-lab", "data-model") == "cnn"
    assert [row[0] for row in lab.page.tables["digit-stats"][1:]] == [
        "input", "conv 1", "ReLU 1", "pool 1", "conv 2", "ReLU 2", "pool 2", "dense 1"]
    lab.change("layer", "1")
    assert lab.page.texts["digit-maps-note"].startswith("conv 1: 8 maps of 28x28")
    assert "conv 1's filters (8 x 1 x 3 x 3)" in lab.page.texts["digit-filters-note"]
    assert lab.page.canvases["digit-slabs"].context.calls


@pytest.mark.parametrize("dynamo", EXPORTERS.values(), ids=EXPORTERS.keys())
def test_an_onnx_mlp_from_torch_is_shown_by_the_mlp_views_and_reads_as_torch_does(dynamo):
    lab = open_lab("cnn")
    model = torch_mlp()
    lab.open_model("torch-mlp.onnx", exported(model, dynamo))
    show_test_digits(lab, 2)
    np.testing.assert_allclose(shown_probabilities(lab), torch_reads(model, lab), rtol=1e-9, atol=1e-15)
    # its Flatten is set aside (it changes no value), so the MLP view can draw it as the lab's own MLP
    assert lab.network.views == "mlp" and lab.network.input_shape == (784,)
    assert lab.page.attribute("#digits-lab", "data-model") == "mlp"
    assert [row[0] for row in lab.page.tables["digit-stats"][1:]] == ["input", "dense 1", "ReLU 1", "dense 2"]


def test_switching_to_an_opened_model_and_back_keeps_the_drawing():
    lab = open_lab("cnn")
    draw(lab, SEVEN)
    cnn = shown_probabilities(lab)
    model = torch_cnn()
    lab.open_model("torch-cnn.onnx", exported(model))
    lab.frame(100.0)
    assert lab.page.texts["digit-label"] == "" and "reads your drawing as" in lab.page.texts["digit-reading"]
    np.testing.assert_allclose(shown_probabilities(lab), torch_reads(model, lab), rtol=1e-9, atol=1e-15)
    lab.follow("cnn")  # the Model menu, back to the lab's CNN
    lab.frame(200.0)
    assert shown_probabilities(lab).tolist() == cnn.tolist()
    lab.follow("torch-cnn.onnx")
    lab.frame(300.0)
    np.testing.assert_allclose(shown_probabilities(lab), torch_reads(model, lab), rtol=1e-9, atol=1e-15)


def test_a_model_trained_on_inputs_minus_one_to_one_is_found_out_and_read_so():
    lab = open_lab("mlp")
    draw(lab, SEVEN)
    shipped_reading = shown_probabilities(lab)
    lab.open_model("halved.onnx", exported(minus_one_to_one_mlp(), shape=(784,)))
    lab.frame(100.0)
    assert lab.page.attribute("#digit-scaling-choice", "hidden") is None  # the Inputs menu shows
    assert lab.page.texts["digit-model"].startswith("halved.onnx, weights: from your file. Trying it on 250 held-out")
    score_fully(lab)
    lab.frame(1e6)
    assert lab.network.scaling.name == "-1..1" and lab.page.values["digit-scaling"] == "-1..1"
    np.testing.assert_allclose(shown_probabilities(lab), shipped_reading, rtol=1e-5)  # the shipped MLP's reading
    _, correct = training.evaluate(lab.model, digits().test_images, digits().test_labels, lab.network.as_input)
    assert 1940 < correct < 1960  # the shipped MLP recognises 1,948; the float32 copy about as many
    described = lab.page.texts["digit-model"]
    assert f"It reads {correct / 20:.1f}% of 2,000 held-out digits with inputs −1..1, the scaling it reads best" \
           " (of 250 tried: inputs 0..1 " in described
    texts = dict(lab.page.options["digit-scaling"])
    assert texts["-1..1"].startswith("inputs −1..1 (9") and texts["0..1"].startswith("inputs 0..1 (")

    lab.change("scaling", "0..1")  # the person knows better
    lab.frame(2e6)
    assert not np.allclose(shown_probabilities(lab), shipped_reading, rtol=1e-3)
    score_fully(lab)
    lab.frame(3e6)
    _, correct_0_1 = training.evaluate(lab.model, digits().test_images, digits().test_labels,
                                       lambda levels: mnist.as_input(levels, (784,)))
    assert correct_0_1 < correct and lab.page.values["digit-scaling"] == "0..1"
    assert (f"It reads {correct_0_1 / 20:.1f}% of 2,000 held-out digits with inputs 0..1, as chosen; of 250 tried, "
            "it read 9") in lab.page.texts["digit-model"]


def test_a_slow_model_is_scored_in_slices_that_fit_the_frames_time():
    model = shipped()["cnn"].model
    score = held_out.HeldOutScore(model, mnist_models.NETWORKS["cnn"].as_input, digits())
    score.advance(budget_s=1e6)  # the first digit alone says how long one takes
    assert (score.scored, score.slice) == (1, 25)
    score.advance(budget_s=1e6)
    assert (score.scored, score.slice) == (26, 25)
    score.advance(budget_s=1e-9)  # no slice of digits could fit so little time: one digit at a time
    assert (score.scored, score.slice) == (51, 1)
    score.advance(budget_s=1e-9)
    assert score.scored == 52


def bad_files():
    """(name, bytes, the message's words) of files the lab refuses, each for its own reason (BAD_FILES)."""
    cnn = exported(torch_cnn())
    return {
        "not ONNX": ("notes.onnx", b"just some notes\n", "Could not open notes.onnx: this file is not an ONNX model ("),
        "truncated": ("cut.onnx", cnn[:len(cnn) // 2], "Could not open cut.onnx: this ONNX file is cut short: it ends "
                                                       "in the middle of its contents"),
        "ops the engine lacks": ("pools.onnx", exported(t.Sequential(t.AvgPool2d(2), t.ELU(), t.Flatten(),
                                                                     t.Linear(196, 10))),
                                 "Could not open pools.onnx: unsupported ONNX ops: AveragePool, Elu; gradcanvas reads"),
        "an input the page cannot show": ("colour.onnx", exported(t.Sequential(t.Flatten(), t.Linear(3 * 32 * 32, 10)),
                                                                  shape=(3, 32, 32)),
                                          "Could not open colour.onnx: the model takes inputs of shape (N, 3, 32, 32); "
                                          "the page shows models that take (N, 2) in the playground, or (N, 784), "
                                          "(N, 1, 28, 28), (N, 28, 28, 1) or (N, 28, 28) in the digits lab"),
        "over the limit": ("huge.onnx", exported(t.Sequential(t.Linear(784, 2600), t.ReLU(), t.Linear(2600, 10)),
                                                 shape=(784,)),
                           "Could not open huge.onnx: the model has 2,067,010 parameters; the page opens models of up "
                           "to 2,000,000"),
        "scores for other than ten digits": ("five.onnx", exported(t.Sequential(t.Flatten(), t.Linear(784, 5))),
                                             "Could not open five.onnx: its output for a digit has shape (5,); the lab "
                                             "reads models that give 10 scores, one for each digit 0 to 9"),
        "a weights file for another shape": ("plane3.npz", engine_file(mnist_models.nn.MLP(3, [4], 10)),
                                             "Could not open plane3.npz: its network takes neither (N, 784) nor "
                                             "(N, 1, 28, 28) inputs with 10 digit scores out (it is Linear(3, 4, "
                                             "bias=True), Tanh(), Linear(4, 10, bias=True))"),
        "a weights file over the limit": ("huge.npz", engine_file(mnist_models.nn.MLP(784, [2600], 10)),
                                          "Could not open huge.npz: its network has 2,067,010 parameters; the page "
                                          "opens models of up to 2,000,000"),
        "not a weights file": ("notes.npz", b"PK but not really", "Could not open notes.npz: not a weights file"),
        "an ONNX file over 10 MB": ("float64.onnx", float64_mlp_file(),
                                    "Could not open float64.onnx: the file is 12.1 MB; the page opens .onnx files of "
                                    "up to 10 MB (room for 2,000,000 parameters): open a smaller model"),
        "a weights file over 20 MB": ("big.npz", b"PK" + bytes(20_000_000),
                                      "Could not open big.npz: the file is 20.1 MB; the page opens .npz files of up "
                                      "to 20 MB (room for 2,000,000 parameters): open a smaller model"),
    }


def float64_mlp_file():
    """An ONNX file over 10 MB of a model under the parameter limit: 1,510,510 parameters kept as float64."""
    torch.manual_seed(2)
    model = t.Sequential(t.Linear(784, 1900), t.ReLU(), t.Linear(1900, 10)).double()
    return export(model, torch.zeros(2, 784, dtype=torch.float64), dynamo=False)


@pytest.fixture(scope="module")
def broken():
    files = bad_files()
    assert list(files) == BAD_FILES
    return files


BAD_FILES = ["not ONNX", "truncated", "ops the engine lacks", "an input the page cannot show", "over the limit",
             "scores for other than ten digits", "a weights file for another shape", "a weights file over the limit",
             "not a weights file", "an ONNX file over 10 MB", "a weights file over 20 MB"]


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_in_words_and_the_model_in_use_keeps_reading(case, broken):
    lab = open_lab("cnn")
    model = torch_cnn()
    lab.open_model("torch-cnn.onnx", exported(model))
    lab.frame(10.0)
    name, data, words = broken[case]
    lab.open_model(name, data)
    message = lab.page.texts["digit-message"]
    assert message.startswith(words) and message.endswith(". The model in use is kept."), message
    assert lab.network.name == "torch-cnn.onnx" and [name for name, _ in lab.page.options["digit-model-choice"]] == [
        "mlp", "cnn", "torch-cnn.onnx"]
    show_test_digits(lab, 2)
    np.testing.assert_allclose(shown_probabilities(lab), torch_reads(model, lab), rtol=1e-9, atol=1e-15)
    lab.open_model("torch-cnn.onnx", exported(model))  # a good file clears the message
    assert lab.page.texts["digit-message"] == ""


def test_a_weights_file_saved_here_of_a_model_near_the_parameter_limit_opens_again():
    """The engine keeps weights as float64, so such a file is bigger than the ONNX file it came from: 14.6 MB."""
    model = mnist_models.nn.MLP(784, [2400], 10)
    data = engine_file(model)
    assert len(data) > 10_000_000 and sum(p.size for p in model.parameters()) < 2_000_000
    opened = opened_models.read("big.npz", data, "from your file", digits())
    assert opened.views == "mlp" and opened.model[0].weight.data.shape == (2400, 784)


def test_models_for_the_playground_and_traces_go_to_the_playground(opened):
    playground, page = opened("#v=1&hidden=3")
    lab = digits_lab.DigitsLab(page, shipped(), digits(), hand_over=playground.open_file)
    plane = t.Sequential(t.Linear(2, 8), t.Tanh(), t.Linear(8, 1))
    lab.open_model("xor.onnx", exported(plane, shape=(2,)))
    assert playground.run.layer_sizes() == [2, 8, 1]
    assert page.texts["trace-status"].startswith("Opened xor.npz: its network")
    np.testing.assert_allclose(playground.run.model[0].weight.data, plane[0].weight.detach().double().numpy())
    assert page.texts["digit-open-status"] == "xor.onnx is not for digits: the playground opened it."
    lab.open_model("plane.npz", engine_file(mnist_models.nn.MLP(2, [5], 1)))
    assert playground.run.layer_sizes() == [2, 5, 1]
    assert lab.network.name == "cnn" and page.texts["digit-message"] == ""
    # dropped on the page, a weights file not for digits goes to the playground, which says what it makes of it
    lab.open_model("seven.npz", engine_file(mnist_models.nn.MLP(3, [6], 1)), dropped=True)
    assert "Could not open seven.npz: the file's network takes 3 inputs" in page.texts["trace-status"]
    lab.open_model("run.json", b'{"not": "a trace"}', dropped=True)
    assert page.texts["trace-status"].startswith("Could not open run.json")
    assert lab.network.name == "cnn" and page.texts["digit-message"] == ""


def test_a_file_dropped_where_it_would_not_show_opens_the_room_where_it_does(opened):
    """Wired as main.py wires them: a digits model dropped while another room is open opens the lab's room, in
    view; a file for the playground dropped while the lab is open opens the Traces room and brings into view
    the core picture it changed or, when it was refused, the room's words saying why."""
    playground, page = opened("#v=1&room=graph")
    lab = digits_lab.DigitsLab(page, shipped(), digits(), choose=playground.show_digits_model,
                               hand_over=playground.open_file)
    lab.open_model("torch-cnn.onnx", exported(torch_cnn()), dropped=True)
    playground.frame(16.0)
    assert lab.network.name == "torch-cnn.onnx" and playground.state.room == "digits"
    assert page.attribute("body", "data-room") == "digits" and page.revealed == ["rooms"]
    assert "room=digits&digits_model=torch-cnn.onnx" in page.fragment
    lab.open_model("mine.npz", engine_file(shipped()["mlp"].model), dropped=True)  # the lab is open: it stays so
    playground.frame(32.0)
    assert lab.network.name == "mine.npz" and page.revealed == ["rooms"]

    plane = t.Sequential(t.Linear(2, 8), t.Tanh(), t.Linear(8, 1))
    lab.open_model("xor.onnx", exported(plane, shape=(2,)), dropped=True)
    playground.frame(48.0)
    assert playground.run.layer_sizes() == [2, 8, 1] and page.texts["trace-status"].startswith("Opened xor.npz")
    assert playground.state.room == "traces" and page.attribute("body", "data-room") == "traces"
    assert page.revealed == ["rooms", "top"]  # the core picture, where its network now trains
    playground.change("room", "digits")
    lab.open_model("run.json", b'{"not": "a trace"}', dropped=True)
    playground.frame(64.0)
    assert page.texts["trace-status"].startswith("Could not open run.json") and playground.state.room == "traces"
    assert page.revealed == ["rooms", "top", "rooms"]  # the Traces room, which says why
    assert lab.network.name == "mine.npz" and playground.run.layer_sizes() == [2, 8, 1]


def test_a_link_opens_a_model_from_the_sites_own_files():
    asked = []
    lab = open_lab("cnn", asked)
    lab.page.files["data/mnist-mlp.npz"] = (SITE / "data" / "mnist-mlp.npz").read_bytes()
    asyncio.run(lab.open_link_model("data/mnist-mlp.npz"))
    lab.frame(10.0)
    assert asked == ["mnist-mlp.npz"] and lab.network.name == "mnist-mlp.npz" and lab.network.views == "mlp"
    assert lab.page.texts["digit-model"].startswith("mnist-mlp.npz, weights: from data/mnist-mlp.npz. Trying it")
    show_test_digits(lab, 1)
    expected = inspect(shipped()["mlp"].model, lab.levels / 255, input_shape=(784,)).probabilities
    assert shown_probabilities(lab).tolist() == expected.tolist()

    asyncio.run(lab.open_link_model("https://example.com/net.onnx"))
    assert lab.page.texts["digit-message"] == (
        "Could not open the link's model: the link's model is at https://example.com/net.onnx, another site; the page "
        "opens models from its own files (a path like data/mnist-cnn.npz): download the file and open it with Open a "
        "model. The model in use is kept.")
    asyncio.run(lab.open_link_model("data/missing.onnx"))
    assert lab.page.texts["digit-message"] == ("Could not open the link's model: could not download data/missing.onnx: "
                                               "HTTP 404. The model in use is kept.")
    assert lab.network.name == "mnist-mlp.npz"


def test_a_link_that_names_a_model_opened_from_a_file_opens_on_the_lab_cnn_and_says_so():
    chosen = decode("#room=digits&digits_model=my%20net.onnx").state.digits_model
    assert chosen == "my net.onnx"
    lab = digits_lab.DigitsLab(FakePage(), shipped(), digits(), chosen)
    assert lab.network.name == "cnn"
    assert lab.page.texts["digit-open-status"] == "The link's model, my net.onnx, came from a file: open it again."
    lab.follow(chosen)  # the page asks each frame: nothing to show yet
    assert lab.network.name == "cnn"


def test_the_model_menu_setting_takes_an_opened_models_file_name():
    assert state.MODEL_FILES == (*opened_models.MODEL_FILES, digit_traces.TRACE_FILE)
    link = encode(decode("#digits_model=my%20net.onnx&model=data/my%20net.onnx").state, {"model": "data/my net.onnx"})
    assert link == "v=1&digits_model=my%20net.onnx&model=data/my%20net.onnx"
    assert decode("#digits_model=../x.onnx").notes == [
        "digits lab model '../x.onnx' is not one of cnn, mlp, nor the name of a .onnx, .npz or .json file; using cnn"]


def test_an_opened_model_saves_as_engine_weights_and_has_no_recipe_to_train():
    lab = open_lab("cnn")
    model = torch_cnn()
    lab.open_model("torch-cnn.onnx", exported(model))
    assert lab.page.attribute("#digit-train", "disabled") == "" and lab.page.texts["digit-save"] == \
           "Save torch-cnn.onnx weights"
    score_fully(lab)
    lab.act("save")
    (name, data), = lab.page.downloads
    saved, meta = weights.load(io.BytesIO(data))
    assert name == "torch-cnn.npz" and meta["source"] == "onnx" and meta["test_count"] == 2000
    assert meta["test_correct"] == lab.score.correct
    for ours, theirs in zip(saved.parameters(), lab.model.parameters()):
        np.testing.assert_array_equal(ours.data, theirs.data)
    lab.follow("cnn")
    assert lab.page.attribute("#digit-train", "disabled") is None
    assert lab.page.attribute("#digit-scaling-choice", "hidden") == ""


def test_the_gallerys_cnn_trained_in_pytorch_reads_the_held_out_digits_as_the_readme_says():
    """site/data/mnist-torch-cnn.onnx, made by tools/train_torch_mnist.py on MNIST's mean and std: the page finds
    that scaling by itself and reads 1,955 of the 2,000 held-out digits, as torch did (the README's figure)."""
    lab = open_lab("cnn")
    page = lab.page
    page.files["data/mnist-torch-cnn.onnx"] = (SITE / "data" / "mnist-torch-cnn.onnx").read_bytes()
    asyncio.run(lab.open_link_model("data/mnist-torch-cnn.onnx"))
    score_fully(lab)
    assert lab.network.scaling.name == "mnist" and lab.network.views == "cnn"
    assert page.texts["digit-model"].startswith("mnist-torch-cnn.onnx, weights: from data/mnist-torch-cnn.onnx. It "
                                                "reads 97.8% of 2,000 held-out digits with MNIST's mean and std, the "
                                                "scaling it reads best")
    assert lab.score.correct == 1955


def torch_twin(model):
    """The engine MLP `model` (Linear, BatchNorm1d, ReLU, Dropout layers) as torch layers holding its values, in
    evaluation, after a Flatten: torch_reads gives it (1, 1, 28, 28) images."""
    kinds = {"Linear": lambda layer: t.Linear(layer.n_in, layer.n_out), "ReLU": lambda layer: t.ReLU(),
             "BatchNorm1d": lambda layer: t.BatchNorm1d(layer.num_features),
             "Dropout": lambda layer: t.Dropout(layer.p)}
    twin = t.Sequential(*(kinds[type(layer).__name__](layer) for layer in model)).double()
    twin.load_state_dict({name: torch.tensor(values) for name, values in model.state_dict().items()})
    return t.Sequential(t.Flatten(), twin).eval()


def test_an_engine_weights_file_with_batch_norm_and_dropout_reads_digits_in_evaluation_as_torch_does():
    """Saved in training mode, after a few steps have moved its running statistics: the lab reads each digit
    alone, so from those statistics, and shows the model layer by layer, batch norms and dropouts among them."""
    model = nn.MLP(784, [32, 16], 10, activation="relu", dropout=0.2, batch_norm=True, rng=np.random.default_rng(3))
    images = digits().train_images[:64].reshape(64, 784) / 255
    labels = digits().train_labels[:64]
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    for batch in range(4):
        optimizer.zero_grad()
        F.cross_entropy(model(images[batch * 16:][:16]), labels[batch * 16:][:16]).backward()
        optimizer.step()
    assert model.training
    lab = open_lab("cnn")
    lab.open_model("dropout-bn.npz", engine_file(model))
    assert lab.page.texts["digit-message"] == "" and lab.network.name == "dropout-bn.npz"
    twin = torch_twin(lab.model)
    for step in range(3):
        show_test_digits(lab, 1, at=20.0 + step)
        np.testing.assert_allclose(shown_probabilities(lab), torch_reads(twin, lab), rtol=1e-9, atol=1e-15)
        assert lab.page.texts["digit-prediction"] == str(torch_reads(twin, lab).argmax())
    assert lab.network.views == "cnn"  # the MLP view draws no batch norm: the layer-by-layer views show it
    assert [row[0] for row in lab.page.tables["digit-stats"][1:]] == [
        "input", "dense 1", "batch norm 1", "ReLU 1", "dropout 1", "dense 2", "batch norm 2", "ReLU 2", "dropout 2",
        "dense 3"]
    lab.change("layer", "2")
    assert lab.page.texts["digit-maps-note"].startswith("batch norm 1: 32 units")
    assert lab.page.texts["digit-filters-note"] == (
        "batch norm 1 takes from each unit the mean and divides by the spread its training batches had (its running "
        "statistics), then scales and shifts each unit by two numbers of its own. Shown are the weights before it: "
        "dense 1's weights (32 x 784): one row per unit it computes, one column per input.")


@pytest.mark.parametrize("dynamo", EXPORTERS.values(), ids=EXPORTERS.keys())
def test_an_onnx_cnn_with_batch_norm_from_torch_reads_digits_as_torch_does_and_shows_its_batch_norm(dynamo):
    torch.manual_seed(6)
    model = t.Sequential(t.Conv2d(1, 8, 3, padding=1), t.ReLU(), t.BatchNorm2d(8), t.MaxPool2d(2), t.Dropout(0.25),
                         t.Conv2d(8, 16, 3, padding=1), t.ReLU(), t.MaxPool2d(2), t.Flatten(), t.Linear(16 * 7 * 7, 10))
    for _ in range(3):  # training batches move the running statistics off their start
        model(torch.rand(16, 1, 28, 28))
    lab = open_lab("cnn")
    lab.open_model("torch-bn.onnx", exported(model.eval(), dynamo))
    assert lab.page.texts["digit-message"] == "" and lab.network.name == "torch-bn.onnx"
    for step in range(3):
        show_test_digits(lab, 1, at=20.0 + step)
        np.testing.assert_allclose(shown_probabilities(lab), torch_reads(model, lab), rtol=1e-9, atol=1e-15)
        assert lab.page.texts["digit-prediction"] == str(torch_reads(model, lab).argmax())
    assert [row[0] for row in lab.page.tables["digit-stats"][1:]] == [
        "input", "conv 1", "ReLU 1", "batch norm 1", "pool 1", "conv 2", "ReLU 2", "pool 2", "dense 1"]
    lab.change("layer", "3")
    assert lab.page.texts["digit-maps-note"].startswith("batch norm 1: 8 maps of 28x28")
    assert lab.page.texts["digit-filters-note"].startswith("batch norm 1 takes from each map the mean") and \
           "conv 1's filters (8 x 1 x 3 x 3)" in lab.page.texts["digit-filters-note"]
    assert lab.page.canvases["digit-filters"].context.calls
