"""Command-line options shared by the whole suite."""


def pytest_addoption(parser):
    parser.addoption(
        "--require-browser",
        action="store_true",
        help="fail, instead of skip, the browser tests when Chromium or the local Pyodide is missing",
    )
