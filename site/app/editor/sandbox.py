"""Runs the code from the editor in the page's own interpreter, so a mistake in it costs a message, not
the page or the model that was already training.

Why a trace hook: in the browser, Python holds the page's only thread, JavaScript cannot interrupt it, and
signals and threads do nothing in Pyodide. So a deadline is checked from inside Python, by a
`sys.settrace` hook installed for the user's code alone and removed when it returns: the app's own
training loop never runs under it and is not slowed. The hook looks at the clock on every line of the
user's code (frames compiled from FILENAME); `while True: pass` emits a line event per turn only because
the global hook, called on entering each frame, hands the user's frames a local one.

What this is not: a security boundary. The code runs with the page's full powers (a link's code only runs
after the user reads it and presses Run). Time spent inside one C call (`sum(range(10**12))`) cannot be
interrupted; a bare `except:` that swallows the stop, or code that calls `sys.settrace` itself, defeats
the deadline. Objects the old namespace refers to (a model) can be changed in place by code that fails.

The contract for the code (the hint under the editor and the README say it to users): it finds the names
the editor offers (`session.EDITOR_NAMES`: nn, optim, F, data, Tensor, np) already there, and sets `model`,
an engine `nn.Module` that maps (N, features) inputs to (N, outputs) logits; optionally `optimizer` (an
engine optimizer over `model.parameters()`) and `loss_fn(logits, labels) -> scalar Tensor`. Code about one
expression sets `graph`, the Tensor whose computation graph the graph view draws, instead of `model`.
This module runs the code in the namespace it is given and hands back the names it set; the app decides
what to do with them.

Standard library only: it runs in CPython tests and in Pyodide alike.
"""
import dis
import io
import linecache
import sys
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from typing import NamedTuple

FILENAME = "<editor>"
DEADLINE_SECONDS = 5.0
MAX_OUTPUT_CHARS = 100_000  # a print in a long loop should not fill the page's memory
# Python 3.12 (Pyodide's) sends a line event on every backward jump. CPython 3.11 sends none when a loop on
# one line jumps to itself (`while True: pass`), so there the hook also watches each opcode of the user's
# frames (about 3x slower than line events, and only on 3.11, where the tests run).
_TRACE_OPCODES = sys.version_info < (3, 12)
_RESUME = dis.opmap["RESUME"]


class DeadlineExceeded(BaseException):
    """Raised inside the user's code once it has run past its deadline.

    A BaseException, like KeyboardInterrupt, and not a TimeoutError: a hook that raises is switched off
    by CPython, so if `except Exception:` inside a loop could catch the stop, the loop would then run on
    forever, unwatched.
    """


class Result(NamedTuple):
    """What running the code gave.

    `namespace` is the names the code set (a new dict) when `ok`, else the namespace that was passed in,
    untouched, so the previous working model keeps running. `output` is what it printed (stdout and
    stderr as they interleaved, even when it failed); `error` is "" or the message to show (a traceback
    through the user's lines only); `line` is the editor line (1-based) to highlight, or None.
    """

    ok: bool
    namespace: dict
    output: str
    error: str
    line: int | None


def run_user_code(source, namespace, deadline_seconds=DEADLINE_SECONDS):
    """Compile and run `source` in a copy of `namespace`, stopping it after `deadline_seconds` (None: with no
    trace hook, where something else can stop it: the training worker, which the page ends instead).

    >>> result = run_user_code("x = 6 * 7\\nprint('x is', x)", {})
    >>> result.ok, result.namespace["x"], result.output
    (True, 42, 'x is 42\\n')
    >>> result = run_user_code("x = 1\\ny = x / 0", {"x": 0})
    >>> result.ok, result.namespace, result.line, result.error.splitlines()[-1]
    (False, {'x': 0}, 2, 'ZeroDivisionError: division by zero')
    """
    try:
        code = compile(source, FILENAME, "exec", dont_inherit=True)
    except SyntaxError as error:
        return Result(False, namespace, "", "".join(traceback.format_exception_only(error)), error.lineno)
    except (MemoryError, RecursionError):  # the parser's own stack ran out
        return Result(False, namespace, "", "the code is nested too deeply to compile; split it into smaller "
                      "expressions", None)
    except ValueError as error:  # a null byte, on Pythons that do not call it a SyntaxError
        return Result(False, namespace, "", f"the code could not be compiled: {error}", None)
    # The editor's text is in no file: lend its lines to linecache so tracebacks show them, here and when
    # the app later calls a function the code defined. A failed run puts the working code's lines back.
    working_lines = linecache.cache.get(FILENAME)
    lines = io.StringIO(source, newline=None).readlines()  # split where the compiler splits: \n, \r\n, \r
    linecache.cache[FILENAME] = (len(source), None, [line.rstrip("\n") + "\n" for line in lines], FILENAME)
    fresh = dict(namespace)
    output = _Output()
    previous_tracer = sys.gettrace()
    try:
        with redirect_stdout(output), redirect_stderr(output):
            sys.settrace(None if deadline_seconds is None else _Deadline(deadline_seconds).on_call)
            try:
                exec(code, fresh)
            finally:
                sys.settrace(previous_tracer)
    except BaseException as error:  # anything the code raises, exit() included, is reported, not raised
        message, line = _explain(error)
        if working_lines is None:
            del linecache.cache[FILENAME]
        else:
            linecache.cache[FILENAME] = working_lines
        return Result(False, namespace, output.text(), message, line)
    return Result(True, fresh, output.text(), "", None)


class _Deadline:
    """The trace hook: called globally on entering each frame, locally on each line of the user's frames."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def on_call(self, frame, event, arg):
        if frame.f_code.co_filename != FILENAME:
            return None  # library frames are not traced line by line; the user's own calls still are
        frame.f_trace_opcodes = _TRACE_OPCODES
        return self.on_line

    def on_line(self, frame, event, arg):
        if event in ("line", "opcode"):
            self.check(frame)
        return self.on_line

    def check(self, frame):
        if time.monotonic() > self.end:
            raise DeadlineExceeded(f"stopped after {self.seconds:g} s: the code was still running, at line "
                                   f"{frame.f_lineno}. Code in the editor should build the model and return; "
                                   "the playground does the training.")


class _Output(io.TextIOBase):
    """Collects printed text up to MAX_OUTPUT_CHARS, then only counts what it drops."""

    def __init__(self):
        self.parts, self.kept, self.dropped = [], 0, 0

    def writable(self):
        return True

    def write(self, text):
        room = MAX_OUTPUT_CHARS - self.kept
        self.parts.append(text[:room])
        self.kept += min(len(text), room)
        self.dropped += max(len(text) - room, 0)
        return len(text)

    def text(self):
        dropped = f"\n… {self.dropped:,} more characters of output not shown\n" if self.dropped else ""
        return "".join(self.parts) + dropped


def _explain(error):
    """The message and editor line for an exception raised while the code ran."""
    entries = zip(_chain(error.__traceback__), traceback.extract_tb(error.__traceback__))
    users = [(entry, frame) for entry, frame in entries if frame.filename == FILENAME]
    # A frame stopped at its first instruction never ran a line of its own: the hook's call on entering it
    # overflowed the stack. The error belongs to the line that called it, as it would without the hook.
    while len(users) > 1 and _entered_only(users[-1][0]):
        users.pop()
    frames = [frame for _, frame in users]
    line = frames[-1].lineno if frames else None
    if isinstance(error, DeadlineExceeded):
        return str(error), line
    if isinstance(error, MemoryError):
        where = f" (line {line})" if line else ""
        return (f"out of memory: the code asked for more memory than the page can give{where}. "
                "Use fewer or smaller arrays."), line
    stack = "".join(traceback.StackSummary.from_list(frames).format()) if frames else ""
    return "Traceback (most recent call last):\n" + stack + "".join(traceback.format_exception_only(error)), line


def _chain(entry):
    while entry is not None:
        yield entry
        entry = entry.tb_next


def _entered_only(entry):
    return entry.tb_lasti >= 0 and entry.tb_frame.f_code.co_code[entry.tb_lasti] == _RESUME
