"""The Diagnostics panel: the alerts, the per-layer table, histograms and timeline painted from the run's
Monitor, when it was last painted and which measurement it shows, and the gradient check in words. The
table says what healthy looks like under each heading and marks a value outside it in words.
"""
import math
from typing import NamedTuple

from app.diagnostics.gradient_check import check_gradients
from app.diagnostics.histograms import ACTIVATION_RANGES, GRADIENT_DECADES, WEIGHT_RANGE
from app.diagnostics.monitor import DEAD_SHARE, SATURATED_SHARE, layer_name
from app.diagnostics.view import paint_histograms, paint_timeline
from app.lessons.steps import lesson_explaining
from app.playground.summary import NO_POINTS
from app.shared.frames import SLOW_PANELS_MS


class Column(NamedTuple):
    """A column of the per-layer table: its title and what a healthy value looks like, in words."""

    title: str
    healthy: str


# The update ratio's rule of thumb (Karpathy, CS231n): weights moving about a thousandth of their size a step.
HEALTHY_UPDATE_RATIO = (1e-4, 1e-2)
COLUMNS = (Column("Layer", ""),
           Column("\u2016dL/dW\u2016", "healthy: within 1,000\u00d7 of the output layer's, not growing"),
           Column("mean dL/dW", "compare the layers"),
           Column("std dL/dW", "compare the layers"),
           Column("update / weight", "healthy: about 0.001 (0.0001 to 0.01)"),
           Column("dead", f"healthy: 0\u2013{DEAD_SHARE:.0%}"),
           Column("saturated", f"healthy: 0\u2013{SATURATED_SHARE:.0%}"))


def table_rows(stats, layer_names):
    """The per-layer table: one row per layer, the COLUMNS, each cell (text, verdict) with verdict "" when
    healthy, else "low" or "high". A gradient norm is judged by the monitor's own alerts (vanishing,
    exploding), so the table and the warnings agree.

    >>> import numpy as np
    >>> from app.diagnostics.monitor import EpochStats
    >>> stats = EpochStats(1, 0.5, np.array([[0.0, 0.1, -1, 1, 2.0]]), None, np.array([0.05]), np.array([0.0]),
    ...                    np.array([0.75]), None, None, None, None, (), None)
    >>> table_rows(stats, ["the output layer"])[0][4:]
    (('0.05', 'high'), ('0%', ''), ('75%', 'high'))
    """
    flagged = {alert.kind: set(alert.layers) for alert in stats.alerts}
    low, high = HEALTHY_UPDATE_RATIO
    rows = []
    for row, name in enumerate(layer_names):
        mean, std, _, _, norm = stats.weight_gradient[row]
        ratio = stats.update_ratio[row]
        rows.append(((name, ""),
                     (f"{norm:.3g}", "low" if row in flagged.get("vanishing", ()) else
                      "high" if row in flagged.get("exploding", ()) else ""),
                     (f"{mean:.2g}", ""), (f"{std:.2g}", ""),
                     (f"{ratio:.2g}", "low" if ratio < low else "high" if ratio > high else ""),
                     (f"{100 * stats.dead[row]:.0f}%", "high" if stats.dead[row] > DEAD_SHARE else ""),
                     (f"{100 * stats.saturated[row]:.0f}%", "high" if stats.saturated[row] > SATURATED_SHARE else "")))
    return rows


def table_elements(rows):
    """The table as `page.build` children: each heading with its healthy range under it, and each cell
    outside it marked by the class "unhealthy" and the words "too low" or "too high" (not colour alone)."""
    header = ("tr", {}, [("th", {"scope": "col"}, [("span", {}, title)] + ([("small", {}, healthy)] if healthy else []))
                         for title, healthy in COLUMNS])
    return [header] + [("tr", {}, [cell(text, verdict) for text, verdict in row]) for row in rows]


def alert_item(alert):
    """An alert as a list item: what is wrong and what to try, then a link to the lesson that explains it."""
    said = ("span", {}, f"{alert.message} {alert.fix}")
    lesson = lesson_explaining(alert.kind)
    if lesson is None:
        return ("li", {}, [said])
    lesson_id, title = lesson
    return ("li", {}, [said, ("span", {}, " See the lesson "), ("a", {"href": f"#preset={lesson_id}"}, title),
                       ("span", {}, ".")])


def cell(text, verdict):
    """One table cell; an unhealthy one says which way it is off."""
    if not verdict:
        return ("td", {}, text)
    return ("td", {"class": "unhealthy"}, [("span", {}, text), ("small", {}, f" too {verdict}")])


class DiagnosticsPanel:
    """The "histograms" and "timeline" canvases of `page`, with its alerts and "layer-stats" table."""

    def __init__(self, page):
        self.page = page
        self.histograms, self.timeline = page.canvas("histograms"), page.canvas("timeline")
        self.painted_at = -math.inf  # when it was last painted
        self.shown = False           # the monitor's `latest` it shows (False: nothing of this run yet)

    def use_run(self):
        """A new run: its panel is painted at the next chance, even empty, and the old check is gone."""
        self.painted_at, self.shown = -math.inf, False
        self.page.set_text("gradient-check", "")

    def due(self, monitor, timestamp_ms, playing, graph_painted):
        """Whether to paint the `monitor`'s measurement now, when it is not shown yet: at once while paused;
        while training, at most every SLOW_PANELS_MS and never in a frame that `graph_painted`. The two slow
        panels take turns: each costs about half a frame, and together they made one frame in thirty twice as
        long as the rest (a visible hitch twice a second)."""
        if monitor.latest is self.shown:
            return False
        return not playing or (timestamp_ms - self.painted_at >= SLOW_PANELS_MS and not graph_painted)

    def paint(self, monitor, theme, timestamp_ms):
        """Warnings with their fixes, the per-layer table, histograms and timeline, as `monitor` measured."""
        self.painted_at, self.shown = timestamp_ms, monitor.latest
        self.histograms.fit()
        self.timeline.fit()
        stats = monitor.latest
        names = [layer_name(row, monitor.layers) for row in range(monitor.layers)]
        self.page.build("alerts", [alert_item(alert) for alert in stats.alerts] if stats else [])
        self.page.build("layer-stats", table_elements(table_rows(stats, names) if stats else []))
        if stats is not None:
            ranges = (WEIGHT_RANGE, GRADIENT_DECADES, [ACTIVATION_RANGES[name] for name in monitor.activations])
            paint_histograms(self.histograms.context, self.page.path, stats, names, ranges,
                             self.histograms.width, self.histograms.height, theme)
        paint_timeline(self.timeline.context, self.page.polyline, monitor.timeline, names, self.timeline.width,
                       self.timeline.height, theme)

    def check_gradients(self, run):
        """Check Gradients: the engine's gradients against finite differences on the current network, in words."""
        self.page.set_text("gradient-check", describe_gradient_check(run))


def describe_gradient_check(run):
    """Compare the engine's gradients with finite differences on `run`'s network, in words."""
    if not len(run.inputs_train):
        return "There is no loss to check gradients on without points. " + NO_POINTS
    check = check_gradients(run)
    verdict = "they agree" if check.largest < 1e-5 else "they DISAGREE: a gradient is wrong"
    return (f"Largest relative error between the engine's gradients and central differences: "
            f"{check.largest:.1e}; {verdict}.")
