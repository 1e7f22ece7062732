"""The floor of one playground frame: the app's epoch-and-redraw written by hand in numpy, with no engine.

Measured in the same browser and the same run as the app's frames, it tells the app's own cost apart from
what this machine charges for the work itself at that moment (its speed wanders by a quarter and more
between runs). One frame here, as the issue sizes the floor: one epoch of hand-fused SGD on binary
cross-entropy (the forward and backward passes written out, 250 training points in batches of 10), the
train and test loss, every neuron's output over the app's grid (100 x 100 up to TF Playground's sizes;
tanh by the exp form the engine uses on big arrays, the fastest numpy has here), the output heatmap and
one 25 x 25 thumbnail per neuron coloured through a lookup table and put on canvases, and every edge
stroked in one path per sign and width. It leaves out what the app adds: neuron values and labels, the
loss curve, the numbers, the diagnostics, and the app's cap on edges drawn for very large networks.

`FloorFrame` is plain numpy, so its arithmetic is tested in CPython against the engine; `browser_loop()`
is the page around it (see `benchmarks.floor_page`), which only runs in Pyodide.
"""
import numpy as np

THUMBNAIL, EXTENT = 25, 6.0
MIN_THUMBNAIL_RADIUS = 6  # smaller neurons are drawn as plain squares, as the app draws them
LEVELS = 256  # colours in the lookup table, from orange through white to blue


def tanh(x):
    """2 / (1 + e^(-2x)) - 1: in Pyodide one np.exp costs a fifth of np.tanh (see engine.kernels.tanh_array)."""
    e = np.exp(-2.0 * x)
    e += 1.0
    np.divide(2.0, e, out=e)
    e -= 1.0
    return e


def colour_table():
    """LEVELS packed RGBA words from orange (-1) through white (0) to blue (+1)."""
    t = np.linspace(-1.0, 1.0, LEVELS)[:, None]
    white, orange, blue = np.array([255.0, 255, 255]), np.array([245.0, 147, 34]), np.array([8.0, 119, 189])
    rgb = white + np.abs(t) * (np.where(t < 0, orange, blue) - white)
    rgba = np.concatenate([np.rint(rgb), np.full((LEVELS, 1), 255.0)], axis=1).astype(np.uint8)
    return rgba.view(np.uint32)[:, 0]


class FloorFrame:
    """A tanh MLP of `sizes` (inputs first) learning a 2-D binary problem, and its picture, by hand."""

    def __init__(self, sizes, resolution=100, lr=0.03, batch=10, points=500, seed=0):
        rng = np.random.default_rng(seed)
        self.layers = []
        for n_in, n_out in zip(sizes, sizes[1:]):
            limit = np.sqrt(6.0 / (n_in + n_out))
            self.layers.append((rng.uniform(-limit, limit, (n_out, n_in)), np.zeros(n_out)))
        X = rng.uniform(-EXTENT, EXTENT, (points, sizes[0]))
        y = (np.hypot(X[:, 0], X[:, 1]) < EXTENT / 2).astype(np.float64)[:, None]
        half = points // 2
        self.train, self.test = (X[:half], y[:half]), (X[half:], y[half:])
        self.lr, self.batch = lr, batch
        self.resolution = resolution
        axis = np.linspace(-EXTENT, EXTENT, resolution)
        gx, gy = np.meshgrid(axis, axis[::-1])
        self.grid = np.column_stack([gx.ravel(), gy.ravel()])
        self.table = colour_table()

    def forward(self, x):
        """Every layer's output for inputs `x`: the inputs, each hidden layer after tanh, the logits."""
        outputs = [x]
        for i, (W, b) in enumerate(self.layers):
            z = outputs[-1] @ W.T
            z += b
            outputs.append(z if i == len(self.layers) - 1 else tanh(z))
        return outputs

    def step(self, x, y):
        """One SGD step on the mean binary cross-entropy of a batch, backward pass written out."""
        outputs = self.forward(x)
        g = (0.5 * (np.tanh(0.5 * outputs[-1]) + 1.0) - y) / len(y)
        for i in range(len(self.layers) - 1, -1, -1):
            W, b = self.layers[i]
            h = outputs[i]
            g_below = g @ W if i else None
            W -= self.lr * (g.T @ h)
            b -= self.lr * g.sum(axis=0)
            if i:
                g = g_below * (1.0 - h * h)

    def loss(self, x, y):
        logits = self.forward(x)[-1]
        return float((np.logaddexp(0.0, logits) - logits * y).mean())

    def epoch(self):
        x, y = self.train
        for start in range(0, len(x), self.batch):
            self.step(x[start:start + self.batch], y[start:start + self.batch])
        return self.loss(*self.train), self.loss(*self.test)

    def images(self):
        """The output heatmap (resolution^2 RGBA) and every neuron's thumbnail side by side (25 x 25n RGBA)."""
        outputs = self.forward(self.grid)
        side, step = self.resolution, self.resolution // THUMBNAIL
        small = [o.reshape(side, side, -1)[step // 2::step, step // 2::step] for o in outputs]
        small[0] = small[0] / EXTENT
        small[-1] = tanh(0.5 * small[-1])
        strip = np.concatenate(small, axis=2).transpose(0, 2, 1).reshape(THUMBNAIL, -1)
        heatmap = tanh(0.5 * outputs[-1]).reshape(side, side)
        return self.rgba(heatmap), self.rgba(strip)

    def rgba(self, values):
        level = np.rint((np.clip(values, -1.0, 1.0) + 1.0) * ((LEVELS - 1) / 2)).astype(np.intp)
        return self.table[level].view(np.uint8).reshape(*values.shape, 4)

    def edge_paths(self, curves):
        """SVG path data per (sign, width in half pixels), joining the ready curves (`edge_curves`) of the
        edges in each group: what changes a frame is only which group an edge is in."""
        weights = np.concatenate([W.ravel() for W, _ in self.layers])
        codes = np.minimum(np.rint(np.abs(weights) * 4) + 1, 12).astype(np.int64) * np.where(weights > 0, 1, -1)
        order = np.argsort(codes, kind="stable")
        runs = np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)
        return {(bool(codes[run[0]] > 0), abs(int(codes[run[0]])) / 2): "".join(curves[run].tolist()) for run in runs}


def neuron_centres(sizes, width, height):
    """Each layer's neuron centres, layers spread over a width x height canvas, and a neuron's radius."""
    radius = min(width / (3 * len(sizes)), height / (3 * max(sizes)), 20.0)
    columns = np.linspace(2 * radius, width - 2 * radius, len(sizes))
    return [[(float(x), float(y)) for y in np.linspace(2 * radius, height - 2 * radius, n + 2)[1:-1]]
            for x, n in zip(columns, sizes)], radius


def edge_curves(centres, radius):
    """Every edge's curve as SVG path data, in the order of the ravelled weight matrices (formatted once)."""
    curves = []
    for left, right in zip(centres, centres[1:]):
        for x1, y1 in right:
            for x0, y0 in left:
                bend = (x1 - x0) * 0.45
                curves.append(f"M{x0 + radius:.1f} {y0:.1f}C{x0 + bend:.1f} {y0:.1f} {x1 - bend:.1f} {y1:.1f} "
                              f"{x1 - radius:.1f} {y1:.1f}")
    return np.array(curves, dtype=object)


def browser_loop(sizes, resolution, width, height):
    """Run one FloorFrame a frame on every animation frame of this page, appending each frame callback's
    milliseconds to `window.floorFrameTimes`, and mark the page ready after the first; while
    `window.floorPaused` is true, frames do nothing."""
    import js
    from pyodide.ffi import create_proxy, to_js

    floor = FloorFrame(sizes, resolution)
    centres, radius = neuron_centres(sizes, width, height)
    curves = edge_curves(centres, radius)
    document = js.document
    canvases = {}
    for name, (w, h) in {"network": (width, height), "output": (300, 300), "heatmap": (resolution, resolution),
                         "strip": (THUMBNAIL * sum(sizes), THUMBNAIL)}.items():
        canvas = document.createElement("canvas")
        canvas.width, canvas.height = w, h
        if name in ("network", "output"):
            document.body.appendChild(canvas)
        canvases[name] = (canvas, canvas.getContext("2d"))
    js.window.floorFrameTimes = to_js([])
    js.window.floorPaused = False

    def put(name, rgba):
        canvas, ctx = canvases[name]
        array = to_js(memoryview(np.ascontiguousarray(rgba)).cast("B"))
        pixels = js.Uint8ClampedArray.new(array.buffer, array.byteOffset, array.byteLength)
        ctx.putImageData(js.ImageData.new(pixels, rgba.shape[1], rgba.shape[0]), 0, 0)

    def frame(_timestamp):
        if js.window.floorPaused:  # the benchmark holds the floor still while the app takes its turn
            js.requestAnimationFrame(proxy)
            return
        started = js.performance.now()
        floor.epoch()
        heatmap, strip = floor.images()
        put("heatmap", heatmap)
        put("strip", strip)
        output = canvases["output"][1]
        output.drawImage(canvases["heatmap"][0], 0, 0, 300, 300)
        _, ctx = canvases["network"]
        ctx.fillStyle = "#fff"
        ctx.fillRect(0, 0, width, height)
        for (positive, line_width), d in floor.edge_paths(curves).items():
            ctx.strokeStyle = "#0877bd" if positive else "#f59322"
            ctx.lineWidth = line_width
            ctx.stroke(js.Path2D.new(d))
        neuron = 0
        for column in centres:
            for x, y in column:
                if radius >= MIN_THUMBNAIL_RADIUS:
                    ctx.drawImage(canvases["strip"][0], neuron * THUMBNAIL, 0, THUMBNAIL, THUMBNAIL,
                                  x - radius, y - radius, 2 * radius, 2 * radius)
                ctx.strokeRect(x - radius, y - radius, 2 * radius, 2 * radius)
                neuron += 1
        js.window.floorFrameTimes.push(js.performance.now() - started)
        document.body.dataset.state = "ready"
        js.requestAnimationFrame(proxy)

    proxy = create_proxy(frame)
    js.requestAnimationFrame(proxy)
