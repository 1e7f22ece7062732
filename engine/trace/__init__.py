"""Training traces: what a network did at every step, in one JSON file the page can replay.

A trace holds the network's structure (its layers, in the weights file's words), a small probe batch,
the parameters (and buffers: batch norm's running statistics) before the first step and, for every step,
the loss, each layer's output on the probe, every parameter's gradient with the order they were computed
in, the change the optimizer made, the mode it trained in, and the buffers after it.

Engine models are recorded by `TraceRecorder` (`recorder.py`: the page, notebooks); PyTorch models by
tools/torch_trace.py. `format.py` is what a trace holds and its file: `dumps` writes it, and `loads` and
`validate` check everything and name the field that is wrong. This package lists the names users type.

>>> import numpy as np
>>> from engine import nn, optim
>>> from engine.nn import functional as F
>>> X = np.random.default_rng(0).normal(size=(16, 2))
>>> y = (X[:, :1] > 0).astype(float)
>>> model = nn.MLP(2, [3], 1)
>>> recorder = TraceRecorder(model, probe=X[:4])
>>> optimizer = optim.SGD(model.parameters(), lr=0.5)
>>> for _ in range(10):
...     step = recorder.record_step(F.binary_cross_entropy_with_logits(model(X), y), optimizer)
>>> trace = loads(dumps(recorder.trace()))
>>> len(trace.steps), trace.structure.sizes, trace.steps[0].activations[0].shape
(10, [2, 3, 1], (4, 3))
>>> list(trace.steps[0].gradients)
['2.bias', '2.weight', '0.bias', '0.weight']
>>> bool(trace.loss[-1] < trace.loss[0])
True
"""
from .format import FORMAT, VERSION, Step, Structure, Trace, dumps, encode, from_document, loads, validate
from .recorder import TraceRecorder, record_training

__all__ = ["TraceRecorder", "record_training", "Trace", "Step", "Structure", "dumps", "loads", "validate",
           "encode", "from_document", "FORMAT", "VERSION"]
