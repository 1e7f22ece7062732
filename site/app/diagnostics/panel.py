"""The Diagnostics panel: the alerts, the per-layer table, histograms and timeline painted from the run's
Monitor, when it was last painted and which measurement it shows, and the gradient check in words.
"""
import math

from app.diagnostics.gradient_check import check_gradients
from app.diagnostics.monitor import layer_name
from app.diagnostics.view import HEADER, paint_histograms, paint_timeline, table_rows
from app.playground.summary import NO_POINTS
from app.shared.frames import SLOW_PANELS_MS


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
        self.page.show_list("alerts", [f"{alert.message} {alert.fix}" for alert in stats.alerts] if stats else [])
        self.page.show_table("layer-stats", HEADER, table_rows(stats, names) if stats else [])
        if stats is not None:
            paint_histograms(self.histograms.context, self.page.path, stats, names, self.histograms.width,
                             self.histograms.height, theme)
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
