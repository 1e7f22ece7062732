"""Which steps of which lessons this browser has seen done, as JSON under one localStorage key: read back
forgivingly (anything that is not a lesson's step is dropped with a note), so a stored value from another
version or a hand edit never stops the page.
"""
import json

SAVED_PROGRESS = "gradcanvas:lessons"  # localStorage key


class Progress:
    """The done steps (1-based) of each lesson; `step_counts` says how many steps each lesson has."""

    def __init__(self, step_counts):
        self.step_counts = dict(step_counts)
        self.done = {}  # lesson id -> set of done step numbers

    def read(self, text):
        """Take in what `dump` wrote; returns a note in plain words when some or all of it could not be read."""
        self.done = {}
        if not text:
            return ""
        try:
            stored = json.loads(text)
        except ValueError:
            return "the lesson progress kept in this browser could not be read, so it starts afresh"
        if not isinstance(stored, dict):
            return "the lesson progress kept in this browser is not a table of lessons, so it starts afresh"
        dropped = []
        for lesson, steps in stored.items():
            count = self.step_counts.get(lesson)
            kept = {step for step in steps if type(step) is int and 1 <= step <= count} if (
                count and isinstance(steps, list)) else set()
            if kept:
                self.done[lesson] = kept
            if not count or not isinstance(steps, list) or len(kept) < len(steps):
                dropped.append(str(lesson)[:40])
        return f"lesson progress kept for {', '.join(dropped)} did not match the lessons and was dropped" if dropped else ""

    def dump(self):
        """The JSON kept in the browser: each begun lesson's done steps, in order.

        >>> progress = Progress({"xor-hidden": 3})
        >>> progress.mark("xor-hidden", 2); progress.dump()
        '{"xor-hidden": [2]}'
        """
        return json.dumps({lesson: sorted(steps) for lesson, steps in self.done.items()})

    def mark(self, lesson, step):
        self.done.setdefault(lesson, set()).add(step)

    def forget(self):
        self.done = {}

    def mark_of(self, lesson):
        """What the lessons list shows beside `lesson`: "✓" when every step is done, "2/4" when begun, else "".

        >>> progress = Progress({"xor-hidden": 3})
        >>> progress.mark("xor-hidden", 1); progress.mark_of("xor-hidden")
        '1/3'
        """
        done, count = len(self.done.get(lesson, ())), self.step_counts[lesson]
        return "\u2713" if done == count else f"{done}/{count}" if done else ""
