"""Pictures and video out of the page: Save image, Record and Save GIF, pressed by their names, checked in
the files they download."""
import base64
import struct
import zlib
from pathlib import Path

import numpy as np
from tests.browser.media_files import PNG_SIGNATURE, read_gif, read_png, webm_doc_type

GAP, LINE = 12, 18  # CSS pixels around the pictured canvases, and per caption line (site/capture.js)

CANVAS_SIZES = """() => Object.fromEntries(["network", "output"].map((id) => {
  const c = document.getElementById(id);
  return [id, { width: c.width, height: c.height, cssWidth: c.clientWidth, cssHeight: c.clientHeight }];
}))"""
CANVAS_PIXELS = """(c) => {
  const bytes = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}"""
# Plays a downloaded video in the page: its size, and its length once the player has read to the end
# (MediaRecorder's WebM states no duration in its header, so the player has to seek to find it).
PLAY_VIDEO = """async (encoded) => {
  const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
  const video = document.createElement("video");
  video.muted = true;
  video.src = URL.createObjectURL(new Blob([bytes], { type: "video/webm" }));
  await new Promise((resolve, reject) => { video.onloadedmetadata = resolve; video.onerror = () => reject(video.error.message); });
  if (!Number.isFinite(video.duration)) {
    video.currentTime = 1e9;
    await new Promise((resolve) => { video.ondurationchange = resolve; setTimeout(resolve, 5000); });
  }
  return [video.videoWidth, video.videoHeight, video.duration];
}"""


def epoch(page):
    return int(page.text_content("#epoch"))


def canvas_pixels(page, name):
    canvas = page.get_by_label(name, exact=True)
    size = page.evaluate(CANVAS_SIZES)[name.lower()]
    data = base64.b64decode(canvas.evaluate(CANVAS_PIXELS))
    return np.frombuffer(data, np.uint8).reshape(size["height"], size["width"], 4)


def save_image(page):
    with page.expect_download() as download:
        page.get_by_role("button", name="Save image", exact=True).click()
    return download.value.suggested_filename, Path(download.value.path()).read_bytes()


def ink_rows(caption):
    """Which rows of the caption strip have text on them (pixels far from its background)."""
    distance = np.abs(caption[..., :3].astype(int) - caption[0, 0, :3].astype(int)).sum(axis=2)
    return (distance > 120).sum(axis=1) > 0


def test_save_image_is_the_network_and_the_output_at_screen_density_with_the_settings_under_them(
        open_site, page, page_errors):
    page.emulate_media(reduced_motion="reduce")  # the drawn input holds still, so a paused page holds still
    open_site()
    page.wait_for_function("Number(document.querySelector('#epoch').textContent) >= 60")
    page.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(300)  # the frame after the click has painted
    sizes = page.evaluate(CANVAS_SIZES)
    network, output = sizes["network"], sizes["output"]
    assert network["width"] == network["cssWidth"] and output["width"] == output["cssWidth"]  # a 1x screen

    name, data = save_image(page)
    assert name == f"gradcanvas-circle-2-4-2-1-epoch-{epoch(page)}.png"
    image = read_png(data)
    height, width = image.shape[:2]
    assert width == 3 * GAP + network["width"] + output["width"]
    top = GAP + max(network["height"], output["height"]) + GAP
    assert height == top + 2 * LINE + GAP  # two caption lines: the settings, then the progress
    assert page.text_content("#capture-status") == f"Saved {name}: {width} \u00d7 {height} pixels."

    # The canvases' own pixels, unchanged, side by side.
    left = image[GAP:GAP + network["height"], GAP:GAP + network["width"]]
    assert np.array_equal(left, canvas_pixels(page, "Network"))
    x = 2 * GAP + network["width"]
    plane = image[GAP:GAP + output["height"], x:x + output["width"]]
    assert np.array_equal(plane, canvas_pixels(page, "Output"))
    red, blue = plane[..., 0].astype(int), plane[..., 2].astype(int)
    assert (red > blue + 60).mean() > 0.2 and (blue > red + 40).mean() > 0.1  # the circle: orange around blue

    # Two lines of text under them, in two bands.
    rows = ink_rows(image[top:])
    assert rows[:LINE].sum() >= 6 and rows[LINE:2 * LINE].sum() >= 6 and not rows[2 * LINE:].any()

    # 2x: the same picture drawn again at twice the pixels (not enlarged), then the page is back at 1x.
    page.get_by_label("2x").check()
    name_2x, data_2x = save_image(page)
    assert name_2x == name
    double = read_png(data_2x)
    assert double.shape[:2] == (2 * height, 2 * width)
    assert page.evaluate(CANVAS_SIZES) == sizes
    gap_2x, x_2x = 2 * GAP, 2 * x
    plane_2x = double[gap_2x:gap_2x + 2 * output["height"], x_2x:x_2x + 2 * output["width"], :3].astype(float)
    shrunk = plane_2x.reshape(output["height"], 2, output["width"], 2, 3).mean(axis=(1, 3))
    assert np.abs(shrunk - plane[..., :3]).mean() < 6
    # Drawn again, not enlarged: an enlargement keeps the share of fully dark pixels (the cores of text and
    # lines) or blurs it lower, while strokes drawn with twice the pixels have more solid core.
    network_2x = double[gap_2x:gap_2x + 2 * network["height"], gap_2x:gap_2x + 2 * network["width"], :3]
    solid_share = lambda image: (image.astype(float).mean(axis=2) < 60).mean()
    assert solid_share(network_2x) > 1.3 * solid_share(left[..., :3]) > 0
    assert page_errors == []


def test_record_makes_a_webm_of_the_playground_that_a_browser_plays(open_site, page_errors):
    page = open_site()
    record = page.get_by_role("button", name="Record", exact=True)
    record.click()
    assert record.get_attribute("aria-pressed") == "true"
    assert page.get_by_role("button", name="Save GIF").is_disabled()  # one clip at a time
    page.wait_for_function("document.querySelector('#capture-status').textContent.includes('2 s of 30 s')")
    with page.expect_download() as download:
        record.click()  # the same button stops it
    assert record.get_attribute("aria-pressed") == "false" and page.get_by_role("button", name="Save GIF").is_enabled()
    assert download.value.suggested_filename.endswith(".webm")
    data = Path(download.value.path()).read_bytes()
    assert webm_doc_type(data) == "webm" and len(data) > 5_000
    # A browser plays it back, at the size of the picture (made even for the encoder).
    sizes = page.evaluate(CANVAS_SIZES)
    width, height, duration = page.evaluate(PLAY_VIDEO, base64.b64encode(data).decode())
    picture_width = 3 * GAP + sizes["network"]["width"] + sizes["output"]["width"]
    assert width == picture_width - picture_width % 2
    assert height >= 3 * GAP + sizes["network"]["height"] + 2 * LINE - 1
    # More than one frame. Not "2 s": on a loaded machine Chromium's canvas capture drops frames and the
    # video can come out shorter than the time recorded (see the README).
    assert duration > 0, duration
    assert " s: downloading gradcanvas-circle-2-4-2-1-epoch-" in page.text_content("#capture-status")
    assert page_errors == []


def test_save_gif_records_a_short_looping_clip(open_site, page_errors):
    page = open_site()
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="Save GIF").click()
        page.wait_for_function("document.querySelector('#capture-status').textContent.includes('Recording a GIF')")
    assert download.value.suggested_filename.endswith(".gif")
    (width, height), delays = read_gif(Path(download.value.path()).read_bytes())
    assert 300 < width <= 640 and height > 150
    assert len(delays) >= 10 and all(delay >= 0.1 for delay in delays)
    assert 4.5 <= sum(delays) <= 6.5  # the clip's 5 s, each frame shown as long as it was on screen
    assert f"in {len(delays)} frames: downloading" in page.text_content("#capture-status")
    assert page_errors == []


def test_on_a_phone_the_controls_fit_and_the_picture_has_the_screens_pixels(chromium, site_url, artifacts):
    context = chromium.new_context(viewport={"width": 375, "height": 800}, device_scale_factor=2, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(site_url)
    page.wait_for_function("document.body.dataset.state === 'ready'")
    for name in ("Save image", "Record", "Save GIF"):
        box = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 375, (name, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="Save image").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "phone-capture-controls.png")
    sizes = page.evaluate(CANVAS_SIZES)
    _, data = save_image(page)
    width, height = struct.unpack(">II", data[16:24])
    assert data[:8] == PNG_SIGNATURE
    assert width == 2 * (3 * GAP + sizes["network"]["cssWidth"] + sizes["output"]["cssWidth"])
    assert height > 2 * (2 * GAP + sizes["network"]["cssHeight"])
    context.close()


def test_the_png_reader_undoes_every_filter():
    """The reader's own check (Chromium's encoder uses only some PNG filters): a 2x2 RGB picture whose second
    row is stored with each filter in turn, its filtered bytes worked out by hand from the PNG spec."""
    first, second = [10, 20, 30, 40, 50, 60], [15, 25, 35, 45, 55, 65]
    filtered = {1: [15, 25, 35, 30, 30, 30], 2: [5] * 6, 3: [10, 15, 20, 18, 18, 18], 4: [5] * 6}
    for kind, row in filtered.items():
        raw = bytes([0, *first, kind, *row])
        chunks = [(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)), (b"IDAT", zlib.compress(raw)), (b"IEND", b"")]
        data = PNG_SIGNATURE + b"".join(struct.pack(">I", len(body)) + name + body
                                        + struct.pack(">I", zlib.crc32(name + body)) for name, body in chunks)
        assert read_png(data).reshape(2, 6).tolist() == [first, second], kind
