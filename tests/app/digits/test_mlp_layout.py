"""The MLP view's geometry: everything on the canvas, nothing overlapping, and a click finds what is drawn there."""
import numpy as np
import pytest

from app.digits.mlp_layout import BOTTOM, TOP, edge_segments, layout_mlp, neuron_at

SIZES = [784, 64, 32, 10]
CANVASES = [(760, 540), (375, 420), (1100, 800)]


@pytest.mark.parametrize("width, height", CANVASES)
def test_every_unit_is_on_the_canvas_in_its_column_and_no_two_overlap(width, height):
    layout = layout_mlp(SIZES, width, height)
    left, top, pixel = layout.image
    assert layout.side == 28 and pixel >= 1
    picture_right = left + 28 * pixel
    assert left >= 0 and top >= TOP and top + 28 * pixel <= height - BOTTOM
    xs = [picture_right]
    for centres, radius, n in zip(layout.centres[1:], layout.radii[1:], SIZES[1:]):
        assert len(centres) == n and radius >= 4  # large enough to show a colour, even 64 in a column
        assert (centres[:, 0] - radius > xs[-1]).all()  # right of the previous column
        assert (centres[:, 1] - radius >= TOP - 1e-9).all() and (centres[:, 1] + radius <= height - BOTTOM + 1e-9).all()
        gaps = np.hypot(*(centres[:, None] - centres[None]).transpose(2, 0, 1)) + np.eye(n) * 1e9
        assert gaps.min() >= 2 * radius  # neighbours touch at most, even where a long column zigzags
        xs.append(centres[:, 0].max() + radius)
    assert xs[-1] <= width - 40  # room for "7  100%" beside the outputs


@pytest.mark.parametrize("width, height", CANVASES)
def test_a_point_finds_the_pixel_or_neuron_drawn_there_and_nothing_between(width, height):
    layout = layout_mlp(SIZES, width, height)
    for layer, centres in enumerate(layout.centres):
        found = [neuron_at(layout, x, y) for x, y in centres]
        assert found == [(layer, index) for index in range(len(centres))]
    left, top, pixel = layout.image
    assert neuron_at(layout, left + 3.5 * pixel, top + 27.9 * pixel) == (0, 27 * 28 + 3)
    assert neuron_at(layout, left + 28.2 * pixel, top + 2 * pixel) is None  # just right of the picture
    first, second = layout.centres[1], layout.centres[2]
    assert neuron_at(layout, (first[:, 0].max() + second[:, 0].min()) / 2, first[10, 1]) is None
    assert neuron_at(layout, second[0, 0], second[0, 1] - layout.radii[2] - 10) is None  # above the column
    assert neuron_at(layout, *layout.centres[3][7] + (layout.radii[3] * 0.7, 0)) == (3, 7)


def test_a_line_leaves_its_pixel_or_neuron_and_ends_at_the_next_neurons_edge():
    layout = layout_mlp(SIZES, 760, 540)
    (pixel_line,), (neuron_line,) = edge_segments(layout, 0, [5], [300]), edge_segments(layout, 1, [2], [7])
    np.testing.assert_array_equal(pixel_line[:2], layout.centres[0][300])
    np.testing.assert_array_equal(pixel_line[2:], layout.centres[1][5] - (layout.radii[1], 0))
    np.testing.assert_array_equal(neuron_line, [*layout.centres[1][7] + (layout.radii[1], 0),
                                                *layout.centres[2][2] - (layout.radii[2], 0)])


@pytest.mark.parametrize("sizes", [[784], [50, 10], [784, 0, 10]])
def test_a_network_the_view_cannot_lay_out_is_named(sizes):
    with pytest.raises(ValueError, match=r"square picture's pixel count \(784 for 28x28\)") as raised:
        layout_mlp(sizes, 760, 540)
    assert str(raised.value).endswith(f"got layers of {sizes}")
