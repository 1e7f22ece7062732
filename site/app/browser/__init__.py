"""The one door to the browser: the only package of the app whose modules import `js` or `pyodide`.

It owns proxies (and destroys them), the canvas backing store, the boot/progress hooks of boot.js
(`window.gradcanvas`) and timers. It offers generic operations (set a text, build an element's children
from plain data, set an attribute, listen for events) and knows no feature: each feature builds its widgets
through them. Everything else in the app takes plain Python and numpy values, so it runs and is tested in
CPython. What it offers is typed in app/page.py (`Page`), which tests/app/test_page_door.py holds it to.

The app sees one door, `app.browser.<name>`; behind it is a module per section of `Page`, each owning one
kind of operation.
"""
from .boot import expose, fail, load_packages, record_frame_time, set_ready, set_stage
from .viewer import copy_text, load, page_url, prefers_dark, prefers_reduced_motion, read_fragment, save, set_fragment
from .files import download, fetch_bytes, fetch_text
from .editor import create_editor, editor_text, highlight_line, set_editor_text
from .capture import add_clip_frame, finish_clip, save_image, start_clip
from .elements import (build, focus, is_checked, read_text, reveal, set_attribute, set_control, set_data,
                       set_text, set_value, show_list, show_options, show_table)
from .events import listen
from .drawing import AnimationFrames, Canvas, Pixels, canvas, path, pixels, polyline
from .workers import Worker, start_worker
