"""The layered view's geometry: slabs laid out in order, projected the right way round, found by a click."""
import numpy as np
import pytest

from app.digits import slab_geometry as geometry

SHAPES = [(1, 28, 28), (6, 28, 28), (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 10, 10), (16, 5, 5), (120,), (120,),
          (84,), (84,), (10,)]  # LeNet's input, then each layer's output but Flatten's


def test_slabs_run_left_to_right_around_the_origin_and_shrink_with_pooling():
    slabs = geometry.layout_slabs(SHAPES)
    xs = [slab.x for slab in slabs]
    assert xs == sorted(xs) and xs[0] == -xs[-1]
    assert slabs[3].width < slabs[2].width  # pool 1 halves each map
    assert slabs[1].pixels == (115, 57) and slabs[-1].pixels == (1, 19)


def test_a_long_column_of_units_stands_no_taller_than_the_maps_around_it():
    slabs = geometry.layout_slabs(SHAPES)
    assert slabs[7].pixels == (1, 239) and slabs[7].height == geometry.COLUMN_HEIGHT
    assert slabs[7].width == slabs[-1].width == geometry.CELL_SIZE and slabs[-1].height == 19 * geometry.CELL_SIZE


def test_the_first_view_fits_the_canvas_and_puts_the_input_at_the_left():
    slabs = geometry.layout_slabs(SHAPES)
    camera = geometry.fit_camera(slabs, 900, 400)
    screen = np.concatenate([camera.project(geometry.corners(slab))[0] for slab in slabs])
    assert screen.min() >= 0 and screen[:, 0].max() <= 900 and screen[:, 1].max() <= 400
    first, last = (camera.project(np.array([[slab.x, 0.0, 0.0]]))[0][0] for slab in (slabs[0], slabs[-1]))
    assert first[0] < last[0]


@pytest.mark.parametrize("yaw", np.linspace(-3.0, 3.0, 13))
def test_a_face_picture_is_never_mirrored_whichever_way_the_model_is_turned(yaw):
    slab = geometry.layout_slabs(SHAPES)[1]
    camera = geometry.Camera(yaw, 0.3, 2.0, (0.0, 0.0))
    a, b, c, d, e, f = geometry.picture_transform(camera, slab)
    if abs(np.sin(yaw)) > 0.05:  # edge-on, the face has no area to draw
        assert a * d - b * c > 0


def test_a_click_finds_the_nearest_slab_under_it():
    slabs = geometry.layout_slabs(SHAPES)
    camera = geometry.fit_camera(slabs, 900, 400)
    for index in (0, 4, 7):
        (x, y), = camera.project(np.array([[slabs[index].x, 0.0, 0.0]]))[0]
        assert geometry.slab_at(camera, slabs, x, y) == index
    assert geometry.slab_at(camera, slabs, 2, 2) is None


def test_dragging_turns_and_tilts_within_limits():
    camera = geometry.Camera(0.0, 0.0, 1.0, (0.0, 0.0))
    turned = geometry.turned(camera, 100, 0)
    assert turned.yaw == pytest.approx(1.0) and turned.pitch == 0
    assert geometry.turned(camera, 0, 10_000).pitch == geometry.PITCH_LIMIT


def test_faces_are_drawn_far_to_near():
    slabs = geometry.layout_slabs(SHAPES)
    camera = geometry.fit_camera(slabs, 900, 400)
    order = geometry.drawing_order(camera, slabs)
    depths = camera.project(np.array([[slab.x, 0.0, 0.0] for slab in slabs]))[1]
    assert list(depths[order]) == sorted(depths)
