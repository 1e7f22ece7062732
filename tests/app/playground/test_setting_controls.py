"""A setting shows in its controls; the problem type and the open room also mark the body for the stylesheet."""
from tests.app.fake_page import FakePage

from app.playground.setting_controls import show_setting


def test_the_problem_type_and_the_room_mark_the_body_and_other_settings_do_not():
    page = FakePage()
    show_setting(page, "problem", "regression")
    show_setting(page, "lr", "0.03")
    show_setting(page, "room", "code")
    assert page.controls == {"problem": "regression", "lr": "0.03", "room": "code"}
    assert page.attributes == {"body": {"data-problem": "regression", "data-room": "code"}}
