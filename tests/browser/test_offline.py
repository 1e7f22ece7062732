"""The offline copy in Chromium: a first visit that starts keeps the site, Pyodide and numpy; with the network gone,
a reload starts from that copy, says it runs without a network, and trains."""


def test_a_second_visit_with_no_network_starts_from_the_copy_and_trains(open_site, page, page_errors):
    open_site()
    page.wait_for_function("document.body.dataset.offline === 'kept'", timeout=60_000)
    assert page.is_hidden("#offline-note")
    cached = page.evaluate("""async () => {
        const names = await caches.keys();
        const cache = await caches.open(names.find((name) => name.startsWith('gradcanvas-')));
        return (await cache.keys()).map((request) => request.url);
    }""")
    assert any(url.endswith("/pyodide/pyodide.asm.wasm") for url in cached)
    assert any("/pyodide/numpy" in url and url.endswith(".whl") for url in cached)
    assert any(url.endswith("/app.zip") for url in cached)
    page.context.set_offline(True)
    try:
        page.reload()
        page.wait_for_function("document.body.dataset.state !== 'loading'", timeout=120_000)
        assert page.evaluate("document.body.dataset.state") == "ready", page.text_content("#boot-error-message")
        assert page.is_visible("#offline-note")
        page.wait_for_function("Number(document.querySelector('#epoch').textContent) > 5")  # it loads playing
    finally:
        page.context.set_offline(False)
    assert page_errors == []
