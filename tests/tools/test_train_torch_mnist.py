"""The gallery's model made outside this project: tools/train_torch_mnist.py trains the same weights on every
run, and the ONNX file it writes holds them all, opening in the page as a network that reads what torch reads."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxscript")  # torch.onnx.export's default exporter

from app.models import onnx_file  # noqa: E402
from tools import train_torch_mnist  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return train_torch_mnist.load(train_torch_mnist.DATA)


def test_two_runs_train_the_same_weights_and_the_file_opens_in_the_page_reading_what_torch_reads(data, tmp_path):
    first, second = (train_torch_mnist.train(data, epochs=1, log=lambda line: None) for _ in range(2))
    for ours, again in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(ours, again)
    path = tmp_path / "cnn.onnx"
    train_torch_mnist.export(first, path)
    assert [file.name for file in tmp_path.iterdir()] == ["cnn.onnx"]  # the weights are inside, not beside it
    model, meta = onnx_file.open_onnx(path.read_bytes())
    assert meta["opens_in"] == "digits lab" and meta["input_shape"] == (1, 28, 28)
    held_out = data[2][:50]
    with torch.no_grad():
        expected = first.double()(held_out.double()).numpy()
    np.testing.assert_allclose(model(held_out.numpy().astype(np.float64)).data, expected, rtol=1e-9, atol=1e-12)
