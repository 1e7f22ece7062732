"""The README's Python examples run as written, so what it tells a newcomer stays true."""
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_every_python_example_in_the_readme_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 2, "the README lost its Python examples"
    ran = []
    for block in blocks:
        ran.append({})
        exec(compile(block, "README.md", "exec"), ran[-1])
    # the code contract's example sets a model the playground can train
    assert any(type(namespace.get("model")).__name__ == "MLP" and "optimizer" in namespace for namespace in ran)
    # the engine example's claims: micrograd-style gradients, and >= 95% train accuracy on the spiral
    namespace = next(namespace for namespace in ran if "X" in namespace)
    model, X, y = namespace["model"], namespace["X"], namespace["y"]
    assert ((model(X).data[:, 0] > 0) == (y == 1)).mean() >= 0.95
    assert round(namespace["a"].grad.item(), 3) == -2.929 and namespace["b"].grad.item() == 2.0
