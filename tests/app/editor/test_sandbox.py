"""Running the editor's code: what it prints is kept, a mistake points at its line, runaway code is stopped
at the deadline, and whatever happens the page's interpreter, its tracer and the working namespace are
left as they were."""
import signal
import sys
import time

import pytest

from app.editor.sandbox import FILENAME, MAX_OUTPUT_CHARS, run_user_code

DEADLINE = 0.3


class Hung(BaseException):
    """The watchdog's alarm: raised only if the deadline failed to stop the code."""


@pytest.fixture(autouse=True)
def watchdog():
    """Turns a guard that fails to stop the code into a failed test instead of a hung suite."""
    def alarm(signum, frame):
        raise Hung("the watchdog fired after 30 s: the deadline did not stop the code")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, 30)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def tracer_of_a_debugger(frame, event, arg):
    return None


@pytest.fixture
def debugger_tracer():
    """A tracer someone else installed before the code ran (a debugger, coverage)."""
    previous = sys.gettrace()
    sys.settrace(tracer_of_a_debugger)
    yield tracer_of_a_debugger
    sys.settrace(previous)


def test_prints_and_warnings_are_captured_in_order_and_the_page_streams_are_restored(capsys):
    stdout, stderr = sys.stdout, sys.stderr
    result = run_user_code("import sys\nprint('loss', 0.5)\nsys.stderr.write('careful\\n')\nprint('done')", {})
    assert result.ok and result.error == "" and result.line is None
    assert result.output == "loss 0.5\ncareful\ndone\n"
    assert sys.stdout is stdout and sys.stderr is stderr
    assert capsys.readouterr() == ("", "")  # nothing leaked to the real streams


def test_success_returns_a_new_namespace_and_leaves_the_old_one_alone():
    working = {"model": "the model that is training"}
    result = run_user_code("model = 'a new model'\nlayers = 3", working)
    assert result.ok
    assert result.namespace["model"] == "a new model" and result.namespace["layers"] == 3
    assert working == {"model": "the model that is training"}


@pytest.mark.parametrize("source", [
    "model = 'broken'\nextra = 1\nraise ValueError('bad shapes')",
    "model = 'broken'\nwhile True: pass",
    "model = 'broken'\nx = (",
    "model = 'broken'\nimport sys\nsys.exit(0)",
])
def test_failure_leaves_the_working_namespace_exactly_as_it_was(source):
    working = {"model": "the model that is training"}
    result = run_user_code(source, working, deadline_seconds=DEADLINE)
    assert not result.ok and result.error
    assert result.namespace is working
    assert working == {"model": "the model that is training"}


def test_a_traceback_shows_only_the_users_lines_and_points_at_the_failing_one():
    source = ("def layer(n):\n"
              "    sizes = [2, 4]\n"
              "    return sizes[n]\n"
              "\n"
              "print('building')\n"
              "layer(7)\n")
    result = run_user_code(source, {})
    assert not result.ok and result.line == 3
    assert result.output == "building\n"
    assert result.error.splitlines() == [
        "Traceback (most recent call last):",
        f'  File "{FILENAME}", line 6, in <module>',
        "    layer(7)",
        f'  File "{FILENAME}", line 3, in layer',
        "    return sizes[n]",
        "           ~~~~~^^^",
        "IndexError: list index out of range",
    ]


def test_an_error_inside_a_library_points_at_the_users_call():
    result = run_user_code("import json\n\nconfig = json.loads('{')\n", {})
    assert result.line == 3
    assert "json" not in "".join(line for line in result.error.splitlines() if line.startswith("  File"))
    assert f'File "{FILENAME}", line 3' in result.error
    assert result.error.splitlines()[-1].startswith("json.decoder.JSONDecodeError: Expecting property name")


def test_a_syntax_error_names_its_line():
    result = run_user_code("from engine import nn\n\nmodel = nn.MLP(2, [4], 1\n", {})
    assert not result.ok and result.line == 3
    assert result.error.splitlines()[-1] == "SyntaxError: '(' was never closed"


@pytest.mark.parametrize("source, lines", [
    ("while True: pass", {1}),
    ("x = 0\nwhile True:\n    x += 1", {2, 3}),
    ("def spin():\n    while 1: pass\n\nspin()", {2}),
    # The stop must not be swallowed by a loop that catches every Exception.
    ("while True:\n    try:\n        while True: pass\n    except Exception:\n        pass", {3}),
])
def test_runaway_code_is_stopped_at_the_deadline_with_a_message(source, lines):
    started = time.monotonic()
    result = run_user_code(source, {}, deadline_seconds=DEADLINE)
    assert time.monotonic() - started >= DEADLINE  # it ran until the deadline, not less
    assert not result.ok and result.line in lines
    assert result.error.startswith(f"stopped after 0.3 s: the code was still running, at line {result.line}.")


def test_the_deadline_is_gone_once_the_code_returns(debugger_tracer):
    source = ("import time\n"
              "def spin(seconds):\n"
              "    end = time.monotonic() + seconds\n"
              "    while time.monotonic() < end:\n"
              "        pass\n"
              "    return 'finished'\n")
    result = run_user_code(source, {}, deadline_seconds=DEADLINE)
    assert result.ok
    assert sys.gettrace() is debugger_tracer
    # The app calls the user's function later (a model's forward, say): no deadline, no hook slows it.
    assert result.namespace["spin"](2 * DEADLINE) == "finished"


@pytest.mark.parametrize("source", [
    "x = 1",
    "raise RuntimeError('no')",
    "while True: pass",
    "def f(): return f()\nf()",
    "import sys\nsys.settrace(None)",
])
def test_the_previous_tracer_is_restored_whatever_the_code_did(debugger_tracer, source):
    run_user_code(source, {}, deadline_seconds=DEADLINE)
    assert sys.gettrace() is debugger_tracer


def test_no_tracer_before_means_no_tracer_after():
    assert sys.gettrace() is None
    run_user_code("while True: pass", {}, deadline_seconds=DEADLINE)
    assert sys.gettrace() is None


def test_deep_recursion_is_reported_once_and_the_interpreter_carries_on():
    result = run_user_code("def down(n):\n    return down(n + 1)\n\ndown(0)", {})
    assert not result.ok and result.line == 2
    assert result.error.count("return down(n + 1)") == 3 and "Previous line repeated" in result.error
    assert result.error.splitlines()[-1].startswith("RecursionError: maximum recursion depth exceeded")
    assert run_user_code("def down(n):\n    return 0 if n == 0 else down(n - 1)\nx = down(100)", {}).ok


def test_running_out_of_memory_is_said_plainly():
    # 4 EiB: beyond any 64-bit address space, so it fails at once on every machine (in Pyodide's 32-bit
    # memory, `[0] * 10**9` does the same).
    result = run_user_code("small = 1\nhuge = bytearray(2**62)", {})
    assert not result.ok and result.line == 2
    assert result.error == ("out of memory: the code asked for more memory than the page can give (line 2). "
                            "Use fewer or smaller arrays.")


def test_exit_is_reported_not_obeyed():
    result = run_user_code("print('bye')\nraise SystemExit(3)", {})
    assert not result.ok and result.line == 2 and result.output == "bye\n"
    assert result.error.splitlines()[-1] == "SystemExit: 3"


def test_a_flood_of_output_is_kept_to_its_cap():
    result = run_user_code("for i in range(30_000):\n    print('0123456789')", {})
    assert result.ok
    assert result.output.startswith("0123456789\n" * 100)
    assert len(result.output) < MAX_OUTPUT_CHARS + 100
    assert result.output.endswith(f"… {30_000 * 11 - MAX_OUTPUT_CHARS:,} more characters of output not shown\n")


def test_code_that_cannot_be_compiled_is_explained():
    assert run_user_code("x = " + "-" * 200_000 + "1", {}).error.startswith("the code is nested too deeply")
    assert run_user_code("x = 1\0", {}).error.splitlines()[-1].endswith("null bytes")


def test_a_failed_run_keeps_the_working_codes_lines_for_its_tracebacks():
    working = run_user_code("def forward(x):\n    return x / 0\n", {})
    failed = run_user_code("# a new attempt\nnothing = undefined_name\n", working.namespace)
    assert failed.line == 2 and "NameError" in failed.error
    # The working model's function still fails with its own line, not the failed attempt's.
    with pytest.raises(ZeroDivisionError) as raised:
        working.namespace["forward"](1)
    assert "return x / 0" in str(raised.getrepr())
