"""The input plane as a grid of points, and values over it as RGBA pixels ready for `ImageData`.

Pure numpy: the network's outputs over the grid come in as arrays and leave as uint8 images, so the
only thing the browser does is copy bytes.
"""
import numpy as np

EXTENT = 6.0        # the plane spans [-6, 6] on both axes, as the datasets do
RESOLUTION = 100    # the decision boundary is a 100 x 100 grid, as in TensorFlow Playground
TF_PLAYGROUND_NEURONS = 48  # hidden neurons of TF Playground's largest network (6 x 8)
LARGE_GRID_BUDGET = 320_000  # grid points x hidden neurons per frame past that size: numpy in wasm
                             # spends about 50 ns on each, and a frame should stay near 30 ms
THUMBNAIL = 25      # neuron thumbnails take every 4th grid point of the same forward pass
BACKDROP = 0.65     # the output heatmap's strength: nearer grey than the points, so a correctly classified
                    # point still stands out from the region of its own colour

# Okabe-Ito colours for three classes: distinguishable under every common colour-vision deficiency.
CLASS_COLOURS = np.array([(230, 159, 0), (0, 114, 178), (204, 121, 167)], dtype=np.float64)


def grid_resolution(hidden_neurons):
    """Grid side for a network: 100 up to TF Playground's sizes; past them 50, or 25 where 50 would put
    the forward pass over the grid past LARGE_GRID_BUDGET, so a 10,000-weight network stays interactive.

    >>> grid_resolution(48), grid_resolution(100), grid_resolution(200)
    (100, 50, 25)
    """
    if hidden_neurons <= TF_PLAYGROUND_NEURONS:
        return RESOLUTION
    half = RESOLUTION // 2
    return half if half * half * hidden_neurons <= LARGE_GRID_BUDGET else RESOLUTION // 4


def plane_grid(resolution=RESOLUTION, extent=EXTENT):
    """Pixel centres of a resolution x resolution image of the plane, row by row from the top.

    Row 0 is the top of the picture (x2 = +extent), so the image is drawn without flipping.

    >>> grid = plane_grid(2, 6.0)
    >>> grid.tolist()
    [[-3.0, 3.0], [3.0, 3.0], [-3.0, -3.0], [3.0, -3.0]]
    """
    step = 2 * extent / resolution
    ticks = -extent + step * (np.arange(resolution) + 0.5)
    x1, x2 = np.meshgrid(ticks, ticks[::-1])
    return np.column_stack([x1.ravel(), x2.ravel()])


def axis_ticks(count=5, extent=EXTENT):
    """The values the plane's axes are labelled at, evenly from -extent to extent.

    >>> axis_ticks().tolist()
    [-6.0, -3.0, 0.0, 3.0, 6.0]
    """
    return np.linspace(-extent, extent, count)


def to_plane(point, width, height, extent=EXTENT):
    """Where a point of the plane lands on a width x height picture (CSS pixels, y down)."""
    x1, x2 = point
    return (x1 + extent) / (2 * extent) * width, (extent - x2) / (2 * extent) * height


def from_plane(x, y, width, height, extent=EXTENT):
    """The point of the plane under picture position (x, y): the inverse of `to_plane`.

    >>> from_plane(150, 50, 300, 200)
    (0.0, 3.0)
    """
    return x / width * 2 * extent - extent, extent - y / height * 2 * extent


def with_alpha(rgb):
    """Append an opaque alpha channel to (..., 3) uint8 colours."""
    return np.concatenate([rgb, np.full(rgb.shape[:-1] + (1,), 255, np.uint8)], axis=-1)


def diverging_image(values, theme, discretize=False, strength=1.0):
    """(h, w) values in [-1, 1] as an (h, w, 4) image on the theme's orange-to-blue scale, scaled by
    `strength` towards neutral.

    With `discretize`, every pixel takes its side's colour: the decision boundary as a hard edge.
    """
    return theme.rgba(strength * (np.sign(values) if discretize else values))


def class_image(probabilities, theme, discretize=False, strength=1.0):
    """(h, w, C) class probabilities as an (h, w, 4) image: each class's colour, as strong as the model
    is sure of it (neutral where it hesitates between classes)."""
    count = probabilities.shape[-1]
    winner = probabilities.argmax(axis=-1)
    if discretize:
        confidence = np.ones(winner.shape)
    else:
        confidence = (probabilities.max(axis=-1) - 1.0 / count) / (1.0 - 1.0 / count)
    neutral = np.array(theme.neutral, dtype=np.float64)
    rgb = neutral + strength * confidence[..., None] * (CLASS_COLOURS[winner] - neutral)
    return with_alpha(np.rint(rgb).astype(np.uint8))


def downsample(grid_values, resolution=RESOLUTION, size=THUMBNAIL):
    """Every n-th point of a flattened resolution^2 grid, as a size x size image of values; columns
    (one per neuron) stay as a last axis."""
    step = resolution // size
    images = grid_values.reshape(resolution, resolution, *grid_values.shape[1:])
    return images[step // 2::step, step // 2::step]
