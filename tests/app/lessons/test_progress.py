"""A lesson's progress kept in this browser and shown in Start here; Back, Skip and Forget progress; the lesson's
step in the page's link; and the diagnostics' alerts linking to the lesson that explains them."""
import json
import re
from pathlib import Path

from tests.app.fake_page import FakePage
from tests.app.lessons.test_lessons import shown_step, status

from app.lessons.progress import SAVED_PROGRESS
from app.lessons.steps import STEPS
from app.playground import events
from app.playground.controller import Playground


def next_frame(playground):
    playground.frame(playground.moment + 1000.0)


def bound(playground, page):
    """The page's clicks and links reach `playground`, as main.py binds them."""
    events.bind(page, playground.act, playground.change, playground.pointer, playground.key, playground.open_link,
                playground.open_file)


def test_a_done_step_is_kept_in_the_browser_shown_in_the_list_and_back_after_a_reload(opened):
    playground, page = opened("#preset=xor-hidden")
    assert page.texts["progress-xor-hidden"] == "" and page.attribute('[data-action="forget-lessons"]', "hidden") == ""
    playground.change("hidden", "4")
    next_frame(playground)
    assert json.loads(page.storage[SAVED_PROGRESS]) == {"xor-hidden": [1]}
    assert page.texts["progress-xor-hidden"] == "1/3"
    assert page.attribute('[data-action="forget-lessons"]', "hidden") is None  # something to forget now
    reloaded = FakePage()
    reloaded.storage = dict(page.storage)
    Playground(reloaded, "")
    assert reloaded.texts["progress-xor-hidden"] == "1/3" and reloaded.texts["progress-overfit"] == ""
    reloaded.storage[SAVED_PROGRESS] = json.dumps({"xor-hidden": [1, 2, 3]})
    Playground(reloaded, "")
    assert reloaded.texts["progress-xor-hidden"] == "\u2713"


def test_forget_progress_clears_the_list_and_the_browser(opened):
    page = FakePage()
    page.storage[SAVED_PROGRESS] = json.dumps({"xor-hidden": [1], "overfit": [1, 2, 3, 4, 5, 6]})
    playground, page = opened("", page=page)
    assert page.texts["progress-overfit"] == "\u2713"
    playground.act("forget-lessons")
    assert page.texts["progress-overfit"] == page.texts["progress-xor-hidden"] == ""
    assert json.loads(page.storage[SAVED_PROGRESS]) == {}
    assert page.attribute('[data-action="forget-lessons"]', "hidden") == ""


def test_kept_progress_that_cannot_be_read_is_dropped_with_a_note_not_a_crash(opened):
    page = FakePage()
    page.storage[SAVED_PROGRESS] = "{not json"
    playground, page = opened("", page=page)
    assert page.lists["notes"] == ["the lesson progress kept in this browser could not be read, so it starts afresh"]
    page = FakePage()
    page.storage[SAVED_PROGRESS] = json.dumps({"xor-hidden": [2, 7, "x"], "gone-lesson": [1]})
    playground, page = opened("#preset=xor-hidden", page=page)
    assert page.texts["progress-xor-hidden"] == "1/3"  # step 2 kept; 7 and "x" are no steps of it
    assert page.lists["notes"] == ["lesson progress kept for xor-hidden, gone-lesson did not match the lessons and "
                                   "was dropped"]


def test_back_shows_the_step_done_without_moving_on_and_skip_goes_ahead(opened):
    playground, page = opened("#preset=xor-hidden")
    bound(playground, page)
    assert page.find("lesson-step", "button", data_action="lesson-back")[0].attributes.get("disabled") == ""
    playground.change("hidden", "4")
    next_frame(playground)
    assert shown_step(page) == "Step 2 of 3"
    back, = page.find("lesson-step", "button", data_action="lesson-back")
    assert back.text == "Back" and "disabled" not in back.attributes
    page.press(back)
    next_frame(playground)
    assert shown_step(page) == "Step 1 of 3" and status(page) == "Done. Press Skip to go on."
    next_frame(playground)
    assert shown_step(page) == "Step 1 of 3"  # it waits for the learner
    page.press(page.find("lesson-step", "button", data_action="lesson-skip")[0])
    page.press(page.find("lesson-step", "button", data_action="lesson-skip")[0])
    next_frame(playground)
    assert shown_step(page) == "Step 3 of 3" and json.loads(page.storage[SAVED_PROGRESS]) == {"xor-hidden": [1]}
    assert page.find("lesson-step", "button", data_action="lesson-skip")[0].attributes.get("disabled") == ""
    assert "preset=xor-hidden&step=3" in page.fragment  # Skip moved the link too


def test_the_pages_link_keeps_the_lesson_and_its_step_and_reopens_what_the_learner_saw(opened):
    playground, page = opened("#preset=xor-hidden")
    assert page.fragment == "v=1&dataset=xor&hidden=&preset=xor-hidden&step=1"
    playground.change("hidden", "4")
    next_frame(playground)
    assert page.fragment == "v=1&dataset=xor&hidden=4&preset=xor-hidden&step=2"
    again, again_page = opened("#" + page.fragment)
    next_frame(again)
    assert again.state.hidden == (4,)  # the learner's change, not the lesson's start
    assert shown_step(again_page) == "Step 2 of 3" and status(again_page).startswith("Not yet: the test accuracy")
    assert "XOR needs a hidden layer" in again_page.texts["note"]
    playground.open_link("#v=1&dataset=circle")  # a link that is no lesson closes it
    assert shown_step(page) is None and "preset" not in page.fragment and "step" not in page.fragment


def test_a_lesson_link_with_the_learners_own_code_shows_it_and_runs_it_only_on_run(opened):
    playground, page = opened("#preset=dead-relu")
    lesson_code = page.editor
    page.type_code(lesson_code.replace("= -5.0", "= 0.0"))
    playground.act("run-code")
    assert "&preset=dead-relu&step=1&code=" in page.fragment
    again, again_page = opened("#" + page.fragment)
    assert again_page.editor == lesson_code.replace("= -5.0", "= 0.0")  # what the learner saw in the editor
    assert not again.editor.defines_model()                             # but a stranger's code waits for Run
    assert "Dead ReLUs" in again_page.texts["note"] and "press Run" in again_page.texts["note"]
    assert again.playing and shown_step(again_page) == "Step 1 of 3"
    again.act("run-code")
    hidden_biases = [layer.bias.data for layer in list(again.run.model)[:-1] if hasattr(layer, "bias")]
    assert all((bias == 0.0).all() for bias in hidden_biases)
    # The lesson's own code in a link is the lesson's: it runs at once, as the lesson's link does.
    playground.open_link("#preset=dead-relu")
    third, third_page = opened("#" + page.fragment)
    assert third.editor.defines_model() and "press Run" not in third_page.texts["note"]


def test_a_step_out_of_range_opens_step_one_and_says_which_steps_there_are(opened):
    playground, page = opened("#preset=xor-hidden&step=7")
    assert shown_step(page) == "Step 1 of 3"
    assert page.lists["notes"] == ["step '7' is not a step of this lesson, which has steps 1 to 3; opened step 1"]
    playground.open_link("#preset=overfit&step=two")
    assert shown_step(page) == "Step 1 of 6" and "'two'" in page.lists["notes"][0]
    playground.open_link("#preset=overfit&step=3")
    assert shown_step(page) == "Step 3 of 6" and page.lists["notes"] == []
    playground.open_link("#v=1&step=2")
    assert page.lists["notes"] == ["step '2' ignored: the link opens no lesson"]


def test_an_alert_links_to_the_lesson_that_explains_it_and_the_link_opens_it(opened):
    playground, page = opened("#v=1&activation=sigmoid&hidden=4,4,4,4,4,4,4,4&room=diagnostics")
    bound(playground, page)
    playground.frame(1000.0)
    playground.act("toggle")
    playground.paint(2000.0)
    item, = page.built["alerts"]
    link, = item.find("a")
    assert item.text.startswith("Vanishing gradients") and item.text.endswith(
        "See the lesson Sigmoid gradients vanish in depth.")
    assert link.attributes["href"] == "#preset=sigmoid-vanishing"
    page.fire(None, "link", link.attributes["href"][1:])  # the browser's hashchange, as a click on it makes
    assert shown_step(page) == "Step 1 of 3" and "preset=sigmoid-vanishing" in page.fragment


def test_start_here_lists_every_lesson_in_order_each_with_its_progress_beside_it():
    html = (Path(__file__).resolve().parents[3] / "site" / "index.html").read_text()
    listed = re.findall(r'<li><a href="#preset=([\w-]+)">[^<]+</a> <span id="progress-([\w-]+)"', html)
    assert listed == [(lesson, lesson) for lesson in STEPS]
