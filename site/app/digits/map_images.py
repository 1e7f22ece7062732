"""Layer outputs, gradients and weights as pictures: numpy arrays laid out in grids, then coloured.

A face picture puts a layer's maps side by side with one-pixel gaps (NaN, drawn transparent), in the same
grid the layered view uses, so the maps panel and the slab show a layer alike. Colours are the page's
diverging scale (orange negative, blue positive), each picture scaled by its own largest magnitude.
"""
import numpy as np

from app.digits.slab_geometry import face_grid


def face_picture(values):
    """A layer's output (channels, height, width), or a flat layer (units,) as a column, as one 2-D array.

    >>> face_picture(np.ones((3, 1, 2)))
    array([[ 1.,  1., nan,  1.,  1.],
           [nan, nan, nan, nan, nan],
           [ 1.,  1., nan, nan, nan]])
    """
    values = np.asarray(values, dtype=np.float64)
    maps = values.reshape(-1, 1, 1) if values.ndim == 1 else values
    columns, rows, width, height = face_grid(values.shape)
    return tiles(maps, columns, rows)


def tiles(maps, columns, rows):
    """(count, h, w) tiles in a grid of `columns` x `rows`, row by row, with NaN one-pixel gaps."""
    count, height, width = maps.shape
    picture = np.full((rows * (height + 1) - 1, columns * (width + 1) - 1), np.nan)
    for index in range(count):
        row, column = divmod(index, columns)
        picture[row * (height + 1):row * (height + 1) + height, column * (width + 1):column * (width + 1) + width] = maps[index]
    return picture


def filter_picture(weight):
    """A layer's weights as a picture: a conv's (c_out, c_in, k, k) as one row of k x k filters per output
    channel, one column per input channel (a conv on one input channel in the grid of its maps); a linear
    layer's (n_out, n_in) matrix as it is."""
    weight = np.asarray(weight, dtype=np.float64)
    if weight.ndim == 2:
        return weight
    c_out, c_in, kh, kw = weight.shape
    if c_in == 1:
        return face_picture(weight[:, 0])
    return tiles(weight.reshape(c_out * c_in, kh, kw), c_in, c_out)


def magnitude(values):
    """The largest |value| (ignoring NaN gaps), or 1 when all are zero: what scales colours to [-1, 1].

    >>> magnitude(np.array([np.nan, -2.0, 1.0])), magnitude(np.zeros(3))
    (2.0, 1.0)
    """
    largest = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
    return largest if largest > 0 else 1.0


def coloured(picture, theme, scale=None):
    """RGBA uint8 of a picture on the diverging scale, values divided by `scale` (default: its magnitude);
    NaN gaps transparent."""
    scale = magnitude(picture) if scale is None else scale
    rgba = theme.rgba(picture / scale)
    rgba[np.isnan(picture), 3] = 0
    return np.ascontiguousarray(rgba)


def atlas(images):
    """Stack RGBA images into one (one upload to the page instead of many), one transparent row apart.

    Returns the atlas and each image's (x, y, width, height) in it.
    """
    width = max(image.shape[1] for image in images)
    height = sum(image.shape[0] + 1 for image in images)
    sheet = np.zeros((height, width, 4), np.uint8)
    places, y = [], 0
    for image in images:
        h, w = image.shape[:2]
        sheet[y:y + h, :w] = image
        places.append((0, y, w, h))
        y += h + 1
    return sheet, places
