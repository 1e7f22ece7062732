"""The engine stays pure (stdlib + numpy, so it runs unchanged in CPython and Pyodide) and small."""
import ast
import sys
from pathlib import Path

import pytest

from benchmarks.linecount import BUDGET_PER_FILE, BUDGET_TOTAL, ROOT, core_line_counts

ENGINE_FILES = sorted((ROOT / "engine").rglob("*.py"))
ALLOWED = set(sys.stdlib_module_names) | {"numpy", "engine"}


def imported_modules(path):
    """Top-level names of every absolute import in the file, including imports inside functions."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


def test_the_engine_exists():
    assert {"tensor.py", "optim.py", "data.py", "gradcheck.py"} <= {p.name for p in ENGINE_FILES}


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_engine_imports_only_stdlib_and_numpy(path):
    foreign = sorted(set(imported_modules(path)) - ALLOWED)
    assert not foreign, f"{path.name} imports {foreign}; engine/ may use only the standard library and numpy"


def test_the_browser_and_torch_are_not_stdlib():
    assert not {"js", "pyodide", "pyscript", "torch"} & ALLOWED


def test_engine_core_fits_the_size_budget():
    counts = core_line_counts()
    too_long = {path: n for path, n in counts.items() if n > BUDGET_PER_FILE}
    assert not too_long, f"files over {BUDGET_PER_FILE} code lines: {too_long}"
    assert sum(counts.values()) < BUDGET_TOTAL, f"engine core has {sum(counts.values())} code lines: {counts}"
