"""Every code example the README and the page show runs as written, through the editor's own path (the
sandbox, with the names the editor offers without imports), so what they tell a newcomer stays true."""
import ast
import html
import pathlib
import re

import pytest

from app.editor.session import run_in_editor
from app.playground.run import Run
from app.playground.state import State

ROOT = pathlib.Path(__file__).resolve().parents[1]
README_BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
# README blocks that are not code for the editor, by their first line, and why: they run as plain Python below.
NOT_FOR_THE_EDITOR = {"import torch": "a script for tools/torch_trace.py; PyTorch is not in the page's Pyodide"}
EDITOR_BLOCKS = [block for block in README_BLOCKS if block.splitlines()[0] not in NOT_FOR_THE_EDITOR]


def hint_examples():
    """The statements among the `<code>` of the hint under the editor; an expression (`model`,
    `loss_fn(logits, labels)`) only names something."""
    hint = re.search(r'<p [^>]*id="code-hint"[^>]*>(.*?)</p>', (ROOT / "site" / "index.html").read_text(), re.S)
    assert hint, 'site/index.html lost the hint under the editor (<p id="code-hint">)'
    codes = [html.unescape(code) for code in re.findall(r"<code>(.*?)</code>", hint.group(1), re.S)]
    return [code for code in codes if not isinstance(ast.parse(code).body[0], ast.Expr)]


def test_the_readme_and_the_hint_still_show_examples():
    assert len(EDITOR_BLOCKS) >= 3 and len(README_BLOCKS) - len(EDITOR_BLOCKS) == len(NOT_FOR_THE_EDITOR)
    assert hint_examples(), "the hint under the editor lost its example"


@pytest.mark.parametrize("block", EDITOR_BLOCKS, ids=lambda block: block.splitlines()[-1][:40])
def test_each_readme_example_runs_in_the_editor(block):
    result = run_in_editor(block)
    assert result.ok, result.error


@pytest.mark.parametrize("example", hint_examples())
def test_each_example_in_the_hint_runs_in_an_empty_editor_and_the_playground_takes_its_model(example):
    result = run_in_editor(example)
    assert result.ok, result.error
    if "model" in result.namespace:
        assert Run(State(), result.namespace).model is result.namespace["model"]


def test_what_the_readme_examples_claim_is_true():
    ran = [run_in_editor(block).namespace for block in EDITOR_BLOCKS]
    # the code contract's example sets a model the playground can train, and its own optimizer
    assert any(Run(State(), namespace).optimizer_name == "code" for namespace in ran if "optimizer" in namespace)
    # the engine example's claims: micrograd-style gradients, and >= 95% train accuracy on the spiral
    namespace = next(namespace for namespace in ran if "X" in namespace)
    model, X, y = namespace["model"], namespace["X"], namespace["y"]
    assert ((model(X).data[:, 0] > 0) == (y == 1)).mean() >= 0.95
    assert round(namespace["a"].grad.item(), 3) == -2.929 and namespace["b"].grad.item() == 2.0


def test_the_pytorch_script_runs_as_plain_python():
    for block in set(README_BLOCKS) - set(EDITOR_BLOCKS):
        namespace = {}
        exec(compile(block, "README.md", "exec"), namespace)
        assert {"model", "probe", "optimizer", "loss_fn", "batches"} <= set(namespace)  # what torch_trace reads
