"""The step-through's motion: its timeline, the particle pool, and the particles a real step sends back,
checked against the engine's own backward order and gradients."""
import numpy as np
import pytest
from tests.app.canvas_recorder import RecordingContext
from tests.app.fake_page import FakePixels

from app.playground.stepthrough.particles import (DECADES, PULSE_SLOTS, SIZES, GradientFlow, ParticlePool, PhaseMotion, backward_curves,
                           gradient_looks, look_style)
from app.playground.stepthrough.particles_view import particle_radius
from app.playground.network_layout import layout_network
from app.graph.linking import Links
from app.shared.palette import LIGHT
from app.playground.stepthrough.recorded_step import network_step, record_step
from app.playground.run import Run
from app.playground.state import State
from app.playground.stepthrough.walkthrough import Walkthrough
from engine import topological_order


def test_the_forward_pass_lights_a_layer_per_delay_and_pulses_each_as_it_lights():
    motion = PhaseMotion("forward", 4, (2, 1, 0), delay=0.3)
    assert [motion.lit(t) for t in (0.0, 0.29, 0.3, 0.61, 5.0)] == [1, 1, 2, 3, 4]
    assert [layer for layer, _, every in motion.pulses(0.65)] == [1, 2] and not motion.pulses(0.65)[0][2]
    assert motion.pulses(10.0) == [] and motion.duration == (3 + PULSE_SLOTS) * 0.3
    slow = PhaseMotion("forward", 4, (2, 1, 0), delay=3.0)
    assert slow.lit(2.9) == 1 and slow.duration == pytest.approx(10 * motion.duration)  # the speed scales everything
    still = PhaseMotion("forward", 4, (2, 1, 0), delay=0.3, still=True)
    assert still.lit(0.0) == 4 and still.pulses(0.0) == [] and still.duration == 0.0


def test_the_backward_pass_reaches_layers_in_the_given_order_one_delay_apart():
    motion = PhaseMotion("gradients", 4, (2, 1, 0), delay=0.5)
    assert motion.reached(0.0) == [(2, 0.0)]
    assert motion.reached(1.2) == [(2, 0.0), (1, 0.5), (0, 1.0)]
    assert PhaseMotion("gradients", 4, (2, 1, 0), 0.5, still=True).reached(0.0) == [(2, 0.0), (1, 0.0), (0, 0.0)]
    assert PhaseMotion("loss", 4, (2, 1, 0), 0.5).pulses(0.1)[0][::2] == (3, True)  # the output, every neuron


def test_gradient_looks_carry_the_sign_and_a_log_size_relative_to_the_steps_largest():
    gradients = [np.array([[0.5, -0.5e-2], [0.0, 1e-9]]), np.array([[-5e-5]])]
    first, second = gradient_looks(gradients)
    assert first[1, 0] == 0                                    # exactly zero: nothing flows
    assert look_style(first[0, 0]) == (1.0, 1.0)               # the largest: positive, full size
    assert look_style(first[0, 1])[0] == -1.0                  # two decades down of four: share 0.5
    assert look_style(first[0, 1])[1] == np.rint(0.5 * (SIZES - 1)) / (SIZES - 1)
    assert look_style(first[1, 1]) == (1.0, 0.0)               # beyond DECADES: the smallest, still shown
    assert look_style(second[0, 0])[0] == -1.0 and look_style(second[0, 0])[1] < 0.5
    assert DECADES == 4.0
    assert all((look == 0).all() for look in gradient_looks([np.zeros((2, 2)), np.full((1, 1), np.nan)]))


def test_the_pool_moves_particles_along_their_curves_and_reuses_dead_slots_without_growing():
    pool = ParticlePool(3)
    arrays = [pool.curve, pool.progress, pool.rate, pool.look, pool.alive]
    line = np.array([[[0.0, 0.0], [10.0, 0.0], [20.0, 0.0], [30.0, 0.0]]] * 2)
    assert pool.emit(line, rate=2.0, looks=np.array([1, 2]), progress=np.array([0.0, -0.5])) == 2
    pool.advance(0.25)
    assert pool.visible().tolist() == [True, True, False]       # the second one just reached its start
    assert pool.positions()[:2].tolist() == [[15.0, 0.0], [0.0, 0.0]]
    assert pool.emit(line, 1.0, np.array([3, 4])) == 1          # only one slot is free
    pool.advance(0.25)
    assert pool.alive.tolist() == [False, True, True]           # the first one reached the end: gone
    assert pool.emit(line, 1.0, np.array([5])) == 1 and pool.look[0] == 5  # and its slot serves again
    assert all(a is b for a, b in zip(arrays, [pool.curve, pool.progress, pool.rate, pool.look, pool.alive]))


def linear_of_weight(run):
    return {id(weight): layer for layer, weight in enumerate(run.weights)}


def engine_weight_order(run, loss):
    """The order the engine completes the Linear weights' gradients, read independently of the app: each
    node needing a gradient, outputs first (what `Tensor.backward` walks)."""
    index = linear_of_weight(run)
    return [index[id(n)] for n in reversed(topological_order(loss)) if n.requires_grad and id(n) in index]


def edge_of(particle_curve, layout, shapes):
    """(layer, to, from) of the edge whose curve a particle travels."""
    for layer, shape in enumerate(shapes):
        matches = np.flatnonzero(np.all(np.isclose(backward_curves(layout, shape, layer, particle_radius(layout.radius) + 1.0), particle_curve), axis=(1, 2)))
        if len(matches):
            to_neuron, from_neuron = np.unravel_index(matches[0], shape)
            return layer, int(to_neuron), int(from_neuron)
    raise AssertionError("a particle on no edge")


def test_particles_reach_layers_in_the_engines_order_with_each_edges_own_gradient():
    run = Run(State(dataset="spiral", hidden=(8, 8, 8, 8, 8, 8), batch_size=10))
    recording = record_step(run)
    expected_order = engine_weight_order(run, recording.loss)
    story = network_step(recording, run.model)
    layout = layout_network(run.layer_sizes(), 800, 420)
    zeros = [np.zeros(n) for n in run.layer_sizes()]
    walk = Walkthrough(recording, story, zeros, zeros, delay=0.3)
    for _ in range(3):
        walk.next_phase()
    assert walk.phase.name == "gradients"
    shapes = [w.shape for w in run.weights]
    grads = [w.grad for w in run.weights]     # the engine's, straight from the parameters
    largest = max(float(np.abs(g).max()) for g in grads)
    first_seen, checked = {}, 0
    for ms in range(0, 3000, 20):
        walk.paint(RecordingContext(), FakePixels(), lambda d: d, layout, LIGHT, (), (), Links(), float(ms), 1)
        for k in np.flatnonzero(walk.pool.visible()):
            layer, to_neuron, from_neuron = edge_of(walk.pool.curve[k], layout, shapes)
            first_seen.setdefault(layer, ms)
            g = grads[layer][to_neuron, from_neuron]
            sign, share = look_style(walk.pool.look[k])
            assert sign == np.sign(g)
            expected_share = np.clip(np.log10(abs(g) / largest) / DECADES + 1, 0, 1)
            assert abs(share - expected_share) <= 0.5 / (SIZES - 1) + 1e-12
            checked += 1
    assert sorted(first_seen, key=first_seen.get) == expected_order == [6, 5, 4, 3, 2, 1, 0]
    assert checked > 10_000
    edges = [edge_of(walk.pool.curve[k], layout, shapes) for k in np.flatnonzero(walk.pool.visible())]
    assert len(edges) == len(set(edges)) >= 0.95 * sum(w.size for w in run.weights)  # once all are reached,
    # a particle on (nearly) every edge at once, one each: the benchmark's "particles on all edges"


def test_the_flow_never_outgrows_its_pool_and_the_still_flow_sits_halfway():
    layout = layout_network([2, 3, 1], 400, 300)
    curves = [backward_curves(layout, (3, 2), 0), backward_curves(layout, (1, 3), 1)]
    looks = [np.full((3, 2), 3), np.array([[8, 0, 2]])]
    pool = ParticlePool(16)
    flow = GradientFlow(pool, curves, looks, delay=0.1)
    for step in range(200):   # slow and uneven frames
        flow.update(step * 0.037, [(1, 0.0), (0, 0.1)])
    assert pool.visible().sum() <= 8 and pool.capacity == 16  # one seen per edge; one more may wait unseen
    still = GradientFlow(ParticlePool(16), curves, looks, delay=0.1)
    still.update(0.0, [(1, 0.0), (0, 0.0)], still=True)
    still.update(5.0, [(1, 0.0), (0, 0.0)], still=True)
    assert still.pool.alive.sum() == 8 and np.all(still.pool.progress[still.pool.alive] == 0.5)
