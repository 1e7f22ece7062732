"""Traces of networks for digits, replayed in the lab as a person opens them: a CNN torch trained on real MNIST digits
(recorded by tools/torch_trace.py) and an MLP the engine trained join the Model menu under their file names; the
Digits trace step slider puts each step's network in every view, reading a held-out digit exactly as the network
did at that step, with the trace's loss drawn and the step marked; traces for the playground go there, and bad
ones are refused in words while the model in use keeps reading."""
import copy
import io
import json

import numpy as np
import pytest

from app.digits import digit_traces, mnist
from app.digits import lab as digits_lab
from app.digits.cnn_inspect import inspect
from app.playground.controller import Playground
from engine import nn, optim, weights
from engine import trace as traces
from engine.nn import functional as F

from tests.app.digits.test_lab import digits, open_lab, shipped, shown_probabilities
from tests.app.fake_page import FakePage

torch = pytest.importorskip("torch")
from tests.app.digits.test_opened_models import engine_file, show_test_digits  # noqa: E402
from tools import torch_trace  # noqa: E402

t = torch.nn
STEPS, BATCH = 12, 32


def minus_one_to_one(levels):
    """Grey levels as PyTorch's MNIST examples often give them: (x/255 − 0.5) / 0.5, in −1..1."""
    return (np.asarray(levels, np.float32) / 255 - 0.5) / 0.5


def small_cnn():
    """The CNN the traces here record: Conv2d(1, 4, 3), ReLU, MaxPool2d(2), Flatten, Linear(676, 10), 6,810
    parameters."""
    return t.Sequential(t.Conv2d(1, 4, 3), t.ReLU(), t.MaxPool2d(2), t.Flatten(), t.Linear(4 * 13 * 13, 10))


def recorded_cnn(images, labels, steps, lr):
    """`small_cnn` trained by torch with SGD at `lr` on `steps` batches of BATCH `images` ((N, 1, 28, 28) float32)
    and `labels`, recorded by tools/torch_trace.py with the first 4 as its probe: the trace's file, and torch's own
    state_dict before each step (and after the last)."""
    torch.manual_seed(0)
    model, before = small_cnn(), []

    def loss_fn(scores, targets):  # called after the forward pass, before the step's update
        before.append(copy.deepcopy(model.state_dict()))
        return torch.nn.functional.cross_entropy(scores, targets)

    batches = [(images[i:i + BATCH], labels[i:i + BATCH]) for i in range(0, steps * BATCH, BATCH)]
    recorded = torch_trace.record_training(model, images[:4], torch.optim.SGD(model.parameters(), lr=lr), loss_fn,
                                           batches, labels[:4].numpy())
    before.append(copy.deepcopy(model.state_dict()))
    return traces.dumps(recorded).encode(), before


@pytest.fixture(scope="module")
def cnn_run():
    """`small_cnn` trained for STEPS steps on held-in MNIST digits in −1..1: its trace's file and torch's states."""
    chosen = np.random.default_rng(0).permutation(len(digits().train_labels))[:STEPS * BATCH]  # stored 0s first
    images = torch.tensor(minus_one_to_one(digits().train_images[chosen])).unsqueeze(1)
    return recorded_cnn(images, torch.tensor(digits().train_labels[chosen]), STEPS, lr=0.1)


def torch_reads(state, lab):
    """Torch's probabilities (float64) for the digit the lab shows, by the CNN with `state`, given −1..1 pixels."""
    model = small_cnn()
    model.load_state_dict(state)
    pixels = torch.tensor(minus_one_to_one(lab.levels), dtype=torch.float64).reshape(1, 1, 28, 28)
    with torch.no_grad():
        return torch.softmax(model.double()(pixels), dim=1)[0].numpy()


def seek(lab, step, at):
    lab.change("trace-step", str(step))  # the slider reports its value as text
    lab.frame(at)


def test_a_torch_cnn_trace_replays_in_the_lab_each_step_reading_as_torch_did(cnn_run):
    data, before = cnn_run
    asked = []
    lab = open_lab("cnn", asked)
    lab.open_model("cnn-trace.json", data)
    lab.frame(10.0)
    page = lab.page
    assert asked == ["cnn-trace.json"] and lab.network.name == "cnn-trace.json"
    assert page.options["digit-model-choice"][-1] == ("cnn-trace.json", "cnn-trace.json")
    assert page.texts["digit-open-status"] == "Opened cnn-trace.json: it is in the Model menu."
    assert page.attribute("#digit-trace", "hidden") is None and page.attribute("#digit-trace-step", "max") == "12"
    assert page.values["digit-trace-step"] == "0" and page.texts["digit-trace-position"] == "step 0 of 12"
    assert page.attribute("#digit-train", "disabled") == "" and page.attribute("#digit-scaling-choice", "hidden") == ""
    assert page.texts["digit-model"].startswith(
        "cnn-trace.json, weights: from your file, as they stood before step 0 of 12; read with inputs −1..1, the "
        "scaling of its probe digits (-1.00 to 1.00). Scoring them")
    assert page.attribute("#digits-lab", "data-model") == "cnn"  # the layer-by-layer views show it

    for at, step in enumerate((0, 5, STEPS, 0)):
        seek(lab, step, 100.0 + at)
        if at < 3:
            show_test_digits(lab, 1, at=200.0 + at)
        # The page's parameters are the trace's float32 first ones plus its float32 updates, summed in float64;
        # torch's are its float32 parameters: each update torch made is its float32 difference, so they agree to
        # about a float32 rounding of each update, and the reading of the digit to about 1e-7 of its size.
        np.testing.assert_allclose(shown_probabilities(lab), torch_reads(before[step], lab), rtol=1e-6, atol=1e-9)
        assert page.texts["digit-prediction"] == str(torch_reads(before[step], lab).argmax())
        assert page.texts["digit-trace-position"] == f"step {step} of 12"
        assert f"as they stood before step {step} of 12;" in page.texts["digit-model"]
        if step == STEPS:
            learned = shown_probabilities(lab)
            assert page.texts["digit-trace-status"] == "Replaying cnn-trace.json: step 12 of 12 (after the last step)."
    # The slider matters: the same digit reads otherwise before the first step.
    assert np.abs(shown_probabilities(lab) - learned).max() > 0.05


def test_the_curves_show_the_traces_loss_per_step_with_the_step_shown_marked(cnn_run):
    data, _ = cnn_run
    lab = open_lab("cnn")
    lab.open_model("cnn-trace.json", data)
    seek(lab, 3, 10.0)
    trace = traces.loads(data)
    ctx, width = lab.page.canvases["digit-training"].context, lab.page.canvases["digit-training"].width
    *_, (loss,), (mark,) = ctx.named("stroke")
    assert loss[0] == "Polyline" and len(loss[1]) == STEPS
    heights = loss[1][:, 1]  # lower on the canvas for a lower loss, in the same order as the trace's
    assert np.array_equal(np.argsort(-heights, kind="stable"), np.argsort(trace.loss, kind="stable"))
    assert mark[1][:, 0].tolist() == [3 / STEPS * width] * 2
    assert "the network shown is as before step 3 of 12" in ctx.named("fillText")[-1][0]
    assert lab.page.texts["digit-trace-status"] == f"Replaying cnn-trace.json: step 3 of 12; that step's loss " \
                                                  f"{trace.loss[3]:.4f}."

    # Another model in the menu: the step control hides and the canvas is the training panel's again.
    lab.open_model("mlp.npz", engine_file(nn.MLP(784, [16], 10)))
    assert lab.page.attribute("#digit-trace", "hidden") == ""
    assert ctx.named("fillText")[-1][0] == "Train from scratch draws the accuracy here"
    lab.follow("cnn-trace.json")
    assert lab.page.attribute("#digit-trace", "hidden") is None and lab.page.values["digit-trace-step"] == "3"


def test_an_engine_mlp_trace_shows_in_the_mlp_view_and_saves_the_weights_of_its_step():
    """An MLP 784-16-10 the engine trained on digits given as MNIST's mean and std, recorded by engine.trace."""
    model = nn.MLP(784, [16], 10, activation="relu", rng=np.random.default_rng(3))
    chosen = np.random.default_rng(1).permutation(len(digits().train_labels))[:160]
    pixels = (mnist.as_input(digits().train_images[chosen], (784,)) - 0.1307) / 0.3081
    batches = [(pixels[i:i + 32], digits().train_labels[chosen][i:i + 32]) for i in range(0, 160, 32)]
    trace = traces.record_training(model, pixels[:4], optim.SGD(model.parameters(), lr=0.05), F.cross_entropy, batches)
    lab = open_lab("cnn")
    lab.open_model("mlp-trace.json", traces.dumps(trace).encode())
    seek(lab, 4, 10.0)
    assert lab.network.views == "mlp" and lab.page.attribute("#digits-lab", "data-model") == "mlp"
    assert "read with MNIST's mean and std, the scaling of its probe digits" in lab.page.texts["digit-model"]
    expected = inspect(trace.model(4), (lab.levels / 255 - 0.1307) / 0.3081, input_shape=(784,)).probabilities
    np.testing.assert_allclose(shown_probabilities(lab), expected, rtol=1e-12)
    assert lab.page.canvases["digit-mlp-network"].context.calls  # the neuron view drew it

    lab.act("save")
    (name, saved), = lab.page.downloads
    model_at_4, meta = weights.load(io.BytesIO(saved))
    assert name == "mlp-trace.npz" and meta["trace_step"] == 4 and meta["producer"] == "gradcanvas engine"
    for key, values in model_at_4.state_dict().items():
        np.testing.assert_array_equal(values, trace.parameters(4)[key])


def plane_trace():
    model = nn.MLP(2, [3], 1)
    points = np.random.default_rng(0).normal(size=(16, 2))
    labels = (points[:, :1] > 0).astype(float)
    return traces.dumps(traces.record_training(model, points[:4], optim.SGD(model.parameters(), lr=0.1),
                                               F.binary_cross_entropy_with_logits, [(points, labels)] * 3)).encode()


def test_a_trace_for_the_plane_goes_to_the_playground_and_one_for_digits_stays_when_dropped(opened, cnn_run):
    playground, page = opened("#v=1&hidden=3")
    lab = digits_lab.DigitsLab(page, shipped(), digits(), hand_over=playground.open_file)
    lab.open_model("plane.json", plane_trace())
    assert playground.traces.replay is not None and playground.run.layer_sizes() == [2, 3, 1]
    assert page.texts["digit-open-status"] == "plane.json is not for digits: the playground opened it."
    assert lab.network.name == "cnn" and page.texts["digit-message"] == ""
    lab.open_model("digits.json", cnn_run[0], dropped=True)
    assert lab.network.name == "digits.json" and playground.traces.replay.trace.probe.shape == (4, 2)
    assert digit_traces.for_digits(cnn_run[0]) and not digit_traces.for_digits(plane_trace())


def test_a_link_to_a_trace_for_digits_is_given_to_whoever_takes_it(cnn_run):
    page, taken = FakePage(), []
    page.files["data/run.json"] = cnn_run[0].decode()
    playground = Playground(page, "#trace=data/run.json", take_trace=lambda url, text: taken.append(url) or True)
    assert taken == ["data/run.json"] and playground.traces.replay is None
    assert page.texts["trace-status"] == "The trace at data/run.json is of a network for digits: the digits lab " \
                                         "replays it."
    assert playground.extras == {"trace": "data/run.json"}  # the link keeps it


def document_of(data, change):
    document = json.loads(data)
    change(document)
    return json.dumps(document).encode()


def bad_traces(data):
    """(file, the message's words) of traces the lab refuses, each for its own reason (BAD_TRACES)."""
    colour = traces.record_training(nn.Sequential(nn.Conv2d(3, 2, 3), nn.Flatten(), nn.Linear(2 * 30 * 30, 10)),
                                    np.zeros((2, 3, 32, 32)), None, None, [])
    five = traces.record_training(nn.MLP(784, [4], 5), np.zeros((2, 784)), None, None, [])
    return {
        "not JSON": (b"step,loss\n0,2.3\n", "Could not open bad.json: not a trace: the file is not JSON (Expecting "
                                            "value: line 1 column 1 (char 0))"),
        "a broken block": (document_of(data, lambda d: d["steps"]["loss"].update(shape=[7])),
                           "Could not open bad.json: steps.loss.shape: expected [12], found [7]"),
        "an input the page cannot show": (traces.dumps(colour).encode(),
                                          "Could not open bad.json: its network takes inputs of shape (N, 3, 32, 32); "
                                          "the page replays traces of networks that take (N, 2) in the playground, or "
                                          "(N, 784) or (N, 1, 28, 28) in the digits lab"),
        "scores for other than ten digits": (traces.dumps(five).encode(),
                                             "Could not open bad.json: its network's output for a digit has shape "
                                             "(5,); the lab replays networks that give 10 scores, one for each digit "
                                             "0 to 9"),
        "too big": (b" " * 50_000_001, "Could not open bad.json: the trace is 50.1 MB; the lab replays traces of up "
                                       "to 50 MB: record fewer steps, or a smaller probe"),
    }


BAD_TRACES = ["not JSON", "a broken block", "an input the page cannot show", "scores for other than ten digits",
              "too big"]


@pytest.mark.parametrize("case", BAD_TRACES)
def test_a_bad_trace_is_refused_in_words_and_the_trace_in_use_keeps_its_step(case, cnn_run):
    files = bad_traces(cnn_run[0])
    assert list(files) == BAD_TRACES
    lab = open_lab("cnn")
    lab.open_model("cnn-trace.json", cnn_run[0])
    seek(lab, 5, 10.0)
    reading = shown_probabilities(lab)
    data, words = files[case]
    lab.open_model("bad.json", data)
    message = lab.page.texts["digit-message"]
    assert message.startswith(words) and message.endswith(". The model in use is kept."), message
    assert lab.network.name == "cnn-trace.json" and lab.page.values["digit-trace-step"] == "5"
    lab.frame(20.0)
    assert shown_probabilities(lab).tolist() == reading.tolist()


def test_a_torch_trace_of_an_mlp_with_batch_norm_and_dropout_reads_each_step_as_torch_in_evaluation_did():
    """Its running statistics come from the trace at each step too: the lab's reading of a held-out digit is
    torch's, in evaluation, with the parameters and statistics as they stood before that step."""
    torch.manual_seed(4)
    model = t.Sequential(t.Linear(784, 16), t.BatchNorm1d(16), t.ReLU(), t.Dropout(0.2), t.Linear(16, 10))
    chosen = np.random.default_rng(2).permutation(len(digits().train_labels))[:5 * BATCH]
    pixels = torch.tensor(mnist.as_input(digits().train_images[chosen], (784,)), dtype=torch.float32)
    labels, before = torch.tensor(digits().train_labels[chosen]), []
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    def step():
        before.append(copy.deepcopy(model.state_dict()))
        index = len(before) - 1
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(pixels[index * BATCH:][:BATCH]), labels[index * BATCH:][:BATCH])
        loss.backward()
        optimizer.step()
        return loss

    data = traces.dumps(torch_trace.record(model.train(), pixels[:4], step, 5)).encode()
    before.append(copy.deepcopy(model.state_dict()))
    lab = open_lab("cnn")
    lab.open_model("bn-trace.json", data)
    assert lab.network.views == "cnn" and lab.page.texts["digit-message"] == ""
    for at, position in enumerate((0, 3, 5)):
        seek(lab, position, 100.0 + at)
        show_test_digits(lab, 1, at=200.0 + at)
        replayed = copy.deepcopy(model).double()
        replayed.load_state_dict(before[position])
        with torch.no_grad():
            expected = torch.softmax(replayed.eval()(torch.tensor(lab.levels / 255).reshape(1, 784)), dim=1)[0].numpy()
        np.testing.assert_allclose(shown_probabilities(lab), expected, rtol=1e-5, atol=1e-9)
        assert lab.page.texts["digit-prediction"] == str(expected.argmax())
