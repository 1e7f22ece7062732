"""What the page reads from and keeps for its viewer: the system's preferences, the address and its
fragment, the clipboard, and localStorage.
"""
import js

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


def set_fragment(text):
    """Keep the URL's fragment equal to `text` without adding a history entry per change."""
    js.history.replaceState(None, "", "#" + text)


def page_url():
    """The page's address without its fragment: the start of a shared link."""
    return js.location.href.split("#")[0]


def copy_text(text):
    """Put `text` on the clipboard (the browser may refuse; the link is shown on the page as well)."""
    clipboard = getattr(js.navigator, "clipboard", None)
    if clipboard is not None:
        clipboard.writeText(text)


def save(key, value):
    """Keep `value` in localStorage, where a reload finds it; whether it was kept. A full or blocked storage (a
    page embedded from another site in some browsers, private browsing, a full quota) is not an error."""
    try:
        js.localStorage.setItem(key, value)
        return True
    except Exception:
        return False


def load(key):
    """What `save` kept under `key`, or ""."""
    try:
        return js.localStorage.getItem(key) or ""
    except Exception:
        return ""
