"""The Race room on the page: which setting B changes and to what, Start the race / Stop the race, run A's and
run B's Output planes side by side with their numbers, and one chart of both runs' losses.

The race is rebuilt from the settings whenever they change (a race compares two runs of one setup, so a new
setup is a new race, stopped at epoch 0), trains while it runs, one epoch of each run per frame, and is painted
while its room is open (and once when it is set up, so its canvases are never blank).
"""
from dataclasses import replace

import numpy as np

from app.playground import plane
from app.playground.output_view import paint_output, paint_points, point_colours
from app.playground.pictures import output_image
from app.playground.state import RACEABLE, ROOMS
from app.race.race import KINDS, LABELS, Race, change_words, changed_setting, next_value
from app.race.view import paint_race_curves
from app.shared.frames import SLOW_PANELS_MS

SHOWN_ONLY = {"room": ROOMS[0], "speed": "max", "show_test": False, "discretize": False, "embed": False,
              "hide": ()}  # not part of a run


class RacePanel:
    """The "race-a", "race-b" and "race-curves" canvases of `page`, with the Race room's controls and words."""

    def __init__(self, page):
        self.page = page
        self.planes = [page.canvas("race-a"), page.canvas("race-b")]
        self.curves = page.canvas("race-curves")
        self.heatmaps, self.points = [page.pixels(), page.pixels()], [page.pixels(), page.pixels()]
        self.race, self.setup, self.racing = None, None, False
        self.painted_at = -SLOW_PANELS_MS
        self.stale = True  # the race changed since it was last painted
        page.build("race-setting", [("option", {"value": name}, LABELS[name].capitalize()) for name, _ in RACEABLE])

    # ---- what the learner chooses ---------------------------------------------------------------------------
    def use_state(self, state):
        """The settings changed: a new setup (anything but what is only shown) is a new race, stopped."""
        setup = replace(state, **SHOWN_ONLY)
        if setup == self.setup:
            return
        self.setup, self.race, self.stale = setup, Race(state), True
        # Each plane's grid, as the Output plane's for a network this size (two forward passes each paint).
        self.resolution = plane.grid_resolution(sum(state.hidden))
        self.grid = plane.plane_grid(self.resolution)
        self.set_racing(False)
        name, value = changed_setting(state)
        self.page.set_control("race_setting", name)
        self.page.build("race-value", [("option", {"value": KINDS[name].write(option)}, KINDS[name].write(option))
                                       for option in KINDS[name].options])
        self.page.set_control("race_value", KINDS[name].write(value))
        self.page.set_text("race-what", f"B changes {change_words(state)}.")

    @staticmethod
    def change_to(name, state):
        """The `race` setting for a race on setting `name`, from the choice after A's (see `next_value`)."""
        if name not in KINDS:
            return state.race
        return f"{name}:{KINDS[name].write(next_value(name, state))}"

    @staticmethod
    def value_to(value, state):
        """The `race` setting with B's value of the setting raced now set to `value`."""
        return f"{changed_setting(state)[0]}:{value}"

    def toggle(self):
        """Start the race / Stop the race; True when it starts."""
        self.set_racing(not self.racing)
        return self.racing

    def set_racing(self, racing):
        self.racing = racing
        self.page.set_text("race-toggle", "Stop the race" if racing else "Start the race")

    # ---- each frame ---------------------------------------------------------------------------------------
    def frame(self, timestamp_ms, shown, theme):
        """Race on an epoch while racing; paint when the room is `shown` and something changed (at most every
        SLOW_PANELS_MS while racing), or when a new race was set up."""
        if self.race is None:
            return
        if self.racing:
            self.stale = True
            if not self.race.advance():
                self.set_racing(False)
        due = timestamp_ms - self.painted_at >= SLOW_PANELS_MS or not self.racing
        if self.stale and (shown and due or self.painted_at < 0):
            self.paint(timestamp_ms, theme)

    def paint(self, timestamp_ms, theme):
        """Both planes, their numbers and the chart, as the race stands."""
        self.painted_at, self.stale = timestamp_ms, False
        for index, run in enumerate(self.race.runs):
            canvas = self.planes[index]
            canvas.fit()
            self.heatmaps[index].put(output_image(run, run.layer_outputs(self.grid)[-1], self.resolution, theme))
            layer = self.points[index]
            layer.fit(canvas.width, canvas.height, canvas.pixel_ratio)
            colours = lambda labels: point_colours(labels, run.regression, run.classes, theme)
            paint_points(layer.context, canvas.width, canvas.height, (run.X_train, colours(run.y_train)),
                         (run.X_test, colours(run.y_test)), theme)
            paint_output(canvas.context, self.heatmaps[index].element, layer.element, canvas.width, canvas.height, theme)
            self.page.set_text(f"race-{'ab'[index]}-numbers", self.numbers(index))
        self.curves.fit()
        paint_race_curves(self.curves.context, self.page.polyline, [history_array(run) for run in self.race.runs],
                          self.curves.width, self.curves.height, theme)

    def numbers(self, index):
        """A run's name, what makes it B, and where it stands: "B, learning rate 0.3: epoch 40, …"."""
        run, name = self.race.runs[index], "A, the controls' setup" if index == 0 else f"B, {change_words(self.setup)}"
        words = f"{name}: epoch {run.epoch}"
        if run.history:
            train, test, _, test_accuracy = run.history[-1]
            words += f", training loss {train:.3f}, test loss {test:.3f}"
            if not run.regression:
                words += f", test accuracy {100 * test_accuracy:.1f}%"
        stopped = self.race.stopped[index]
        return f"{words} ({stopped})." if stopped else f"{words}."


def history_array(run):
    """A run's training and test losses per epoch, (epochs, 2)."""
    return np.array([row[:2] for row in run.history], dtype=np.float64).reshape(-1, 2)
