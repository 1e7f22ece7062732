"""A list that only grows, such as a run's per-epoch history, seen as one ndarray that grows with it.

Painters read the whole history every frame. `np.array(history)` converts every row each time: 4.8 ms a
frame in Pyodide after 10,000 epochs, a cost that would keep rising the longer a run plays. Converting
only the rows added since the last frame keeps a frame's cost flat.
"""
import numpy as np


class GrowingRows:
    """`of(rows)` returns `rows` (a list of equal-length tuples) as a (len(rows), width) float array.

    A different list, or a shorter one, starts afresh; the same list grown by appends converts only its
    new rows. The result is a view of a buffer that later calls overwrite: read it, don't keep it.

    >>> history, rows = [(1.0, 2.0)], GrowingRows(2)
    >>> rows.of(history).tolist()
    [[1.0, 2.0]]
    >>> history.append((3.0, 4.0))
    >>> rows.of(history).tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """

    def __init__(self, width):
        self._buffer = np.empty((0, width))
        self._source, self._count = None, 0

    def of(self, rows):
        if rows is not self._source or len(rows) < self._count:
            self._source, self._count = rows, 0
        count = len(rows)
        if count > len(self._buffer):
            grown = np.empty((max(count, 2 * len(self._buffer), 64), self._buffer.shape[1]))
            grown[:self._count] = self._buffer[:self._count]
            self._buffer = grown
        if count > self._count:
            self._buffer[self._count:count] = rows[self._count:count]
            self._count = count
        return self._buffer[:count]
