"""Sliding-window ops on NCHW images: `conv2d` and `max_pool2d`, each one fused graph node.

Both see every window at once through a strided view of the input (im2col as a view; numpy copies it
only where a contraction needs contiguous memory), so the forward is one `tensordot` or one argmax. Their
backward scatters window gradients back onto the input with one slice-add per kernel offset: kH * kW
vectorised numpy calls, few because kernels are small, where `np.add.at` would loop over every element.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..tensor import as_tensor, record


def _pair(op, name, value, minimum):
    """(rows, cols) from an int or a pair of ints, each at least `minimum`, as PyTorch accepts them."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else value
    if (not isinstance(pair, (tuple, list)) or len(pair) != 2
            or not all(isinstance(v, (int, np.integer)) and v >= minimum for v in pair)):
        raise ValueError(f"{op}: {name} must be an int >= {minimum} or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def _check_image(op, x, kernel, padding=(0, 0)):
    """Fail early, naming the shapes, on anything but NCHW input at least as large as the kernel."""
    if x.ndim != 4:
        raise ValueError(f"{op}: input shape {x.shape} is not 4-D; expected (batch, channels, height, width), "
                         "e.g. x.reshape(n, 1, h, w) for one-channel images")
    height, width = x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1]
    if kernel[0] > height or kernel[1] > width:
        raise ValueError(f"{op}: kernel {kernel[0]}x{kernel[1]} is larger than the input {height}x{width} "
                         f"(input shape {x.shape}, padding {padding}); use a smaller kernel or more padding")


def _windows(images, kernel, stride):
    """Every kernel-sized window of (N, C, H, W) `images` as a read-only (N, C, OH, OW, kH, kW) view.

    Windows that would run past the bottom or right edge are dropped (PyTorch's floor rule).
    """
    return sliding_window_view(images, kernel, axis=(2, 3))[:, :, ::stride[0], ::stride[1]]


def _scatter_windows(window_grad, image_shape, stride):
    """The adjoint of `_windows`: add each window's gradient (N, C, OH, OW, kH, kW) back onto the image.

    Overlapping windows share pixels, so their gradients sum; one offset (i, j) touches each pixel at most
    once, which makes the slice-add safe.
    """
    oh, ow, kh, kw = window_grad.shape[2:]
    sh, sw = stride
    grad = np.zeros(image_shape)
    for i in range(kh):
        for j in range(kw):
            grad[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw] += window_grad[..., i, j]
    return grad


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2-D cross-correlation (what deep learning calls convolution), as `torch.nn.functional.conv2d`.

    `x` is (N, C_in, H, W), `weight` (C_out, C_in, kH, kW), `bias` (C_out,); zero `padding` is added on
    every side, and the output is (N, C_out, (H + 2 padding - kH) // stride + 1, ...likewise for W).

    >>> edge = np.array([[[[1.0, -1.0]]]])                      # one 1x2 filter: left minus right
    >>> conv2d(np.array([[[[0.0, 1.0, 3.0]]]]), edge).data      # one 1x3 image
    array([[[[-1., -2.]]]])
    >>> conv2d(np.ones((2, 3, 8, 8)), np.ones((4, 3, 3, 3)), stride=2, padding=1).shape
    (2, 4, 4, 4)
    """
    x, weight = as_tensor(x), as_tensor(weight)
    if x.ndim != 4 or weight.ndim != 4 or weight.shape[1] != x.shape[1]:
        raise ValueError(f"conv2d: input shape {x.shape} does not fit weight shape {weight.shape}; expected "
                         "input (batch, c_in, height, width) and weight (c_out, c_in, kH, kW) with the same c_in")
    stride = _pair("conv2d", "stride", stride, 1)
    (ph, pw) = _pair("conv2d", "padding", padding, 0)
    _check_image("conv2d", x, weight.shape[2:], (ph, pw))
    height, width = x.shape[2:]
    padded = np.pad(x.data, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x.data
    windows = _windows(padded, weight.shape[2:], stride)
    # Sum over input channel and kernel offsets: (N, OH, OW, C_out), then channels first.
    out = np.tensordot(windows, weight.data, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)
    parents = (x, weight)
    if bias is not None:
        bias = as_tensor(bias)
        if bias.shape != weight.shape[:1]:
            raise ValueError(f"conv2d: bias shape {bias.shape} does not match weight shape {weight.shape}; "
                             f"expected ({weight.shape[0]},)")
        out = out + bias.data[:, None, None]
        parents += (bias,)

    def backward(g):
        grad_x = None
        if x.requires_grad:
            window_grad = np.tensordot(g, weight.data, axes=([1], [0])).transpose(0, 3, 1, 2, 4, 5)
            grad_x = _scatter_windows(window_grad, padded.shape, stride)[:, :, ph:ph + height, pw:pw + width]
        grad_w = np.tensordot(g, windows, axes=([0, 2, 3], [0, 2, 3])) if weight.requires_grad else None
        return (grad_x, grad_w) + ((g.sum(axis=(0, 2, 3)),) if bias is not None else ())

    return record("conv2d", np.ascontiguousarray(out), parents, backward)


def max_pool2d(x, kernel_size, stride=None):
    """The largest value of each kernel-sized window, as `torch.nn.functional.max_pool2d`.

    `stride` defaults to the kernel size (windows side by side); windows that would run past the edge are
    dropped. The gradient goes to the maximum of each window; when several entries tie, only the first in
    reading order receives it, as in PyTorch.

    >>> image = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> max_pool2d(image, 2).data
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    >>> max_pool2d(np.ones((1, 1, 5, 5)), 2).shape, max_pool2d(np.ones((1, 1, 5, 5)), 3, stride=1).shape
    ((1, 1, 2, 2), (1, 1, 3, 3))
    """
    x = as_tensor(x)
    kernel = _pair("max_pool2d", "kernel_size", kernel_size, 1)
    stride = kernel if stride is None else _pair("max_pool2d", "stride", stride, 1)
    _check_image("max_pool2d", x, kernel)
    windows = _windows(x.data, kernel, stride)
    flat = windows.reshape(*windows.shape[:4], -1)  # copies: each window's entries in reading order
    winner = flat.argmax(axis=-1)[..., None]  # argmax picks the first of equal maxima
    out = np.take_along_axis(flat, winner, axis=-1)[..., 0]

    def backward(g):
        window_grad = np.zeros(flat.shape)
        np.put_along_axis(window_grad, winner, g[..., None], axis=-1)
        return (_scatter_windows(window_grad.reshape(windows.shape), x.shape, stride),)

    return record("max_pool2d", out, (x,), backward)
