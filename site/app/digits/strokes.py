"""What was drawn on the digit pad: strokes of points in pad (CSS pixel) coordinates, with undo and clear."""

MIN_STEP = 1.0  # pad pixels: a pointer that moved less adds no point (a resting pen sends many events)


class Strokes:
    """The drawing as a list of strokes, each a list of (x, y); a stroke runs from pointer down to up.

    >>> drawing = Strokes()
    >>> drawing.begin(10, 10)
    >>> drawing.extend(10.5, 10), drawing.extend(20, 30)
    (False, True)
    >>> drawing.end()
    >>> drawing.strokes, drawing.drawing
    ([[(10, 10), (20, 30)]], False)
    >>> drawing.undo(); drawing.strokes
    []
    """

    def __init__(self):
        self.strokes = []
        self.drawing = False  # between pointer down and up

    def begin(self, x, y):
        self.strokes.append([(x, y)])
        self.drawing = True

    def extend(self, x, y):
        """Add a point to the stroke being drawn (ignored when none is, or when it barely moved)."""
        if not self.drawing:
            return False
        last_x, last_y = self.strokes[-1][-1]
        if (x - last_x) ** 2 + (y - last_y) ** 2 < MIN_STEP**2:
            return False
        self.strokes[-1].append((x, y))
        return True

    def end(self):
        self.drawing = False

    def undo(self):
        """Remove the last stroke."""
        if self.strokes:
            self.strokes.pop()
        self.drawing = False

    def clear(self):
        self.strokes.clear()
        self.drawing = False

    def __bool__(self):
        return bool(self.strokes)
