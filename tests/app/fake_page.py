"""A stand-in for `app.browser`: canvases that record what is drawn, controls that remember their text.

The playground talks to the page only through these calls, so tests can click, type and read the
screen as a user would, in CPython.
"""
import numpy as np
from tests.app.canvas_recorder import RecordingContext


class FakeCanvas:
    """A canvas on a screen of pixel ratio 2; `fit(density)` multiplies that, as a picture at 2x does."""

    def __init__(self, width, height):
        self.context = RecordingContext()
        self.width, self.height, self.pixel_ratio = width, height, None

    def fit(self, density=1):
        changed, self.pixel_ratio = self.pixel_ratio != 2 * density, 2 * density
        return changed


class FakePixels:
    def __init__(self):
        self.element = object()  # an image source: the painters only pass it to drawImage
        self.context = RecordingContext()
        self.image = None

    def fit(self, width, height, ratio):
        self.size = (width, height, ratio)

    def put(self, rgba):
        assert rgba.dtype == np.uint8 and rgba.ndim == 3 and rgba.shape[2] == 4 and rgba.flags.c_contiguous
        self.image = rgba.copy()


LAB_CANVASES = {"pad": (300, 300), "input": (160, 160), "saliency": (160, 160), "bars": (400, 170),
                "slabs": (900, 400), "maps": (280, 220), "gradients": (280, 220), "filters": (280, 220),
                "map": (280, 220), "training": (900, 150)}


class FakePage:
    """Records everything the playground shows; `texts` and `controls` are what a user would read."""

    def __init__(self, width=800, height=420, reduced_motion=False, dark=False):
        self.canvases = {"network": FakeCanvas(width, height), "output": FakeCanvas(300, 300),
                         "loss-curve": FakeCanvas(300, 64), "histograms": FakeCanvas(500, 150),
                         "timeline": FakeCanvas(500, 90), "graph": FakeCanvas(900, 300)}
        self.canvases.update({f"digit-{name}": FakeCanvas(*size) for name, size in LAB_CANVASES.items()})
        self.data, self.values, self.options = {}, {}, {}
        self.lists, self.tables = {}, {}
        self.texts, self.controls, self.inputs = {}, {}, {"point-class": "1", "csv": ""}
        self.fragment, self.notes, self.layers, self.editing = "", [], None, None
        self.reduced_motion, self.dark = reduced_motion, dark
        self.pixel_layers = []
        self.storage, self.clipboard, self.editor, self.marked_line = {}, None, "", None
        self.downloads, self.files, self.replay_shown = [], {}, None
        self.checked = {"image-2x": False}
        self.images, self.clips, self.clip_shown = [], [], None
        self.can_record = True  # False: a browser without MediaRecorder

    def is_checked(self, element_id):
        return self.checked[element_id]

    def save_image(self, canvas_ids, caption, file_name):
        """Keeps what a saved picture would show: each canvas's density then, the caption, the name."""
        densities = [self.canvases[name].pixel_ratio for name in canvas_ids]
        self.images.append({"canvases": list(canvas_ids), "densities": densities, "caption": list(caption),
                            "file": file_name})
        return sum(self.canvases[name].width * 2 for name in canvas_ids), 600

    def start_clip(self, kind, canvas_ids, stem):
        if kind == "video" and not self.can_record:
            return ""
        self.clips.append({"kind": kind, "canvases": list(canvas_ids), "stem": stem, "frames": [], "done": False})
        return "webm" if kind == "video" else "gif"

    def add_clip_frame(self, caption):
        self.clips[-1]["frames"].append(list(caption))

    def finish_clip(self):
        self.clips[-1]["done"] = True
        return len(self.clips[-1]["frames"])

    def show_clip(self, kind):
        self.clip_shown = kind

    def create_editor(self, text, on_run, on_change):
        self.editor, self.on_run, self.on_change = text, on_run, on_change

    def editor_text(self):
        return self.editor

    def set_editor_text(self, text):
        self.editor = text

    def type_code(self, text):
        """The user types into the editor (which saves as it goes)."""
        self.editor = text
        self.on_change(text)

    def highlight_line(self, line):
        self.marked_line = line

    def save(self, key, value):
        self.storage[key] = value

    def load(self, key):
        return self.storage.get(key, "")

    def page_url(self):
        return "http://127.0.0.1/gradcanvas/"

    def copy_text(self, text):
        self.clipboard = text

    def canvas(self, name):
        return self.canvases[name]

    def pixels(self):
        self.pixel_layers.append(FakePixels())
        return self.pixel_layers[-1]

    def prefers_dark(self):
        return self.dark

    def prefers_reduced_motion(self):
        return self.reduced_motion

    def path(self, data):
        return ("Path2D", data)

    def polyline(self, points):
        return ("Polyline", np.array(points))

    def set_text(self, element_id, text):
        self.texts[element_id] = text

    def read_text(self, element_id):
        return self.inputs[element_id]

    def set_control(self, name, text):
        self.controls[name] = text

    def show_layers(self, sizes, activations, choices):
        self.layers = (sizes, activations)

    def set_fragment(self, text):
        self.fragment = text

    def show_notes(self, notes):
        self.notes = list(notes)

    def show_list(self, element_id, items):
        self.lists[element_id] = list(items)

    def show_table(self, element_id, header, rows):
        self.tables[element_id] = [tuple(header), *map(tuple, rows)]

    def download(self, file_name, data, mime=None):
        self.downloads.append((file_name, data if isinstance(data, str) else bytes(data)))

    def fetch_text(self, url, on_text, on_error):
        """Serves `self.files` by URL, at once; anything else fails as a 404 would."""
        if url in self.files:
            on_text(self.files[url])
        else:
            on_error(f"could not download {url}: HTTP 404")

    def show_replay(self, count, position):
        self.replay_shown = None if count is None else (count, position)

    def edit_weight(self, label, value):
        self.editing = (label, value)

    def set_data(self, element_id, name, value):
        self.data[element_id, name] = value

    def set_value(self, element_id, value):
        self.values[element_id] = value

    def show_options(self, element_id, options, selected):
        self.options[element_id] = list(options)
        self.values[element_id] = selected

