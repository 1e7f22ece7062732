"""What a link opens: the settings it holds, and the code for the editor it carries or its preset's, with
what the page says about them.

Pure: reading a link never runs code. A preset ships with the site, so its code may run at once; code from
a link runs only once the user has read it and pressed Run.
"""
from typing import NamedTuple
from urllib.parse import unquote

from app.editor.code_link import decode_code
from app.playground.presets import find_preset
from app.playground.state import SETTINGS, decode

UNREAD_CODE_WORDS = "This link carries Python code, shown in the editor. Read it, then press Run to use it."
ROOMS = "rooms"  # the rooms' navigation: its top brings the open room into view below it
TOP = "top"      # the page's header: under it the lesson's words and the core picture (on a phone, far above the list)


class OpenedLink(NamedTuple):
    state: object   # the settings (a `State`)
    extras: dict    # what else the link carries: its code, a trace's URL
    code: str       # the text for the editor (None when the link's code could not be read: see `notes`)
    run_now: bool   # whether that code runs at once (a lesson's own)
    message: str    # what the page says about it ("" leaves the new run's own word)
    notes: list     # what could not be read, field by field
    reveal: str     # what a lesson brings into view: the rooms, for one watched there, else the top; else ""
    lesson: str     # the lesson (a preset's id) it opens, else None
    step: str       # the lesson's step it names (1-based, as written), else ""


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
    state, code, run_now, message, reveal, lesson = decoded.state, "", False, "", "", None
    step = extras.pop("step", "")
    if "preset" in extras:
        lesson = extras.pop("preset")
        preset, note = find_preset(lesson)
        if preset is None:
            notes.append(note)
            lesson = None
        else:
            if not names_settings(fragment):
                state = decode(preset.settings).state
            code, run_now, message = preset.code or "", True, f"{preset.title}. {preset.lesson}"
            reveal = ROOMS if preset.watched_in_room else TOP
            token = extras.pop("code", None)
            theirs, note = decode_code(token) if token is not None else (None, "")
            notes += [note] if note else []
            if theirs is not None and theirs != code:  # the learner's own edit of the lesson's code: shown, not run
                code, run_now, extras["code"] = theirs, False, token
                message += f" {UNREAD_CODE_WORDS}"
    elif "code" in extras:
        code, note = decode_code(extras["code"])
        if code is None:
            notes.append(note)
            del extras["code"]
        else:
            message = UNREAD_CODE_WORDS
    elif saved_code:
        code = saved_code  # your own code from last time: shown, and run only when you press Run
    return OpenedLink(state, extras, code, run_now, message, notes, reveal, lesson, step)


def names_settings(fragment):
    """Whether `fragment` gives settings beside its lesson, as the page's own address does while a lesson is
    open (it starts with `v=`): such a link reopens the lesson as the learner saw it, with the settings they
    changed; a bare `#preset=` link opens the lesson's own settings.

    >>> names_settings("#preset=xor-hidden&step=2"), names_settings("#v=1&dataset=xor&preset=xor-hidden&step=2")
    (False, True)
    """
    keys = {unquote(piece.partition("=")[0]) for piece in fragment.lstrip("#").split("&")}
    return bool(keys & ({"v"} | {setting.name for setting in SETTINGS}))
