"""The notes list shows what could not be taken as asked, and hides when there is nothing to say."""
from tests.app.fake_page import FakePage

from app.playground.notes import show_notes


def test_notes_are_listed_and_the_list_hides_when_empty():
    page = FakePage()
    show_notes(page, ["point 3 skipped: 'oops' is not a number"])
    assert page.lists["notes"] == ["point 3 skipped: 'oops' is not a number"]
    assert page.attribute("#notes", "hidden") is None
    show_notes(page, iter([]))
    assert page.lists["notes"] == [] and page.attribute("#notes", "hidden") == ""
