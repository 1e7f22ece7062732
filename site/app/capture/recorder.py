"""Save image, Record and Save GIF: the picture or clip under way of the Network and Output canvases, with
the caption under it, and what the capture status says.

The page composes the pixels and writes the files (site/capture.js, through app.browser); this part decides
what goes in them and when a clip ends.
"""
from app.capture import clips
from app.capture.buttons import show_clip
from app.playground.summary import network_shape


class Recorder:
    """Pictures and clips of `page`. `run()` is the run shown (the file names say its dataset, network and
    epoch), `caption()` the two lines under a picture, and `repaint(density)` paints the canvases again at
    `density` times the screen's pixels."""

    def __init__(self, page, run, caption, repaint):
        self.page, self.run, self.caption, self.repaint = page, run, caption, repaint
        self.clip = None  # the video or GIF under way
        page.set_text("capture-status", clips.hint())

    def stem(self):
        run = self.run()
        return clips.file_stem(run.state.dataset, network_shape(run), run.epoch)

    def save_image(self):
        """Save image: the Network and Output canvases side by side with a caption, as a PNG at the screen's
        pixel density, or twice it with "2x" checked (then both are painted again at that density, so
        edges and text stay sharp rather than being enlarged)."""
        name = self.stem() + ".png"
        sharper = self.page.is_checked("image-2x")
        try:
            if sharper:
                self.repaint(2)
            width, height = self.page.save_image(clips.CAPTURED, self.caption(), name)
        except RuntimeError as error:
            self.page.set_text("capture-status", f"Could not save the image: {error}.")
            return
        finally:
            if sharper:
                self.repaint(1)
        self.page.set_text("capture-status", f"Saved {name}: {width} \u00d7 {height} pixels.")

    def toggle_clip(self, kind):
        """Record (a video) and Save GIF: start a clip of the Network and Output canvases, or end the one
        under way and download it. A clip also ends by itself at its time limit (see `film`)."""
        ended = self.clip.kind if self.clip is not None else None
        if ended is not None:
            self.end_clip()
        if ended == kind:
            return
        stem = self.stem()
        try:
            extension = self.page.start_clip(kind, clips.CAPTURED, stem)
        except RuntimeError as error:
            self.page.set_text("capture-status", f"Could not record: {error}.")
            return
        if not extension:
            self.page.set_text("capture-status", "This browser cannot record video (it has no MediaRecorder for "
                                                 "WebM or MP4). Save GIF works in every browser.")
            return
        self.clip = clips.Clip(kind, f"{stem}.{extension}")
        show_clip(self.page, kind)
        self.page.set_text("capture-status", self.clip.status())

    def film(self, timestamp_ms):
        """Hand the clip under way (if any) this frame, with its caption; end it when its time is up."""
        if self.clip is None:
            return
        over = self.clip.over(timestamp_ms)
        self.page.add_clip_frame(self.caption())
        if over:
            self.end_clip()
        else:
            self.page.set_text("capture-status", self.clip.status())

    def end_clip(self):
        clip, self.clip = self.clip, None
        frames = self.page.finish_clip()
        show_clip(self.page, None)
        length = f"{clip.elapsed:.1f} s" + (f" in {frames} frames" if clip.kind == "gif" else "")
        self.page.set_text("capture-status", f"Recorded {length}: downloading {clip.file_name}.")
