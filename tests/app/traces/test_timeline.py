"""The trace timeline shows while a trace replays, at its step, and hides with the way back when it ends."""
from tests.app.fake_page import FakePage
from tests.app.traces.reading import shown_replay

from app.traces.timeline import show_replay

LEAVE = '[data-action="leave-replay"]'


def test_the_timeline_shows_the_step_of_the_trace_and_hides_when_live():
    page = FakePage()
    assert shown_replay(page) is None
    show_replay(page, 250, 30)
    assert shown_replay(page) == (250, 30) and page.attribute(LEAVE, "hidden") is None
    assert page.texts["trace-position"] == "30 / 250"
    show_replay(page, None, 0)
    assert shown_replay(page) is None and page.attribute(LEAVE, "hidden") == ""
    assert page.attribute("#trace-replay", "hidden") == ""
