"""The digits lab's step control for a trace (digit_traces.py): while the Model menu's choice is a trace, the
Digits trace step slider chooses the step whose network every view shows, "step k of N" says where it is, and the
training curves' canvas shows the trace's loss per step with that step marked. It is hidden for other networks.
"""
from app.digits.digit_traces import OpenedTrace
from app.digits.training_view import paint_trace_loss
from app.traces.stepping import describe_step

STEP = "digit-trace-step"  # the slider; #digit-trace holds it, its "step k of N" and its status line


class TracePanel:
    """The slider, its words and the curves of the trace shown, on `page`; the lab calls `show` when the Model
    menu's choice changes and `seek` when the slider moves."""

    def __init__(self, page, theme):
        self.page, self.theme = page, theme
        self.canvas = page.canvas("digit-training")  # the training panel's, lent while a trace is shown
        self.lent = False

    def show(self, network):
        """Show the step control and the loss of `network` when it is a trace, else hide them. True when a trace
        was shown until now: the curves' canvas is the training panel's to paint again."""
        trace = isinstance(network, OpenedTrace)
        self.page.set_attribute("#digit-trace", "hidden", not trace)
        if trace:
            self.page.set_attribute(f"#{STEP}", "max", str(network.trace.count))  # before the value, which it clamps
            self.show_step(network)
        given_back, self.lent = self.lent and not trace, trace
        return given_back

    def seek(self, network, value):
        """The slider moved to step `value`: the trace's network as it stood then, as (model, meta, origin) for the
        lab to show; None when `network` is not a trace."""
        if not isinstance(network, OpenedTrace):
            return None
        network.seek(int(float(value)))
        self.show_step(network)
        return network.model, network.meta, network.origin

    def show_step(self, network):
        trace, step = network.trace, network.position
        self.page.set_value(STEP, str(step))
        self.page.set_text("digit-trace-position", f"step {step} of {trace.count}")
        self.page.set_text("digit-trace-status", describe_step(trace, step, network.name))
        self.canvas.fit()
        paint_trace_loss(self.canvas.context, self.page.polyline, trace.loss, step, self.canvas.width,
                         self.canvas.height, self.theme)
