"""Which of the page's events reach the playground, and as which calls: its buttons, settings, files and links
anywhere on the page, and the pointer and keys on its three canvases. The page's `listen` reports plain
values; this module only routes them.
"""

CANVASES = ("network", "output", "graph")  # the canvases that answer the pointer and, with focus, keys


def bind(page, act, change, pointer, key, open_link, open_file):
    """Send the page's events to the playground.

    act(action, layer) for a `data-action` button (and for the N key, its Next phase button's shortcut);
    change(name, value) for a `data-setting` control; open_file(name, data) for a file chosen or dropped;
    open_link(fragment) when the user follows a link within the page (a preset); pointer(canvas, kind, x,
    y, shift) for "move", "leave" and "click" on a canvas (losing focus is the pointer leaving), and
    pointer("graph", kind, x, y, False, amount) for the graph's "drag" ((dx, dy)) and "wheel" (its delta);
    key(canvas, name, shift) for a key pressed on a canvas with focus, which returns True when it used it.
    """
    page.listen(None, ("action",), lambda kind, action, layer: act(action, layer))
    page.listen(None, ("setting",), lambda kind, name, value: change(name, value))
    page.listen(None, ("file",), lambda kind, name, data: open_file(name, data))
    page.listen(None, ("link",), lambda kind, fragment: open_link(fragment))
    for canvas in CANVASES:
        page.listen(canvas, ("move", "leave", "click"),
                    lambda kind, x, y, shift, canvas=canvas: pointer(canvas, kind, x, y, shift))
        page.listen(canvas, ("key",), lambda kind, name, shift, canvas=canvas: key(canvas, name, shift))
        page.listen(canvas, ("blur",), lambda kind, canvas=canvas: pointer(canvas, "leave", 0, 0))
    page.listen("graph", ("drag",), lambda kind, x, y, dx, dy: pointer("graph", "drag", x, y, False, (dx, dy)))
    page.listen("graph", ("dblclick",), lambda kind, x, y, shift: pointer("graph", "dblclick", x, y))
    page.listen("graph", ("wheel",), lambda kind, x, y, delta: pointer("graph", "wheel", x, y, False, delta))
