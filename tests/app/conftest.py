"""Fixtures for the app's tests: the playground opened at a link on a fake page, as a visitor opens it."""
import pytest
from tests.app.fake_page import FakePage

from app.playground.controller import Playground


@pytest.fixture
def opened():
    """`opened(fragment, page=None, **page_options)` opens the playground at the link `fragment` on `page` (a
    fresh FakePage made with `page_options` by default), paints it once, and returns (playground, page)."""
    def open_link(fragment="", page=None, **page_options):
        page = page or FakePage(**page_options)
        playground = Playground(page, fragment)
        playground.paint(0.0)
        return playground, page
    return open_link
