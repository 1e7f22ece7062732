"""While a clip records, its button shows pressed and the other kind cannot start."""
from tests.app.capture.reading import shown_clip
from tests.app.fake_page import FakePage

from app.capture.buttons import show_clip

RECORD, SAVE_GIF = '[data-action="record"]', '[data-action="save-gif"]'


def disabled(page):
    return [button for button in (RECORD, SAVE_GIF) if page.attribute(button, "disabled") is not None]


def test_the_recording_button_is_pressed_and_the_other_disabled_until_it_ends():
    page = FakePage()
    show_clip(page, "video")
    assert shown_clip(page) == "video" and page.attribute(SAVE_GIF, "aria-pressed") == "false"
    assert disabled(page) == [SAVE_GIF]
    show_clip(page, None)
    assert shown_clip(page) is None and disabled(page) == []
    assert page.attribute(RECORD, "aria-pressed") == page.attribute(SAVE_GIF, "aria-pressed") == "false"
    show_clip(page, "gif")
    assert shown_clip(page) == "gif" and disabled(page) == [RECORD]
