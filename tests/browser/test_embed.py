"""The page embedded in a course page, in Chromium: in a cross-origin iframe of 800 x 500 it starts, fits without
scrolling, shows the core picture without the site's header, and leaves out what hide= names."""

HOST = """<!doctype html><title>A course page</title><h1>Lesson 3</h1>
<iframe id="demo" src="{src}" width="800" height="500" style="border: 0"></iframe>"""


def test_an_embedded_page_in_a_cross_origin_iframe_fits_and_hides_what_it_is_told(page, site_url, page_errors):
    page.set_viewport_size({"width": 1000, "height": 700})
    page.set_content(HOST.format(src=site_url + "#v=1&embed=1&hide=data,speed,loss"))  # about:blank: another origin
    frame = page.frame_locator("#demo")
    inner = page.frames[1]
    inner.wait_for_function("document.body.dataset.state === 'ready'", timeout=120_000)
    assert inner.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]") == [800, 500]
    assert not frame.locator(".site-header").is_visible() and not frame.locator(".rooms").is_visible()
    assert not frame.get_by_label("Speed", exact=True).is_visible()
    assert not frame.get_by_label("Loss", exact=True).is_visible()
    assert not frame.locator(".playground .data").is_visible()
    assert frame.get_by_label("Learning rate", exact=True).is_visible()
    iframe = page.locator("#demo").bounding_box()
    for name in ("Network", "Output"):
        box = frame.get_by_label(name, exact=True).bounding_box()
        assert box["width"] > 150 and box["height"] > 100, name
        assert iframe["y"] <= box["y"] and box["y"] + box["height"] <= iframe["y"] + 500, name  # inside the frame
    frame.get_by_role("button", name="Pause").click()
    frame.get_by_label("Learning rate", exact=True).select_option("0.1")
    inner.wait_for_function("document.querySelector('#note').textContent.startsWith('Changes in an embedded page')")
    assert page_errors == []
