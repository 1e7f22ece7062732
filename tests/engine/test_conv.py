"""conv2d and max_pool2d equal PyTorch's values and gradients, pass gradcheck, and stack into a LeNet."""
import numpy as np
import pytest

from app.digits import mnist, mnist_models
from engine import Tensor, kernels, nn, optim
from engine.gradcheck import check_gradients
from engine.nn import functional as F

from tests.app.digits.files import MNIST
from tests.engine.torch_oracle import close, compare, torch

TF = torch.nn.functional

rng = np.random.default_rng(8)


def against_torch(ours_fn, torch_fn, *shapes):
    """Run both on the same random inputs, push the same random upstream gradient back, compare all."""
    compare(ours_fn, *shapes, torch_fn=torch_fn)


CONV_CASES = [  # input shape, weight shape, stride, padding
    ((1, 1, 5, 5), (1, 1, 3, 3), 1, 0),
    ((2, 3, 7, 6), (4, 3, 3, 3), 1, 1),
    ((2, 3, 7, 6), (4, 3, 3, 3), 2, 0),
    ((3, 2, 8, 8), (5, 2, 3, 3), 2, 1),
    ((2, 4, 6, 9), (3, 4, 2, 4), 1, 0),   # non-square kernel
    ((1, 2, 5, 5), (2, 2, 5, 5), 1, 0),   # kernel as large as the image: one output pixel
    ((2, 1, 4, 4), (3, 1, 1, 1), 2, 1),   # 1x1 kernel over zero padding
    ((2, 3, 9, 9), (2, 3, 3, 3), (2, 1), (1, 0)),  # per-axis stride and padding
    ((3, 1, 28, 28), (6, 1, 5, 5), 1, 2),  # LeNet's first layer: one channel, padded to keep 28x28
    ((2, 2, 8, 7), (3, 2, 2, 2), 3, 0),   # stride past the kernel: pixels that no window sees
    ((1, 2, 9, 8), (2, 2, 3, 2), (2, 3), (2, 1)),  # odd sizes: the last rows and columns fall outside
]


@pytest.fixture(params=["blas", "einsum"])
def products(request, monkeypatch):
    """The matrix products by BLAS, as in CPython, and by einsum's loops, as in Pyodide (no BLAS there)."""
    monkeypatch.setattr(kernels, "HAS_BLAS", request.param == "blas")


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding"), CONV_CASES)
def test_conv2d_matches_torch(x_shape, w_shape, stride, padding, bias, products):
    shapes = (x_shape, w_shape) + ((w_shape[:1],) if bias else ())
    against_torch(lambda *t: F.conv2d(*t, stride=stride, padding=padding),
                  lambda *t: TF.conv2d(*t, stride=stride, padding=padding), *shapes)


POOL_CASES = [  # input shape, kernel size, stride
    ((2, 3, 4, 4), 2, None),
    ((2, 3, 5, 5), 2, None),   # odd size: the last row and column fall outside every window
    ((1, 2, 7, 6), 3, None),
    ((2, 2, 6, 6), 3, 1),      # overlapping windows share pixels, so gradients add up
    ((2, 2, 7, 7), 2, 1),
    ((1, 3, 9, 8), 3, 2),
    ((2, 1, 5, 7), 2, 2),
    ((2, 2, 7, 8), (2, 3), (1, 2)),  # non-square kernel, per-axis stride
    ((1, 2, 8, 8), 2, 3),      # stride past the kernel: pixels that no window sees
]


@pytest.mark.parametrize(("x_shape", "kernel", "stride"), POOL_CASES)
def test_max_pool2d_matches_torch(x_shape, kernel, stride):
    against_torch(lambda x: F.max_pool2d(x, kernel, stride), lambda x: TF.max_pool2d(x, kernel, stride), x_shape)


@pytest.mark.parametrize(("x_shape", "kernel", "stride"), POOL_CASES)
def test_max_pool2d_breaks_many_ties_as_torch_does(x_shape, kernel, stride):
    """Values from {0, 1, 2} tie in most windows, as ReLU's zeros do; overlapping windows share winners."""
    image = rng.integers(0, 3, x_shape).astype(float)
    upstream = rng.standard_normal(TF.max_pool2d(torch.tensor(image), kernel, stride).shape)
    ours, theirs = Tensor(image, requires_grad=True), torch.tensor(image, requires_grad=True)
    F.max_pool2d(ours, kernel, stride).backward(upstream)
    TF.max_pool2d(theirs, kernel, stride).backward(torch.tensor(upstream))
    close(ours.grad, theirs.grad)


def test_max_pool2d_gives_a_tied_window_gradient_to_its_first_maximum_like_torch():
    image = np.array([[[[1.0, 3.0, 0.0, 0.0], [3.0, 2.0, 0.0, 0.0]]]])  # 3 twice; four equal 0s
    ours, theirs = Tensor(image, requires_grad=True), torch.tensor(image, requires_grad=True)
    F.max_pool2d(ours, 2).sum().backward()
    TF.max_pool2d(theirs, 2).sum().backward()
    np.testing.assert_array_equal(ours.grad, [[[[0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]])
    close(ours.grad, theirs.grad)


def weighted_gradcheck(fn, *shapes):
    inputs = [Tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    weights = rng.standard_normal(fn(*inputs).shape)
    assert check_gradients(lambda xs: (fn(*xs) * weights).sum(), inputs) < 1e-7


@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding"), CONV_CASES[1:4])
def test_conv2d_passes_gradcheck(x_shape, w_shape, stride, padding):
    weighted_gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding), x_shape, w_shape, w_shape[:1])


@pytest.mark.parametrize(("x_shape", "kernel", "stride"), POOL_CASES[1:4])
def test_max_pool2d_passes_gradcheck(x_shape, kernel, stride):
    weighted_gradcheck(lambda x: F.max_pool2d(x, kernel, stride), x_shape)


def test_conv2d_gradient_accumulates_when_the_input_is_reused():
    x = Tensor(rng.standard_normal((1, 2, 5, 5)), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 2, 3, 3)), requires_grad=True)
    weights = rng.standard_normal((1, 2, 5, 5))
    assert check_gradients(lambda xs: (F.conv2d(xs[0] * xs[0], xs[1], padding=1) * xs[0] * weights).sum(),
                           [x, w]) < 1e-7


def lenet(rng):
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 2 * 2, 10, rng=rng, init="he"),
    )


def test_a_lenet_stack_on_8x8_images_has_the_expected_shapes():
    model = lenet(np.random.default_rng(0))
    shapes = []
    for layer in model:
        layer.register_forward_hook(lambda module, inputs, output: shapes.append(output.shape))
    model(np.zeros((4, 1, 8, 8)))
    assert shapes == [(4, 8, 8, 8), (4, 8, 8, 8), (4, 8, 4, 4), (4, 16, 4, 4), (4, 16, 4, 4), (4, 16, 2, 2),
                      (4, 64), (4, 10)]
    assert [(name, p.shape) for name, p in model.named_parameters()] == [
        ("0.weight", (8, 1, 3, 3)), ("0.bias", (8,)), ("3.weight", (16, 8, 3, 3)), ("3.bias", (16,)),
        ("7.weight", (10, 64)), ("7.bias", (10,))]


def test_conv2d_weights_are_he_initialised_from_the_given_generator():
    layer = nn.Conv2d(16, 32, 3, rng=np.random.default_rng(3))
    again = nn.Conv2d(16, 32, 3, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(layer.weight.data, again.weight.data)
    assert abs(layer.weight.data.std() - np.sqrt(2.0 / (16 * 9))) < 0.01
    np.testing.assert_array_equal(layer.bias.data, np.zeros(32))
    assert nn.Conv2d(2, 3, 3, bias=False).bias is None


def test_a_few_adam_steps_reduce_the_loss_of_a_lenet():
    data = np.random.default_rng(1)
    images, labels = data.standard_normal((32, 1, 8, 8)), data.integers(0, 10, 32)
    model = lenet(np.random.default_rng(0))
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(10):
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0], losses


TORCH_LAYERS = {  # each engine layer's PyTorch twin, with the same settings
    nn.Conv2d: lambda layer: torch.nn.Conv2d(layer.c_in, layer.c_out, layer.kernel_size, layer.stride, layer.padding),
    nn.MaxPool2d: lambda layer: torch.nn.MaxPool2d(layer.kernel_size, layer.stride),
    nn.ReLU: lambda layer: torch.nn.ReLU(),
    nn.Flatten: lambda layer: torch.nn.Flatten(),
    nn.Linear: lambda layer: torch.nn.Linear(layer.n_in, layer.n_out),
}


def torch_twin(model):
    """The engine's nn.Sequential `model` rebuilt in PyTorch (float64), layer for layer, with its weights."""
    twin = torch.nn.Sequential(*(TORCH_LAYERS[type(layer)](layer) for layer in model)).double()
    with torch.no_grad():
        for mine, theirs in zip(model.parameters(), twin.parameters(), strict=True):
            theirs.copy_(torch.tensor(mine.data))
    return twin


def test_the_stack_matches_torch_end_to_end():
    model = lenet(np.random.default_rng(0))
    reference = torch_twin(model)
    images, labels = rng.standard_normal((6, 1, 8, 8)), rng.integers(0, 10, 6)
    F.cross_entropy(model(images), labels).backward()
    TF.cross_entropy(reference(torch.tensor(images)), torch.tensor(labels)).backward()
    for mine, theirs in zip(model.parameters(), reference.parameters()):
        close(mine.grad, theirs.grad)


def test_the_mnist_labs_lenet_learns_from_real_digits_as_torch_does():
    """The lab's LeNet on 8 real MNIST digits: logits, loss, every parameter's gradient and the digits'
    own gradient (the lab's saliency) equal PyTorch's, to 1e-9."""
    digits = mnist.load(MNIST)
    images, labels = mnist.as_input(digits.test_images[:8]), digits.test_labels[:8]
    model = mnist_models.lenet(np.random.default_rng(0))
    reference = torch_twin(model)
    ours, theirs = Tensor(images, requires_grad=True), torch.tensor(images, requires_grad=True)
    logits, expected_logits = model(ours), reference(theirs)
    loss, expected_loss = F.cross_entropy(logits, labels), TF.cross_entropy(expected_logits, torch.tensor(labels))
    loss.backward()
    expected_loss.backward()
    pairs = [(logits.data, expected_logits), (loss.data, expected_loss), (ours.grad, theirs.grad)]
    pairs += [(mine.grad, their.grad) for mine, their in zip(model.parameters(), reference.parameters(), strict=True)]
    for mine, expected in pairs:
        np.testing.assert_allclose(mine, expected.detach().numpy(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(("call", "words"), [
    (lambda: F.conv2d(np.ones((3, 8, 8)), np.ones((2, 3, 3, 3))), ["conv2d", "(3, 8, 8)", "(2, 3, 3, 3)", "(batch, c_in, height, width)"]),
    (lambda: F.conv2d(np.ones((1, 3, 8, 8)), np.ones((2, 1, 3, 3))), ["conv2d", "(1, 3, 8, 8)", "(2, 1, 3, 3)"]),
    (lambda: F.conv2d(np.ones((1, 3, 8, 8)), np.ones((2, 3, 3))), ["conv2d", "(1, 3, 8, 8)", "(2, 3, 3)"]),
    (lambda: F.conv2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 5, 5)), padding=1), ["conv2d", "5x5", "4x4", "(1, 1, 2, 2)", "padding (1, 1)"]),
    (lambda: F.conv2d(np.ones((1, 1, 4, 4)), np.ones((2, 1, 3, 3)), np.ones(3)), ["conv2d", "(3,)", "(2, 1, 3, 3)"]),
    (lambda: F.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), stride=0), ["conv2d", "stride", "0"]),
    (lambda: F.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), padding=-1), ["conv2d", "padding", "-1"]),
    (lambda: F.max_pool2d(np.ones((8, 8)), 2), ["max_pool2d", "(8, 8)", "4-D"]),
    (lambda: F.max_pool2d(np.ones((1, 1, 3, 3)), 4), ["max_pool2d", "4x4", "3x3", "(1, 1, 3, 3)"]),
    (lambda: F.max_pool2d(np.ones((1, 1, 3, 3)), 2.5), ["max_pool2d", "kernel_size", "2.5"]),
])
def test_bad_input_names_the_op_and_the_shapes(call, words):
    with pytest.raises(ValueError) as error:
        call()
    assert all(word in str(error.value) for word in words), str(error.value)
