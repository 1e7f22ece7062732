"""The README's Python examples run as written, so what it tells a newcomer stays true."""
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_every_python_example_in_the_readme_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has no Python example"
    for block in blocks:
        namespace = {}
        exec(compile(block, "README.md", "exec"), namespace)
    # the training example's claim: >= 95% train accuracy on the spiral
    model, X, y = namespace["model"], namespace["X"], namespace["y"]
    assert ((model(X).data[:, 0] > 0) == (y == 1)).mean() >= 0.95
    assert round(namespace["a"].grad.item(), 3) == -2.929 and namespace["b"].grad.item() == 2.0
