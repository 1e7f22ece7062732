"""Files in and out: fetched from the site, chosen or dropped by the user, and offered as downloads."""
import asyncio

import js
from pyodide.ffi import create_once_callable, to_js

from .elements import _make


def fetch_text(url, on_text, on_error):
    """Fetch `url` (relative to the page) and call `on_text(text)`, or `on_error(reason)` in plain words."""
    async def fetch():
        try:
            data = await fetch_bytes(url)
        except Exception as error:  # a network failure reaches Python as a JS error of any kind
            on_error(str(error))
            return
        on_text(data.decode("utf-8", errors="replace"))
    asyncio.ensure_future(fetch())


async def fetch_bytes(url):
    """The bytes at `url` (relative to the page); a failed download raises, naming the address."""
    try:
        response = await js.fetch(url)
    except Exception as error:  # offline, blocked, or a malformed address
        raise RuntimeError(f"could not download {url}: {error}") from None
    if not response.ok:
        raise RuntimeError(f"could not download {url}: HTTP {response.status}")
    return (await response.arrayBuffer()).to_py().tobytes()


def _open_first(files, handler):
    """Hand the first of `files` (a FileList, or None) to `handler(name, bytes)` once it has been read."""
    if not files or not files.length:
        return
    file = files.item(0)

    async def read():
        handler(file.name, (await file.arrayBuffer()).to_py().tobytes())
    asyncio.ensure_future(read())


def download(filename, data, mime=None):
    """Offer `data` (text or bytes) to the user as a downloaded file called `filename`."""
    text = isinstance(data, str)
    part = data if text else to_js(memoryview(data))
    mime = mime or ("application/json" if text else "application/octet-stream")
    blob = js.Blob.new(js.Array.of(part), to_js({"type": mime}, dict_converter=js.Object.fromEntries))
    url = js.URL.createObjectURL(blob)
    link = _make(("a", {"href": url, "download": filename}, ""))
    js.document.body.append(link)
    link.click()
    link.remove()
    js.setTimeout(create_once_callable(lambda: js.URL.revokeObjectURL(url)), 10_000)
