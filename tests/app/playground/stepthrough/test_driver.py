"""Next phase and Animate every step drive the walkthrough: real steps of the run, walked phase by phase at
the chosen speed, training exactly the network that training by the epoch would."""
import numpy as np

from app.playground import plane
from app.playground.run import Run
from app.playground.state import State
from app.playground.stepthrough.driver import EXPRESSION_INTRO, PHASE_INTRO
from app.shared.palette import LIGHT
from engine import no_grad


def test_the_phases_say_what_a_gradient_is_where_they_show_one(opened):
    playground, page = opened()
    said = "how much the loss changes"  # a gradient, in words, for a learner who has not met one
    assert said in page.texts["phase-caption"] and "Computation graph" in page.texts["phase-caption"]
    captions = []
    for _ in range(5):
        playground.act("next-phase")
        captions.append(page.texts["phase-caption"])
    forward, loss, output_gradient, gradients, update = captions
    assert "how far the network's answers are from the right ones" in loss
    assert said in output_gradient and said in gradients and "against its gradient" in update


def test_next_phase_walks_a_real_step_and_lights_nodes_in_the_engines_order(opened):
    playground, page = opened()
    weights = [w.data.copy() for w in playground.run.weights]
    captions = []
    for _ in range(5):
        playground.act("next-phase")
        playground.paint(0.0)
        captions.append(page.texts["phase-caption"])
    assert not playground.playing
    assert [c.split(":")[0] for c in captions] == [f"Phase {i} of 5" for i in range(1, 6)]
    assert "largest change" in captions[-1]
    walk = playground.stepthrough.walkthrough
    recording = walk.steps.recording
    changed = [not np.array_equal(before, w.data) for before, w in zip(weights, playground.run.weights)]
    assert all(changed)  # the step was real
    walk.steps.index = 3  # gradients: once the animation is over, every node, in the order the engine completed them
    walk.start_phase()
    walk.seconds(0.0)
    lit = walk.lit_nodes(playground.graph.nodes, 60_000.0)
    assert [playground.graph.nodes.tensors[i] for i in lit] == [event.node for event in recording.backward]


def test_during_a_walkthrough_the_plane_shows_the_network_the_view_shows_until_the_update(opened):
    playground, page = opened("#v=1&hidden=5,3&lr=1")
    playground.act("toggle")
    playground.act("next-phase")  # records the step: the weights have moved already
    playground.paint(0.0)
    recording = playground.stepthrough.walkthrough.steps.recording
    before_image = playground.pictures.heatmap_image.image.copy()
    with no_grad():
        model = playground.run.model
        after = model.state_dict()
        model.load_state_dict(recording.weights_before)
        expected = playground.run.output_shade(model(plane.plane_grid(playground.pictures.resolution)).data)
        model.load_state_dict(after)
    shown = LIGHT.rgba(plane.BACKDROP * expected.reshape(playground.pictures.resolution, -1))
    assert np.abs(before_image.astype(int) - shown.astype(int)).max() <= 1
    for _ in range(4):
        playground.act("next-phase")
    playground.paint(0.0)
    assert playground.stepthrough.walkthrough.steps.phase().name == "update"
    assert (playground.pictures.heatmap_image.image != before_image).any()  # the update phase shows the step's effect


def test_animating_every_step_trains_exactly_the_epoch_that_training_would(opened):
    playground, page = opened("#batch_size=25")
    playground.act("toggle")                    # pause: it loads playing
    playground.change("layer_delay", "100")
    playground.change("animate_steps", "true")
    playground.act("toggle")                    # play, animated
    reference = Run(State(batch_size=25))
    reference.train_epoch()
    captions, ms = [], 0.0
    while playground.run.epoch < 1 and ms < 120_000:
        ms += 40.0
        playground.frame(ms)
        if not captions or captions[-1] != page.texts["phase-caption"][:12]:
            captions.append(page.texts["phase-caption"][:12])
    assert playground.run.epoch == 1 and playground.playing
    for mine, theirs in zip(playground.run.model.parameters(), reference.model.parameters()):
        np.testing.assert_array_equal(mine.data, theirs.data)
    assert playground.run.history == reference.history
    assert captions[:6] == [f"Phase {i} of 5" for i in (1, 2, 3, 4, 5, 1)]  # no button pressed
    assert len(captions) == 10 * 5 - 4          # ten steps of five phases; the last step has just begun
    playground.change("animate_steps", "false")  # back to training by the epoch, the walkthrough over
    playground.frame(ms + 40.0)
    assert playground.stepthrough.walkthrough is None and playground.run.epoch == 2


def test_the_animation_speed_applies_at_once_and_a_bad_value_is_refused(opened):
    playground, page = opened()
    playground.act("next-phase")
    playground.change("layer_delay", "3000")
    walk = playground.stepthrough.walkthrough
    assert walk.delay == 3.0 and walk.motion.delay == 3.0
    for bad in ("7", "inf", "fast"):
        playground.change("layer_delay", bad)
        assert playground.stepthrough.layer_delay_ms == 3000 and f"animation speed '{bad}'" in page.lists["notes"][0]


def test_a_batch_size_that_grows_mid_epoch_finishes_the_epoch_before_the_next_step(opened):
    playground, page = opened()
    for _ in range(5 * 24):       # 24 of the epoch's 25 steps of 10 points, walked phase by phase
        playground.act("next-phase")
    assert playground.stepthrough.batches_done == 24 and playground.run.epoch == 0
    playground.change("batch_size", "30")
    for _ in range(5):
        playground.act("next-phase")
    assert playground.run.epoch == 1 and playground.stepthrough.batches_done == 1   # a fresh epoch's first step of 30
    story = playground.stepthrough.walkthrough.story
    assert np.isfinite(story.loss) and len(story.values[0]) == 30


def test_next_phase_walks_the_codes_expression_while_the_graph_shows_one_and_else_a_training_step(opened):
    playground, page = opened("#preset=micrograd-expression")
    assert page.texts["phase-caption"] == EXPRESSION_INTRO  # it says what Next phase will walk
    playground.act("next-phase")
    assert page.texts["graph-step"].startswith("Node 1 of 6: out = tanh(n)")
    assert playground.stepthrough.walkthrough is None and playground.stepthrough.batches_done == 0
    page.type_code("")  # an empty editor hands the page back to the controls, with no expression
    playground.act("run-code")
    assert playground.graph.code_graph is None and page.texts["phase-caption"] == PHASE_INTRO
    playground.act("next-phase")
    assert page.texts["phase-caption"].startswith("Phase 1 of 5") and playground.stepthrough.batches_done == 1
