"""Words for what the canvas shows: the text alternative a screen reader announces."""


def describe(session, values, activation="tanh", dataset="circle"):
    """One plain sentence per fact: what trains on what, how far it got, and what it says for the input
    whose activations are drawn.

    `values` is `Session.neuron_values(x)`: the input first, the probability of class 1 last.
    """
    sizes = "-".join(str(n) for n in session.layer_sizes())
    x1, x2 = values[0]
    probability = float(values[-1][0])
    text = f"A {sizes} {activation} network is learning the {dataset} dataset. Epoch {session.epoch}."
    if session.history:
        train, test = session.history[-1]
        text += f" Training loss {train:.3f}, test loss {test:.3f}."
    return (text + f" For the input ({x1:.2f}, {x2:.2f}) it gives class 1 a probability of {probability:.2f}.")
