"""The one door to the browser: the only module of the app that imports `js` or `pyodide`.

It owns proxies (and destroys them), the canvas backing store, the boot/progress hooks of boot.js
(`window.gradcanvas`) and timers. Everything else in the app takes plain Python and numpy values, so it
runs and is tested in CPython.
"""
import asyncio

import js
import pyodide_js
from pyodide.ffi import create_once_callable, create_proxy, to_js

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


def fragment():
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
        area = _element("textarea", aria_label="Code", spellcheck="false", rows="14")
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
    return _editor.getText()


def set_editor_text(text):
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


def show_clip(kind):
    """Show which clip is recording ("video", "gif" or None): its button pressed, the other one disabled."""
    for action, button_kind in (("record", "video"), ("save-gif", "gif")):
        button = js.document.querySelector(f'[data-action="{action}"]')
        button.setAttribute("aria-pressed", "true" if kind == button_kind else "false")
        button.disabled = kind is not None and kind != button_kind


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
    if name == "problem":  # the stylesheet shows only the datasets of the current problem type
        js.document.body.dataset.problem = text
    for output in js.document.querySelectorAll(f'[data-shows="{name}"]'):
        output.textContent = text + (output.getAttribute("data-suffix") or "")


def show_notes(notes):
    """List plain-text notes (a link that could not be read in full, a point that was skipped)."""
    show_list("notes", notes)
    js.document.getElementById("notes").hidden = not notes


def show_list(element_id, items):
    """Replace a list's items with `items` (plain text)."""
    box = js.document.getElementById(element_id)
    box.replaceChildren()
    for text in items:
        box.append(_element("li", text))


def show_table(element_id, header, rows):
    """Replace a table's contents: a header row, then `rows` of plain text."""
    table = js.document.getElementById(element_id)
    table.replaceChildren()
    head = _element("tr")
    for title in header:
        head.append(_element("th", title, scope="col"))
    table.append(head)
    for row in rows:
        line = _element("tr")
        for value in row:
            line.append(_element("td", value))
        table.append(line)


def _element(tag, text="", **attributes):
    element = js.document.createElement(tag)
    element.textContent = text
    for name, value in attributes.items():
        element.setAttribute(name.replace("_", "-"), str(value))
    return element


def show_layers(sizes, activations, choices):
    """Rebuild the hidden-layer editor: per layer, -/+ neuron buttons, the count and an activation menu."""
    box = js.document.getElementById("layer-controls")
    box.replaceChildren()
    for layer, (size, activation) in enumerate(zip(sizes, activations)):
        row = _element("div", **{"class": "layer-row"})
        row.append(_element("span", f"Hidden {layer + 1}", **{"class": "layer-name"}))
        row.append(_element("button", "\u2212", type="button", data_action="remove-neuron", data_layer=layer,
                            aria_label=f"Remove a neuron from hidden layer {layer + 1}"))
        row.append(_element("span", f"{size} neuron{'s' if size != 1 else ''}", **{"class": "layer-size"}))
        row.append(_element("button", "+", type="button", data_action="add-neuron", data_layer=layer,
                            aria_label=f"Add a neuron to hidden layer {layer + 1}"))
        menu = _element("select", data_setting="layer_activation", data_layer=layer,
                        aria_label=f"Hidden layer {layer + 1} function")
        for choice in choices:
            option = _element("option", choice, value=choice)
            option.selected = choice == activation
            menu.append(option)
        row.append(menu)
        box.append(row)


def edit_weight(label, value):
    """Open the weight editor on one edge, with its current value selected for typing."""
    set_text("weight-label", label)
    editor = js.document.getElementById("weight-editor")
    editor.hidden = False
    field = js.document.getElementById("weight")
    field.value = f"{value:.4g}"
    field.focus()
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


def show_replay(count, position):
    """Show the trace timeline (0..count, at `position`) and the way back to live training, or hide both
    when `count` is None."""
    js.document.getElementById("trace-replay").hidden = count is None
    js.document.querySelector('[data-action="leave-replay"]').hidden = count is None
    if count is not None:
        timeline = js.document.getElementById("trace_step")
        timeline.max, timeline.value = count, position
        js.document.getElementById("trace-position").textContent = f"{position} / {count}"


_listeners = []  # proxies of the page's event listeners: they live as long as the page


def _listen(target, event, handler):
    proxy = create_proxy(handler)
    _listeners.append(proxy)
    target.addEventListener(event, proxy)


def bind(act, change, pointer, key, open_link, open_file):
    """Send the page's events to Python as plain values, through one listener per kind of event.

    act(action, layer) for buttons marked `data-action` (and "next-phase" for the N key, aria-keyshortcuts
    on its button); change(name, value) for controls marked
    `data-setting` (a group of checkboxes sends its checked values comma-separated, a layer's menu sends
    (layer, value)); pointer(canvas, kind, x, y, shift) for the Network and Output canvases, in CSS pixels;
    key(canvas, name, shift) for a key pressed on the Network, Output or graph canvas while it has focus (it
    returns True when it used the key, which then does not scroll the page; losing focus is the pointer
    leaving);
    open_link(fragment) when the user follows a link within the page (a preset); open_file(name, data) for
    a file chosen in an `input[data-file]` or dropped anywhere on the page. A slider marked `data-live`
    reports every move, not only where it is let go.
    """
    def on_click(event):
        button = event.target.closest("[data-action]")
        if button and not button.disabled:
            layer = button.getAttribute("data-layer")
            act(button.dataset.action, int(layer) if layer else None)

    def on_change(event):
        control = event.target.closest("[data-setting]")
        if not control:
            return
        name = control.dataset.setting
        if name == "layer_activation":
            change(name, (int(control.dataset.layer), control.value))
        elif control.type == "checkbox" and control.value not in ("", "on"):
            group = js.document.querySelectorAll(f'[data-setting="{name}"]:checked')
            change(name, ",".join(box.value for box in group))
        elif control.type == "checkbox":
            change(name, "true" if control.checked else "false")
        else:
            change(name, control.value)

    def on_live_input(event):
        if event.target.closest("[data-live]"):
            on_change(event)

    def on_file_chosen(event):
        chooser = event.target.closest("input[data-file]")
        if chooser:
            _open_first(chooser.files, open_file)
            chooser.value = ""  # choosing the same file again is a new choice

    def on_drop(event):
        event.preventDefault()  # the browser would otherwise open the file in place of the page
        _open_first(event.dataTransfer.files if event.dataTransfer else None, open_file)

    def on_key(event):  # N is Next phase, unless the user is typing
        if event.key not in ("n", "N") or event.ctrlKey or event.metaKey or event.altKey or event.repeat:
            return
        if event.target.closest("input, textarea, select, [contenteditable]"):
            return
        event.preventDefault()
        act("next-phase", None)

    _listen(js.document, "click", on_click)
    _listen(js.document, "change", on_change)
    _listen(js.document, "keydown", on_key)
    _listen(js.document, "input", on_live_input)
    _listen(js.document, "change", on_file_chosen)
    _listen(js.document, "dragover", lambda event: event.preventDefault())
    _listen(js.document, "drop", on_drop)
    _listen(js.window, "hashchange", lambda event: open_link(fragment()))
    for canvas in ("network", "output", "graph"):
        def on_key_here(event, canvas=canvas):
            if not (event.ctrlKey or event.metaKey or event.altKey) and key(canvas, event.key, bool(event.shiftKey)):
                event.preventDefault()

        element = js.document.getElementById(canvas)
        for event_name, kind in (("pointermove", "move"), ("pointerleave", "leave"), ("click", "click")):
            _listen(element, event_name,
                    lambda event, canvas=canvas, kind=kind: pointer(canvas, kind, event.offsetX, event.offsetY,
                                                                    bool(event.shiftKey)))
        _listen(element, "keydown", on_key_here)
        _listen(element, "blur", lambda event, canvas=canvas: pointer(canvas, "leave", 0, 0))
    graph = js.document.getElementById("graph")
    dragged_to = [None]  # where the press or the last drag was: touch has no movementX in every browser

    def on_press(event):
        dragged_to[0] = (event.offsetX, event.offsetY)

    def on_drag(event):
        if event.buttons & 1 and dragged_to[0] is not None:
            x, y = event.offsetX, event.offsetY
            pointer("graph", "drag", x, y, False, (x - dragged_to[0][0], y - dragged_to[0][1]))
            dragged_to[0] = (x, y)

    def on_wheel(event):
        event.preventDefault()  # zoom the graph, not the page
        pointer("graph", "wheel", event.offsetX, event.offsetY, False, event.deltaY)

    _listen(graph, "pointerdown", on_press)
    _listen(graph, "pointermove", on_drag)
    _listen(graph, "dblclick", lambda event: pointer("graph", "dblclick", event.offsetX, event.offsetY))
    proxy = create_proxy(on_wheel)
    _listeners.append(proxy)
    graph.addEventListener("wheel", proxy, to_js({"passive": False}, dict_converter=js.Object.fromEntries))


def on_click(element_id, handler):
    """Call `handler()` when the element (a button) is clicked."""
    _listen(js.document.getElementById(element_id), "click", lambda event: handler())


def on_change(element_id, handler):
    """Call `handler(value)` when a control changes: its value, or "true"/"false" for a checkbox."""
    element = js.document.getElementById(element_id)
    _listen(element, "change",
            lambda event: handler(("true" if element.checked else "false") if element.type == "checkbox" else element.value))


def on_pointer(element_id, handler):
    """Call `handler(kind, x, y)` in CSS pixels of the element for "down", "move", "up", "cancel", "leave"
    and "dblclick", from mouse, pen and touch alike (pointer events). A press captures the pointer, so a
    stroke or a drag that leaves the element still ends where it should."""
    element = js.document.getElementById(element_id)

    def on_down(event):
        try:
            element.setPointerCapture(event.pointerId)
        except Exception:  # a pointer the browser no longer knows: draw anyway, without capture
            pass
        handler("down", event.offsetX, event.offsetY)

    _listen(element, "pointerdown", on_down)
    for event_name, kind in (("pointermove", "move"), ("pointerup", "up"), ("pointercancel", "cancel"),
                             ("pointerleave", "leave"), ("dblclick", "dblclick")):
        _listen(element, event_name, lambda event, kind=kind: handler(kind, event.offsetX, event.offsetY))


def on_file(element_id, handler):
    """Call `handler(name, data)` with the bytes of a file chosen in a file input; choosing the same file
    again calls it again."""
    element = js.document.getElementById(element_id)

    def on_change(event):
        _open_first(element.files, handler)
        element.value = ""

    _listen(element, "change", on_change)


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
    link = _element("a", href=url, download=filename)
    js.document.body.append(link)
    link.click()
    link.remove()
    js.setTimeout(create_once_callable(lambda: js.URL.revokeObjectURL(url)), 10_000)


def set_data(element_id, name, value):
    """Set an element's `data-<name>` attribute: values the page publishes for tests and tools."""
    js.document.getElementById(element_id).setAttribute(f"data-{name}", value)


def set_value(element_id, value):
    """Set a form control's value (a menu's choice) without the user's change event."""
    js.document.getElementById(element_id).value = value


def show_options(element_id, options, selected):
    """Replace a menu's options with (value, text) pairs and choose `selected`."""
    menu = js.document.getElementById(element_id)
    menu.replaceChildren()
    for value, text in options:
        menu.append(_element("option", text, value=value))
    menu.value = selected


def canvas(element_id):
    return Canvas(element_id)


def pixels():
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
