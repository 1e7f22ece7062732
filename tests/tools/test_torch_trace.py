"""The PyTorch trace tool: its gradients are torch's own `.grad`, its trace loads, and the same network
trained by the engine and by torch leaves equal traces."""
import numpy as np
import pytest

from engine import nn, optim, trace
from engine.nn import functional as F

torch = pytest.importorskip("torch")
from tools import torch_trace  # noqa: E402  (needs torch)

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 2)).astype(np.float32)
Y = (X[:, :1] * X[:, 1:] > 0).astype(np.float32)


def batches(n, size=8):
    return [(torch.tensor(X[i * size % 40:][:size]), torch.tensor(Y[i * size % 40:][:size])) for i in range(n)]


def torch_mlp():
    torch.manual_seed(0)
    t = torch.nn
    return t.Sequential(t.Linear(2, 5), t.Tanh(), t.Linear(5, 4), t.LeakyReLU(0.1), t.Linear(4, 3), t.ReLU(inplace=True),
                        t.Linear(3, 1), t.Sigmoid(), t.Identity())


def test_the_traces_gradients_are_the_torch_models_grad_after_each_step():
    model = torch_mlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    pairs, seen = iter(batches(6)), []

    def step():  # the user's own step; the test keeps what torch left in .grad and the weights
        inputs, labels = next(pairs)
        before = {name: p.detach().clone() for name, p in model.named_parameters()}
        with torch.no_grad():
            outputs = [model[:i + 1](torch.tensor(X[:3])) for i in range(len(model))]
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy(model(inputs), labels)
        loss.backward()
        optimizer.step()
        seen.append((loss.item(), outputs, before, {n: p.grad.clone() for n, p in model.named_parameters()},
                     {n: p.detach().clone() for n, p in model.named_parameters()}))
        return loss

    loaded = trace.loads(trace.dumps(torch_trace.record(model, X[:3], step, 6, targets=Y[:3])))
    assert loaded.count == 6 and loaded.structure.sizes == [2, 5, 4, 3, 1]
    assert loaded.meta["producer"] == f"torch {torch.__version__}"
    for recorded, (loss, outputs, before, grads, after) in zip(loaded.steps, seen):
        assert recorded.loss == loss
        assert set(recorded.gradients) == set(grads)
        for name, grad in grads.items():
            np.testing.assert_array_equal(recorded.gradients[name], grad.numpy())
            np.testing.assert_array_equal(recorded.update[name], (after[name] - before[name]).numpy())
        for layer, (ours, theirs) in enumerate(zip(recorded.activations, outputs)):
            # stored layers are torch's own numbers (the in-place ReLU did not overwrite layer 4's);
            # the others are recomputed by the engine from the layer before
            if loaded.structure.stores_outputs(layer):
                np.testing.assert_array_equal(ours, theirs.numpy())
            np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-6, atol=1e-6)
    for name, values in loaded.parameters(6).items():
        np.testing.assert_allclose(values, dict(model.named_parameters())[name].detach().numpy(), atol=1e-6)


def test_a_small_cnn_is_traced_with_its_convolution_gradients():
    torch.manual_seed(1)
    t = torch.nn
    model = t.Sequential(t.Conv2d(1, 3, 3, padding=1), t.ReLU(), t.MaxPool2d(2), t.Flatten(), t.Linear(12, 2))
    images, labels = torch.randn(6, 1, 4, 4), torch.tensor([0, 1, 1, 0, 1, 0])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    grads = []

    def loss_fn(out, target):
        return torch.nn.functional.cross_entropy(out, target)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        grads.append(model[0].weight.grad.clone())
        optimizer.step()
        return loss

    loaded = trace.loads(trace.dumps(torch_trace.record(model, images[:2], step, 3)))
    assert loaded.structure.layers[0] == {"type": "Conv2d", "c_in": 1, "c_out": 3, "kernel_size": 3, "stride": 1,
                                          "padding": 1, "bias": True}
    assert loaded.activations[2].shape == (3, 2, 3, 2, 2)
    for step_grads, grad in zip(loaded.gradients["0.weight"], grads):
        np.testing.assert_array_equal(step_grads, grad.numpy())


def test_the_same_network_trained_by_the_engine_and_by_torch_leaves_equal_traces():
    ours = nn.MLP(2, [6, 4], 1, activation=["tanh", "relu"], rng=np.random.default_rng(3))
    t = torch.nn
    theirs = t.Sequential(t.Linear(2, 6), t.Tanh(), t.Linear(6, 4), t.ReLU(), t.Linear(4, 1))
    with torch.no_grad():
        for name, param in theirs.named_parameters():
            param.copy_(torch.tensor(ours.state_dict()[name]))
    pairs = batches(12)
    engine_trace = trace.record_training(
        ours, X[:4], optim.SGD(ours.parameters(), lr=0.2, momentum=0.9), F.binary_cross_entropy_with_logits,
        [(inputs.numpy().astype(np.float64), labels.numpy().astype(np.float64)) for inputs, labels in pairs])
    torch_trace_ = torch_trace.record_training(
        theirs, X[:4], torch.optim.SGD(theirs.parameters(), lr=0.2, momentum=0.9),
        torch.nn.functional.binary_cross_entropy_with_logits, pairs)
    a, b = (trace.loads(trace.dumps(x)) for x in (engine_trace, torch_trace_))
    assert a.structure == b.structure and a.gradient_order == b.gradient_order
    np.testing.assert_allclose(a.loss, b.loss, rtol=1e-5)
    for name in a.gradients:
        np.testing.assert_allclose(a.gradients[name], b.gradients[name], rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(a.updates[name], b.updates[name], rtol=1e-4, atol=1e-6)
    for mine, yours in zip(a.activations, b.activations):
        np.testing.assert_allclose(mine, yours, rtol=1e-4, atol=1e-5)


def test_layers_a_trace_cannot_hold_are_refused_by_name():
    t = torch.nn
    with pytest.raises(ValueError, match=r"unsupported layers: 1 \(GELU\), 2 \(Softplus\); a trace holds Linear"):
        torch_trace.describe(t.Sequential(t.Linear(2, 3), t.GELU(), t.Softplus()))
    with pytest.raises(ValueError, match=r"unsupported layers: 1 \(BatchNorm1d\(3, .*momentum=None.*settings the "
                                         r"engine lacks\), 2 \(BatchNorm2d\(3, .*track_running_stats=False.*settings"):
        torch_trace.describe(t.Sequential(t.Linear(2, 3), t.BatchNorm1d(3, momentum=None),
                                          t.BatchNorm2d(3, track_running_stats=False)))
    with pytest.raises(ValueError, match=r"unsupported layers: 0 \(Conv2d\(1, 2, .*dilation=\(2, 2\).*settings the engine lacks"):
        torch_trace.describe(t.Sequential(t.Conv2d(1, 2, 3, dilation=2)))
    with pytest.raises(ValueError, match=r"1 \(MaxPool2d.*settings"):
        torch_trace.describe(t.Sequential(t.Conv2d(1, 2, (3, 3)), t.MaxPool2d(2, ceil_mode=True)))
    with pytest.raises(TypeError, match="a trace records a torch.nn.Sequential, not Linear"):
        torch_trace.describe(t.Linear(2, 3))


def test_the_command_records_the_script_the_user_wrote(tmp_path, capsys):
    script = tmp_path / "my_training.py"
    script.write_text(
        "import torch\n"
        "torch.manual_seed(0)\n"
        "model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))\n"
        "x = torch.randn(32, 2); y = (x[:, :1] > 0).float()\n"
        "probe, probe_targets = x[:4], y[:4]\n"
        "optimizer = torch.optim.Adam(model.parameters(), lr=0.01)\n"
        "loss_fn = torch.nn.functional.binary_cross_entropy_with_logits\n"
        "batches = [(x, y)] * 50\n"
        "meta = {'dataset': 'sign of x1'}\n")
    out = tmp_path / "trace.json"
    assert torch_trace.main([str(script), "--out", str(out), "--steps", "20"]) == 0
    assert f"wrote {out}: 20 steps of 3 layers" in capsys.readouterr().out
    loaded = trace.loads(out.read_text())
    assert loaded.count == 20 and loaded.meta["dataset"] == "sign of x1" and loaded.meta["optimizer"] == "Adam"
    assert loaded.loss[-1] < loaded.loss[0] and loaded.targets.shape == (4, 1)

    script.write_text("import torch\nmodel = torch.nn.Sequential(torch.nn.Linear(2, 1))\n")
    with pytest.raises(SystemExit):
        torch_trace.main([str(script)])
    assert "does not set probe, optimizer, loss_fn, batches" in capsys.readouterr().err


def test_a_torch_model_with_batch_norm_and_dropout_replays_in_the_engine_with_torchs_numbers():
    """Four steps in training mode, then two in evaluation: the trace keeps each step's mode and the running
    statistics after it, and the engine's model at every step computes the probe's outputs torch measured."""
    torch.manual_seed(2)
    t = torch.nn
    model = t.Sequential(t.Linear(2, 6), t.BatchNorm1d(6), t.ReLU(), t.Dropout(0.3), t.Linear(6, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    pairs, counted = iter(batches(6)), iter(range(6))

    def step():
        model.train(next(counted) < 4)
        inputs, labels = next(pairs)
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(inputs), labels)
        loss.backward()
        optimizer.step()
        return loss

    loaded = trace.loads(trace.dumps(torch_trace.record(model, X[:5], step, 6)))
    assert loaded.training.tolist() == [True] * 4 + [False] * 2
    kinds = ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    assert [layer["type"] for layer in loaded.structure.layers] == kinds
    moved = loaded.buffers["1.running_mean"]
    assert not np.array_equal(moved[2], moved[3]) and np.array_equal(moved[3], moved[5])  # evaluation moves none
    for name, values in model.state_dict().items():
        np.testing.assert_allclose(loaded.state(6)[name], values.numpy(), rtol=1e-6, atol=1e-7)
    for position, recorded in enumerate(loaded.steps):
        values, outputs = X[:5].astype(np.float64), []
        for layer in loaded.model(position):
            values = layer(values)
            outputs.append(values.data)
        for ours, theirs in zip(outputs, recorded.activations):
            np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_the_same_network_with_batch_norm_trained_by_the_engine_and_by_torch_leaves_equal_traces():
    ours = nn.MLP(2, [6], 1, activation="tanh", batch_norm=True, rng=np.random.default_rng(3))
    t = torch.nn
    theirs = t.Sequential(t.Linear(2, 6), t.BatchNorm1d(6), t.Tanh(), t.Linear(6, 1))
    theirs.load_state_dict({name: torch.tensor(values) for name, values in ours.state_dict().items()})
    pairs = batches(8)
    engine_trace = trace.record_training(
        ours, X[:4], optim.SGD(ours.parameters(), lr=0.2), F.binary_cross_entropy_with_logits,
        [(inputs.numpy().astype(np.float64), labels.numpy().astype(np.float64)) for inputs, labels in pairs])
    torch_trace_ = torch_trace.record_training(theirs, X[:4], torch.optim.SGD(theirs.parameters(), lr=0.2),
                                               torch.nn.functional.binary_cross_entropy_with_logits, pairs)
    a, b = (trace.loads(trace.dumps(x)) for x in (engine_trace, torch_trace_))
    assert a.structure == b.structure and a.training.tolist() == b.training.tolist() == [True] * 8
    np.testing.assert_allclose(a.loss, b.loss, rtol=1e-5)
    for name in a.buffers:
        np.testing.assert_allclose(a.buffers[name], b.buffers[name], rtol=1e-5, atol=1e-6)
    for mine, yours in zip(a.activations, b.activations):
        np.testing.assert_allclose(mine, yours, rtol=1e-4, atol=1e-5)
