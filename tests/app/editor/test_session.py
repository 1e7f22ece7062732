"""The code in charge, as a learner uses it: Run, code that fails, Copy link, and the code kept for a reload."""
from tests.app.fake_page import FakePage

from app.playground.controller import Playground


MODEL_CODE = """from engine import nn
model = nn.MLP(2, [6, 3], 1, activation="relu")
print("built", len(model.parameters()), "parameters")
"""


def test_code_that_sets_a_model_trains_it_and_takes_charge_of_the_network(opened):
    playground, page = opened()
    page.type_code(MODEL_CODE)
    playground.act("run-code")
    assert page.texts["code-output"] == "built 6 parameters\n"
    assert playground.run.layer_sizes() == [2, 6, 3, 1]
    assert "code=" in page.fragment
    playground.paint(0.0)
    assert page.texts["network-note"] == "The network comes from your code."
    playground.act("add-layer")
    assert playground.run.layer_sizes() == [2, 6, 3, 1] and "comes from your code" in page.lists["notes"][0]
    playground.change("dataset", "xor")  # a new run builds the code's model again, fresh
    assert playground.state.dataset == "xor" and playground.run.layer_sizes() == [2, 6, 3, 1]


def test_failing_code_marks_its_line_and_the_previous_network_keeps_running(opened):
    playground, page = opened()
    run = playground.run
    page.type_code("from engine import nn\nmodel = nn.MLP(2, [4], 1)\n1 / 0\n")
    playground.act("run-code")
    assert page.marked_line == 3 and "ZeroDivisionError" in page.texts["code-output"]
    assert playground.run is run and "code=" not in page.fragment
    page.type_code("from engine import nn\nmodel = nn.MLP(5, [4], 1)\n")
    playground.act("run-code")
    assert "takes 5 inputs but the chosen features give 2" in page.texts["code-output"] and playground.run is run


def test_copy_link_reopens_the_same_code_shown_but_not_run(opened):
    playground, page = opened("#dataset=spiral&seed=7")
    page.type_code(MODEL_CODE)
    playground.act("run-code")
    playground.act("copy-link")
    link = page.clipboard
    assert link.startswith("http://127.0.0.1/gradcanvas/#v=1&") and "dataset=spiral" in link and "code=" in link

    stranger, their_page = opened(link.split("#", 1)[1])
    assert their_page.editor == MODEL_CODE
    assert stranger.run.layer_sizes() == [2, 4, 2, 1]  # the controls' network: the code has not run
    assert "press Run" in their_page.texts["message"]
    stranger.act("run-code")
    assert stranger.run.layer_sizes() == [2, 6, 3, 1] and stranger.state.seed == 7


def test_your_code_and_settings_come_back_after_a_reload_and_a_link_never_overwrites_them(opened):
    playground, page = opened()
    page.type_code("print('mine')\n")
    playground.change("lr", "0.3")
    reloaded = FakePage()
    reloaded.storage = dict(page.storage)
    again = Playground(reloaded, "")
    assert reloaded.editor == "print('mine')\n" and again.state.lr == 0.3
    visitor = FakePage()
    visitor.storage = dict(page.storage)
    Playground(visitor, "#preset=dead-relu")
    assert visitor.storage["gradcanvas:code"] == "print('mine')\n" and "lr=0.3" in visitor.storage["gradcanvas:settings"]
    playground.act("restore-code")
    assert page.editor == "print('mine')\n"
