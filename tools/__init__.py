"""Command-line tools for bringing models from other frameworks into gradcanvas; they run in CPython only,
never in the page, and the frameworks they need (torch, onnx) are imported by them alone."""
