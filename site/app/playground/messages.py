"""What the playground says above its panels: an error in the red alert ("message", role=alert), anything
else as a calm note ("note", role=status), and when each note goes away.

A note says something true about the page as it stands, and leaves once it no longer is. What ends it is
given with it, as the events that do:
- PASSING (what a switch of activation did, why training stopped): the learner's next change of a setting
  of the run (not of what is shown: SHOWN_ONLY), Reset, or code run;
- LESSON (a lesson's text): a change of the data it teaches on, the dataset or the problem type. It stays
  through Reset and through the changes the lesson asks for (add a layer, lower the learning rate, edit
  its code and Run): they are how it is learned, and the learner reads the lesson while making them;
- UNREAD_CODE ("this link carries code"): the code running.
Opening another link, a weights file or a trace ends any note. With no note, the note line says what to do
while there are no points to train on, and is empty otherwise. An error stays until a new run starts.
"""
from app.playground.summary import NO_POINTS

PASSING = frozenset({"settings", "reset", "code"})
LESSON = frozenset({"data"})
UNREAD_CODE = frozenset({"code"})
DATA = frozenset({"dataset", "problem"})  # the settings a lesson is about
# They change what is shown, not the run notes speak of (the digits lab's model and the race: not even the
# playground's run).
SHOWN_ONLY = frozenset({"show_test", "discretize", "room", "digits_model", "race", "embed", "hide"})


class Messages:
    """The "note" and "message" (error) lines of `page`."""

    def __init__(self, page):
        self.page = page
        self.lasts = None    # the events that end the note shown; None while the resting note shows
        self.resting = ""    # the note when there is no other: NO_POINTS while the run has none to train on

    def note(self, text, lasts=PASSING):
        """Say `text` calmly until one of the events `lasts` happens."""
        self.lasts = lasts
        self.page.set_text("note", text)

    def error(self, text):
        """Say `text` in the red alert, until a new run starts."""
        self.page.set_text("message", text)

    def end(self, *events):
        """`events` happened ("settings", "data", "reset", "code"): a note that they end goes."""
        if self.lasts is not None and self.lasts & set(events):
            self.clear()

    def settings_changed(self, names):
        """The settings called `names` changed: any but SHOWN_ONLY ends a passing note, the data a lesson too."""
        if set(names) - SHOWN_ONLY:
            self.end("settings", *(["data"] if DATA & set(names) else []))

    def clear(self):
        """Nothing said stays (another link or file opened): only the resting note shows."""
        self.lasts = None
        self.page.set_text("note", self.resting)

    def use_run(self, has_points):
        """A new run: the last run's error goes, and with no points to train on the note says how to add them
        (once no other note is showing)."""
        self.page.set_text("message", "")
        self.resting = "" if has_points else NO_POINTS
        if self.lasts is None:
            self.clear()
