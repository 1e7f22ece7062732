"""docs/trace.schema.json and engine.trace.validate agree: on real traces, on every required key, and on the
broken files of test_trace (the schema catches the structural ones; only the validator sees shapes)."""
import copy
import json
from pathlib import Path

import numpy as np
import pytest
from tests.engine.test_trace import BAD, X, broken, document, regularised, small_trace, train

from engine import nn, optim, trace
from engine.nn import functional as F

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "trace.schema.json").read_text())
CHECKER = jsonschema.Draft202012Validator(SCHEMA)

# What JSON Schema cannot express: shapes that follow from the layers, byte counts, names that must match.
ONLY_THE_VALIDATOR_SEES = {
    "gradient of the wrong shape", "fewer steps than count", "bytes that do not fill the shape", "no initial weight",
    "no gradient", "a probe that does not fit the first layer", "a gradient order missing a name",
    "a stored output of a layer without parameters", "a missing output of a layer with parameters",
    "too few activations", "a mode missing",
}


def schema_accepts(doc):
    return CHECKER.is_valid(doc)


def validator_accepts(doc):
    try:
        trace.validate(doc)
    except ValueError:
        return False
    return True


def cnn_document():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, stride=1, padding=1, rng=rng), nn.LeakyReLU(0.1), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8, 2, bias=False, rng=rng), nn.Sigmoid(), nn.Identity())
    images = rng.normal(size=(4, 1, 4, 4))
    recorded = trace.record_training(model, images[:2], optim.SGD(model.parameters(), lr=0.1),
                                     lambda out, t: F.mse_loss(out, t), [(images, np.zeros((4, 2)))] * 2)
    return json.loads(trace.dumps(recorded))


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def regularised_document():
    """An MLP with batch norm and dropout, four steps in training mode and two in evaluation."""
    model = regularised()
    recorder = trace.TraceRecorder(model, probe=X[:3])
    train(model, recorder)
    return json.loads(trace.dumps(recorder.trace()))


@pytest.mark.parametrize("make", [document, cnn_document, lambda: json.loads(trace.dumps(small_trace(0))),
                                  regularised_document], ids=["mlp", "cnn", "no steps", "batch norm and dropout"])
def test_real_traces_pass_both(make):
    doc = make()
    assert schema_accepts(doc) and validator_accepts(doc)


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_broken_traces_the_schema_can_describe_are_refused_by_both(case):
    doc = broken(BAD[case][0])
    assert not validator_accepts(doc)
    assert schema_accepts(doc) == (case in ONLY_THE_VALIDATOR_SEES)


def required_paths(schema, doc, path=()):
    """Every key the schema requires at a place the document has, walking the document alongside."""
    if "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    if not isinstance(doc, dict):
        return
    for key in schema.get("required", ()):
        yield (*path, key)
    properties, extra = schema.get("properties", {}), schema.get("additionalProperties")
    for key, value in doc.items():
        child = properties.get(key, extra if isinstance(extra, dict) else None)
        if child is not None:
            yield from required_paths(child, value, (*path, key))


def test_every_required_key_of_the_schema_is_required_by_the_validator():
    doc = document()
    paths = list(required_paths(SCHEMA, doc))
    assert ("steps", "gradients", "0.weight", "data") in paths and len(paths) > 50
    for path in paths:
        damaged = copy.deepcopy(doc)
        holder = damaged
        for key in path[:-1]:
            holder = holder[key]
        del holder[path[-1]]
        assert not schema_accepts(damaged), path
        assert not validator_accepts(damaged), path
