"""The Math panel, as a learner reads it: point at a neuron and check its sum by hand. Every number it writes is
read back and compared with the engine's own, from forward hooks on the model at the input the Network shows,
or from the step the walkthrough recorded."""
import re
from dataclasses import replace

import numpy as np
import pytest

from engine import nn, no_grad
from app.playground.math_panel import MAX_TERMS, NOTHING_CHOSEN
from app.shared.numbers import number
from app.playground.run import Run, sigmoid_array
from app.playground.state import State
from app.playground.stepthrough.recorded_step import network_step, record_step

NUMBER = r"[\u2212\d.e+]+"


def read(text):
    return float(text.replace("\u2212", "-"))


def sum_parts(text):
    """(the (w, x) pairs, the summed rest or None, the bias or None, z, the line after) as the panel wrote them."""
    lines = text.split("\n")
    symbols, values, result = (line.split(" = ", 1)[1] for line in lines[1:4])
    pairs = [(read(w), read(x)) for w, x in re.findall(rf"\(({NUMBER})\)\u00b7\(({NUMBER})\)", values)]
    singles = [read(v) for v in re.findall(rf"(?:^| \+ )\(({NUMBER})\)(?= \+ |$)", values)]
    rest = singles.pop(0) if "more)" in symbols else None
    bias = singles.pop(0) if symbols.endswith("+ b") else None
    return pairs, rest, bias, read(result), lines[4]


def hooked_pass(run, point):
    """Each Linear's output and each layer's values at `point`, read by forward hooks on the engine's model."""
    linear_outputs = []
    handles = [layer.register_forward_hook(lambda module, inputs, output: linear_outputs.append(output.data[0]))
               for layer in run.model if isinstance(layer, nn.Linear)]
    try:
        values = run.layer_outputs(np.asarray(point)[None])
    finally:
        for handle in handles:
            handle.remove()
    return linear_outputs, [v[0] for v in values]


def point_at_neuron(playground, layer, index):
    playground.pointer("network", "click", *playground.pictures.layout.centres[layer][index])


def approx(value):
    """Equal to `value` (a number, or a one-value torch tensor) as far as 4 significant digits show."""
    return pytest.approx(float(value.detach() if hasattr(value, "detach") else value), rel=1e-3, abs=1e-9)


def test_nothing_pointed_at_says_what_to_do(opened):
    _, page = opened()
    assert page.texts["math"] == NOTHING_CHOSEN


def test_a_hidden_neurons_sum_and_activation_are_the_engines_at_the_input_shown(opened):
    playground, page = opened()
    point_at_neuron(playground, 2, 1)  # hidden layer 2, neuron 2: its inputs are hidden layer 1's four values
    run, point = playground.run, playground.canvas_input.inspected_input(playground.moment)
    z_of, values = hooked_pass(run, point)
    text = page.texts["math"]
    assert text.startswith(f"Hidden layer 2, neuron 2, at the input ({point[0]:.3g}, {point[1]:.3g})".replace("-", "\u2212"))
    pairs, rest, bias, z, activation_line = sum_parts(text)
    weights, inputs = run.weights[1].data[1], values[1]
    order = np.argsort(-np.abs(weights * inputs))  # the largest term first
    assert [w for w, _ in pairs] == [approx(w) for w in weights[order]]
    assert [x for _, x in pairs] == [approx(x) for x in inputs[order]]
    assert rest is None and bias == approx(run.model[2].bias.data[1])
    assert z == approx(z_of[1][1])
    assert sum(w * x for w, x in pairs) + bias == pytest.approx(z, abs=1e-3 * sum(abs(w * x) for w, x in pairs))
    a = re.fullmatch(rf"a = tanh\(z\) = tanh\(({NUMBER})\) = ({NUMBER})", activation_line)
    assert read(a[1]) == z and read(a[2]) == approx(values[2][1])
    assert read(a[2]) == approx(np.tanh(z))


def test_a_wide_layer_shows_its_six_largest_terms_and_sums_the_rest_and_relu_is_named(opened):
    playground, page = opened("#hidden=9,3&activation=relu")
    point_at_neuron(playground, 2, 0)
    run, point = playground.run, playground.canvas_input.inspected_input(playground.moment)
    z_of, values = hooked_pass(run, point)
    pairs, rest, bias, z, activation_line = sum_parts(page.texts["math"])
    terms = run.weights[1].data[0] * values[1]
    order = np.argsort(-np.abs(terms))
    assert len(pairs) == MAX_TERMS and "\u2026 (3 more)" in page.texts["math"]
    assert [w * x for w, x in pairs] == [pytest.approx(t, rel=2e-3, abs=1e-9) for t in terms[order[:MAX_TERMS]]]
    assert rest == approx(terms[order[MAX_TERMS:]].sum())
    assert sum(w * x for w, x in pairs) + rest + bias == pytest.approx(z, abs=1e-3 * np.abs(terms).sum())
    assert z == approx(z_of[1][0]) and activation_line.startswith("a = relu(z) = relu(")
    assert activation_line.endswith(f"= {values[2][0]:.4g}".replace("-", "\u2212"))


def test_the_output_neuron_shows_its_logit_becoming_the_probability_the_inspector_shows(opened):
    playground, page = opened()
    point_at_neuron(playground, 3, 0)
    run, point = playground.run, playground.canvas_input.inspected_input(playground.moment)
    z_of, _ = hooked_pass(run, point)
    pairs, _, bias, z, output_line = sum_parts(page.texts["math"])
    assert z == approx(z_of[-1][0]) and len(pairs) == 2
    p = re.fullmatch(rf"p = \u03c3\(z\) = \u03c3\(({NUMBER})\) = ({NUMBER}), the probability of class 1", output_line)
    assert read(p[2]) == approx(sigmoid_array(z_of[-1][0])) and p[2] == dict(page.tables["inspector-numbers"])["output"]


def test_a_regression_output_is_the_predicted_value(opened):
    playground, page = opened("#problem=regression&dataset=plane")
    point_at_neuron(playground, 3, 0)
    z_of, _ = hooked_pass(playground.run, playground.canvas_input.inspected_input(playground.moment))
    *_, z, output_line = sum_parts(page.texts["math"])
    assert z == approx(z_of[-1][0]) and output_line == f"\u0177 = z = {number(z_of[-1][0])}, the predicted value"


def test_during_the_walkthrough_the_sum_is_the_recorded_steps_for_its_first_example(opened):
    run = Run(State())
    story = network_step(record_step(run), run.model)  # the same first step, recorded apart from the page
    playground, page = opened()
    playground.act("next-phase")
    playground.frame(60_000.0)
    point_at_neuron(playground, 1, 3)  # hidden layer 1, neuron 4: its inputs are the example's x₁ and x₂
    text = page.texts["math"]
    assert text.startswith("Hidden layer 1, neuron 4, at the batch's first example")
    pairs, _, bias, z, activation_line = sum_parts(text)
    assert sorted(x for _, x in pairs) == [approx(x) for x in sorted(story.values[0][0])]
    assert sorted(w for w, _ in pairs) == [approx(w) for w in sorted(story.weights[0][0][3])]
    assert bias == approx(story.biases[0][0][3]) and z == approx(story.pre_activations[1][0, 3])
    assert activation_line.endswith(f"= {story.values[1][0, 3]:.4g}".replace("-", "\u2212"))
    point_at_neuron(playground, 0, 1)
    assert page.texts["math"] == (f"Feature x2, at the batch's first example: x\u2082 = "
                                  f"{story.values[0][0, 1]:.4g}, a feature of the point: nothing is computed here"
                                  .replace("-", "\u2212"))
    with no_grad():
        assert story.values[0][0, 1] == run.inputs_train[0, 1]


def chain_rule(text):
    """(the factors of the shown example's chain rule, its result, the batch's gradient, the update line or None)."""
    lines = text.split("\n")
    chain = next(line for line in lines if line.startswith("\u2202L/\u2202w = "))
    factors = [read(v) for v in re.findall(rf"\(({NUMBER})\)", chain)]
    batch = next(line for line in lines if line.startswith("\u2202L/\u2202w for the batch"))
    update = next((line for line in lines if "w \u2190" in line), None)
    return factors, read(chain.split(" = ")[-1]), read(batch.split(" = ")[-1]), update


def walk_to(playground, phase):
    for _ in range(phase):
        playground.act("next-phase")
        playground.frame(playground.moment + 60_000.0)


def test_an_edge_during_the_walkthrough_works_out_its_gradient_as_the_engine_and_pytorch_do(opened, edge_middle):
    torch = pytest.importorskip("torch")
    from tests.app.playground.stepthrough.test_walkthrough import LR, torch_step
    batch, alone = torch_step(State()), torch_step(replace(State(), batch_size=1))  # alone: the first example only
    run = Run(State())
    engine_alone = network_step(record_step(run, slice(0, 1)), run.model)  # the engine's own loss of that example
    playground, page = opened()
    edge = edge_middle(playground, 1, 1, 3)  # hidden layer 1, neuron 4 -> hidden layer 2, neuron 2
    playground.pointer("network", "click", *edge)
    assert "press Next phase" in page.texts["math"]
    walk_to(playground, 3)
    playground.pointer("network", "click", *edge)
    assert page.texts["math"].endswith("its gradient is worked out in phase 4 (gradients)")
    walk_to(playground, 1)
    playground.pointer("network", "click", *edge)
    text = page.texts["math"]
    assert "(phase 4 of 5, gradients)" in text and "1/10 of the gradient of its own loss" in text
    (upstream, slope, x), share, gradient, update = chain_rule(text)
    assert upstream == approx(batch.act[1].grad[0, 1]) and x == approx(batch.act[0][0, 3])
    assert slope == approx(1 - torch.tanh(batch.pre[1][0, 1]) ** 2)
    own = alone.weights[1][0].grad[1, 3]  # PyTorch: the gradient of the first example's own loss
    assert share == approx(own / 10) and share == approx(engine_alone.weights[1][1][1, 3] / 10)
    assert share == pytest.approx(upstream * slope * x, rel=2e-3)
    assert gradient == approx(batch.weights[1][0].grad[1, 3]) and update is None
    walk_to(playground, 1)
    playground.pointer("network", "click", *edge)
    *_, update = chain_rule(page.texts["math"])
    w, dw = batch.weights[1][0].detach()[1, 3], batch.weights[1][0].grad[1, 3]
    expected = f"w \u2190 w \u2212 \u03b7\u00b7\u2202L/\u2202w = ({number(w)}) \u2212 ({LR:g})\u00b7({number(dw)}) = {number(w - LR * dw)}"
    assert update == expected
    playground.pointer("network", "click", *edge_middle(playground, 2, 0, 1))  # hidden layer 2, neuron 2 -> output
    (upstream, x), share, gradient, _ = chain_rule(page.texts["math"])
    assert "\u2202L/\u2202z \u00b7 x" in page.texts["math"] and upstream == approx(batch.pre[2].grad[0, 0])
    assert share == approx(alone.weights[2][0].grad[0, 1] / 10) and gradient == approx(batch.weights[2][0].grad[0, 1])


def test_with_adam_and_a_penalty_the_penalty_is_its_own_term_and_the_step_is_the_recorded_one(opened, edge_middle):
    playground, page = opened("#optimizer=adam&regularization=l2&reg_rate=0.01")
    walk_to(playground, 5)
    playground.pointer("network", "click", *edge_middle(playground, 1, 1, 3))
    story = playground.stepthrough.walkthrough.story
    before, gradient, after = (part[1, 3] for part in story.weights[1])
    lines = page.texts["math"].split("\n")
    *_, shares, _ = chain_rule(page.texts["math"])  # the examples' shares: the data loss's part alone
    penalty = re.fullmatch(rf"  \+ the penalty's \u2202/\u2202w \(({NUMBER})\) = ({NUMBER})", lines[4])
    assert read(penalty[2]) == approx(gradient)
    assert shares + read(penalty[1]) == pytest.approx(gradient, rel=1e-3)
    assert lines[-1].startswith(f"w \u2190 w \u2212 \u03b7\u00b7m\u0302 / (\u221av\u0302 + \u03b5) = ({number(before)})")
    assert lines[-1].endswith(f" = {number(after)}")


def test_a_three_class_output_is_its_softmax_probability(opened):
    playground, page = opened("#preset=three-class")
    point_at_neuron(playground, 2, 1)  # the second of three output neurons
    z_of, _ = hooked_pass(playground.run, playground.canvas_input.inspected_input(playground.moment))
    *_, z, output_line = sum_parts(page.texts["math"])
    logits = z_of[-1]
    p = re.fullmatch(rf"p\u2082 = exp\(z\u2082\) / \u03a3\u2c7c exp\(z\u2c7c\) = ({NUMBER}), the probability of "
                     r"class 1", output_line)
    assert z == approx(logits[1]) and read(p[1]) == approx(np.exp(logits[1]) / np.exp(logits).sum())
    assert p[1] == dict(page.tables["inspector-numbers"])["output"]


def torch_step_from(name, state, settings, before, gradient):
    """PyTorch's optimizer `name` given the engine's `state` and `settings` for one parameter, stepping it from
    `before` with `gradient`: (the parameter after, its state after)."""
    torch = pytest.importorskip("torch")
    weight = torch.tensor(before, requires_grad=True)
    make = {"momentum": lambda: torch.optim.SGD([weight], lr=settings["lr"], momentum=settings["momentum"]),
            "rmsprop": lambda: torch.optim.RMSprop([weight], lr=settings["lr"], alpha=settings["alpha"],
                                                   eps=settings["eps"]),
            "adam": lambda: torch.optim.Adam([weight], lr=settings["lr"], betas=settings["betas"], eps=settings["eps"])}
    optimizer = make[name]()
    saved = {key: torch.tensor(value) if isinstance(value, np.ndarray) else torch.tensor(float(value))
             for key, value in state.items()}
    if name == "rmsprop" and saved:
        saved["step"] = torch.tensor(0.0)  # PyTorch's RMSprop keeps a count its rule does not read; the engine's none
    optimizer.load_state_dict({"state": {0: saved} if saved else {},
                               "param_groups": optimizer.state_dict()["param_groups"]})
    weight.grad = torch.tensor(gradient)
    optimizer.step()
    return weight.detach().numpy(), {key: np.asarray(value) for key, value in optimizer.state_dict()["state"][0].items()}


def rule_numbers(line):
    """The numbers a line of a rule writes after its first " = ", in order."""
    numbers = r"(?<![\w\u2080-\u2089\u1d57])\u2212?\d[\d.]*(?:e[\u2212+]?\d+)?"
    return [read(v) for v in re.findall(numbers, line.split(" = ", 1)[1].replace("1 \u2212 ", ""))]


@pytest.mark.parametrize("optimizer", ["momentum", "rmsprop", "adam"])
def test_each_optimizers_rule_is_written_out_with_its_state_as_pytorch_steps_it(opened, edge_middle, optimizer):
    playground, page = opened(f"#optimizer={optimizer}&regularization=l2&reg_rate=0.01")
    for _ in range(3):  # a few epochs first: the running averages have a past, and Adam's step count is past 1
        playground.act("step")
    walk_to(playground, 5)
    playground.pointer("network", "click", *edge_middle(playground, 1, 1, 3))
    run, recording = playground.run, playground.stepthrough.walkthrough.steps.recording
    index = next(i for i, p in enumerate(run.optimizer.params) if p is run.weights[1])
    name = recording.parameter_names[run.weights[1]]
    gradient = next(event.gradient for event in recording.backward if event.node is run.weights[1])
    settings = recording.optimizer_before["param_groups"][0]
    after, state = torch_step_from(optimizer, recording.optimizer_before["state"][index], settings,
                                   recording.weights_before[name], gradient)
    np.testing.assert_allclose(recording.weights_after[name], after, rtol=1e-12, atol=1e-15)  # the engine steps as torch
    before, g, now = recording.weights_before[name][1, 3], gradient[1, 3], after[1, 3]
    earlier = {key: value[1, 3] if np.ndim(value) else float(value)
               for key, value in recording.optimizer_before["state"][index].items()}
    state = {key: value[1, 3] if np.ndim(value) else float(value) for key, value in state.items()}
    lines = page.texts["math"].split("\n")
    rule = lines[next(i for i, line in enumerate(lines) if line.startswith("\u2202L/\u2202w for the batch")) + 2:]
    if optimizer == "momentum":
        assert rule[0].startswith("v \u2190 \u03bc\u00b7v + \u2202L/\u2202w = ")
        assert rule_numbers(rule[0]) == [approx(0.9), approx(earlier["momentum_buffer"]), approx(g),
                                         approx(state["momentum_buffer"])]
        assert rule_numbers(rule[1]) == [approx(before), approx(settings["lr"]), approx(state["momentum_buffer"]),
                                         approx(now)]
    elif optimizer == "rmsprop":
        assert rule_numbers(rule[0]) == [approx(0.99), approx(earlier["square_avg"]), approx(0.01), approx(g),
                                         approx(state["square_avg"])]
        assert rule_numbers(rule[1]) == [approx(before), approx(settings["lr"]), approx(g), approx(state["square_avg"]),
                                         approx(1e-8), approx(now)]
    else:
        t = state["step"]
        assert t == earlier["step"] + 1 and t > 1
        assert rule_numbers(rule[0]) == [approx(0.9), approx(earlier["exp_avg"]), approx(0.1), approx(g),
                                         approx(state["exp_avg"])]
        assert rule_numbers(rule[1]) == [approx(0.999), approx(earlier["exp_avg_sq"]), approx(0.001), approx(g),
                                         approx(state["exp_avg_sq"])]
        mean_hat, square_hat = state["exp_avg"] / (1 - 0.9 ** t), state["exp_avg_sq"] / (1 - 0.999 ** t)
        assert rule[2] == (f"step t = {int(t)}: m\u0302 = m / (1 \u2212 \u03b2\u2081\u1d57) = {number(mean_hat)}, "
                           f"v\u0302 = v / (1 \u2212 \u03b2\u2082\u1d57) = {number(square_hat)}")
        assert rule_numbers(rule[3]) == [approx(before), approx(settings["lr"]), approx(mean_hat), approx(square_hat),
                                         approx(1e-8), approx(now)]


def test_momentums_first_step_starts_its_velocity_at_the_gradient(opened, edge_middle):
    playground, page = opened("#optimizer=momentum")
    walk_to(playground, 5)
    playground.pointer("network", "click", *edge_middle(playground, 1, 1, 3))
    story = playground.stepthrough.walkthrough.story
    before, gradient, after = (part[1, 3] for part in story.weights[1])
    assert (f"v \u2190 \u2202L/\u2202w = {number(gradient)}: its first step, so the velocity starts as the gradient"
            in page.texts["math"].split("\n"))
    assert after - before == pytest.approx(-0.03 * gradient, rel=1e-9)
