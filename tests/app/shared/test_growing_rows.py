import numpy as np

from app.shared.growing_rows import GrowingRows


def test_rows_equal_the_whole_list_as_it_grows_past_every_buffer_size():
    rows, history, rng = GrowingRows(4), [], np.random.default_rng(0)
    for added in (1, 0, 63, 1, 200, 5):
        history.extend(tuple(row) for row in rng.normal(size=(added, 4)))
        assert np.array_equal(rows.of(history), np.array(history).reshape(-1, 4))


def test_another_list_or_a_shorter_one_starts_afresh():
    rows = GrowingRows(2)
    first = [(1.0, 2.0), (3.0, 4.0)]
    assert rows.of(first).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    replayed = [(9.0, 9.0)]  # a replay hands over a new, shorter list
    assert rows.of(replayed).tolist() == [[9.0, 9.0]]
    same_length = [(5.0, 6.0)]  # a new run's list of the same length is read, not taken from the buffer
    assert rows.of(same_length).tolist() == [[5.0, 6.0]]
    del same_length[:]
    assert rows.of(same_length).shape == (0, 2)
