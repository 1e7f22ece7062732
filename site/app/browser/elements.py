"""The page's elements, by id or selector: texts, values, attributes, focus, scrolling into view, and children built from plain
data (tag, attributes, content), never from HTML.
"""
import js

_texts = {}  # what each element was last given: most frames change few texts, and asking costs a call


def set_text(element_id, text):
    """Set an element's text (never HTML) by id; nothing crosses into JavaScript when it is unchanged."""
    if _texts.get(element_id) != text:
        _texts[element_id] = text
        js.document.getElementById(element_id).textContent = text


def read_text(element_id):
    """The current value of a form control, by id."""
    return js.document.getElementById(element_id).value


def is_checked(element_id):
    """Whether a checkbox, by id, is checked."""
    return bool(js.document.getElementById(element_id).checked)


def set_value(element_id, value):
    """Set a form control's value (a menu's choice) without the user's change event."""
    js.document.getElementById(element_id).value = value


def set_data(element_id, name, value):
    """Set an element's `data-<name>` attribute: values the page publishes for tests and tools."""
    _set_attribute(js.document.getElementById(element_id), f"data-{name}", value)


def set_attribute(selector, name, value):
    """Set attribute `name` on every element matching the CSS `selector` ("#trace-replay", "body",
    '[data-action="record"]'): text, or True/False for a boolean attribute such as "hidden" or "disabled"."""
    for element in js.document.querySelectorAll(selector):
        _set_attribute(element, name, value)


def _set_attribute(element, name, value):
    if value is True:
        element.setAttribute(name, "")
    elif value is False or value is None:
        element.removeAttribute(name)
    else:
        element.setAttribute(name, value)


def focus(element_id, select=False):
    """Give a control the keyboard focus and, with `select`, select its text so typing replaces it."""
    field = js.document.getElementById(element_id)
    field.focus()
    if select:
        field.select()


def reveal(element_id):
    """Scroll the page so an element's top is at the top of the window (at once: it follows the user's click)."""
    js.document.getElementById(element_id).scrollIntoView(True)


def build(element_id, children):
    """Replace an element's children with elements made from plain data: each is (tag, attributes, content),
    content being its text (never parsed as HTML) or a list of children; an attribute's value is text, or
    True/False for a boolean attribute such as "selected" (present/absent)."""
    parent = js.document.getElementById(element_id)
    parent.replaceChildren()
    for child in children:
        parent.append(_make(child))


def _make(data):
    """One element, with its children, from (tag, attributes, content): see `build`."""
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


def show_options(element_id, options, selected):
    """Replace a menu's options with (value, text) pairs and choose `selected`."""
    build(element_id, [("option", {"value": value}, text) for value, text in options])
    js.document.getElementById(element_id).value = selected
