"""The engine stays pure (stdlib + numpy, so it runs unchanged in CPython and Pyodide) and small."""
import ast
import json
import subprocess
import sys

import pytest

from benchmarks.linecount import BUDGET_PER_FILE, BUDGET_TOTAL, ROOT, core_line_counts

ENGINE_FILES = sorted((ROOT / "engine").rglob("*.py"))
ALLOWED = set(sys.stdlib_module_names) | {"numpy", "engine"}


def imported_modules(source, module):
    """Every module that `source` (the text of engine module `module`, e.g. "engine.nn.conv") imports,
    including inside functions, relative imports resolved to absolute names. A relative import that climbs
    out of the engine yields "<outside the engine>", a dynamic one (`importlib.import_module`,
    `__import__`) "<dynamic>": what either loads cannot be checked here."""
    package = module.split(".")[:-1]  # where "." points: engine.nn for engine.nn.conv and engine.nn.__init__
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level > len(package):
            yield "<outside the engine>"
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            yield ".".join([*base, node.module] if node.module else base)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in (
                "import_module", "__import__"):
            yield "<dynamic>"


def foreign_imports(path):
    """The modules an engine file imports that are neither the standard library, numpy nor the engine."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return sorted({name for name in imported_modules(path.read_text(), module) if name.split(".")[0] not in ALLOWED})


def test_the_engine_exists():
    names = {str(p.relative_to(ROOT / "engine")) for p in ENGINE_FILES}
    assert {"tensor.py", "kernels.py", "optim/__init__.py", "optim/lr_scheduler.py", "data.py", "gradcheck.py", "trace/format.py"} <= names


def test_imports_are_read_as_python_resolves_them():
    source = ("import numpy as np\nfrom ..tensor import Tensor\nfrom . import functional\nfrom ... import site\n"
              "def later():\n    import importlib\n    return importlib.import_module('torch')\n")
    assert list(imported_modules(source, "engine.nn.conv")) == [
        "numpy", "engine.tensor", "engine.nn", "<outside the engine>", "importlib", "<dynamic>"]
    assert list(imported_modules("from .format import dumps", "engine.trace.__init__")) == ["engine.trace.format"]


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_engine_imports_only_stdlib_and_numpy(path):
    foreign = foreign_imports(path)
    assert not foreign, f"{path.name} imports {foreign}; engine/ may use only the standard library and numpy"


def test_importing_every_engine_module_loads_only_stdlib_and_numpy():
    """What the source says, checked where it counts: a fresh interpreter that imports every engine
    module has loaded nothing new besides the standard library, numpy and the engine."""
    modules = [".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for path in ENGINE_FILES]
    script = ("import importlib, json, sys\n"
              "before = set(sys.modules)\n"
              f"for name in {modules!r}:\n"
              "    importlib.import_module(name)\n"
              "print(json.dumps(sorted({m.split('.')[0] for m in set(sys.modules) - before})))\n")
    loaded = json.loads(subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True,
                                       text=True).stdout)
    assert "engine" in loaded and "numpy" in loaded
    foreign = sorted(set(loaded) - ALLOWED)
    assert not foreign, f"importing the engine loaded {foreign}; engine/ may use only the standard library and numpy"


def test_the_browser_and_torch_are_not_stdlib():
    assert not {"js", "pyodide", "pyscript", "torch"} & ALLOWED


def test_engine_core_fits_the_size_budget():
    counts = core_line_counts()
    too_long = {path: n for path, n in counts.items() if n > BUDGET_PER_FILE}
    assert not too_long, f"files over {BUDGET_PER_FILE} code lines: {too_long}"
    assert sum(counts.values()) < BUDGET_TOTAL, f"engine core has {sum(counts.values())} code lines: {counts}"
