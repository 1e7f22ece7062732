"""The Race room, as a learner uses it: pick the one setting B changes, start the race, and watch two runs that
differ in nothing else train side by side, each exactly as a run of its settings trains alone."""
from dataclasses import fields, replace

import numpy as np

from app.playground.run import Run
from app.playground.state import State, decode
from app.race.panel import history_array


def race_frames(playground, count, start=1000.0):
    for frame in range(count):
        playground.frame(start + frame * 16.0)


def trained(state, epochs):
    run = Run(state)
    for _ in range(epochs):
        run.train_epoch()
    return run


def test_the_two_runs_differ_only_in_the_chosen_setting_and_each_trains_as_it_would_alone(opened):
    playground, page = opened("#v=1&dataset=xor&race=optimizer:adam&room=race")
    a, b = playground.race.race.runs
    differing = {f.name for f in fields(State) if getattr(a.state, f.name) != getattr(b.state, f.name)}
    assert differing == {"optimizer"} and (a.state.optimizer, b.state.optimizer) == ("sgd", "adam")
    playground.act("race")
    assert not playground.playing and page.texts["race-toggle"] == "Stop the race"
    race_frames(playground, 40)
    playground.act("race")
    assert page.texts["race-toggle"] == "Start the race" and a.epoch == b.epoch == 40
    for run, state in ((a, playground.state), (b, replace(playground.state, optimizer="adam"))):
        alone = trained(state, 40)
        assert run.history == alone.history
        for mine, theirs in zip(run.model.parameters(), alone.model.parameters()):
            np.testing.assert_array_equal(mine.data, theirs.data)
    race_frames(playground, 5, start=5000.0)  # stopped: it waits
    assert a.epoch == 40
    assert page.texts["race-a-numbers"].startswith("A, the controls' setup: epoch 40, training loss ")
    assert page.texts["race-b-numbers"].startswith("B, optimizer adam: epoch 40, ")
    assert f"test loss {b.history[-1][1]:.3f}" in page.texts["race-b-numbers"]


def test_choosing_the_setting_and_its_value_goes_into_the_link(opened):
    playground, page = opened()
    assert playground.state.race == "lr:0.3" and "race=" not in page.fragment  # the default race
    playground.change("race_setting", "activation")
    assert playground.state.race == "activation:relu" and "race=activation:relu" in page.fragment
    assert [option.text for option in page.find("race-value", "option")] == ["tanh", "relu", "sigmoid", "linear",
                                                                             "leaky_relu"]
    playground.change("race_value", "sigmoid")
    assert playground.state.race == "activation:sigmoid"
    assert page.texts["race-what"] == "B changes activation sigmoid."
    again, _ = opened("#" + page.fragment)
    assert again.race.race.runs[1].state.activation == "sigmoid"


def test_a_new_setup_is_a_new_race_stopped_at_epoch_zero(opened):
    playground, page = opened("#race=lr:0.1")
    playground.act("race")
    race_frames(playground, 10)
    playground.change("dataset", "spiral")
    a, b = playground.race.race.runs
    assert a.epoch == b.epoch == 0 and a.state.dataset == b.state.dataset == "spiral"
    assert page.texts["race-toggle"] == "Start the race"
    playground.change("show_test", True)  # only what is shown: the race goes on as it was
    assert playground.race.race.runs[0] is a


def test_both_planes_and_the_chart_are_drawn_even_before_the_room_opens(opened):
    playground, page = opened("#race=lr:0.1")
    playground.frame(0.0)  # the first frame, with the Graph room open
    for name in ("race-a", "race-b", "race-curves"):
        assert page.canvases[name].context.named("drawImage" if name != "race-curves" else "fillRect"), name
    playground.change("room", "race")
    playground.act("race")
    race_frames(playground, 12)
    playground.act("race")
    playground.frame(9000.0)
    calls = page.canvases["race-curves"].context.calls
    last_paint = calls[max(i for i, (name, _) in enumerate(calls) if name == "fillRect"):]
    strokes = [args for name, args in last_paint if name == "stroke"]
    assert len(strokes) == 4 + 4  # the key's four pieces, then a training and a test line for each run
    heatmaps = [image for image in playground.race.heatmaps]
    assert not np.array_equal(heatmaps[0].image, heatmaps[1].image)  # their boundaries differ by now
    assert heatmaps[0].image.shape == (100, 100, 4)  # the Output plane's grid, for a network this size


def test_a_run_that_diverges_stops_and_says_so_while_the_other_races_on(opened):
    playground, page = opened("#v=1&problem=regression&dataset=plane&activation=linear&hidden=&lr=0.01&race=lr:10"
                              "&room=race")
    playground.act("race")
    race_frames(playground, 60)
    a, b = playground.race.race.runs
    assert a.epoch == 60 and b.epoch < 60
    assert "(diverged at epoch" in page.texts["race-b-numbers"]
    assert np.isfinite(history_array(a)).all()


def test_history_rows_become_an_array_of_the_two_losses():
    run = trained(decode("#points=50").state, 3)
    np.testing.assert_array_equal(history_array(run), np.array(run.history)[:, :2])
    assert history_array(Run(State())).shape == (0, 2)
