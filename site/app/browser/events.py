"""The page's events, one way in: `listen` and its tables of browser listeners, each reporting plain values
(app.page.ELEMENT_EVENTS, PAGE_EVENTS), and the proxies that live as long as the page.
"""
import js
from pyodide.ffi import create_proxy, to_js

from app.page import ELEMENT_EVENTS, PAGE_EVENTS

from .files import _open_first
from .viewer import read_fragment

_listeners = []  # proxies that live as long as the page: its event listeners, the editor's callbacks and the
#                  canvases' resize observers


def _kept_proxy(callback):
    """A proxy of `callback` for JavaScript to call, kept (never destroyed) for as long as the page lives."""
    proxy = create_proxy(callback)
    _listeners.append(proxy)
    return proxy


def _listen(target, event, handler, **options):
    proxy = _kept_proxy(handler)
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
    "input": lambda element, report: _listen(element, "input", lambda event: report(_value(element))),
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
