"""Counts the engine core's code lines, the size budget that the purity test enforces and the benchmark prints.

A code line holds at least one token that is not a comment or a docstring; blank lines, comments and
docstrings are free, because explaining the engine should never count against keeping it small.
"""
import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_TOTAL, BUDGET_PER_FILE = 1000, 400
_LAYOUT = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


def core_files(root=ROOT):
    """The files of the engine core: the tensor and the speed kernels its ops call, nn (layers and
    functional), the optimizers, the package."""
    engine = Path(root) / "engine"
    return [engine / "tensor.py", engine / "kernels.py", *sorted((engine / "nn").glob("*.py")), *sorted((engine / "optim").glob("*.py")),
            engine / "__init__.py"]


def code_lines(source):
    """Number of lines of `source` that hold code.

    >>> code_lines('\"\"\"Module doc.\"\"\"\\n\\n# why\\nx = 1  # what\\ns = \"\"\"a\\nb\"\"\"\\n')
    3
    """
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            value = getattr(first, "value", None)
            if isinstance(first, ast.Expr) and isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.add((first.lineno, first.col_offset))
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in _LAYOUT or (token.type == tokenize.STRING and token.start in docstrings):
            continue
        lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines)


def core_line_counts(root=ROOT):
    """{path relative to root: code lines} for every core file."""
    return {str(path.relative_to(root)): code_lines(path.read_text()) for path in core_files(root)}
