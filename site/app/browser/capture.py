"""Pictures and clips of the canvases, by id: site/capture.js composes the pixels and writes the files."""
import js
from pyodide.ffi import to_js


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
