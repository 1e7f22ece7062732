"""What the app needs from the browser, as a typed protocol: the door (`app.browser`) and the tests' stand-in
(`tests.app.fake_page.FakePage`) both offer exactly this, and tests/app/test_page_door.py checks that they do.

The door offers generic operations only (set a text, build an element's children from plain data, set an
attribute, listen for events); each feature builds its own widgets through them. This module is plain
Python, with no browser in it, so features may import it for its types and its event table.
"""
from typing import Any, Callable, Iterable, Optional, Protocol, Sequence, Union

# What `Page.build` makes elements from: (tag, attributes, content), where content is the element's text or
# a list of its children. An attribute's value is text, or True/False for a boolean attribute (present or
# absent: "hidden", "disabled", "selected").
AttributeValue = Union[str, bool, None]
Element = tuple  # (tag: str, attributes: dict[str, AttributeValue], content: str | list[Element])

# The events `Page.listen` reports, each with the plain values its handler receives after the kind's name.
# Coordinates are CSS pixels of the element; `shift` says whether Shift was held.
ELEMENT_EVENTS = {
    # pointer events (mouse, pen and touch alike)
    "down": ("x", "y", "shift"),        # a press; it captures the pointer, so a stroke or a drag that
                                        # leaves the element still ends on it
    "move": ("x", "y", "shift"),
    "up": ("x", "y", "shift"),
    "cancel": ("x", "y", "shift"),      # the browser took the pointer over (a scroll gesture, say)
    "leave": ("x", "y", "shift"),
    "click": ("x", "y", "shift"),       # also a button pressed from the keyboard (at 0, 0)
    "dblclick": ("x", "y", "shift"),
    "drag": ("x", "y", "dx", "dy"),     # a move with the primary button held; the deltas are by position
                                        # since the press or the last drag (touch has no movementX everywhere)
    "wheel": ("x", "y", "delta"),       # the page does not scroll: the element uses the wheel
    # focus and keys
    "key": ("key", "shift"),            # a key pressed while the element has focus, without Ctrl, Alt or
                                        # Meta; a handler returning True used it (the page does not scroll)
    "blur": (),                         # the element lost focus
    # form controls
    "change": ("value",),               # the control's new value; "true"/"false" for a checkbox
    "input": ("value",),                # the same at every move: a slider dragged, not only where it is let go
    "file": ("name", "data"),           # a file chosen in this file input (choosing it again reports again)
}
PAGE_EVENTS = {  # with no element: delegated from the page's marked controls
    "action": ("action", "layer"),      # a click on an enabled `data-action` button (with its `data-layer`
                                        # as an int, or None), or its `aria-keyshortcuts` letter pressed
                                        # while the user is not typing
    "setting": ("name", "value"),       # a `data-setting` control changed (a `data-live` slider: on every
                                        # move); a checkbox group sends its checked values comma-separated,
                                        # a control with `data-layer` sends (layer, value)
    "file": ("name", "data"),           # a file chosen in an `input[data-file]` or dropped on the page
    "link": ("fragment",),              # the user followed a link within the page
}


class Canvas(Protocol):
    """A 2-D canvas drawn in CSS pixels; its backing store follows its size times the screen's density."""

    width: float
    height: float
    pixel_ratio: float
    context: Any  # a CanvasRenderingContext2D

    def fit(self, density: float = 1) -> bool:
        """Match the backing store to the element's size at `density` times the screen's; True when it changed."""


class Pixels(Protocol):
    """An off-screen image that painters draw scaled with `drawImage(pixels.element, ...)`."""

    element: Any
    context: Any

    def fit(self, width: float, height: float, ratio: float) -> None:
        """Size the layer for vector drawing in CSS pixels at density `ratio`."""

    def put(self, rgba: Any) -> None:
        """Replace the image with a C-contiguous (height, width, 4) uint8 array."""


class Frames(Protocol):
    """Calls its callback on the next animation frame after each `request()`."""

    def request(self) -> None:
        """Ask for one call on the next frame."""

    def cancel(self) -> None:
        """Forget the frame asked for, if any."""

    def close(self) -> None:
        """Cancel, and let go of the callback for good."""


class Worker(Protocol):
    """A script running beside the page (`Page.start_worker`)."""

    def post(self, kind: str, data: bytes) -> None:
        """Send it a message: a kind and bytes."""

    def terminate(self) -> None:
        """End it at once, whatever it is doing."""


class Page(Protocol):
    """Everything the app asks of the browser. Ids are element ids of site/index.html."""

    # ---- starting the page (boot.js's hooks) ----------------------------------------------------------
    def set_stage(self, stage: str) -> None:
        """Tell the loading screen which stage is under way: "runtime", "numpy" or "app"."""

    def fail(self, message: str) -> None:
        """Show `message` in the page's error panel with its Retry button."""

    def set_ready(self) -> None:
        """Mark the page ready: the first frame is on the canvas and the controls answer."""

    async def load_packages(self, names: Sequence[str]) -> None:
        """Load Pyodide packages (numpy); raises naming any that did not arrive."""

    def record_frame_time(self, milliseconds: float) -> None:
        """Publish how long one frame callback took, for the benchmarks."""

    def expose(self, name: str, value: Any) -> None:
        """Make a Python object reachable from page JavaScript as `window.gradcanvas[name]`."""

    # ---- the viewer's settings, the address, storage ---------------------------------------------------
    def prefers_dark(self) -> bool:
        """Whether the system asks for a dark colour scheme."""

    def prefers_reduced_motion(self) -> bool:
        """Whether the viewer asked the system for less motion."""

    def read_fragment(self) -> str:
        """The URL fragment, without its '#'."""

    def set_fragment(self, text: str) -> None:
        """Keep the URL's fragment equal to `text` without adding a history entry."""

    def page_url(self) -> str:
        """The page's address without its fragment."""

    def copy_text(self, text: str) -> None:
        """Put `text` on the clipboard, if the browser lets us."""

    def save(self, key: str, value: str) -> bool:
        """Keep `value` in localStorage; whether it was kept (a full or blocked storage is not an error)."""

    def load(self, key: str) -> str:
        """What `save` kept under `key`, or ""."""

    # ---- files in and out -------------------------------------------------------------------------------
    def fetch_text(self, url: str, on_text: Callable[[str], None], on_error: Callable[[str], None]) -> None:
        """Fetch `url` and call `on_text(text)`, or `on_error(reason)` in plain words."""

    async def fetch_bytes(self, url: str) -> bytes:
        """The bytes at `url` (relative to the page); a failed download raises, naming the address."""

    def download(self, filename: str, data: Union[str, bytes], mime: Optional[str] = None) -> None:
        """Offer `data` to the user as a downloaded file called `filename`."""

    # ---- the code editor --------------------------------------------------------------------------------
    def create_editor(self, text: str, on_run: Callable[[str], None], on_change: Callable[[str], None]) -> None:
        """Open the code editor in #code-editor with `text` (a plain textarea if its files did not load)."""

    def editor_text(self) -> str:
        """The code in the editor."""

    def set_editor_text(self, text: str) -> None:
        """Replace the code in the editor."""

    def highlight_line(self, line: Optional[int]) -> None:
        """Mark the editor's line `line` (1-based) where the code failed, or clear the mark with None."""

    # ---- pictures and clips (site/capture.js) -----------------------------------------------------------
    def save_image(self, canvas_ids: Sequence[str], caption: Sequence[str], file_name: str) -> tuple:
        """Download a PNG of the canvases side by side with the caption's lines; returns (width, height)."""

    def start_clip(self, kind: str, canvas_ids: Sequence[str], stem: str) -> str:
        """Start recording the canvases as a "video" or a "gif"; the file's extension, or "" if impossible."""

    def add_clip_frame(self, caption: Sequence[str]) -> None:
        """Add the canvases as they are now, with the caption's lines, to the clip under way."""

    def finish_clip(self) -> int:
        """End the clip under way and download it; returns how many frames it holds."""

    # ---- elements: generic operations -------------------------------------------------------------------
    def set_text(self, element_id: str, text: str) -> None:
        """Set an element's text (never HTML)."""

    def read_text(self, element_id: str) -> str:
        """The current value of a form control."""

    def is_checked(self, element_id: str) -> bool:
        """Whether a checkbox is checked."""

    def set_value(self, element_id: str, value: str) -> None:
        """Set a form control's value without the user's change event."""

    def set_data(self, element_id: str, name: str, value: str) -> None:
        """Set an element's `data-<name>` attribute."""

    def set_attribute(self, selector: str, name: str, value: AttributeValue) -> None:
        """Set attribute `name` on every element matching the CSS `selector` (True/False: present/absent)."""

    def focus(self, element_id: str, select: bool = False) -> None:
        """Give a control the keyboard focus and, with `select`, select its text for typing over."""

    def reveal(self, element_id: str) -> None:
        """Scroll the page so an element's top is at the top of the window."""

    def build(self, element_id: str, children: Sequence[Element]) -> None:
        """Replace an element's children with elements made from plain data: (tag, attributes, content)."""

    def set_control(self, name: str, text: str) -> None:
        """Show a setting's value in its `data-setting=name` controls and `data-shows=name` outputs."""

    def show_list(self, element_id: str, items: Iterable[str]) -> None:
        """Replace a list's items with `items` (plain text)."""

    def show_table(self, element_id: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        """Replace a table's contents: a header row, then `rows` of plain text."""

    def show_options(self, element_id: str, options: Iterable[tuple], selected: str) -> None:
        """Replace a menu's options with (value, text) pairs and choose `selected`."""

    # ---- events -----------------------------------------------------------------------------------------
    def listen(self, target: Optional[str], kinds: Iterable[str], handler: Callable[..., Any]) -> None:
        """Call `handler(kind, *values)` when one of `kinds` (ELEMENT_EVENTS) happens on element `target`, or
        (PAGE_EVENTS) anywhere on the page when `target` is None."""

    # ---- drawing ----------------------------------------------------------------------------------------
    def canvas(self, element_id: str) -> Canvas:
        """The canvas element `element_id`, to draw on in CSS pixels."""

    def pixels(self) -> Pixels:
        """A new off-screen image for numpy pixels."""

    def path(self, data: str) -> Any:
        """A Path2D from SVG path data: many segments drawn with one call."""

    def polyline(self, points: Any) -> Any:
        """A Path2D through (n, 2) points."""

    def AnimationFrames(self, callback: Callable[[float], None]) -> Frames:
        """A frame scheduler calling `callback(timestamp_ms)` on the next frame after each `request()`."""

    # ---- workers ----------------------------------------------------------------------------------------
    def start_worker(self, script: str, on_message: Callable[[str, Union[bytes, str]], None]) -> Optional[Worker]:
        """Start the module worker `script`; its messages reach `on_message(kind, data)` (bytes, or a reason in
        words for "failed", which also comes, with no Worker, when the browser cannot start one)."""
