"""The code in charge of the network: what the editor last ran (and whether it sets `model`), or else the
weights file a learner opened; the editor's text kept in this browser; and the link that carries the code.

A link's code or your saved code only goes into the editor: it is in charge once you press Run, since a
stranger may have written it.
"""
import io

from engine import weights

from app.editor.code_link import encode_code
from app.editor.sandbox import run_user_code
from app.playground.run import CodeError, Run
from app.playground.state import encode

SAVED_CODE = "gradcanvas:code"  # localStorage key
NETWORK_SETTINGS = {"hidden", "activation", "layer_activations"}  # what code that sets `model` takes over


class CodeSession:
    """The editor of `page` and the code it put in charge."""

    def __init__(self, page):
        self.page = page
        self.code = ""              # the code in charge: "" while the controls build the network
        self.code_model = False     # whether that code sets `model` (then it owns the network's shape)
        self.weights_file = None    # (name, bytes) of a weights file the learner opened: its network trains

    def defines_model(self):
        return bool(self.code) and self.code_model

    def network_source(self):
        """Where the network comes from when not from the controls: "your code", a weights file's name,
        or None."""
        if self.defines_model():
            return "your code"
        return self.weights_file[0] if self.weights_file else None

    def leave_to_controls(self, changes):
        """The setting `changes` the controls may make, and a note when the network's own are withheld: they
        belong to the code or the weights file the network comes from."""
        source = self.network_source()
        if not source or not NETWORK_SETTINGS & set(changes):
            return changes, []
        note = (f"The network comes from {source}: change it there, or empty the editor and press Run to build it "
                "with the controls again.")
        return {name: value for name, value in changes.items() if name not in NETWORK_SETTINGS}, [note]

    def link_extras(self):
        """What a link adds to the settings for the code in charge. Raises ValueError for code no link carries."""
        return {"code": encode_code(self.code)} if self.code else {}

    # ---- what builds the network ---------------------------------------------------------------------
    def show(self, code):
        """Put `code` into the editor, not in charge: the controls (or a weights file) build the network."""
        self.code = ""
        self.page.set_editor_text(code)

    def use_weights(self, name, data):
        """A weights file's network trains from now on, in charge instead of any code."""
        self.weights_file, self.code, self.code_model = (name, bytes(data)), "", False

    def build_run(self, state):
        """A new run of `state`, its network from the code in charge (run afresh, so its model starts fresh),
        the weights file, or the controls. Code that fails now, or whose model does not fit the settings,
        says so and gives way to the controls' network."""
        namespace = {"model": weights.load(io.BytesIO(self.weights_file[1]))[0]} if self.weights_file else {}
        if self.code:
            result = run_user_code(self.code, {})
            namespace = result.namespace if result.ok else {}
            self.code_model = namespace.get("model") is not None
            if not result.ok:
                self.page.set_text("code-output", result.output + result.error)
        try:
            return Run(state, namespace)
        except CodeError as error:
            self.page.set_text("code-output", f"Your code's model does not fit these settings: {error}. "
                                              "The controls' network is used until you change the code and press Run.")
            self.code, self.code_model = "", False
            return Run(state)

    def run(self, source, state):
        """Run the editor's code `source` (Run, or Ctrl/Cmd+Enter) for the settings `state`. When it works it is
        in charge, and this returns its Run (the code's `model`, or the controls') and the Tensor it set as
        `graph` (or None); when it fails its message and line show, nothing changes, and this returns None."""
        result = run_user_code(source, {})
        self.page.highlight_line(result.line)
        if not result.ok:
            self.page.set_text("code-output", result.output + result.error)
            return None
        try:
            run = Run(state, result.namespace)
        except CodeError as error:
            self.page.set_text("code-output", f"{result.output}{error}")
            return None
        self.page.set_text("code-output", result.output or "Ran without printing anything.")
        graph = result.namespace.get("graph")
        self.code = source if source.strip() else ""
        self.code_model = result.namespace.get("model") is not None
        self.weights_file = None  # Run puts the code in charge: its model, or the controls'
        return run, graph if hasattr(graph, "parents") and hasattr(graph, "op") else None

    # ---- the editor's text -----------------------------------------------------------------------------
    def keep_text(self, text):
        """The editor's text changed: keep it, so a reload brings it back."""
        self.page.save(SAVED_CODE, text)

    def restore_saved(self):
        """Put the code saved in this browser back into the editor (it is not run)."""
        self.page.set_editor_text(self.page.load(SAVED_CODE))

    def copy_link(self, state):
        """Put a link to exactly this (the settings `state`, seed and the code in charge) on the clipboard."""
        try:
            extras = self.link_extras()
        except ValueError as error:
            self.page.set_text("link-status", f"No link: {error}")
            return
        link = f"{self.page.page_url()}#{encode(state, extras)}"
        self.page.copy_text(link)
        self.page.set_text("link-status", f"Link copied: {link}")
