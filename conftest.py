"""Test collection for the whole repository.

The app's parts that only run inside Pyodide (the browser/ package imports `js`, main.py wires it to the
page) are covered by the browser tests, not collected for doctests here.
"""
from hypothesis import settings

# Property tests check what happens, never how fast: a per-example deadline would fail on a busy machine.
settings.register_profile("gradcanvas", deadline=None)
settings.load_profile("gradcanvas")

collect_ignore = ["site/app/browser", "site/app/main.py", "site/main.py", "build.py", "benchmarks",
                  "node_modules", "dist"]
