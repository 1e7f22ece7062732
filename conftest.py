"""Test collection for the whole repository.

The app's Python lives in site/app because it ships to the browser; CPython tests and doctests import
it from there. The two modules that only run inside Pyodide (browser.py imports `js`, main.py wires it
to the page) are covered by the browser tests.
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "site"))
sys.path.insert(0, str(ROOT / "tests" / "app"))

collect_ignore = ["site/app/browser.py", "site/app/main.py", "site/main.py", "build.py", "benchmarks", "node_modules", "dist"]
