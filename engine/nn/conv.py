"""Sliding-window ops on NCHW images: `conv2d` and `max_pool2d`, each one fused graph node.

Both loop over the kernel's offsets, never over pixels: for an offset (i, j), one strided slice of the
images holds the pixel at (i, j) of every window of every image (`_offsets`), so each op is kH * kW numpy
calls on whole batches, whatever the image size. `conv2d` copies those slices into the rows of one matrix
(im2col), so its forward and both of its gradients are one matrix product each; `max_pool2d` keeps a
running maximum over them.
"""
import numpy as np

from ..kernels import matmul
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


def _output_size(size, kernel, stride):
    """Windows along each axis; a window that would run past the bottom or right edge is dropped, as in
    PyTorch."""
    return tuple((n - k) // s + 1 for n, k, s in zip(size, kernel, stride))


def _offsets(kernel, stride, out_size):
    """For each kernel offset (i, j) in reading order, the (rows, cols) slices of an image that it sees:
    image[rows, cols] holds every window's pixel at (i, j), laid out as the windows are in the output.

    >>> image = np.arange(12).reshape(3, 4)  # 2x2 windows side by side: one row of two windows
    >>> [image[rows, cols].tolist() for rows, cols in _offsets((2, 2), (2, 2), (1, 2))]
    [[[0, 2]], [[1, 3]], [[4, 6]], [[5, 7]]]
    """
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_size
    return [(slice(i, i + sh * (oh - 1) + 1, sh), slice(j, j + sw * (ow - 1) + 1, sw))
            for i in range(kh) for j in range(kw)]


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """2-D cross-correlation (what deep learning calls convolution), as `torch.nn.functional.conv2d`.

    `x` is (N, C_in, H, W), `weight` (C_out, C_in, kH, kW), `bias` (C_out,); zero `padding` is added on
    every side, and the output is (N, C_out, (H + 2 padding - kH) // stride + 1, ...likewise for W).

    How: im2col. The images are copied zero-padded and batch-last, (C_in, H, W, N), and each offset's
    slice becomes rows of the column matrix, a row per (offset, input channel) and a column per (window,
    image). Then the output is filters @ columns, the weight gradient g @ columns.T, and the input
    gradient filters.T @ g added back offset by offset (col2im). Batch-last makes each slice long
    contiguous runs (a row of windows times N numbers) where NCHW gives one row of one image: for LeNet's
    two convolutions the copies in and the adds back took 1.4 to 2.7 times less time in CPython, and 1.9
    to 5.7 times less in Pyodide. The graph keeps only the padded images; the backward copies the columns
    again (about 0.15 ms for each of LeNet's layers) instead of holding kH * kW times the input's memory
    until then (9 MB for LeNet at batch 32).

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
    n, c_in, height, width = x.shape
    c_out, _, kh, kw = weight.shape
    oh, ow = _output_size((height + 2 * ph, width + 2 * pw), (kh, kw), stride)
    if bias is not None:
        bias = as_tensor(bias)
        if bias.shape != (c_out,):
            raise ValueError(f"conv2d: bias shape {bias.shape} does not match weight shape {weight.shape}; "
                             f"expected ({c_out},)")
    images = np.zeros((c_in, height + 2 * ph, width + 2 * pw, n))  # batch-last, zero-padded
    images[:, ph:ph + height, pw:pw + width] = x.data.transpose(1, 2, 3, 0)
    offsets = _offsets((kh, kw), stride, (oh, ow))

    def im2col():
        """The column matrix: every window of every image, one column each."""
        columns = np.empty((kh * kw, c_in, oh, ow, n))
        for offset, (rows, cols) in enumerate(offsets):
            columns[offset] = images[:, rows, cols]
        return columns.reshape(kh * kw * c_in, oh * ow * n)

    filters = weight.data.transpose(0, 2, 3, 1).reshape(c_out, kh * kw * c_in)  # rows in the columns' order
    out = np.ascontiguousarray(matmul(filters, im2col()).reshape(c_out, oh, ow, n).transpose(3, 0, 1, 2))
    parents = (x, weight)
    if bias is not None:
        out += bias.data[:, None, None]
        parents += (bias,)

    def backward(g):
        g = g.transpose(1, 2, 3, 0).reshape(c_out, oh * ow * n)  # batch-last like the columns (a copy)
        grad_x = grad_w = None
        if x.requires_grad:  # col2im: each column's gradient goes back to the pixels it was copied from
            column_grad = matmul(filters.T, g).reshape(kh * kw, c_in, oh, ow, n)
            image_grad = np.zeros(images.shape)
            for offset, (rows, cols) in enumerate(offsets):
                image_grad[:, rows, cols] += column_grad[offset]  # windows that overlap add up
            grad_x = np.ascontiguousarray(image_grad[:, ph:ph + height, pw:pw + width].transpose(3, 0, 1, 2))
        if weight.requires_grad:
            grad_w = matmul(g, im2col().T).reshape(c_out, kh, kw, c_in).transpose(0, 3, 1, 2)
        return (grad_x, grad_w) + ((g.sum(axis=1),) if bias is not None else ())

    return record("conv2d", out, parents, backward)


def max_pool2d(x, kernel_size, stride=None):
    """The largest value of each kernel-sized window, as `torch.nn.functional.max_pool2d`.

    `stride` defaults to the kernel size (windows side by side); windows that would run past the edge are
    dropped. The gradient goes to the maximum of each window; when several entries tie, only the first in
    reading order receives it, as in PyTorch.

    How: a running maximum over the kernel's offsets, each a strided view of the input, noting which
    offset holds it; the backward sends each window's gradient back through its winning offset. Nothing
    copies the windows out, with or without overlap: for LeNet's first pooling the forward and backward
    took 0.9 ms where argmax over copied windows took 1.6 (CPython), and numpy's max over a reshape into
    blocks (side-by-side windows only) took 3.6 times as long as the running maximum.

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
    offsets = _offsets(kernel, stride, _output_size(x.shape[2:], kernel, stride))
    rows, cols = offsets[0]
    out = x.data[:, :, rows, cols].copy()
    winner = np.zeros(out.shape, np.intp)  # which offset holds each window's maximum
    for offset, (rows, cols) in enumerate(offsets[1:], start=1):
        values = x.data[:, :, rows, cols]
        larger = values > out  # strictly: a tie keeps the earlier entry, as in PyTorch
        np.maximum(out, values, out=out)
        winner[larger] = offset

    def backward(g):
        grad = np.zeros(x.shape)
        for offset, (rows, cols) in enumerate(offsets):
            grad[:, :, rows, cols] += np.where(winner == offset, g, 0.0)  # windows that overlap add up
        return (grad,)

    return record("max_pool2d", out, (x,), backward)
