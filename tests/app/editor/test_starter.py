"""The editor's starter code: run as the editor runs it, it builds exactly the network the controls build,
for any settings, lessons included."""
import pytest

from app.editor.session import run_in_editor
from app.editor.starter import starter_code
from app.playground.presets import PRESETS
from app.playground.run import Run
from app.playground.state import State, decode
from engine import nn

SETTINGS = [State(), State(hidden=()), State(hidden=(8, 8, 8), activation="relu"),
            State(hidden=(3, 5), layer_activations=("leaky_relu", "sigmoid")),
            State(features=("x1", "x2", "x1^2", "sin(x2)"), dataset="blobs3"), State(problem="regression", dataset="plane"),
            *(decode(preset.settings).state for preset in PRESETS.values())]


def shape(model):
    """The layers as the Network view draws them: each Linear's weight shape, each activation's kind."""
    return [layer.weight.shape if isinstance(layer, nn.Linear) else type(layer).__name__ for layer in model]


@pytest.mark.parametrize("state", SETTINGS)
def test_the_starter_code_builds_the_controls_network(state):
    result = run_in_editor(starter_code(state))
    assert result.ok, result.error
    assert shape(result.namespace["model"]) == shape(Run(state).model)
    assert result.output == f"{result.namespace['model']}\n"
