"""The page's events reach the playground as the calls it expects, with plain values."""
import pytest
from tests.app.fake_page import FakePage

from app.playground import events


class Heard(list):
    """The calls the playground heard, in order; `page` is the page that heard the user."""

    def __init__(self):
        super().__init__()
        self.page = FakePage()

    def callback(self, name, answer=None):
        return lambda *args: (self.append((name, *args)), answer)[1]


@pytest.fixture
def heard():
    heard = Heard()
    events.bind(heard.page, heard.callback("act"), heard.callback("change"), heard.callback("pointer"),
                heard.callback("key", answer=True), heard.callback("open_link"), heard.callback("open_file"))
    return heard


def test_buttons_settings_files_and_links_anywhere_on_the_page(heard):
    heard.page.fire(None, "action", "add-neuron", 1)
    heard.page.fire(None, "setting", "layer_activation", (1, "relu"))
    heard.page.fire(None, "file", "run.json", b"{}")
    heard.page.fire(None, "link", "preset=spiral")
    assert heard == [("act", "add-neuron", 1), ("change", "layer_activation", (1, "relu")),
                     ("open_file", "run.json", b"{}"), ("open_link", "preset=spiral")]


def test_the_canvases_hear_the_pointer_and_keys_and_losing_focus_is_leaving(heard):
    for canvas in events.CANVASES:
        heard.page.fire(canvas, "move", 10.0, 20.0, True)
        heard.page.fire(canvas, "click", 10.0, 20.0, False)
        assert heard.page.fire(canvas, "key", "ArrowRight", False) is True  # used: the page does not scroll
        heard.page.fire(canvas, "blur")
    assert heard[-4:] == [("pointer", "graph", "move", 10.0, 20.0, True), ("pointer", "graph", "click", 10.0, 20.0, False),
                          ("key", "graph", "ArrowRight", False), ("pointer", "graph", "leave", 0, 0)]
    assert len(heard) == 4 * len(events.CANVASES)


def test_the_graph_is_dragged_zoomed_and_reset(heard):
    heard.page.fire("graph", "drag", 50.0, 40.0, 5.0, -2.0)
    heard.page.fire("graph", "wheel", 50.0, 40.0, -120.0)
    heard.page.fire("graph", "dblclick", 50.0, 40.0, False)
    assert heard == [("pointer", "graph", "drag", 50.0, 40.0, False, (5.0, -2.0)),
                     ("pointer", "graph", "wheel", 50.0, 40.0, False, -120.0),
                     ("pointer", "graph", "dblclick", 50.0, 40.0)]
    with pytest.raises(LookupError):
        heard.page.fire("network", "drag", 1.0, 1.0, 1.0, 1.0)  # only the graph is dragged
