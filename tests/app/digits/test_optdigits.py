"""The pad's downsampling makes 8x8 counts the way optdigits did: full height, aspect kept, the data's ink."""
import numpy as np

from app.digits import optdigits


def ellipse(cx, cy, rx, ry, points=80):
    angles = np.linspace(0, 2 * np.pi, points)
    return [[(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]]


def test_a_tall_stroke_fills_the_height_and_sits_in_the_middle_columns():
    counts = optdigits.counts([[(50.0, 10.0), (50.0, 90.0)]])
    assert (counts.sum(axis=1) > 0).all()                      # every row has ink, as in every optdigits digit
    assert counts[:, :2].sum() == 0 and counts[:, 6:].sum() == 0
    assert counts[:, 3:5].min() == 16                          # a thick pen: a "1" is drawn bold, as in the data


def test_the_ink_is_the_datas_average_whatever_the_shape():
    for strokes in ([[(0.0, 0.0), (0.0, 100.0)]], ellipse(0, 0, 30, 45), ellipse(0, 0, 20, 20) + ellipse(0, 50, 25, 25)):
        assert abs(int(optdigits.bitmap(strokes).sum()) - optdigits.TARGET_INK) <= 40


def test_where_and_how_large_it_was_drawn_does_not_matter():
    stroke = [(10.0, 20.0), (40.0, 25.0), (15.0, 70.0), (45.0, 80.0)]
    moved = [[(x * 2.5 + 300, y * 2.5 - 40) for x, y in stroke]]
    np.testing.assert_array_equal(optdigits.counts([stroke]), optdigits.counts(moved))


def test_a_wide_stroke_keeps_its_aspect_and_stays_in_the_middle_rows():
    counts = optdigits.counts([[(0.0, 50.0), (100.0, 50.0)]])
    assert (counts.sum(axis=0) > 0).all() and counts[:2].sum() == 0 and counts[6:].sum() == 0


def test_a_dot_and_an_empty_pad_are_handled():
    assert optdigits.counts([]).sum() == 0
    dot = optdigits.counts([[(5.0, 5.0)]])
    assert dot[3:5, 3:5].min() >= 12 and dot.sum() == dot[2:6, 2:6].sum()  # a round blot in the middle


def test_block_counts_count_each_4x4_block():
    bits = np.random.default_rng(0).random((32, 32)) > 0.6
    expected = [[bits[4 * r:4 * r + 4, 4 * c:4 * c + 4].sum() for c in range(8)] for r in range(8)]
    assert optdigits.block_counts(bits).tolist() == expected


def test_the_box_on_the_pad_is_where_the_bitmap_lies():
    strokes = [[(100.0, 40.0), (100.0, 240.0)]]
    fit = optdigits.fit(strokes)
    left, top, size = fit.bitmap_box_on_pad()
    np.testing.assert_allclose(fit.to_bitmap([(left, top), (left + size, top + size)]), [[0, 0], [32, 32]])
    assert top < 40 and top + size > 240  # the strokes lie inside it, with the pen's margin
