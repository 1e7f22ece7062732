"""Embedding the page in a course page: embed=1 shows the core picture alone, hide= leaves out the parts a teacher
names, Copy embed code gives the iframe for what is on screen, and an embedded page keeps nothing in the browser
(the visitor's own saved work stays as they left it)."""
import html
import re

from app.playground.state import decode
from tests.app.fake_page import FakePage


def test_embed_and_hide_travel_in_the_link_and_mark_the_page(opened):
    playground, page = opened("#v=1&embed=1&hide=data,lr,features")
    assert playground.state.embed and playground.state.hide == ("data", "lr", "features")
    assert page.attributes["body"]["data-embed"] == "true"
    assert page.attributes["body"]["data-hide"] == "data lr features"  # one name a word, for CSS's ~=
    assert page.fragment == "v=1&embed=true&hide=data,lr,features"
    decoded = decode("#v=1&embed=1&hide=data,toolbar")
    assert decoded.notes == ["hidden parts 'data,toolbar' names 'toolbar', which is not one of data, start, rooms, "
                             "speed, lr, activation, regularization, reg_rate, problem, optimizer, loss, features, "
                             "layers, walkthrough, options; using nothing hidden"]


def test_copy_embed_code_gives_an_iframe_of_what_is_on_screen(opened):
    playground, page = opened("#v=1&dataset=spiral&hidden=8,8")
    playground.act("copy-embed")
    snippet = page.clipboard
    match = re.fullmatch(r'<iframe src="([^"]+)" width="800" height="500" style="border: 0" '
                         r'title="gradcanvas: a neural network learning, live" loading="lazy"></iframe>', snippet)
    assert match, snippet
    src = html.unescape(match[1])
    assert src.startswith(page.page_url() + "#")
    embedded = decode(src.split("#", 1)[1])
    assert embedded.notes == [] and embedded.state.embed
    assert (embedded.state.dataset, embedded.state.hidden) == ("spiral", (8, 8))
    assert page.texts["capture-status"] == f"Embed code copied: {snippet}"
    assert not playground.state.embed  # the page itself stays as it is


def test_an_embedded_page_keeps_nothing_in_the_browser_and_says_so_once(opened):
    page = FakePage()
    page.storage = {"gradcanvas:settings": "v=1&dataset=xor", "gradcanvas:code": "print('mine')"}
    playground, page = opened("#v=1&embed=1", page=page)
    playground.change("lr", "0.1")
    assert page.texts["note"].startswith("Changes in an embedded page are not kept")
    page.type_code("print('changed here')")
    playground.act("run-code")
    assert page.storage == {"gradcanvas:settings": "v=1&dataset=xor", "gradcanvas:code": "print('mine')"}
    playground.messages.clear()
    playground.change("lr", "0.3")
    assert page.texts["note"] == ""  # said once
    mine, mine_page = opened("", page=FakePage())
    mine_page.storage = {}
    mine.change("lr", "0.1")
    assert mine_page.storage["gradcanvas:settings"] == "v=1&lr=0.1"  # the page itself keeps your changes


def test_a_browser_that_keeps_nothing_is_no_error_and_the_page_says_work_is_not_kept(opened):
    page = FakePage()
    page.storage_blocked = True
    playground, page = opened("", page=page)
    playground.change("lr", "0.1")
    assert playground.state.lr == 0.1 and page.storage == {}
    assert page.texts["note"] == ("This browser does not let the page keep your work (its storage is blocked "
                                  "here): Copy link keeps it in a link.")
    playground.messages.clear()
    playground.change("lr", "0.3")
    assert page.texts["note"] == ""  # said once
