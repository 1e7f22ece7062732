"""What the page says above its panels: errors in the red alert, everything else in the calm note line, and
each note gone once it is no longer true."""
import numpy as np

from app.editor.code_link import encode_code
from app.playground.presets import PRESETS
from app.playground.summary import NO_POINTS


def said(page):
    """(the calm note, the red alert) as the page shows them now."""
    return page.texts.get("note", ""), page.texts.get("message", "")


def test_a_lesson_is_a_calm_note_that_stays_through_what_it_asks_for_and_goes_with_its_data(opened):
    playground, page = opened("#preset=xor-hidden")
    lesson = f"{PRESETS['xor-hidden'].title}. {PRESETS['xor-hidden'].lesson}"
    assert said(page) == (lesson, "")
    playground.act("add-layer")  # what the lesson asks for
    playground.change("lr", "0.1")
    playground.act("reset")
    playground.change("show_test", "true")
    assert said(page) == (lesson, "")
    playground.change("dataset", "circle")  # other data: the lesson no longer speaks of what is on screen
    assert said(page) == ("", "")


def test_a_diverged_run_is_a_red_alert_beside_its_lesson_until_reset_starts_a_new_run(opened, played_until_it_pauses):
    playground, page = opened("#preset=lr-too-high")
    played_until_it_pauses(playground, 200)
    note, alert = said(page)
    assert note.startswith(PRESETS["lr-too-high"].title) and "diverged" in alert
    assert "diverged" not in note
    playground.change("lr", "0.01")  # the fix the alert names: the alert stays until Reset
    assert said(page) == (note, alert)
    playground.act("reset")
    assert said(page) == (note, "")


def test_what_a_switch_of_activation_did_goes_at_the_next_change_of_a_setting_or_reset(opened):
    playground, page = opened()
    playground.frame(16.0)
    playground.change("activation", "relu")
    assert page.texts["note"].startswith("A fresh network for relu") and page.texts["message"] == ""
    playground.change("discretize", "true")  # what is shown, not the network the note speaks of
    assert page.texts["note"].startswith("A fresh network for relu")
    playground.change("lr", "0.1")
    assert said(page) == ("", "")
    playground.act("toggle")
    playground.change("activation", "tanh")
    assert page.texts["note"].startswith("The same weights")
    playground.act("reset")
    assert said(page) == ("", "")


def test_a_link_with_code_says_so_calmly_until_the_code_runs(opened):
    playground, page = opened("#v=1&code=" + encode_code("from engine import nn\nmodel = nn.MLP(2, [3], 1)\n"))
    note, alert = said(page)
    assert "press Run" in note and alert == ""
    playground.change("lr", "0.1")
    playground.act("reset")
    assert said(page) == (note, "")
    playground.act("run-code")
    assert said(page) == ("", "") and playground.run.layer_sizes() == [2, 3, 1]


def test_with_no_points_the_note_says_how_to_add_one_and_goes_with_the_first(opened):
    playground, page = opened("#dataset=custom")
    assert said(page) == (NO_POINTS, "")
    playground.change("lr", "0.1")  # still no points: still the way to add one
    playground.act("step")
    assert said(page) == (NO_POINTS, "")
    playground.pointer("output", "click", 150, 150)
    assert said(page) == ("", "") and len(playground.run.X_train) == 1


def test_an_auto_stop_is_a_note_not_an_error(opened, played_until_it_pauses):
    playground, page = opened("#stop_loss=0.5")
    played_until_it_pauses(playground, 300)
    note, alert = said(page)
    assert note.startswith("Stopped: the training loss reached") and alert == ""
    assert np.isfinite(playground.run.history[-1][0])
