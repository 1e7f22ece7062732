"""Command-line options shared by the whole suite, and what --require-browser makes of a skip."""
import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--require-browser",
        action="store_true",
        help="fail, instead of skip, any test that cannot run here: a browser test without Chromium or the local "
             "Pyodide, a test without its npm package or its Python test extra",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under --require-browser every skip is a failure that gives the skip's reason: a run that must prove
    everything cannot pass with part of it unproven."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.config.getoption("--require-browser") and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under --require-browser: {reason.removeprefix('Skipped: ')}"
