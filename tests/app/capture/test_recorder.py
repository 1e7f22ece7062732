"""Save image, Record and Save GIF as a learner uses them: the caption under the picture says what the page shows,
a picture at 2x is painted again at twice the density, and clips stop by themselves."""
from app.capture.clips import CLIP_SECONDS
from tests.app.capture.reading import shown_clip


def frames(playground, start_ms, end_ms, step_ms=100.0):
    t = start_ms
    while t <= end_ms:
        playground.frame(t)
        t += step_ms


def test_the_caption_names_the_settings_and_repeats_the_numbers_the_page_shows(opened):
    playground, page = opened("#dataset=spiral&hidden=8,8&lr=0.1&optimizer=adam&regularization=l2&reg_rate=0.003")
    frames(playground, 0.0, 200.0)
    settings, progress = playground.capture.caption()
    assert settings == ("Spiral · 2-8-8-1 network, tanh · inputs x\u2081, x\u2082 · Adam, learning rate 0.1 · "
                        "batch 10 · L2 0.003")
    shown = (page.texts["train-loss"], page.texts["test-loss"], page.texts["train-accuracy"], page.texts["test-accuracy"])
    assert progress == (f"Epoch {playground.run.epoch}: training loss {shown[0]} · test loss {shown[1]} · "
                        f"accuracy {shown[2]} training, {shown[3]} test")


def test_the_caption_says_when_the_network_and_optimizer_come_from_code(opened):
    playground, page = opened()
    page.type_code("from engine import nn, optim\nmodel = nn.MLP(2, [6], 1)\n"
                   "optimizer = optim.SGD(model.parameters(), lr=0.5)\n")
    playground.act("run-code")
    playground.paint(0.0)
    settings = playground.capture.caption()[0]
    assert "2-6-1 network from your code" in settings and "your code's optimizer · batch 10" in settings
    assert "learning rate" not in settings  # the code's optimizer has its own


def test_save_image_pictures_the_network_and_the_output_at_the_screens_density(opened):
    playground, page = opened()
    frames(playground, 0.0, 300.0)
    playground.act("save-image")
    image = page.images[-1]
    assert image["canvases"] == ["network", "output"] and image["densities"] == [2, 2]  # the screen's 2
    assert image["file"] == f"gradcanvas-circle-2-4-2-1-epoch-{playground.run.epoch}.png"
    assert image["caption"] == playground.capture.caption()
    assert page.texts["capture-status"] == f"Saved {image['file']}: 2200 \u00d7 600 pixels."  # as the page said


def test_save_image_at_2x_paints_the_canvases_again_at_twice_the_density_then_goes_back(opened):
    playground, page = opened()
    playground.act("toggle")  # paused: the picture is of this very frame
    playground.frame(16.0)
    network = page.canvases["network"].context
    before = len(network.calls)
    page.checked["image-2x"] = True
    playground.act("save-image")
    assert page.images[-1]["densities"] == [4, 4]
    assert len(network.calls) > before  # drawn again for the picture, not enlarged
    assert page.canvases["network"].pixel_ratio == 2 and page.canvases["output"].pixel_ratio == 2  # back


def test_a_missing_capture_module_is_reported_and_the_page_keeps_running(opened):
    playground, page = opened()

    def broken(*args):
        raise RuntimeError("the page's capture module (capture.js) did not load; reload the page")

    page.save_image = page.start_clip = broken
    page.checked["image-2x"] = True
    playground.act("save-image")
    assert page.texts["capture-status"].startswith("Could not save the image: the page's capture module")
    assert page.canvases["network"].pixel_ratio == 2  # the 2x picture's density was undone
    playground.act("record")
    assert page.texts["capture-status"].startswith("Could not record:") and playground.capture.clip is None
    frames(playground, 0.0, 100.0)  # still training
    assert playground.run.epoch == 2


def test_record_toggles_hands_every_frame_over_with_its_caption_and_stops_at_the_limit(opened):
    playground, page = opened()
    playground.act("record")
    assert shown_clip(page) == "video" and page.texts["capture-status"].startswith("Recording video: 0 s of 30 s")
    frames(playground, 1000.0, 1000.0 + 1000 * CLIP_SECONDS["video"] - 100, step_ms=500.0)
    clip = page.clips[-1]
    assert clip["kind"] == "video" and not clip["done"]
    assert len(clip["frames"]) == 2 * CLIP_SECONDS["video"]  # one per frame, every frame
    assert clip["frames"][-1] == playground.capture.caption()  # the caption follows the training
    assert clip["frames"][0] != clip["frames"][-1]
    assert page.texts["capture-status"].startswith("Recording video: 29 s of 30 s")
    playground.frame(1000.0 + 1000 * CLIP_SECONDS["video"])
    assert clip["done"] and playground.capture.clip is None and shown_clip(page) is None
    assert page.texts["capture-status"] == f"Recorded 30.0 s: downloading {clip['stem']}.webm."


def test_pressing_record_again_stops_it_and_a_paused_page_is_still_filmed(opened):
    playground, page = opened(reduced_motion=True)
    playground.act("toggle")
    playground.act("record")
    frames(playground, 0.0, 2000.0)  # paused: nothing repaints, but the clip goes on
    playground.act("record")
    clip = page.clips[-1]
    assert clip["done"] and len(clip["frames"]) == 21 and shown_clip(page) is None
    assert page.texts["capture-status"].startswith("Recorded 2.0 s: downloading")


def test_save_gif_is_a_short_clip_and_one_clip_runs_at_a_time(opened):
    playground, page = opened()
    playground.act("save-gif")
    assert shown_clip(page) == "gif"
    playground.act("record")  # the page disables Record meanwhile; if it comes anyway, the GIF ends first
    assert page.clips[0]["kind"] == "gif" and page.clips[0]["done"] and shown_clip(page) == "video"
    playground.act("record")
    playground.act("save-gif")
    frames(playground, 0.0, 1000.0 * CLIP_SECONDS["gif"])
    gif = page.clips[-1]
    assert gif["done"] and page.texts["capture-status"] == (f"Recorded 5.0 s in {len(gif['frames'])} frames: "
                                                           f"downloading {gif['stem']}.gif.")


def test_a_browser_without_video_recording_says_so_and_offers_the_gif(opened):
    playground, page = opened()
    page.can_record = False
    playground.act("record")
    assert playground.capture.clip is None and shown_clip(page) is None
    assert "cannot record video" in page.texts["capture-status"] and "Save GIF" in page.texts["capture-status"]
