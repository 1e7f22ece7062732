"""A trace's network at one of its steps, and that step in words: what the playground's replay and the digits
lab's share. The parameters themselves are the engine's (`engine.trace.Trace.parameters`: the first ones plus
every update until then), so both show a step with the same numbers.
"""
import numpy as np


def load_step(trace, model, step):
    """Give `model` (the trace's network, as `trace.model` or `trace.structure.build` made it) the parameters
    and buffers (batch norm's running statistics) as they stood before `step`, clamped to 0..count (count:
    after the last step); returns the step shown."""
    position = int(np.clip(step, 0, trace.count))
    model.load_state_dict(trace.state(position))
    return position


def describe_step(trace, step, name=""):
    """What a replay of `trace` (from the file `name`) shows before `step`, in words.

    >>> from engine import trace as traces
    >>> layers = [{"type": "Linear", "n_in": 2, "n_out": 1, "bias": False}]
    >>> untrained = traces.Trace.from_steps(layers, np.zeros((1, 2)), {"0.weight": np.ones((1, 2))}, [])
    >>> describe_step(untrained, 0, "run.json")
    'Replaying run.json: step 0 of 0 (after the last step).'
    """
    loss = f"; that step's loss {trace.loss[step]:.4f}" if step < trace.count else " (after the last step)"
    source = f"{name}: " if name else ""
    return f"Replaying {source}step {step} of {trace.count}{loss}."
