"""The one door to the browser: the only module of the app that imports `js` or `pyodide`.

It owns proxies (and destroys them), the canvas backing store, the boot/progress hooks of boot.js
(`window.gradcanvas`) and timers. It offers generic operations (set a text, build an element's children
from plain data, set an attribute, listen for events) and knows no feature: each feature builds its widgets
through them. Everything else in the app takes plain Python and numpy values, so it runs and is tested in
CPython. What it offers is typed in app/page.py (`Page`), which tests/app/test_page_door.py holds it to.
"""
import asyncio

import js
import pyodide_js
from pyodide.ffi import create_once_callable, create_proxy, to_js

from app.page import ELEMENT_EVENTS, PAGE_EVENTS

_boot = js.window.gradcanvas


def set_stage(stage):
    """Tell the loading screen which stage is under way: "runtime", "numpy" or "app"."""
    _boot.setStage(stage)


def fail(message):
    """Show `message` in the page's error panel with its Retry button; the page enters `error`."""
    _boot.fail(message)


def set_ready():
    """Mark the page ready: the first frame is on the canvas."""
    _boot.ready()


async def load_packages(names):
    """Load Pyodide packages (numpy) from the interpreter's own package index: the CDN or a vendored copy.

    `loadPackage` reports a failed download only on the console, so check what actually arrived.
    """
    await pyodide_js.loadPackage(js.Array.of(*names))
    missing = [name for name in names if not hasattr(pyodide_js.loadedPackages, name)]
    if missing:
        raise RuntimeError(f"could not download {', '.join(missing)} from the Python package index")


def record_frame_time(milliseconds):
    """Publish how long one frame callback took, for the benchmarks (the last 1,000 are kept)."""
    times = _boot.frameTimes
    times.push(milliseconds)
    if times.length > 1000:
        times.shift()


def _wasm_memory_bytes():
    return pyodide_js._module.HEAP8.length


# Benchmarks read the interpreter's memory through this; one proxy that lives as long as the page.
_boot.wasmMemoryBytes = create_proxy(_wasm_memory_bytes)


def expose(name, value):
    """Make a Python object reachable from page JavaScript as `window.gradcanvas[name]` (benchmarks time
    the training loop without drawing through it); the proxy lives as long as the page."""
    setattr(_boot, name, create_proxy(value))


# Media queries made once: their `matches` follows the system's setting live, and asking is cheaper than
# matchMedia, which the painters would call every frame.
_DARK = js.window.matchMedia("(prefers-color-scheme: dark)")
_REDUCED_MOTION = js.window.matchMedia("(prefers-reduced-motion: reduce)")


def prefers_dark():
    """Whether the system asks for a dark colour scheme."""
    return bool(_DARK.matches)


def prefers_reduced_motion():
    """Whether the viewer asked the system for less motion."""
    return bool(_REDUCED_MOTION.matches)


def read_fragment():
    """The URL fragment, without its '#'."""
    return js.location.hash[1:]


def page_url():
    """The page's address without its fragment: the start of a shared link."""
    return js.location.href.split("#")[0]


def copy_text(text):
    """Put `text` on the clipboard (the browser may refuse; the link is shown on the page as well)."""
    clipboard = getattr(js.navigator, "clipboard", None)
    if clipboard is not None:
        clipboard.writeText(text)


def save(key, value):
    """Keep `value` in localStorage, where a reload finds it; a full or blocked storage is not an error."""
    try:
        js.localStorage.setItem(key, value)
    except Exception:  # private browsing or a full quota: the work simply is not saved
        pass


def load(key):
    """What `save` kept under `key`, or ""."""
    try:
        return js.localStorage.getItem(key) or ""
    except Exception:
        return ""


_editor = None


def create_editor(text, on_run, on_change):
    """Open the code editor (CodeMirror, vendored: site/editor.js) in #code-editor with `text`.

    Falls back to a plain textarea, still named "Code", if the editor's files did not load.
    """
    global _editor
    parent = js.document.getElementById("code-editor")
    factory = getattr(js.window, "gradcanvasEditor", None)
    if factory is None:
        area = _make(("textarea", {"aria-label": "Code", "spellcheck": "false", "rows": "14"}, ""))
        area.value = text
        parent.append(area)
        _listen(area, "input", lambda event: on_change(area.value))
        _editor = _TextareaEditor(area)
        return
    _editor = factory.create(parent, text)
    for register, callback in ((_editor.onRun, on_run), (_editor.onChange, on_change)):
        proxy = create_proxy(callback)
        _listeners.append(proxy)
        register(proxy)


class _TextareaEditor:
    """The editor's API over a plain textarea (no highlighting, no line marks)."""

    def __init__(self, area):
        self.area = area

    def getText(self):
        return self.area.value

    def setText(self, text):
        self.area.value = text

    def highlightLine(self, line):
        pass


def editor_text():
    """The code in the editor."""
    return _editor.getText()


def set_editor_text(text):
    """Replace the code in the editor."""
    _editor.setText(text)


def highlight_line(line):
    """Mark the editor line where the code failed (1-based), or clear the mark with None."""
    _editor.highlightLine(line)


def is_checked(element_id):
    """Whether a checkbox, by id, is checked."""
    return bool(js.document.getElementById(element_id).checked)


def _capture():
    """site/capture.js's handle, or an error saying the pictures cannot be made (its files did not load)."""
    capture = getattr(js.window, "gradcanvasCapture", None)
    if capture is None:
        raise RuntimeError("the page's capture module (capture.js) did not load; reload the page")
    return capture


def save_image(canvas_ids, caption, file_name):
    """Download a PNG of the canvases side by side, each at its backing store's density, with the caption's
    lines under them; returns its (width, height) in pixels."""
    width, height = _capture().saveImage(to_js(list(canvas_ids)), to_js(list(caption)), file_name)
    return int(width), int(height)


def start_clip(kind, canvas_ids, stem):
    """Start recording the canvases as a "video" or a "gif"; returns the file's extension, or "" when this
    browser cannot record that kind."""
    return str(_capture().startClip(kind, to_js(list(canvas_ids)), stem))


def add_clip_frame(caption):
    """Add the canvases as they are now, with the caption's lines, to the clip under way."""
    _capture().addFrame(to_js(list(caption)))


def finish_clip():
    """End the clip under way and download it; returns how many frames it holds."""
    return int(_capture().finishClip())


def set_fragment(text):
    """Keep the URL's fragment equal to `text` without adding a history entry per change."""
    js.history.replaceState(None, "", "#" + text)


_texts = {}  # what each element was last given: most frames change few texts, and asking costs a call


def set_text(element_id, text):
    """Set an element's text (never HTML) by id; nothing crosses into JavaScript when it is unchanged."""
    if _texts.get(element_id) != text:
        _texts[element_id] = text
        js.document.getElementById(element_id).textContent = text


def path(data):
    """A Path2D from SVG path data: many segments drawn with one call into JavaScript."""
    return js.Path2D.new(data)


def polyline(points):
    """A Path2D through (n, 2) points. The coordinates cross as one Float64Array and a loop in boot.js
    joins them: for a 100-point curve in Pyodide, 33 us against 172 us for SVG path data (formatted
    here, parsed there)."""
    return _boot.polyline(to_js(memoryview(points.astype(float, copy=False).ravel())))


def read_text(element_id):
    """The current value of a form control, by id."""
    return js.document.getElementById(element_id).value


def set_control(name, text):
    """Show a setting's value in its controls (`data-setting=name`) and in any `data-shows=name` output.

    Lists arrive comma-separated: a group of checkboxes checks the ones whose value is listed.
    """
    for element in js.document.querySelectorAll(f'[data-setting="{name}"]'):
        if element.type == "checkbox" and element.value not in ("", "on"):
            element.checked = element.value in text.split(",")
        elif element.type == "checkbox":
            element.checked = text == "true"
        elif element.type == "radio":
            element.checked = element.value == text
        elif element.value != text:
            element.value = text
    for output in js.document.querySelectorAll(f'[data-shows="{name}"]'):
        output.textContent = text + (output.getAttribute("data-suffix") or "")


def show_list(element_id, items):
    """Replace a list's items with `items` (plain text)."""
    build(element_id, [("li", {}, str(text)) for text in items])


def show_table(element_id, header, rows):
    """Replace a table's contents: a header row, then `rows` of plain text."""
    build(element_id, [("tr", {}, [("th", {"scope": "col"}, str(title)) for title in header]),
                       *[("tr", {}, [("td", {}, str(value)) for value in row]) for row in rows]])


def build(element_id, children):
    """Replace an element's children with elements made from plain data: each is (tag, attributes, content),
    content being its text (never parsed as HTML) or a list of children; an attribute's value is text, or
    True/False for a boolean attribute such as "selected" (present/absent)."""
    parent = js.document.getElementById(element_id)
    parent.replaceChildren()
    for child in children:
        parent.append(_make(child))


def _make(data):
    tag, attributes, content = data
    element = js.document.createElement(tag)
    for name, value in attributes.items():
        _set_attribute(element, name, value)
    if isinstance(content, str):
        element.textContent = content
    else:
        for child in content:
            element.append(_make(child))
    return element


def _set_attribute(element, name, value):
    if value is True:
        element.setAttribute(name, "")
    elif value is False or value is None:
        element.removeAttribute(name)
    else:
        element.setAttribute(name, value)


def set_attribute(selector, name, value):
    """Set attribute `name` on every element matching the CSS `selector` ("#trace-replay", "body",
    '[data-action="record"]'): text, or True/False for a boolean attribute such as "hidden" or "disabled"."""
    for element in js.document.querySelectorAll(selector):
        _set_attribute(element, name, value)


def focus(element_id, select=False):
    """Give a control the keyboard focus and, with `select`, select its text so typing replaces it."""
    field = js.document.getElementById(element_id)
    field.focus()
    if select:
        field.select()




def fetch_text(url, on_text, on_error):
    """Fetch `url` (relative to the page) and call `on_text(text)`, or `on_error(reason)` in plain words."""
    async def fetch():
        try:
            data = await fetch_bytes(url)
        except Exception as error:  # a network failure reaches Python as a JS error of any kind
            on_error(str(error))
            return
        on_text(data.decode("utf-8", errors="replace"))
    asyncio.ensure_future(fetch())


# ---- events: one way in ---------------------------------------------------------------------------------
_listeners = []  # proxies of the page's event listeners: they live as long as the page


def _listen(target, event, handler, **options):
    proxy = create_proxy(handler)
    _listeners.append(proxy)
    if options:
        target.addEventListener(event, proxy, to_js(options, dict_converter=js.Object.fromEntries))
    else:
        target.addEventListener(event, proxy)


def listen(target, kinds, handler):
    """Call `handler(kind, *values)` with plain values when one of `kinds` happens: on the element with id
    `target` (app.page.ELEMENT_EVENTS), or anywhere on the page when `target` is None (app.page.PAGE_EVENTS,
    delegated from the controls marked `data-action`, `data-setting` and `data-file`). Each kind listens
    through one browser listener per element, whose proxy lives as long as the page."""
    events, installers = (PAGE_EVENTS, _PAGE_LISTENERS) if target is None else (ELEMENT_EVENTS, _ELEMENT_LISTENERS)
    element = js.document if target is None else js.document.getElementById(target)
    if element is None:
        raise ValueError(f"listen: the page has no element with id {target!r}; check the id in site/index.html")
    for kind in kinds:
        if kind not in events:
            where = "anywhere on the page" if target is None else f"on #{target}"
            raise ValueError(f"listen: no event {kind!r} {where}; expected one of {', '.join(events)}")
        installers[kind](element, lambda *values, kind=kind: handler(kind, *values))


def _at(event):
    return event.offsetX, event.offsetY, bool(event.shiftKey)


def _pointer(event_name):
    """Reports (x, y, shift) for one pointer or mouse event."""
    return lambda element, report: _listen(element, event_name, lambda event: report(*_at(event)))


def _on_press(element, report):
    def on_down(event):
        try:
            element.setPointerCapture(event.pointerId)
        except Exception:  # a pointer the browser no longer knows: report the press anyway, without capture
            pass
        report(*_at(event))

    _listen(element, "pointerdown", on_down)


def _on_drag(element, report):
    dragged_to = [None]  # where the press or the last drag was: touch has no movementX in every browser

    def on_press(event):
        dragged_to[0] = (event.offsetX, event.offsetY)

    def on_move(event):
        if event.buttons & 1 and dragged_to[0] is not None:
            x, y = event.offsetX, event.offsetY
            report(x, y, x - dragged_to[0][0], y - dragged_to[0][1])
            dragged_to[0] = (x, y)

    _listen(element, "pointerdown", on_press)
    _listen(element, "pointermove", on_move)


def _on_wheel(element, report):
    def on_wheel(event):
        event.preventDefault()  # the element uses the wheel (the graph zooms), not the page
        report(event.offsetX, event.offsetY, event.deltaY)

    _listen(element, "wheel", on_wheel, passive=False)


def _on_key(element, report):
    def on_key(event):
        if not (event.ctrlKey or event.metaKey or event.altKey) and report(event.key, bool(event.shiftKey)):
            event.preventDefault()  # the handler used the key: an arrow does not also scroll the page

    _listen(element, "keydown", on_key)


def _value(control):
    """A control's value as a setting: "true"/"false" for a checkbox."""
    if control.type == "checkbox":
        return "true" if control.checked else "false"
    return control.value


def _take_file(chooser, report):
    _open_first(chooser.files, report)
    chooser.value = ""  # choosing the same file again is a new choice


_ELEMENT_LISTENERS = {
    "down": _on_press,
    **{kind: _pointer(event) for kind, event in (("move", "pointermove"), ("up", "pointerup"),
                                                  ("cancel", "pointercancel"), ("leave", "pointerleave"),
                                                  ("click", "click"), ("dblclick", "dblclick"))},
    "drag": _on_drag,
    "wheel": _on_wheel,
    "key": _on_key,
    "blur": lambda element, report: _listen(element, "blur", lambda event: report()),
    "change": lambda element, report: _listen(element, "change", lambda event: report(_value(element))),
    "file": lambda element, report: _listen(element, "change", lambda event: _take_file(element, report)),
}


def _layer(element):
    layer = element.getAttribute("data-layer")
    return int(layer) if layer else None


def _on_action(document, report):
    def on_click(event):
        button = event.target.closest("[data-action]")
        if button and not button.disabled:
            report(button.dataset.action, _layer(button))

    def on_key(event):  # a button's aria-keyshortcuts letter (N: Next phase), unless the user is typing
        if len(event.key) != 1 or event.ctrlKey or event.metaKey or event.altKey or event.repeat:
            return
        if event.target.closest("input, textarea, select, [contenteditable]"):
            return
        for button in document.querySelectorAll("[data-action][aria-keyshortcuts]"):
            if event.key.upper() in button.getAttribute("aria-keyshortcuts").upper().split():
                event.preventDefault()
                report(button.dataset.action, _layer(button))
                return

    _listen(document, "click", on_click)
    _listen(document, "keydown", on_key)


def _on_setting(document, report):
    def on_change(event):
        control = event.target.closest("[data-setting]")
        if not control:
            return
        name = control.dataset.setting
        if control.type == "checkbox" and control.value not in ("", "on"):
            value = ",".join(box.value for box in document.querySelectorAll(f'[data-setting="{name}"]:checked'))
        else:
            value = _value(control)
        layer = _layer(control)
        report(name, value if layer is None else (layer, value))

    def on_live_input(event):
        if event.target.closest("[data-live]"):
            on_change(event)

    _listen(document, "change", on_change)
    _listen(document, "input", on_live_input)


def _on_page_file(document, report):
    def on_chosen(event):
        chooser = event.target.closest("input[data-file]")
        if chooser:
            _take_file(chooser, report)

    def on_drop(event):
        event.preventDefault()  # the browser would otherwise open the file in place of the page
        _open_first(event.dataTransfer.files if event.dataTransfer else None, report)

    _listen(document, "change", on_chosen)
    _listen(document, "dragover", lambda event: event.preventDefault())
    _listen(document, "drop", on_drop)


_PAGE_LISTENERS = {
    "action": _on_action,
    "setting": _on_setting,
    "file": _on_page_file,
    "link": lambda document, report: _listen(js.window, "hashchange", lambda event: report(read_fragment())),
}


def _open_first(files, handler):
    """Hand the first of `files` (a FileList, or None) to `handler(name, bytes)` once it has been read."""
    if not files or not files.length:
        return
    file = files.item(0)

    async def read():
        handler(file.name, (await file.arrayBuffer()).to_py().tobytes())
    asyncio.ensure_future(read())


async def fetch_bytes(url):
    """The bytes at `url` (relative to the page); a failed download raises, naming the address."""
    try:
        response = await js.fetch(url)
    except Exception as error:  # offline, blocked, or a malformed address
        raise RuntimeError(f"could not download {url}: {error}") from None
    if not response.ok:
        raise RuntimeError(f"could not download {url}: HTTP {response.status}")
    return (await response.arrayBuffer()).to_py().tobytes()


def download(filename, data, mime=None):
    """Offer `data` (text or bytes) to the user as a downloaded file called `filename`."""
    text = isinstance(data, str)
    part = data if text else to_js(memoryview(data))
    mime = mime or ("application/json" if text else "application/octet-stream")
    blob = js.Blob.new(js.Array.of(part), to_js({"type": mime}, dict_converter=js.Object.fromEntries))
    url = js.URL.createObjectURL(blob)
    link = _make(("a", {"href": url, "download": filename}, ""))
    js.document.body.append(link)
    link.click()
    link.remove()
    js.setTimeout(create_once_callable(lambda: js.URL.revokeObjectURL(url)), 10_000)


def set_data(element_id, name, value):
    """Set an element's `data-<name>` attribute: values the page publishes for tests and tools."""
    _set_attribute(js.document.getElementById(element_id), f"data-{name}", value)


def set_value(element_id, value):
    """Set a form control's value (a menu's choice) without the user's change event."""
    js.document.getElementById(element_id).value = value


def show_options(element_id, options, selected):
    """Replace a menu's options with (value, text) pairs and choose `selected`."""
    build(element_id, [("option", {"value": value}, text) for value, text in options])
    js.document.getElementById(element_id).value = selected


def canvas(element_id):
    """The canvas element `element_id`, to draw on in CSS pixels."""
    return Canvas(element_id)


def pixels():
    """A new off-screen image for numpy pixels."""
    return Pixels()


class Canvas:
    """A 2-D canvas whose backing store follows its CSS size times devicePixelRatio, so drawing is crisp.

    Drawing code works in CSS pixels; `fit()` rescales the context after every resize or zoom.
    """

    def __init__(self, element_id):
        self.element = js.document.getElementById(element_id)
        self.context = self.element.getContext("2d")
        self.width = self.height = self.pixel_ratio = 0
        # Reading clientWidth in a frame, after text on the page changed, forces the browser to lay the page
        # out then and there; a ResizeObserver hears of size changes after layout instead, for free.
        self._size = self.element.clientWidth, self.element.clientHeight
        observer = create_proxy(lambda entries, _: self._observed())
        _listeners.append(observer)
        js.ResizeObserver.new(observer).observe(self.element)

    def _observed(self):
        self._size = self.element.clientWidth, self.element.clientHeight

    def fit(self, density=1):
        """Match the backing store to the element's size now, at `density` times the screen's pixels (2 for
        a picture saved at 2x); True when it changed (re-layout needed)."""
        ratio = (js.window.devicePixelRatio or 1) * density
        width, height = self._size
        if (width, height, ratio) == (self.width, self.height, self.pixel_ratio):
            return False
        self.width, self.height, self.pixel_ratio = width, height, ratio
        self.element.width = max(1, round(width * ratio))
        self.element.height = max(1, round(height * ratio))
        self.context.setTransform(ratio, 0, 0, ratio, 0, 0)
        return True


class Pixels:
    """An off-screen canvas holding a numpy RGBA image; painters draw it scaled with `drawImage`.

    The bytes cross into JavaScript once, as a typed array wrapped (not copied again) by an
    `ImageData`: about ten times cheaper than building the pixels from a Python `bytes` object.
    """

    def __init__(self):
        self.element = js.document.createElement("canvas")
        self.context = self.element.getContext("2d")

    def fit(self, width, height, ratio):
        """Size the layer for vector drawing in CSS pixels at the screen's density."""
        self.element.width, self.element.height = max(1, round(width * ratio)), max(1, round(height * ratio))
        self.context.setTransform(ratio, 0, 0, ratio, 0, 0)

    def put(self, rgba):
        """Replace the image with `rgba`, a C-contiguous (height, width, 4) uint8 array."""
        height, width = rgba.shape[:2]
        if (self.element.width, self.element.height) != (width, height):
            self.element.width, self.element.height = width, height
        array = to_js(memoryview(rgba).cast("B"))
        pixels = js.Uint8ClampedArray.new(array.buffer, array.byteOffset, array.byteLength)
        self.context.putImageData(js.ImageData.new(pixels, width, height), 0, 0)


class AnimationFrames:
    """Calls `callback(timestamp_ms)` on the next animation frame after each `request()`.

    One proxy serves every frame and is destroyed with `close()`, so a running loop allocates nothing per
    frame on the JavaScript side and a stopped one leaks nothing.
    """

    def __init__(self, callback):
        self._proxy = create_proxy(callback)
        self._pending = None

    def request(self):
        self._pending = js.requestAnimationFrame(self._proxy)

    def cancel(self):
        if self._pending is not None:
            js.cancelAnimationFrame(self._pending)
            self._pending = None

    def close(self):
        self.cancel()
        self._proxy.destroy()
