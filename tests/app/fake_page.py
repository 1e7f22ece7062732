"""A stand-in for `app.browser`: canvases that record what is drawn, controls that remember their text.

The app talks to the page only through the calls of `app.page.Page` (tests/app/test_page_door.py checks that
this stand-in offers each of them, with the door's parameter names), so tests can click, type and read the
screen as a user would, in CPython: `fire` is the user doing something, and what `build`, `set_attribute`
and `focus` made is kept as elements and attributes a test can read.
"""
import numpy as np
from tests.app.canvas_recorder import RecordingContext

from app.page import ELEMENT_EVENTS, PAGE_EVENTS
from app.training.trainer import Trainer


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


class FakeFrames:
    """Stands in for browser.AnimationFrames: the frame runs when the test calls `run`."""

    def __init__(self, callback):
        self.callback, self.pending, self.closed = callback, False, False

    def request(self):
        self.pending = True

    def cancel(self):
        self.pending = False

    def close(self):
        self.cancel()
        self.closed = True

    def run(self, timestamp_ms):
        if self.pending:
            self.pending = False
            self.callback(timestamp_ms)


class FakeElement:
    """An element `build` made from plain data, checked as the door would take it: its tag, its attributes
    (a boolean one is "" when present, left out when absent), its own text and its children."""

    def __init__(self, data):
        tag, attributes, content = data
        assert isinstance(tag, str) and isinstance(attributes, dict), f"not (tag, attributes, content): {data!r}"
        self.tag, self.attributes = tag, {}
        for name, value in attributes.items():
            set_attribute(self.attributes, name, value)
        if isinstance(content, str):
            self.own_text, self.children = content, []
        else:
            self.own_text, self.children = "", [FakeElement(child) for child in content]

    @property
    def text(self):
        """The element's text content, as a user reads it."""
        return self.own_text + "".join(child.text for child in self.children)

    def find(self, tag=None, **attributes):
        """This element and its descendants with `tag` and `attributes` (aria_label= names aria-label)."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attributes.items()}
        found = [self] if (tag in (None, self.tag) and
                           all(self.attributes.get(name) == value for name, value in wanted.items())) else []
        return found + [element for child in self.children for element in child.find(tag, **attributes)]


def set_attribute(attributes, name, value):
    """Set `name` in an element's `attributes` as the door does: text, or True/False (None) for present/absent."""
    assert isinstance(name, str) and (value is None or isinstance(value, (str, bool))), \
        f"attribute {name!r}: expected text or True/False, found {value!r}"
    if value is True:
        attributes[name] = ""
    elif value is False or value is None:
        attributes.pop(name, None)
    else:
        attributes[name] = value


def _layer(element):
    layer = element.attributes.get("data-layer")
    return int(layer) if layer else None


LAB_CANVASES = {"pad": (300, 300), "input": (160, 160), "saliency": (160, 160), "bars": (400, 170),
                "slabs": (900, 400), "maps": (280, 220), "gradients": (280, 220), "filters": (280, 220),
                "map": (280, 220), "training": (900, 150), "mlp-network": (760, 480), "mlp-weights": (380, 380)}


class FakeWorker:
    """The page's training worker, run in this interpreter: the real trainer, its messages going both ways as
    the bytes the browser would carry. It says nothing until a test `start`s it (a worker still loading its
    Python, as the page's is for its first seconds), and trains only when a test lets it `work`."""

    def __init__(self, script, on_message):
        self.script, self.on_message = script, on_message
        self.inbox, self.terminated = [], False
        self.trainer = Trainer(self.on_message)

    def post(self, kind, data):
        self.inbox.append((kind, bytes(data)))

    def terminate(self):
        self.terminated = True

    def start(self):
        """Its Python is up: it says it is ready."""
        self.on_message("ready", b"")

    def work(self, budget_ms=5.0):
        """Read what the page sent, then train for about `budget_ms` (sending snapshots as it goes)."""
        inbox, self.inbox = self.inbox, []
        for kind, data in inbox:
            self.trainer.receive(kind, data)
        if self.trainer.training:
            self.trainer.train_for(budget_ms)


class FakePage:
    """Records everything the app shows; `texts`, `controls`, `built` and `attributes` are what a user would
    read, and `fire` is the user doing something."""

    def __init__(self, width=800, height=420, reduced_motion=False, dark=False):
        self.canvases = {"network": FakeCanvas(width, height), "output": FakeCanvas(300, 300),
                         "loss-curve": FakeCanvas(300, 64), "histograms": FakeCanvas(500, 150),
                         "timeline": FakeCanvas(500, 90), "graph": FakeCanvas(900, 300),
                         "race-a": FakeCanvas(300, 300), "race-b": FakeCanvas(300, 300),
                         "race-curves": FakeCanvas(600, 144)}
        self.canvases.update({f"digit-{name}": FakeCanvas(*size) for name, size in LAB_CANVASES.items()})
        self.data, self.values, self.options = {}, {}, {}
        self.lists, self.tables = {}, {}
        self.texts, self.controls, self.inputs = {}, {}, {"point-class": "1", "csv": ""}
        self.fragment = ""
        self.reduced_motion, self.dark = reduced_motion, dark
        self.pixel_layers = []
        self.storage, self.clipboard, self.editor, self.marked_line = {}, None, "", None
        self.storage_blocked = False  # True: the browser keeps nothing, as some do for a page embedded elsewhere
        self.downloads, self.files = [], {}
        self.checked = {"image-2x": False}
        self.images, self.clips = [], []
        self.can_record = True  # False: a browser without MediaRecorder
        self.built, self.attributes = {}, {}  # element id -> [FakeElement]; CSS selector -> {name: value}
        self.focused = self.selected_text = None  # the element id with focus; the one whose text is selected
        self.revealed = []  # the element ids scrolled to the top of the window, in order
        self.listeners = {}  # (element id or None, event kind) -> [handler]
        self.frames = []  # every FakeFrames made, in order
        self.workers = []  # every FakeWorker started, in order
        self.stage, self.failure, self.ready, self.exposed, self.frame_times = "runtime", None, False, {}, []

    # ---- starting the page ---------------------------------------------------------------------------
    def set_stage(self, stage):
        self.stage = stage

    def fail(self, message):
        self.failure = self.failure or message  # the first failure is the cause

    def set_ready(self):
        self.ready = True

    async def load_packages(self, names):
        pass

    def record_frame_time(self, milliseconds):
        self.frame_times.append(milliseconds)

    def expose(self, name, value):
        self.exposed[name] = value

    def read_fragment(self):
        return self.fragment

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
        if self.storage_blocked:
            return False
        self.storage[key] = value
        return True

    def load(self, key):
        return self.storage.get(key, "")

    def page_url(self):
        return "http://127.0.0.1/gradcanvas/"

    def copy_text(self, text):
        self.clipboard = text

    def canvas(self, element_id):
        return self.canvases[element_id]

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

    def set_fragment(self, text):
        self.fragment = text

    def show_list(self, element_id, items):
        self.lists[element_id] = list(items)

    def show_table(self, element_id, header, rows):
        self.tables[element_id] = [tuple(header), *map(tuple, rows)]

    def download(self, filename, data, mime=None):
        self.downloads.append((filename, data if isinstance(data, str) else bytes(data)))

    def fetch_text(self, url, on_text, on_error):
        """Serves `self.files` by URL, at once; anything else fails as a 404 would."""
        if url in self.files:
            on_text(self.files[url])
        else:
            on_error(f"could not download {url}: HTTP 404")

    async def fetch_bytes(self, url):
        """Serves `self.files` by URL; anything else raises as a 404 would."""
        if url not in self.files:
            raise RuntimeError(f"could not download {url}: HTTP 404")
        data = self.files[url]
        return data.encode() if isinstance(data, str) else bytes(data)

    def set_data(self, element_id, name, value):
        self.data[element_id, name] = value

    def set_value(self, element_id, value):
        self.values[element_id] = value

    def show_options(self, element_id, options, selected):
        self.options[element_id] = list(options)
        self.values[element_id] = selected

    # ---- generic element operations: what they made, readable by tests -------------------------------
    def build(self, element_id, children):
        self.built[element_id] = [FakeElement(child) for child in children]

    def find(self, element_id, tag=None, **attributes):
        """The elements `build` made in `element_id` with `tag` and `attributes` (aria_label= names aria-label)."""
        return [found for element in self.built.get(element_id, []) for found in element.find(tag, **attributes)]

    def set_attribute(self, selector, name, value):
        set_attribute(self.attributes.setdefault(selector, {}), name, value)

    def attribute(self, selector, name):
        """What `set_attribute` last left of attribute `name` on `selector`: its text, "" for a boolean one
        that is present, None when absent or never set."""
        return self.attributes.get(selector, {}).get(name)

    def focus(self, element_id, select=False):
        self.focused, self.selected_text = element_id, element_id if select else None

    def reveal(self, element_id):
        self.revealed.append(element_id)

    # ---- events: the user does something -------------------------------------------------------------
    def listen(self, target, kinds, handler):
        events = PAGE_EVENTS if target is None else ELEMENT_EVENTS
        for kind in kinds:
            if kind not in events:
                raise ValueError(f"listen: no event {kind!r} on {target!r}; expected one of {', '.join(events)}")
            self.listeners.setdefault((target, kind), []).append(handler)

    def fire(self, target, kind, *values):
        """The user does `kind` on element `target` (None: the page's marked controls) with `values`, as
        app.page's event tables list them; returns the last handler's answer (a key's "I used it")."""
        events = PAGE_EVENTS if target is None else ELEMENT_EVENTS
        assert len(values) == len(events[kind]), f"{kind!r} reports {events[kind]}, not {values!r}"
        handlers = self.listeners.get((target, kind))
        if not handlers:
            raise LookupError(f"nothing listens for {kind!r} on {target!r}")
        answer = None
        for handler in handlers:
            answer = handler(kind, *values)
        return answer

    def press(self, element):
        """The user clicks a built button: an enabled `data-action` one reaches the page's "action" listeners
        with its `data-layer`, as the door reports it."""
        if "disabled" not in element.attributes:
            return self.fire(None, "action", element.attributes["data-action"], _layer(element))

    def choose(self, element, value):
        """The user picks `value` in a built `data-setting` control; one with `data-layer` sends (layer, value)."""
        layer = _layer(element)
        return self.fire(None, "setting", element.attributes["data-setting"], value if layer is None else (layer, value))

    # ---- drawing over time ---------------------------------------------------------------------------
    def AnimationFrames(self, callback):
        self.frames.append(FakeFrames(callback))
        return self.frames[-1]

    def start_worker(self, script, on_message):
        self.workers.append(FakeWorker(script, on_message))
        return self.workers[-1]

    def run_frames(self, timestamp_ms):
        """One animation frame: every scheduler with a frame pending runs it."""
        for frames in list(self.frames):
            frames.run(timestamp_ms)
