"""What a link opens: the settings it holds, and the code for the editor it carries or its preset's, with
what the page says about them.

Pure: reading a link never runs code. A preset ships with the site, so its code may run at once; code from
a link runs only once the user has read it and pressed Run.
"""
from typing import NamedTuple

from app.editor.code_link import decode_code
from app.playground.presets import find_preset
from app.playground.state import decode

ROOMS = "rooms"  # the rooms' navigation: its top brings the open room into view below it
TOP = "top"      # the page's header: under it the lesson's words and the core picture (on a phone, far above the list)


class OpenedLink(NamedTuple):
    state: object   # the settings (a `State`)
    extras: dict    # what else the link carries: its code, a trace's URL
    code: str       # the text for the editor (None when the link's code could not be read: see `notes`)
    run_now: bool   # whether that code runs at once (a preset's)
    message: str    # what the page says about it ("" leaves the new run's own word)
    notes: list     # what could not be read, field by field
    reveal: str     # what a lesson brings into view: the rooms, for one watched there, else the top; else ""


def read_link(fragment, saved_code=None):
    """What `fragment` opens; with no code in it, the editor shows `saved_code` (your own work from last
    time, saved in this browser, which a link never overwrites).

    >>> mine = read_link("#v=1&lr=0.1", "print(1)")
    >>> mine.state.lr, mine.code, mine.run_now
    (0.1, 'print(1)', False)
    >>> read_link("#v=1&preset=nope", "print(1)").notes[0][:25]
    "there is no preset 'nope'"
    """
    decoded = decode(fragment)
    notes, extras = list(decoded.notes), dict(decoded.extras)
    state, code, run_now, message, reveal = decoded.state, "", False, "", ""
    if "preset" in extras:
        preset, note = find_preset(extras.pop("preset"))
        if preset is None:
            notes.append(note)
        else:
            state = decode(preset.settings).state
            code, run_now, message = preset.code or "", True, f"{preset.title}. {preset.lesson}"
            reveal = ROOMS if preset.watched_in_room else TOP
    elif "code" in extras:
        code, note = decode_code(extras["code"])
        if code is None:
            notes.append(note)
            del extras["code"]
        else:
            message = "This link carries Python code, shown in the editor. Read it, then press Run to use it."
    elif saved_code:
        code = saved_code  # your own code from last time: shown, and run only when you press Run
    return OpenedLink(state, extras, code, run_now, message, notes, reveal)
