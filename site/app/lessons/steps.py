"""Every lesson's steps as data: per preset, 3 to 6 steps, each what to do, what to notice, and the check that
the learner did it (see `checks`); and which diagnostics alert each lesson explains.

What a step says is true of the engine: tests/app/lessons/test_lessons.py trains each lesson as the learner
would and sees every check fail before its step is done and pass after.
"""
from typing import Callable, NamedTuple

from app.lessons.checks import (activation, alert, all_of, backward_walked, code_in_charge, expression_ends_in,
                                features_include, features_only, hidden_layers, hidden_sizes, learning_rate_at_most, no_alert,
                                pointing_at_hidden_neuron, race_changes, race_gap_narrower, raced_for,
                                regularization, test_accuracy_above, trained_for,
                                training_loss_above, training_loss_below, training_share_at_least)
from app.playground.presets import PRESETS


class Step(NamedTuple):
    do: str                 # what to do, naming the control as the page labels it
    notice: str             # what to notice once it is done
    check: Callable         # Reading -> "" when done, else what is missing


NO_OVERFITTING = no_alert("overfitting", "overfitting")

STEPS = {
    "xor-hidden": (
        Step("Add a hidden layer: press + by Hidden layers",
             "the boundary, one straight line until now, can bend",
             hidden_layers(1)),
        Step("Let it train until the test accuracy passes 90%",
             "the boundary bends around the four corners of XOR",
             all_of(hidden_layers(1), test_accuracy_above(0.9))),
        Step("Remove the hidden layer again (press \u2212) and train 50 epochs",
             "one straight line again, and the test accuracy falls back to about half",
             all_of(hidden_layers(0), trained_for(50))),
    ),
    "spiral-depth": (
        Step("Let three layers of 8 train until the test accuracy passes 90%",
             "each layer folds the plane again, and the boundary winds around the spiral",
             all_of(hidden_layers(3), test_accuracy_above(0.9))),
        Step("Keep one hidden layer: press \u2212 by Hidden layers twice",
             "the network starts again, with only 8 neurons between input and output",
             hidden_layers(1)),
        Step("Train one layer of 8 for 300 epochs",
             "its test accuracy stays below 70%: 8 straight cuts cannot wind around a spiral",
             all_of(hidden_layers(1), features_only("x1", "x2"), trained_for(300))),
        Step("Switch on sin(x\u2081) and sin(x\u2082) in Features, and press + by Hidden layers",
             "two layers of 8 now start from waves that already wind",
             all_of(features_include("sin(x1)", "sin(x2)"), hidden_layers(2))),
        Step("Let it train until the test accuracy passes 90%",
             "with the right features, two layers are enough",
             all_of(features_include("sin(x1)", "sin(x2)"), hidden_layers(2), test_accuracy_above(0.9))),
    ),
    "relu-sparsity": (
        Step("Let it train until the test accuracy passes 95%",
             "the boundary is made of straight pieces",
             test_accuracy_above(0.95)),
        Step("Point at a neuron of a hidden layer in the Network",
             "its heatmap is exactly 0 over a whole region of the plane: the ReLU is off there",
             pointing_at_hidden_neuron),
        Step("Switch Activation to Tanh",
             "each unit now changes smoothly everywhere; none is exactly 0 over a region",
             activation("tanh", "Tanh")),
        Step("Let it train until the test accuracy passes 95% again",
             "the boundary is smooth rather than glued from straight pieces",
             all_of(activation("tanh", "Tanh"), test_accuracy_above(0.95))),
    ),
    "sigmoid-vanishing": (
        Step("Let it train until the Diagnostics warn of vanishing gradients",
             "the first layers get gradients thousands of times smaller than the last, and the accuracy stays "
             "near half",
             alert("vanishing", "vanishing-gradient warning")),
        Step("Switch Activation to Tanh",
             "the network starts again; tanh passes back up to the whole gradient, sigmoid at most a quarter",
             activation("tanh", "Tanh")),
        Step("Let it train until the test accuracy passes 90%",
             "no vanishing-gradient warning: every layer learns",
             all_of(activation("tanh", "Tanh"), test_accuracy_above(0.9), no_alert("vanishing",
                                                                                 "vanishing gradients"))),
    ),
    "lr-too-high": (
        Step("Watch the loss climb until training stops by itself",
             "each epoch's loss is larger than the last, until the numbers overflow",
             alert("diverged", "divergence")),
        Step("Lower the Learning rate to 0.03",
             "smaller steps no longer overshoot the lowest loss",
             learning_rate_at_most(0.03)),
        Step("Press Reset, then Play, and let it train",
             "the loss falls below 0.01 and stays there",
             all_of(learning_rate_at_most(0.03), no_alert("diverged", "divergence: press Reset"),
                    training_loss_below(0.01))),
    ),
    "dead-relu": (
        Step("Let it train an epoch: the Diagnostics warn of dead units",
             "most hidden ReLUs output 0 on every point, so no gradient reaches them",
             alert("dead", "dead-units warning")),
        Step("In the code, change -5.0 to 0.0 (or use leaky_relu) and press Run, then let it train",
             "no unit is dead now",
             all_of(code_in_charge, no_alert("dead", "dead units"))),
        Step("Let it train until the test accuracy passes 90%",
             "the living units learn the circle; the dead ones never could",
             all_of(code_in_charge, no_alert("dead", "dead units"), test_accuracy_above(0.9))),
    ),
    "width-not-depth": (
        Step("Let four layers of 2 train 300 epochs",
             "the test accuracy stays under 90%: the boundary never closes around the middle",
             all_of(hidden_sizes(2, 2, 2, 2), trained_for(300))),
        Step("Add two more layers: press + by Hidden layers twice, and let them train 300 epochs",
             "six layers of 2 do no better: layers no wider than the inputs cannot enclose a region, however deep",
             all_of(hidden_sizes(2, 2, 2, 2, 2, 2), trained_for(300))),
        Step("Keep one hidden layer (press \u2212 by Hidden layers five times) and give it a third neuron",
             "three neurons, three lines: together they can close a triangle around the middle",
             hidden_sizes(3)),
        Step("Let it train until the test accuracy passes 95%",
             "one layer of 3 does what six layers of 2 could not: width was missing, not depth",
             all_of(hidden_sizes(3), test_accuracy_above(0.95))),
    ),
    "micrograd-expression": (
        Step("Press Next node until backward() has reached the last node",
             "each node's gradient times its local derivative flows into its inputs",
             backward_walked),
        Step("In the code, write out = n.tanh() * x and press Run",
             "x now feeds two nodes of the graph",
             expression_ends_in("mul", "* x")),
        Step("Press Next node through the new graph to its last node",
             "x's gradient is the sum of the two contributions that reach it",
             all_of(expression_ends_in("mul", "* x"), backward_walked)),
    ),
    "three-class": (
        Step("Let it train until the test accuracy passes 95%",
             "three output neurons, one per class; softmax turns them into probabilities",
             test_accuracy_above(0.95)),
        Step("Remove the hidden layer: press \u2212 by Hidden layers",
             "the inputs now go straight to the three outputs",
             hidden_layers(0)),
        Step("Let it train until the test accuracy passes 95% again",
             "three straight boundaries are enough for three blobs",
             all_of(hidden_layers(0), test_accuracy_above(0.95))),
    ),
    "overfit": (
        Step("Let it train until the Diagnostics warn of overfitting",
             "the training loss falls while the test loss climbs",
             alert("overfitting", "overfitting warning")),
        Step("Keep training until the training loss is below 0.1",
             "the network has memorised its 20 points; the test loss is far above",
             training_loss_below(0.1)),
        Step("Open the Race room and press Start the race: run B is this network with dropout 0.3",
             "both start from the same weights and the same twenty points",
             all_of(race_changes("dropout"), raced_for(1))),
        Step("Let them race 300 epochs",
             "run A memorises again, its test loss far above its training loss; dropout keeps B's gap narrower",
             all_of(race_changes("dropout"), raced_for(300), race_gap_narrower)),
        Step("Set the Ratio of training to test data to 50%",
             "100 training points instead of 20",
             training_share_at_least(50)),
        Step("Train 300 epochs on the 100 points",
             "the training loss stays above 0.2: so many noisy points cannot be memorised",
             all_of(training_share_at_least(50), trained_for(300), training_loss_above(0.2))),
    ),
    "regularization": (
        Step("Train 400 epochs with L2 regularization at 0.03",
             "the test loss falls and stays down: no overfitting warning",
             all_of(regularization("l2", "L2"), trained_for(400), NO_OVERFITTING)),
        Step("Set Regularization to None, then press Reset",
             "nothing holds the weights small any more",
             regularization("none", "None")),
        Step("Let it train until the Diagnostics warn of overfitting",
             "without L2 the test loss climbs while the training loss falls",
             all_of(regularization("none", "None"), alert("overfitting", "overfitting warning"))),
    ),
}

# The diagnostics alert each lesson explains (app.diagnostics.monitor's kinds): an alert links to its lesson.
EXPLAINS = {"dead": "dead-relu", "vanishing": "sigmoid-vanishing", "diverged": "lr-too-high",
            "overfitting": "regularization"}


def lesson_explaining(kind):
    """(lesson id, its title) of the lesson that explains the alert `kind`, or None.

    >>> lesson_explaining("dead")
    ('dead-relu', 'Dead ReLUs do not recover')
    """
    lesson = EXPLAINS.get(kind)
    return (lesson, PRESETS[lesson].title) if lesson else None
