"""The layered model view's geometry: each layer a slab (a thin box whose face shows its maps) standing
along the network's axis, seen from a rotatable camera in a parallel projection, and which slab is where.

World axes: x runs along the network (input at the left), y up, z across each slab's face. A parallel
(orthographic) projection keeps every face a parallelogram on screen, so a face's picture is drawn with
one affine `drawImage`, and keeps sizes comparable from front to back, which perspective would not.
"""
import math
from typing import NamedTuple

import numpy as np

MAP_SIZE = 5.7       # world units of a map's side per sqrt(its pixels a side): 28 -> 30, 14 -> 21, 5 -> 13
CELL_SIZE = 4.0      # world units of one unit of a flat layer (drawn as a column of cells): the digits 0..9 beside
#                      the scores stay apart
COLUMN_HEIGHT = 100.0  # at most, for a flat layer: LeNet's 120 units at CELL_SIZE would stand 956 units tall,
#                        15 times its tallest map slab, and shrink every other slab to fit the canvas
THICKNESS = 2.0
SPACING = 60.0       # between one slab's back face and the next one's front face: LeNet's widest slab is 124
YAW, PITCH = -0.62, 0.38             # the first view: from the front left, a little above
PITCH_LIMIT = 1.2


class Slab(NamedTuple):
    """A layer's box: centred at (x, 0, 0), `width` along z, `height` along y, `pixels` (w, h) its face's
    picture (maps in a grid with one-pixel gaps)."""

    x: float
    width: float
    height: float
    pixels: tuple


def face_grid(shape):
    """(columns, rows, map_width, map_height) of a layer's face: maps in a grid about twice as wide as
    tall; a flat layer is one column of single cells.

    >>> face_grid((8, 8, 8)), face_grid((16, 2, 2)), face_grid((1, 8, 8)), face_grid((10,))
    ((4, 2, 8, 8), (4, 4, 2, 2), (1, 1, 8, 8), (1, 10, 1, 1))
    """
    if len(shape) == 1:
        return 1, shape[0], 1, 1
    channels, height, width = shape
    columns = 1
    while columns * columns < channels:
        columns *= 2
    columns = min(columns, channels)
    return columns, -(-channels // columns), width, height


def face_pixels(shape):
    """(width, height) of a face's picture: its maps with one-pixel gaps between them."""
    columns, rows, width, height = face_grid(shape)
    return columns * (width + 1) - 1, rows * (height + 1) - 1


def layout_slabs(shapes):
    """One slab per layer output shape, left to right, the whole model centred on the origin.

    >>> [round(slab.height) for slab in layout_slabs([(1, 28, 28), (6, 28, 28), (10,), (120,)])]
    [30, 61, 76, 100]
    """
    slabs, x = [], 0.0
    for shape in shapes:
        pixels = face_pixels(shape)
        columns, rows, width, height = face_grid(shape)
        if len(shape) == 1:  # a column of cells: as wide as a cell, only as tall as COLUMN_HEIGHT
            slabs.append(Slab(x, pixels[0] * CELL_SIZE, min(pixels[1] * CELL_SIZE, COLUMN_HEIGHT), pixels))
        else:
            unit = MAP_SIZE * math.sqrt(height) / height  # world size of a pixel
            slabs.append(Slab(x, pixels[0] * unit, pixels[1] * unit, pixels))
        x += THICKNESS + SPACING
    middle = (slabs[0].x + slabs[-1].x) / 2 if slabs else 0.0
    return [slab._replace(x=slab.x - middle) for slab in slabs]


def corners(slab):
    """The box's 8 corners (8, 3): index bits (x, y, z) = (4, 2, 1), 0 meaning the low side."""
    half = np.array([THICKNESS, slab.height, slab.width]) / 2
    signs = np.array([[(i >> 2) & 1, (i >> 1) & 1, i & 1] for i in range(8)]) * 2 - 1
    return np.array([slab.x, 0.0, 0.0]) + signs * half


class Camera(NamedTuple):
    """A parallel projection: turn by `yaw` about the vertical, tilt by `pitch`, scale, then move to `centre`."""

    yaw: float
    pitch: float
    scale: float
    centre: tuple

    def project(self, points):
        """Screen (x, y) of world points (n, 3), and their depth (larger is nearer the viewer)."""
        x, y, z = np.asarray(points, dtype=np.float64).T
        cy, sy, cp, sp = math.cos(self.yaw), math.sin(self.yaw), math.cos(self.pitch), math.sin(self.pitch)
        across, toward = x * cy - z * sy, x * sy + z * cy
        up, depth = y * cp - toward * sp, toward * cp + y * sp
        return np.column_stack([self.centre[0] + self.scale * across, self.centre[1] - self.scale * up]), depth

    def facing(self, normal):
        """Whether a face with this outward normal turns toward the viewer."""
        return self.project(np.array([normal, [0.0, 0.0, 0.0]]))[1] @ [1, -1] > 1e-9


def fit_camera(slabs, width, height, yaw=YAW, pitch=PITCH, margin=0.92):
    """A camera that fills width x height with the model as seen from (yaw, pitch), centred. The lab fits
    again at every turn of a drag: keeping the first scale let a side view run the slabs off the canvas,
    so the model grows and shrinks a little as it turns instead; a double-click brings the first view back."""
    camera = Camera(yaw, pitch, 1.0, (0.0, 0.0))
    screen = np.concatenate([camera.project(corners(slab))[0] for slab in slabs])
    low, high = screen.min(axis=0), screen.max(axis=0)
    scale = margin * min(width / max(high[0] - low[0], 1e-9), height / max(high[1] - low[1], 1e-9))
    middle = (low + high) / 2 * scale
    return Camera(yaw, pitch, scale, (width / 2 - middle[0], height / 2 - middle[1]))


def turned(camera, dx, dy, radians_per_pixel=0.01):
    """The camera after a drag of (dx, dy) screen pixels: sideways turns, up and down tilts (clamped)."""
    pitch = min(max(camera.pitch + dy * radians_per_pixel, -PITCH_LIMIT), PITCH_LIMIT)
    return camera._replace(yaw=camera.yaw + dx * radians_per_pixel, pitch=pitch)


# The six faces as corner indices (in order around the face) and outward normals.
FACES = (
    ((0, 2, 3, 1), (-1.0, 0.0, 0.0)), ((4, 5, 7, 6), (1.0, 0.0, 0.0)),   # the two picture faces
    ((2, 6, 7, 3), (0.0, 1.0, 0.0)), ((0, 1, 5, 4), (0.0, -1.0, 0.0)),   # top, bottom
    ((0, 4, 6, 2), (0.0, 0.0, -1.0)), ((1, 3, 7, 5), (0.0, 0.0, 1.0)),   # the two edges
)


def visible_faces(camera, slab):
    """[(screen polygon (4, 2), face index into FACES)] of the faces turned toward the viewer."""
    screen, _ = camera.project(corners(slab))
    return [(screen[list(indices)], index) for index, (indices, normal) in enumerate(FACES)
            if camera.facing(normal)]


def picture_transform(camera, slab):
    """The affine (a, b, c, d, e, f) that maps the slab's face picture (pixels) onto the visible picture
    face, the right way round (never mirrored: seen from behind, the picture is flipped back)."""
    front = camera.facing((-1.0, 0.0, 0.0))
    x = slab.x + (-THICKNESS / 2 if front else THICKNESS / 2)
    top_left = np.array([[x, slab.height / 2, -slab.width / 2], [x, slab.height / 2, slab.width / 2],
                         [x, -slab.height / 2, -slab.width / 2]])
    screen, _ = camera.project(top_left)
    origin, right, down = screen
    (a, b), (c, d) = (right - origin) / slab.pixels[0], (down - origin) / slab.pixels[1]
    if a * d - b * c < 0:  # seen from behind: start the picture at the other edge
        origin = origin + (right - origin)
        a, b = -a, -b
    return float(a), float(b), float(c), float(d), float(origin[0]), float(origin[1])


def drawing_order(camera, slabs):
    """Slab indices from the farthest to the nearest: painting in this order hides what is behind."""
    depths = camera.project(np.array([[slab.x, 0.0, 0.0] for slab in slabs]))[1]
    return [int(i) for i in np.argsort(depths, kind="stable")]


def slab_at(camera, slabs, x, y):
    """The index of the nearest slab whose outline covers screen point (x, y), or None."""
    for index in reversed(drawing_order(camera, slabs)):
        screen, _ = camera.project(corners(slabs[index]))
        if _inside_hull(_convex_hull(screen), (x, y)):
            return index
    return None


def _convex_hull(points):
    """The convex hull of 2-D points, counter-clockwise (Andrew's monotone chain)."""
    points = sorted(map(tuple, points))

    def chain(sequence):
        hull = []
        for p in sequence:
            while len(hull) >= 2 and _cross(hull[-2], hull[-1], p) <= 0:
                hull.pop()
            hull.append(p)
        return hull[:-1]

    return chain(points) + chain(reversed(points))


def _cross(o, a, b):
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _inside_hull(hull, point):
    return len(hull) >= 3 and all(_cross(hull[i], hull[(i + 1) % len(hull)], point) >= 0 for i in range(len(hull)))
