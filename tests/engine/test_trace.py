"""Training traces: a recorded run reads back equal to what the engine did, and bad files are refused by field."""
import json

import numpy as np
import pytest

from engine import Tensor, data, nn, optim, topological_order, trace
from engine.nn import functional as F

X, LABELS = data.make("spiral", n=60, seed=1)
Y = LABELS[:, None].astype(float)


def batches(n_steps, size=10):
    return [(X[i * size % 60:][:size], Y[i * size % 60:][:size]) for i in range(n_steps)]


def small_trace(n_steps=5, model=None):
    model = model or nn.MLP(2, [4, 3], 1, activation="tanh", rng=np.random.default_rng(0))
    return trace.record_training(model, X[:3], optim.Adam(model.parameters(), lr=0.05),
                                 F.binary_cross_entropy_with_logits, batches(n_steps), targets=LABELS[:3])


def test_each_recorded_step_holds_what_the_engine_computed_in_its_order():
    model = nn.MLP(2, [4, 3], 1, activation=["relu", "sigmoid"], rng=np.random.default_rng(0))
    optimizer = optim.SGD(model.parameters(), lr=0.3, momentum=0.9)
    recorder = trace.TraceRecorder(model, probe=X[:3])
    names = {param: name for name, param in model.named_parameters()}
    expected = []
    for inputs, labels in batches(6):
        before = model.state_dict()
        h, outputs = X[:3], []
        for layer in model:   # the probe through the layers by hand, with the weights this step uses
            h = layer(Tensor(h)).data
            outputs.append(h)
        loss = F.binary_cross_entropy_with_logits(model(inputs), labels)
        order = [names[n] for n in reversed(topological_order(loss)) if n in names]
        step = recorder.record_step(loss, optimizer)
        grads = {name: param.grad.copy() for param, name in names.items()}
        change = {name: param.data - before[name] for param, name in names.items()}
        expected.append((loss.item(), outputs, order, grads, change))
        assert list(step.gradients) == order and step.loss == loss.item()

    loaded = trace.loads(trace.dumps(recorder.trace()))
    assert loaded.count == 6 and loaded.structure.sizes == [2, 4, 3, 1]
    assert [layer["type"] for layer in loaded.structure.layers] == ["Linear", "ReLU", "Linear", "Sigmoid", "Linear"]
    for step, (loss, outputs, order, grads, change) in zip(loaded.steps, expected):
        assert step.loss == pytest.approx(loss, rel=1e-7)
        assert list(step.gradients) == order == list(loaded.gradient_order)
        for name in grads:
            np.testing.assert_allclose(step.gradients[name], grads[name], rtol=1e-6, atol=1e-7)
            np.testing.assert_allclose(step.update[name], change[name], rtol=1e-6, atol=1e-7)
        assert len(step.activations) == len(outputs) == 5
        for ours, theirs in zip(step.activations, outputs):
            np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


def test_a_saved_trace_loads_back_equal_to_the_recording():
    recorded = small_trace()
    loaded = trace.loads(trace.dumps(recorded).encode())   # bytes, as a file upload gives them
    for name in recorded.gradients:
        np.testing.assert_array_equal(loaded.gradients[name], recorded.gradients[name])
        np.testing.assert_array_equal(loaded.updates[name], recorded.updates[name])
        np.testing.assert_array_equal(loaded.initial[name], recorded.initial[name])
    np.testing.assert_array_equal(loaded.loss, recorded.loss)
    np.testing.assert_array_equal(loaded.probe, recorded.probe)
    np.testing.assert_array_equal(loaded.targets, LABELS[:3])
    for layer, (ours, theirs) in enumerate(zip(loaded.activations, recorded.activations)):
        # layers with parameters are stored as they were; the others are recomputed from them
        if loaded.structure.stores_outputs(layer):
            np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    assert loaded.meta == {"producer": "gradcanvas engine"} and loaded.gradient_order == recorded.gradient_order


def test_steps_are_made_when_asked_for_and_index_like_a_list():
    loaded = trace.loads(trace.dumps(small_trace(5)))
    last = loaded.steps[-1]
    assert last.loss == loaded.loss[4] and len(loaded.steps[1:4]) == 3 and len(list(loaded.steps)) == 5
    np.testing.assert_array_equal(last.gradients["0.weight"], loaded.gradients["0.weight"][4])
    np.testing.assert_array_equal(last.activations[1], loaded.activations[1][4])
    with pytest.raises(IndexError):
        loaded.steps[5]


def test_the_parameters_at_every_step_are_rebuilt_from_the_updates():
    model = nn.MLP(2, [4, 3], 1, rng=np.random.default_rng(0))
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    recorder = trace.TraceRecorder(model, probe=X[:2])
    snapshots = [model.state_dict()]
    for inputs, labels in batches(40):
        recorder.record_step(F.mse_loss(model(inputs), labels), optimizer)
        snapshots.append(model.state_dict())
    loaded = trace.loads(trace.dumps(recorder.trace()))
    for step in (0, 1, 17, 40):
        for name, values in loaded.parameters(step).items():
            np.testing.assert_allclose(values, snapshots[step][name], atol=1e-6)
    np.testing.assert_allclose(loaded.model(40)(X).data, model(X).data, atol=1e-5)
    with pytest.raises(IndexError, match="outside this trace's 0..40"):
        loaded.parameters(41)


def test_a_convolutional_network_records_and_recomputes_its_pooled_outputs():
    rng = np.random.default_rng(2)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(8, 3, rng=rng))
    images, labels = rng.normal(size=(6, 1, 4, 4)), np.array([0, 1, 2, 0, 1, 2])
    recorded = trace.record_training(model, images[:2], optim.SGD(model.parameters(), lr=0.1), F.cross_entropy,
                                     [(images, labels)] * 3)
    loaded = trace.loads(trace.dumps(recorded))
    assert [a.shape for a in loaded.activations] == [(3, 2, 2, 4, 4), (3, 2, 2, 4, 4), (3, 2, 2, 2, 2), (3, 2, 8),
                                                     (3, 2, 3)]
    for ours, theirs in zip(loaded.activations, recorded.activations):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


def test_a_trace_of_no_steps_is_valid():
    loaded = trace.loads(trace.dumps(small_trace(0)))
    assert loaded.count == len(loaded.steps) == 0 and list(loaded.steps) == [] and loaded.activations[1].shape == (0, 3, 4)
    assert loaded.gradients["0.weight"].shape == (0, 4, 2)


def test_a_model_a_trace_cannot_describe_is_refused_by_name():
    class Doubler(nn.Module):
        def forward(self, x):
            return x * 2

    with pytest.raises(TypeError, match="layer 1 is a Doubler"):
        trace.TraceRecorder(nn.Sequential(nn.Linear(2, 2), Doubler()), probe=X[:2])


def test_a_thousand_steps_of_the_6x8_network_stay_near_5_mb():
    model = nn.MLP(2, [8] * 6, 1, activation="tanh", rng=np.random.default_rng(0))
    recorded = trace.record_training(model, X[:4], optim.Adam(model.parameters(), lr=0.01),
                                     F.binary_cross_entropy_with_logits, batches(1000))
    text = trace.dumps(recorded)
    parameters, units = 393, 8 * 6 + 1
    assert sum(p.size for p in model.parameters()) == parameters
    floats = 1000 * (2 * parameters + 1 + 4 * units)     # the size formula in docs/trace-format.md
    assert 4 * floats * 4 / 3 < len(text) < 4 * floats * 4 / 3 + 20_000
    assert len(text) < 5.3e6


# ---- bad files ------------------------------------------------------------------------------------------
def document():
    return json.loads(trace.dumps(small_trace(4)))


def broken(change):
    doc = document()
    change(doc)
    return doc


def drop(path):
    def change(doc):
        *parents, last = path
        for key in parents:
            doc = doc[key]
        del doc[last]
    return change


BAD = {  # how the file is broken -> (the change, what the error must say)
    "wrong format": (lambda d: d.update(format="something-else"), r"^format: expected 'gradcanvas-trace'"),
    "wrong version": (lambda d: d.update(version=2), r"^version: this trace is version 2; this gradcanvas reads version 1"),
    "no steps": (drop(["steps"]), r"^steps: missing"),
    "no loss": (drop(["steps", "loss"]), r"^steps.loss: missing"),
    "no initial weight": (drop(["initial", "0.weight"]), r"^initial: missing \['0.weight'\]"),
    "no gradient": (drop(["steps", "gradients", "2.bias"]), r"^steps.gradients: missing \['2.bias'\]"),
    "no block data": (drop(["steps", "updates", "4.weight", "data"]), r'^steps.updates\["4.weight"\].data: missing'),
    "gradient of the wrong shape": (
        lambda d: d["steps"]["gradients"]["0.weight"].update(shape=[4, 2, 4]),
        r'^steps.gradients\["0.weight"\].shape: expected \[4, 4, 2\], found \[4, 2, 4\]'),
    "fewer steps than count": (lambda d: d["steps"].update(count=5), r"^steps.loss.shape: expected \[5\], found \[4\]"),
    "bytes that do not fill the shape": (
        lambda d: d["steps"]["loss"].update(data=d["steps"]["loss"]["data"][:-8]),
        r"^steps.loss.data: holds 12 bytes; shape \[4\] needs 16"),
    "not base64": (lambda d: d["steps"]["loss"].update(data="%%%%"), r"^steps.loss.data: not base64"),
    "a negative size": (lambda d: d["probe"]["inputs"].update(shape=[-3, 2]), r"^probe.inputs.shape: expected a list of sizes"),
    "a probe that does not fit the first layer": (
        lambda d: d["probe"].update(inputs=trace.encode(np.zeros((3, 5)))), r"^probe.inputs: shape \[3, 5\] does not fit"),
    "an unknown layer": (lambda d: d["structure"]["layers"].append({"type": "Attention"}),
                         r"^structure.layers: layer 5: unknown type 'Attention'"),
    "a layer size that is text": (lambda d: d["structure"]["layers"][0].update(n_out="4"),
                                  r"^structure.layers\[0\].n_out: expected an integer >= 1, found '4'"),
    "an argument a layer does not take": (lambda d: d["structure"]["layers"][1].update(slope=0.1),
                                          r"^structure.layers: layer 1 \(Tanh\)"),
    "a gradient order missing a name": (lambda d: d["steps"]["gradient_order"].pop(),
                                        r"^steps.gradient_order: expected each parameter once"),
    "a stored output of a layer without parameters": (
        lambda d: d["steps"]["activations"].__setitem__(1, d["steps"]["activations"][0]),
        r"^steps.activations\[1\]: layer 1 \(Tanh\) has no parameters or buffers; store null"),
    "a missing output of a layer with parameters": (
        lambda d: d["steps"]["activations"].__setitem__(2, None), r"^steps.activations\[2\]: layer 2 \(Linear\) has parameters"),
    "too few activations": (lambda d: d["steps"]["activations"].pop(), r"^steps.activations: 4 entries for 5 layers"),
    "a count that is text": (lambda d: d["steps"].update(count="4"), r"^steps.count: expected an integer, found str"),
    "modes that are text": (lambda d: d["steps"].update(training=["train"] * 4),
                            r"^steps.training: expected 4 true or false values, one per step, found \['train'"),
    "a mode missing": (lambda d: d["steps"]["training"].pop(), r"^steps.training: expected 4 true or false values"),
    "a dropout rate of 1": (lambda d: d["structure"]["layers"].insert(1, {"type": "Dropout", "p": 1}),
                            r"^structure.layers\[1\].p: expected a number from 0 up to \(not including\) 1, found 1"),
    "meta that is a list": (lambda d: d.update(meta=[]), r"^meta: expected an object, found list"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_broken_trace_is_refused_naming_the_field(case):
    change, message = BAD[case]
    with pytest.raises(ValueError, match=message):
        trace.validate(broken(change))
    with pytest.raises(ValueError, match=message):
        trace.loads(json.dumps(broken(change)))


def test_text_that_is_not_json_is_refused_as_such():
    with pytest.raises(ValueError, match="^not a trace: the file is not JSON"):
        trace.loads("{'format': 'gradcanvas-trace'")
    with pytest.raises(ValueError, match=r"^\(the whole file\): expected an object, found list"):
        trace.validate("[1, 2]")
    trace.validate(trace.dumps(small_trace(1)))   # and a good one passes, as text or parsed
    trace.validate(document())


def test_steps_that_computed_their_gradients_in_different_orders_cannot_share_a_trace():
    recorded = small_trace(2)
    first, second = recorded.steps
    reordered = trace.Step(second.loss, second.activations, dict(reversed(second.gradients.items())), second.update)
    with pytest.raises(ValueError, match="step 1 computed its gradients in the order"):
        trace.Trace.from_steps(list(recorded.structure.layers), recorded.probe, recorded.initial, [first, reordered])


# ---- dropout, batch norm and the mode of each step ------------------------------------------------------
def regularised(seed=0):
    return nn.MLP(2, [6, 4], 1, activation="relu", dropout=0.3, batch_norm=True, rng=np.random.default_rng(seed))


def train(model, recorder=None, steps=6):
    """Four steps in training mode and the rest in evaluation, recorded when `recorder` is given; the losses."""
    optimizer, losses = optim.SGD(model.parameters(), lr=0.2), []
    for index, (inputs, labels) in enumerate(batches(steps)):
        model.train(index < 4)
        loss = F.binary_cross_entropy_with_logits(model(inputs), labels)
        if recorder is None:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        else:
            recorder.record_step(loss, optimizer)
        losses.append(loss.item())
    return losses


def test_recording_a_run_with_dropout_and_batch_norm_changes_nothing_it_does():
    """The probe is measured in evaluation, with the running statistics as they stood before the step: it draws
    no dropout mask from the model's generator and moves no running statistic, so the recorded run is the run."""
    alone, recorded = regularised(), regularised()
    losses = train(alone)
    assert train(recorded, trace.TraceRecorder(recorded, probe=X[:3])) == losses
    for name, values in alone.state_dict().items():
        np.testing.assert_array_equal(recorded.state_dict()[name], values)


def test_a_trace_keeps_each_steps_mode_and_running_statistics_and_replays_them():
    model = regularised()
    recorder = trace.TraceRecorder(model, probe=X[:3])
    train(model, recorder)
    loaded = trace.loads(trace.dumps(recorder.trace()))
    assert loaded.training.tolist() == [True] * 4 + [False] * 2
    assert [step.training for step in loaded.steps] == loaded.training.tolist()
    assert sorted(loaded.buffers) == ["1.num_batches_tracked", "1.running_mean", "1.running_var",
                                      "5.num_batches_tracked", "5.running_mean", "5.running_var"]
    assert loaded.buffers["1.num_batches_tracked"].tolist() == [1, 2, 3, 4, 4, 4]
    for name, values in model.state_dict().items():   # after the last step: the model as training left it
        np.testing.assert_allclose(loaded.state(6)[name], values, rtol=1e-6, atol=1e-7)
    for position, step in enumerate(loaded.steps):   # before each step: the probe's outputs, recomputed
        values = X[:3]
        for layer, recorded in zip(loaded.model(position), step.activations):
            values = layer(values)
            np.testing.assert_allclose(values.data, recorded, rtol=1e-5, atol=1e-6)


def test_a_trace_written_before_modes_were_recorded_reads_as_training_every_step():
    doc = document()
    del doc["steps"]["training"]
    assert trace.from_document(doc).training.tolist() == [True] * 4


def test_a_batch_norm_trace_without_its_running_statistics_is_refused_naming_them():
    model = regularised()
    recorder = trace.TraceRecorder(model, probe=X[:3])
    train(model, recorder, steps=2)
    doc = json.loads(trace.dumps(recorder.trace()))
    del doc["steps"]["buffers"]["5.running_var"]
    with pytest.raises(ValueError, match=r"^steps.buffers: missing \['5.running_var'\], unexpected \[\]; "):
        trace.validate(doc)
