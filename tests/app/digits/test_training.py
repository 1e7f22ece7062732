"""The recipe's trainer: digits moved a few pixels at random, a learning rate that falls to zero, and what it
says about a bad setting."""
import itertools

import numpy as np
import pytest

from app.digits import mnist, training
from engine import nn
from engine.nn import functional as F

from tests.app.digits.files import MNIST


def linear_model(rng):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 10, rng=rng))


def few_digits():
    digits = mnist.load(MNIST)
    return mnist.Mnist(digits.train_images[:96], digits.train_labels[:96], digits.test_images[:10],
                       digits.test_labels[:10])


def test_each_training_digit_is_seen_moved_by_at_most_the_shift_and_some_are_moved():
    seen = []

    def to_input(levels):
        seen.append(levels)
        return mnist.as_input(levels)

    digits = few_digits()
    trainer = training.Trainer(digits, linear_model, seed=0, epochs=1, lr=0.01, batch_size=32, shift=2,
                               to_input=to_input)
    trainer.step()
    originals = digits.train_images[trainer.order[:32]]
    offsets = np.array(list(itertools.product(range(-2, 3), repeat=2)))
    moved = 0
    for original, image in zip(originals, seen[0]):
        candidates = training.shifted(np.repeat(original[None], len(offsets), axis=0), offsets)
        matches = [tuple(offset) for offset, candidate in zip(offsets, candidates) if np.array_equal(candidate, image)]
        assert matches, "a training digit was changed by more than a shift of up to 2 pixels"
        moved += (0, 0) not in matches
    assert moved >= 16  # 24 of the 25 offsets move a digit


def test_a_shift_moves_a_stack_of_single_channel_images_and_blanks_what_it_uncovers():
    images = np.arange(1, 19).reshape(2, 1, 3, 3)
    moved = training.shifted(images, np.array([[0, 0], [-1, 2]]))
    assert moved.shape == (2, 1, 3, 3) and moved[0].tolist() == images[0].tolist()
    assert moved[1, 0].tolist() == [[0, 0, 13], [0, 0, 16], [0, 0, 0]]


def test_the_linear_schedule_falls_from_the_learning_rate_towards_zero_one_batch_at_a_time():
    trainer = training.Trainer(few_digits(), linear_model, seed=0, epochs=2, lr=0.01, batch_size=32,
                               schedule="linear", to_input=mnist.as_input)
    rates = []
    while not trainer.done:
        trainer.step()
        rates.append(trainer.optimizer.lr)
    np.testing.assert_allclose(rates, 0.01 * (1 - np.arange(6) / 6), rtol=0, atol=1e-15)  # 2 epochs of 3 batches
    assert trainer.recipe()["lr_schedule"] == "linear" and trainer.recipe()["lr"] == 0.01


def test_a_constant_schedule_keeps_the_learning_rate_and_an_unknown_one_is_named():
    trainer = training.Trainer(few_digits(), linear_model, seed=0, epochs=1, lr=0.01, batch_size=32,
                               to_input=mnist.as_input)
    trainer.train_epoch()
    assert trainer.optimizer.lr == 0.01
    with pytest.raises(ValueError, match="unknown learning rate schedule 'cosine'; choose one of constant, linear"):
        training.Trainer(few_digits(), linear_model, seed=0, epochs=1, lr=0.01, batch_size=32, schedule="cosine")


def test_scoring_a_set_in_batches_equals_scoring_it_at_once():
    digits = mnist.load(MNIST)
    model = linear_model(np.random.default_rng(0))
    images, labels = digits.test_images[:600], digits.test_labels[:600]  # three scoring batches: 250, 250, 100
    loss, correct = training.evaluate(model, images, labels, mnist.as_input)
    logits = model(mnist.as_input(images))
    assert correct == int((logits.data.argmax(axis=1) == labels).sum())
    assert loss == pytest.approx(F.cross_entropy(logits, labels).item(), abs=1e-12)


def test_in_pieces_a_run_makes_the_same_updates_and_measures_with_no_call_over_its_piece():
    seen = []

    def to_input(levels):
        seen.append(len(levels))
        return mnist.as_input(levels)

    whole = training.Trainer(few_digits(), linear_model, seed=0, epochs=1, lr=0.01, batch_size=32, shift=2,
                             to_input=mnist.as_input)
    whole.train_epoch()
    pieces = training.Trainer(few_digits(), linear_model, seed=0, epochs=1, lr=0.01, batch_size=32, shift=2,
                              to_input=to_input, piece=10)
    calls = 0
    while not pieces.history:
        before = len(seen)
        pieces.step()
        calls += 1
        assert sum(seen[before:]) <= 10  # the page's frame never waits on more than a piece
    assert calls == 3 * 4 + 10 + 1  # 3 batches of 32 in pieces of 10, 2, then 96 + 10 digits measured
    for ours, theirs in zip(pieces.model.parameters(), whole.model.parameters()):
        np.testing.assert_allclose(ours.data, theirs.data, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pieces.progress, whole.progress, rtol=1e-12)
    np.testing.assert_allclose(pieces.history, whole.history, rtol=1e-12)
