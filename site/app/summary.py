"""Words for what the canvases show: the text alternative a screen reader announces."""


def describe(state, run, point=None, output=None):
    """Plain sentences: what trains on what, how far it got, and, for the input whose activations are
    drawn, what the network answers there.

    `output` is `Run.output_values` at `point` (one row): a probability, class probabilities or a value.
    """
    sizes = "-".join(str(n) for n in [len(state.features), *state.hidden, run.classes])
    dataset = "your own points" if state.dataset == "custom" else f"the {state.dataset} dataset"
    text = f"A {sizes} {state.activation} network is learning {dataset}. Epoch {run.epoch}."
    if run.history:
        train, test, train_accuracy, test_accuracy = run.history[-1]
        text += f" Training loss {train:.3f}, test loss {test:.3f}."
        if not run.regression:
            text += f" Accuracy {100 * train_accuracy:.0f}% on training data, {100 * test_accuracy:.0f}% on test data."
    if point is not None and output is not None:
        where = f"At the input ({point[0]:.2f}, {point[1]:.2f})"
        if run.regression:
            text += f" {where} it predicts {output[0]:.2f}."
        elif run.classes > 1:
            text += f" {where} it gives classes 0, 1, 2 the probabilities " + ", ".join(f"{p:.2f}" for p in output) + "."
        else:
            text += f" {where} it gives class 1 a probability of {output[0]:.2f}."
    return text
