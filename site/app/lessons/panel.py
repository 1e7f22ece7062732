"""The lesson under way: which step it is on, shown under the lesson's words ("Step 2 of 4 · what to do · what to
notice", then "Done: …" or "Not yet: …", with Back and Skip), moving on by itself when the step's check passes;
and the progress kept in this browser, shown beside each lesson in Start here.
"""
from app.lessons.progress import SAVED_PROGRESS, Progress
from app.lessons.steps import STEPS
from app.playground.presets import PRESETS

REGION = "lesson-step"  # the element under the note line that the step is built in
FORGET = '[data-action="forget-lessons"]'


def mark_id(lesson):
    """The id of the span beside `lesson`'s link in Start here that shows its progress."""
    return f"progress-{lesson}"


def read_step(text, count):
    """The step index (0-based) that a link's `step=` text names, and a note when it is not one of 1..`count`.

    >>> read_step("2", 3), read_step("", 3)
    ((1, ''), (0, ''))
    >>> read_step("9", 3)
    (0, "step '9' is not a step of this lesson, which has steps 1 to 3; opened step 1")
    """
    if not text:
        return 0, ""
    if text.isdigit() and 1 <= int(text) <= count:
        return int(text) - 1, ""
    return 0, f"step {text[:20]!r} is not a step of this lesson, which has steps 1 to {count}; opened step 1"


class LessonPanel:
    """The open lesson of `page` (or none), its current step, and the progress kept in the browser."""

    def __init__(self, page):
        self.page = page
        self.progress = Progress({lesson: len(steps) for lesson, steps in STEPS.items()})
        self.pending = [note for note in [self.progress.read(page.load(SAVED_PROGRESS))] if note]
        self.lesson, self.step = None, 0
        self.held = False      # the learner came back to this step: it waits to be seen undone before moving on
        self.finished = False  # the last step's check passed
        self.missing = None    # what the current step's check said last (None: not checked yet)
        self.shown = None      # the region as last built
        self.linked = {}       # the lesson and step that `follow` last reported for the page's link
        self.actions = {"lesson-back": self.back, "lesson-skip": self.skip, "forget-lessons": self.forget}
        self.show_marks()
        self.show()

    def open_link(self, lesson, step_text):
        """A link opened: lesson `lesson` (a preset id, or None for a link that is no lesson) at step `step_text`
        (1-based, "" for the first). Returns notes on what could not be read."""
        notes, self.pending = self.pending, []
        self.lesson = lesson if lesson in STEPS else None
        if self.lesson is None:
            if step_text:
                notes.append(f"step {step_text[:20]!r} ignored: the link opens no lesson")
            self.show()
            return notes
        self.step, note = read_step(step_text, len(STEPS[lesson]))
        notes += [note] if note else []
        self.held = self.finished = False
        self.missing = None
        self.show()
        return notes

    def link_extras(self):
        """What the page's address adds while a lesson is open, so a copied link reopens the same step."""
        return {"preset": self.lesson, "step": str(self.step + 1)} if self.lesson else {}

    def follow(self, reading):
        """Check the current step against `reading` of the page: when it is done, mark it and move on (unless
        the learner came back to look at it). Returns True when the lesson or step shown changed since the last
        call, by itself or by Back and Skip: the page's link should say so."""
        if self.lesson is not None and not self.finished:
            self.missing = STEPS[self.lesson][self.step].check(reading)
            if self.missing:
                self.held = False
            elif not self.held:
                self.progress.mark(self.lesson, self.step + 1)
                self.page.save(SAVED_PROGRESS, self.progress.dump())
                self.show_marks()
                if self.step + 1 < len(STEPS[self.lesson]):
                    self.step, self.missing = self.step + 1, None
                else:
                    self.finished = True
            self.show()
        moved, self.linked = self.link_extras() != self.linked, self.link_extras()
        return moved

    def back(self):
        """Back: the step before, shown done or not as the page stands; it does not move on by itself until
        the learner has undone and redone it (or presses Skip)."""
        if self.lesson and self.step > 0:
            self.step, self.held, self.finished, self.missing = self.step - 1, True, False, None
            self.show()

    def skip(self):
        """Skip: the next step, without counting this one done."""
        if self.lesson and self.step + 1 < len(STEPS[self.lesson]):
            self.step, self.held, self.finished, self.missing = self.step + 1, False, False, None
            self.show()

    def forget(self):
        """Forget progress: every lesson's done steps go, here and in the browser."""
        self.progress.forget()
        self.page.save(SAVED_PROGRESS, self.progress.dump())
        self.show_marks()

    def show_marks(self):
        for lesson in STEPS:
            self.page.set_text(mark_id(lesson), self.progress.mark_of(lesson))
        self.page.set_attribute(FORGET, "hidden", not self.progress.done)

    def show(self):
        """Build the step region when what it says changed (hidden with no lesson open)."""
        region = self.region()
        if region == self.shown:
            return
        self.shown = region
        self.page.set_attribute(f"#{REGION}", "hidden", not region)
        self.page.build(REGION, region)

    def region(self):
        """The step region as `page.build` children: the step, its status, and Back and Skip."""
        if self.lesson is None:
            return []
        steps = STEPS[self.lesson]
        step = steps[self.step]
        if self.finished:
            status = f"Done: you finished \u201c{PRESETS[self.lesson].title}\u201d. Pick another lesson in Start here."
        elif self.missing is None:
            status = ""
        elif self.missing:
            status = f"Not yet: {self.missing}."
        else:
            status = "Done. Press Skip to go on." if self.held else "Done."
        first, last = self.step == 0, self.step + 1 == len(steps)
        return [
            ("p", {"class": "lesson-now"}, [("strong", {}, f"Step {self.step + 1} of {len(steps)}"),
                                            ("span", {}, f" \u00b7 {step.do} \u00b7 Notice: {step.notice}.")]),
            ("p", {"class": "lesson-status", "data-done": "true" if self.missing == "" else "false"}, status),
            ("div", {"class": "lesson-moves"}, [
                ("button", {"type": "button", "class": "secondary", "data-action": "lesson-back",
                            "disabled": first, "data-held": first}, "Back"),
                ("button", {"type": "button", "class": "secondary", "data-action": "lesson-skip",
                            "disabled": last, "data-held": last}, "Skip")]),
        ]
