"""The hidden-layer editor as a user sees and uses it: a row per layer, buttons named for what they do, the
layer's function chosen in its menu, and a press that reaches the playground."""
from tests.app.fake_page import FakePage
from tests.app.playground.reading import shown_layers

from app.playground import events
from app.playground.controller import Playground
from app.playground.layer_editor import HELD, LAYER_COUNT, show_layers
from app.playground.state import ACTIVATIONS, hidden_activations


def test_each_hidden_layer_gets_a_row_with_named_buttons_its_size_and_its_function():
    page = FakePage()
    show_layers(page, [4, 1, 2], ["tanh", "relu", "tanh"], ACTIVATIONS)
    rows = page.find("layer-controls", "div", class_="layer-row")
    assert [row.find("span", class_="layer-name")[0].text for row in rows] == ["Hidden 1", "Hidden 2", "Hidden 3"]
    assert [row.find("span", class_="layer-size")[0].text for row in rows] == ["4 neurons", "1 neuron", "2 neurons"]
    add, = page.find("layer-controls", "button", aria_label="Add a neuron to hidden layer 2")
    remove, = page.find("layer-controls", "button", aria_label="Remove a neuron from hidden layer 2")
    assert (add.text, add.attributes["data-action"], add.attributes["data-layer"]) == ("+", "add-neuron", "1")
    assert (remove.text, remove.attributes["data-action"]) == ("\u2212", "remove-neuron")
    menu, = page.find("layer-controls", "select", aria_label="Hidden layer 2 function")
    assert [option.attributes["value"] for option in menu.children] == list(ACTIVATIONS)
    assert [option.text for option in menu.children] == ["tanh", "ReLU", "sigmoid", "linear", "leaky ReLU"]  # as said
    assert [option.attributes["value"] for option in menu.find("option", selected="")] == ["relu"]
    assert shown_layers(page) == ([4, 1, 2], ["tanh", "relu", "tanh"])


def test_showing_fewer_layers_replaces_the_rows():
    page = FakePage()
    show_layers(page, [4, 1, 2], ["tanh"] * 3, ACTIVATIONS)
    show_layers(page, [3], ["sigmoid"], ACTIVATIONS)
    row, = page.find("layer-controls", "div", class_="layer-row")
    assert row.text.startswith("Hidden 1\u22123 neurons+")


def test_the_editors_button_and_menu_reach_the_playground():
    page = FakePage()
    playground = Playground(page)
    events.bind(page, playground.act, playground.change, playground.pointer, playground.key, playground.open_link,
                playground.open_file)
    sizes = list(playground.state.hidden)
    show_layers(page, sizes, ["tanh"] * len(sizes), ACTIVATIONS)
    page.press(page.find("layer-controls", aria_label="Add a neuron to hidden layer 1")[0])
    assert playground.state.hidden[0] == sizes[0] + 1
    page.choose(page.find("layer-controls", aria_label="Hidden layer 1 function")[0], "relu")
    assert hidden_activations(playground.state)[0] == "relu"


def test_while_code_builds_the_network_the_layer_controls_show_its_layers_disabled_and_say_why(opened):
    playground, page = opened()
    events.bind(page, playground.act, playground.change, playground.pointer, playground.key, playground.open_link,
                playground.open_file)
    page.type_code("model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 3), nn.Sigmoid(), nn.Linear(3, 1))")
    playground.act("run-code")
    assert shown_layers(page) == ([5, 3], ["relu", "sigmoid"])  # the code's network, not the controls' 4-2 tanh
    reason, = page.find("layer-controls", "p", id=HELD)
    assert reason.text == ("The network comes from your code: change it there, or empty the editor and press Run to "
                           "build it with the controls again.")
    controls = page.find("layer-controls", "button") + page.find("layer-controls", "select")
    assert len(controls) == 6 and all(control.attributes.get("disabled") == "" for control in controls)
    assert all(control.attributes["aria-describedby"] == HELD for control in controls)
    assert page.attribute(LAYER_COUNT, "disabled") == "" and page.attribute(LAYER_COUNT, "aria-describedby") == HELD
    page.press(page.find("layer-controls", aria_label="Add a neuron to hidden layer 1")[0])
    assert playground.run.layer_sizes() == [2, 5, 3, 1]

    page.type_code("")
    playground.act("run-code")  # an empty editor hands the network back to the controls
    assert shown_layers(page) == ([4, 2], ["tanh", "tanh"]) and page.find("layer-controls", "p") == []
    assert page.attribute(LAYER_COUNT, "disabled") is None and page.attribute(LAYER_COUNT, "aria-describedby") is None
    assert not any("disabled" in button.attributes for button in page.find("layer-controls", "button"))
    page.press(page.find("layer-controls", aria_label="Add a neuron to hidden layer 1")[0])
    assert playground.run.layer_sizes() == [2, 5, 2, 1]


def test_code_with_one_function_holds_the_toolbars_activation_at_it(opened):
    playground, page = opened()
    page.type_code("model = nn.MLP(2, [6, 6], 1, activation='relu')")
    playground.act("run-code")
    assert page.controls["activation"] == "relu" and playground.state.activation == "tanh"  # the code's, not the controls'
    assert page.attribute("#activation", "disabled") == "" and page.attribute("#activation", "data-held") == ""
    assert page.attribute("#activation", "aria-describedby") == HELD
    assert playground.summary(0.0).startswith("A 2-6-6-1 relu network")  # what a screen reader hears agrees
    page.type_code("")
    playground.act("run-code")
    assert page.controls["activation"] == "tanh" and page.attribute("#activation", "disabled") is None
    assert playground.summary(0.0).startswith("A 2-4-2-1 tanh network")


def test_code_with_a_function_of_its_own_trains_measured_and_named(opened):
    playground, page = opened()
    page.type_code("class Square(nn.Module):\n"
                   "    def forward(self, x):\n"
                   "        return x * x\n"
                   "model = nn.Sequential(nn.Linear(2, 4), Square(), nn.Linear(4, 1))")
    playground.act("run-code")
    assert page.texts.get("message", "") == ""  # no error: the diagnostics measure a function they do not know
    for moment in (16.0, 32.0):
        playground.frame(moment)
    assert playground.run.epoch == 2 and playground.monitor.timeline  # trained and measured
    assert shown_layers(page) == ([4], ["Square"])  # the layer's menu names your function
    assert playground.summary(0.0).startswith("A 2-4-1 Square network")
    assert page.controls["activation"] == "tanh"  # no one function of the menu's to show: it stays, held
