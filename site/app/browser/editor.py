"""The code editor in #code-editor: CodeMirror (vendored: site/editor.js), or a plain textarea without it."""
import js

from .elements import _make
from .events import _kept_proxy, _listen

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
        register(_kept_proxy(callback))


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
