"""The code in charge, as a learner uses it: Run, code that fails, Copy link, and the code kept for a reload."""
from tests.app.fake_page import FakePage

from app.editor.code_link import decode_code
from app.editor.session import STALE_OUTPUT
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
    assert "press Run" in their_page.texts["note"]
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


def code_in(link):
    """The code a copied link carries, as the stranger's editor gets it (None when it carries none)."""
    tokens = [part[len("code="):] for part in link.split("#", 1)[1].split("&") if part.startswith("code=")]
    return decode_code(tokens[0]).text if tokens else None


def test_copy_link_carries_the_code_the_editor_shows_before_it_ever_ran(opened):
    playground, page = opened("#dataset=xor")
    page.type_code(MODEL_CODE)
    playground.act("copy-link")
    assert code_in(page.clipboard) == MODEL_CODE
    assert page.texts["link-status"].startswith("This link carries the code in the editor, which has not run here: "
                                                "press Run to run it. Link copied: http://")
    assert playground.run.layer_sizes() == [2, 4, 2, 1]  # copying ran nothing here

    stranger, their_page = opened(page.clipboard.split("#", 1)[1])
    assert their_page.editor == MODEL_CODE and stranger.state.dataset == "xor"
    assert stranger.run.layer_sizes() == [2, 4, 2, 1] and "code-output" not in their_page.texts  # shown, not run


def test_after_a_run_and_an_edit_the_link_carries_the_edit_and_says_it_is_not_what_runs(opened):
    playground, page = opened()
    page.type_code(MODEL_CODE)
    playground.act("run-code")
    edited = MODEL_CODE.replace("[6, 3]", "[5]")
    page.type_code(edited)
    playground.act("copy-link")
    assert code_in(page.clipboard) == edited
    assert page.texts["link-status"].startswith("This link carries the code in the editor, which differs from the "
                                                "code running: press Run to run it. Link copied: ")
    assert playground.run.layer_sizes() == [2, 6, 3, 1]
    playground.act("run-code")
    playground.act("copy-link")
    assert code_in(page.clipboard) == edited and page.texts["link-status"].startswith("Link copied: ")
    page.type_code("")  # emptied, not yet Run: the link opens the controls' network, this page still runs the code
    playground.act("copy-link")
    assert code_in(page.clipboard) is None and "the editor is empty" in page.texts["link-status"]


def test_the_editor_starts_with_the_controls_network_as_code_that_runs_as_it_is(opened):
    playground, page = opened()
    assert 'model = nn.MLP(2, [4, 2], 1, activation="tanh")\nprint(model)\n' in page.editor
    playground.act("copy-link")  # the starter comes back from the settings alone: the link need not carry it
    assert code_in(page.clipboard) is None and page.texts["link-status"].startswith("Link copied: ")
    playground.act("add-layer")
    playground.change("activation", "relu")  # untouched, it follows the controls
    assert 'model = nn.MLP(2, [4, 2, 2], 1, activation="relu")' in page.editor
    playground.act("run-code")
    assert page.texts["code-output"].startswith("MLP(2, [4, 2, 2], 1, activation='relu'")
    assert playground.run.layer_sizes() == [2, 4, 2, 2, 1] and playground.editor.defines_model()


def test_the_starter_stops_following_the_controls_once_you_type_and_a_lesson_without_code_gets_its_own(opened):
    playground, page = opened()
    page.type_code(page.editor.replace("[4, 2]", "[3]"))
    playground.change("hidden", "8")
    assert "[3]" in page.editor and playground.state.hidden == (8,)
    _, preset_page = opened("#preset=xor-hidden")  # a lesson without code: its own network, as code
    assert "model = nn.MLP(2, [], 1" in preset_page.editor


def test_the_hints_example_runs_in_an_empty_editor_without_imports(opened):
    playground, page = opened()
    page.type_code('model = nn.MLP(2, [8, 8], 1, activation="relu")\n'
                   'optimizer = optim.Adam(model.parameters(), lr=0.01)\n'
                   'print(F.mse_loss(Tensor(np.ones(2)), Tensor(np.zeros(2))).item(), len(data.make("xor", n=10)[0]))\n')
    playground.act("run-code")
    assert page.texts["code-output"] == "1.0 10\n"
    assert playground.run.layer_sizes() == [2, 8, 8, 1] and playground.run.optimizer_name == "code"


def test_an_edit_after_an_error_clears_the_marked_line_and_says_the_output_is_stale(opened):
    playground, page = opened()
    page.type_code("x = 1\nprint('before')\ny = x / 0\n")
    playground.act("run-code")
    failed = page.texts["code-output"]
    assert page.marked_line == 3 and failed.startswith("before\nTraceback") and "ZeroDivisionError" in failed
    page.type_code("x = 1\nprint('before')\ny = x / 1\n")
    assert page.marked_line is None
    assert page.texts["code-output"] == f"{STALE_OUTPUT}\n\n{failed}"  # the error stays readable while you fix it
    page.type_code("x = 1\nprint('before')\ny = x / 2\n")
    assert page.texts["code-output"] == f"{STALE_OUTPUT}\n\n{failed}"  # said once
    playground.act("run-code")
    assert page.texts["code-output"] == "before\n" and page.marked_line is None
