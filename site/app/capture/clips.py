"""Pictures and clips to take home: which canvases they show, what their files are called, and how long a
clip runs. The browser composes the pixels and writes the files (site/capture.js, through app.browser);
the caption comes from app.playground.summary.
"""
import re

CAPTURED = ("network", "output")  # the canvases a picture shows, left to right as on the page
CLIP_SECONDS = {"video": 30, "gif": 5}  # a video for a slide, not a screen recording; GIFs grow fast
CLIP_BUTTONS = {"video": "Record", "gif": "Save GIF"}


def hint():
    """What the pictures hold, shown under their buttons until one is used.

    >>> hint()
    'Pictures show the network and the output side by side, with the settings under them. A video stops after 30 s, a GIF after 5 s.'
    """
    return ("Pictures show the network and the output side by side, with the settings under them. "
            f"A video stops after {CLIP_SECONDS['video']} s, a GIF after {CLIP_SECONDS['gif']} s.")


def file_stem(dataset, shape, epoch):
    """A file name, less its extension, that says what the file shows and is safe on every file system.

    >>> file_stem("spiral", "2-8-8-1", 153)
    'gradcanvas-spiral-2-8-8-1-epoch-153'
    """
    return re.sub(r"[^a-z0-9-]+", "-", f"gradcanvas-{dataset}-{shape}-epoch-{epoch}".lower()).strip("-")


class Clip:
    """A video or GIF under way, to be saved as `file_name`. Its clock starts at the first animation frame
    it sees (a click arrives between frames), and it is over after `CLIP_SECONDS[kind]`.

    >>> clip = Clip("gif", "spiral.gif")
    >>> clip.seconds(1000.0), clip.seconds(3400.0), clip.over(5999.0), clip.over(6000.0)
    (0.0, 2.4, False, True)
    >>> clip.status()
    'Recording a GIF: 5 s of 5 s. Press Save GIF again to stop sooner.'
    """

    def __init__(self, kind, file_name):
        if kind not in CLIP_SECONDS:
            raise ValueError(f"a clip is a video or a gif, not {kind!r}")
        self.kind, self.file_name, self.limit = kind, file_name, CLIP_SECONDS[kind]
        self.started_ms, self.elapsed = None, 0.0

    def seconds(self, timestamp_ms):
        """Seconds recorded by the frame at `timestamp_ms` (the latest is kept as `elapsed`)."""
        if self.started_ms is None:
            self.started_ms = timestamp_ms
        self.elapsed = (timestamp_ms - self.started_ms) / 1000
        return self.elapsed

    def over(self, timestamp_ms):
        return self.seconds(timestamp_ms) >= self.limit

    def status(self):
        what = "video" if self.kind == "video" else "a GIF"
        return (f"Recording {what}: {int(self.elapsed)} s of {self.limit} s. "
                f"Press {CLIP_BUTTONS[self.kind]} again to stop sooner.")
