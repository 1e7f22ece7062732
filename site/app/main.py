"""Starts the playground: builds it from the page's link, binds the controls, paints the first frame, opens
the digits lab below it, marks the page ready, and from then on trains one epoch per animation frame.

Files and links meet both: a file dropped on the page goes to the lab, which keeps models for digits and
hands the rest (weights for the plane, traces) to the playground, and the room where it shows opens (see
`Playground.show_digits_model` and `open_file`); a link's `model=` is the lab's to open, and so is its `trace=`
when the trace's network is for digits (the playground fetches it, and replays any other).
"""
import asyncio
import time

from app import browser
from app.digits import digit_traces
from app.digits import lab as digits_lab
from app.shared.frames import FrameLoop
from app.playground.controller import Playground
from app.playground import events as playground_events

SUMMARY_EVERY_MS = 1000  # screen readers hear the summary at most this often


async def start():
    digits = None
    linked_traces = []  # (URL, text) of #trace= links' traces of networks for digits, for the lab once it is up

    def take_trace(url, text):
        """A #trace= link's trace, fetched by the playground: the lab's when its network is for digits."""
        if not digit_traces.for_digits(text):
            return False
        linked_traces.append((url, text))
        open_linked_traces()
        return True

    def open_linked_traces():
        while digits is not None and linked_traces:
            url, text = linked_traces.pop(0)
            digits.open_model(digit_traces.link_name(url), text, origin=f"from {url}")

    playground = Playground(browser, browser.read_fragment(), take_trace)

    def open_file(name, data):
        """A file dropped on the page, or chosen in the Traces room."""
        if digits is None:  # the lab is not up (yet): the playground opens what it can
            playground.open_file(name, data)
        else:
            digits.open_model(name, data, dropped=True)

    def open_link(fragment):
        playground.open_link(fragment)
        open_linked_model()

    def open_linked_model():
        if digits is not None and "model" in playground.extras:
            asyncio.ensure_future(digits.open_link_model(playground.extras["model"]))

    playground_events.bind(browser, playground.act, playground.change, playground.pointer, playground.key,
                           open_link, open_file)
    browser.expose("playground", playground)
    playground.paint(0.0)
    try:
        digits = await digits_lab.start(browser, playground.state.digits_model,
                                        choose=playground.show_digits_model,
                                        hand_over=playground.open_file)
        browser.expose("digits", digits)
        open_linked_model()
        open_linked_traces()
    except Exception as error:  # the playground works without the lab: say what failed, in the lab
        browser.set_text("digit-message", f"The digits lab could not start: {type(error).__name__}: {error}")
    browser.set_ready()
    last_summary = [-SUMMARY_EVERY_MS]

    def on_frame(timestamp_ms):
        started = time.perf_counter()
        try:
            playground.frame(timestamp_ms)
            if digits is not None:  # the lab's Model menu is a setting of the link, which the playground keeps
                digits.follow(playground.state.digits_model)
            if timestamp_ms - last_summary[0] >= SUMMARY_EVERY_MS:
                last_summary[0] = timestamp_ms
                browser.set_text("network-summary", playground.summary(timestamp_ms))
        except Exception as error:
            browser.fail(f"The playground stopped: {type(error).__name__}: {error}")
            raise
        browser.record_frame_time((time.perf_counter() - started) * 1000)

    loop = FrameLoop(browser.AnimationFrames, on_frame)
    loop.play()
    return loop
