"""The code in charge of the network: what the editor last ran (and whether it sets `model`), or else the
weights file a learner opened; the editor's text kept in this browser; and the link that carries the code.

A link's code or your saved code only goes into the editor: it is in charge once you press Run, since a
stranger may have written it. With neither, the editor starts with the controls' network written as code.
"""
import html
import io
from dataclasses import replace

import numpy as np

from engine import Tensor, data, nn, optim, weights
from engine.nn import functional as F

from app.editor.code_link import encode_code
from app.editor.sandbox import DEADLINE_SECONDS, run_user_code
from app.editor.starter import starter_code
from app.playground.run import CodeError, Run
from app.playground.state import encode

SAVED_CODE = "gradcanvas:code"  # localStorage key
EMBED_SIZE = (800, 500)  # the iframe Copy embed code gives: the embedded page fits it without scrolling
NETWORK_SETTINGS = {"hidden", "activation", "layer_activations"}  # what code that sets `model` takes over
# What the editor's code may use without importing it: the names the README, the hint under the editor and
# the starter code use. `run_user_code` runs each Run in a copy, so code cannot leave names behind for the next.
EDITOR_NAMES = {"nn": nn, "optim": optim, "F": F, "data": data, "Tensor": Tensor, "np": np}
STALE_OUTPUT = "Edited since the last Run: press Run to see its output."


def run_in_editor(source, deadline_seconds=DEADLINE_SECONDS):
    """Run `source` as the editor runs it: with EDITOR_NAMES, under the sandbox's deadline (or none: None).

    >>> run_in_editor("model = nn.MLP(2, [3], 1)\\nprint(model.sizes)").output
    '[2, 3, 1]\\n'
    """
    return run_user_code(source, EDITOR_NAMES, deadline_seconds)


class CodeSession:
    """The editor of `page` and the code it put in charge."""

    def __init__(self, page):
        self.page = page
        self.code = ""              # the code in charge: "" while the controls build the network
        self.code_model = False     # whether that code sets `model` (then it owns the network's shape)
        self.weights_file = None    # (name, bytes) of a weights file the learner opened: its network trains
        self.starter = None         # the starter code the editor shows until you type, or None (your own text)
        self.printed = ""           # what the code last run printed, or its error, under "Printed"
        self.edited = False         # whether the editor's text changed since then
        # False in an embedded page: its changes are the visit's own, and your work saved in this browser (the same
        # site's storage) stays as you left it. The playground sets it from the embed setting.
        self.keeps_work = True

    def defines_model(self):
        return bool(self.code) and self.code_model

    def network_source(self):
        """Where the network comes from when not from the controls: "your code", a weights file's name,
        or None."""
        if self.defines_model():
            return "your code"
        return self.weights_file[0] if self.weights_file else None

    def held_note(self):
        """Why the controls cannot change the network when it comes from your code or a weights file, else None."""
        source = self.network_source()
        if not source:
            return None
        return (f"The network comes from {source}: change it there, or empty the editor and press Run to build it "
                "with the controls again.")

    def leave_to_controls(self, changes):
        """The setting `changes` the controls may make, and a note when the network's own are withheld: they
        belong to the code or the weights file the network comes from."""
        note = self.held_note()
        if not note or not NETWORK_SETTINGS & set(changes):
            return changes, []
        return {name: value for name, value in changes.items() if name not in NETWORK_SETTINGS}, [note]

    def link_extras(self):
        """What the page's address adds to the settings for the code in charge. Raises ValueError for code no
        link carries."""
        return {"code": encode_code(self.code)} if self.code else {}

    # ---- what builds the network ---------------------------------------------------------------------
    def show(self, code):
        """Put `code` into the editor, not in charge: the controls (or a weights file) build the network. With no
        code (or a link's that could not be read), the starter code goes in when `follow_controls` next runs."""
        self.code = ""
        self.starter = "" if not code else None
        self.page.set_editor_text(code or "")

    def follow_controls(self, state):
        """While the editor shows the starter code untouched and no code is in charge, keep it the network the
        controls build for `state`, so it never shows a different network than the one training."""
        if self.starter is None or self.code:
            return
        text = starter_code(state)
        if text != self.starter:
            self.starter = text
            self.page.set_editor_text(text)

    def use_weights(self, name, data):
        """A weights file's network trains from now on, in charge instead of any code."""
        self.weights_file, self.code, self.code_model = (name, bytes(data)), "", False

    def build_run(self, state):
        """A new run of `state`, its network from the code in charge (run afresh, so its model starts fresh),
        the weights file, or the controls. Code that fails now, or whose model does not fit the settings,
        says so and gives way to the controls' network."""
        namespace = {"model": weights.load(io.BytesIO(self.weights_file[1]))[0]} if self.weights_file else {}
        if self.code:
            result = run_in_editor(self.code)
            namespace = result.namespace if result.ok else {}
            self.code_model = namespace.get("model") is not None
            if not result.ok:
                self.show_output(result.output + result.error, result.line)
        try:
            return Run(state, namespace)
        except CodeError as error:
            self.show_output(f"Your code's model does not fit these settings: {error}. "
                             "The controls' network is used until you change the code and press Run.")
            self.code, self.code_model = "", False
            return Run(state)

    def run(self, source, state):
        """Run the editor's code `source` (Run, or Ctrl/Cmd+Enter) for the settings `state`. When it works it is
        in charge, and this returns its Run (the code's `model`, or the controls') and the Tensor it set as
        `graph` (or None); when it fails its message and line show, nothing changes, and this returns None."""
        result = run_in_editor(source)
        if not result.ok:
            self.show_output(result.output + result.error, result.line)
            return None
        try:
            run = Run(state, result.namespace)
        except CodeError as error:
            self.show_output(f"{result.output}{error}")
            return None
        self.show_output(result.output or "Ran without printing anything.")
        graph = result.namespace.get("graph")
        self.code = source if source.strip() else ""
        self.code_model = result.namespace.get("model") is not None
        self.weights_file = None  # Run puts the code in charge: its model, or the controls'
        return run, graph if hasattr(graph, "parents") and hasattr(graph, "op") else None

    def show_output(self, text, line=None):
        """Show what the code printed, or its error, under "Printed", and mark its failing `line` (None: no mark)."""
        self.printed, self.edited = text, False
        self.page.set_text("code-output", text)
        self.page.highlight_line(line)

    # ---- the editor's text -----------------------------------------------------------------------------
    def keep_text(self, text):
        """You changed the editor's text: keep it, so a reload brings it back (not in an embedded page: see
        `keeps_work`). The last Run's output and marked line were about the text before, so the mark goes and the
        output (kept, to read while fixing) says so."""
        if self.keeps_work:
            self.page.save(SAVED_CODE, text)
        self.starter = None
        if self.printed and not self.edited:
            self.edited = True
            self.page.highlight_line(None)
            self.page.set_text("code-output", f"{STALE_OUTPUT}\n\n{self.printed}")

    def restore_saved(self):
        """Put the code saved in this browser back into the editor (it is not run)."""
        self.starter = None
        self.page.set_editor_text(self.page.load(SAVED_CODE))

    def shared_code(self):
        """The code a link carries: what the editor shows, or "" for an empty editor and for the starter code
        while nobody has run it (the link's settings bring the same starter back)."""
        text = self.page.editor_text()
        return "" if not text.strip() or (text == self.starter and not self.code) else text

    def copy_link(self, state):
        """Put a link to the settings `state`, the seed and the code the editor shows on the clipboard; when
        that is not the code running here, say so beside the link."""
        link = self.link_to(state, "link-status")
        if link is not None:
            self.page.copy_text(link)
            self.page.set_text("link-status", f"{self.link_difference(self.shared_code())}Link copied: {link}")

    def copy_embed_code(self, state):
        """Put on the clipboard the HTML of an iframe that shows what is on screen embedded in another page: the
        link's settings and code with embed=1 (the core picture alone), sized 800 x 500, which it fits."""
        link = self.link_to(replace(state, embed=True), "capture-status")
        if link is None:
            return
        snippet = (f'<iframe src="{html.escape(link)}" width="{EMBED_SIZE[0]}" height="{EMBED_SIZE[1]}" '
                   'style="border: 0" title="gradcanvas: a neural network learning, live" loading="lazy"></iframe>')
        self.page.copy_text(snippet)
        self.page.set_text("capture-status", f"Embed code copied: {snippet}")

    def link_to(self, state, status):
        """The page's address with `state` and the code the editor shows in its fragment, or None (the code cannot
        travel in a link, which `status`, an element's id, then says)."""
        shared = self.shared_code()
        try:
            extras = {"code": encode_code(shared)} if shared else {}
        except ValueError as error:
            self.page.set_text(status, f"No link: {error}")
            return None
        return f"{self.page.page_url()}#{encode(state, extras)}"

    def link_difference(self, shared):
        """A sentence (ending in a space) when the link's code `shared` is not the code running here, else ""."""
        if shared == self.code:
            return ""
        if not shared:
            return ("This link carries no code (the editor is empty), while your code runs here: press Run to hand "
                    "the network back to the controls, as the link does. ")
        if not self.code:
            return "This link carries the code in the editor, which has not run here: press Run to run it. "
        return ("This link carries the code in the editor, which differs from the code running: press Run to "
                "run it. ")
