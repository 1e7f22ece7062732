"""Learning-rate schedules give torch's sequence to the bit, and gradient clipping scales as torch's does."""
import numpy as np
import pytest

from engine import Tensor, nn, optim
from tests.engine.torch_oracle import close, torch

SCHEDULES = {
    "StepLR": ({"step_size": 7, "gamma": 0.5}, {"step_size": 7, "gamma": 0.5}),
    "StepLR default gamma": ({"step_size": 3}, {"step_size": 3}),
    "CosineAnnealingLR": ({"T_max": 12}, {"T_max": 12}),
    "CosineAnnealingLR with eta_min": ({"T_max": 10, "eta_min": 0.01}, {"T_max": 10, "eta_min": 0.01}),
}


def schedules(kind, kwargs):
    name = kind.split()[0]
    ours_optimizer = optim.SGD([Tensor([1.0], requires_grad=True)], lr=0.3)
    theirs_optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.3)
    return (ours_optimizer, getattr(optim.lr_scheduler, name)(ours_optimizer, **kwargs),
            theirs_optimizer, getattr(torch.optim.lr_scheduler, name)(theirs_optimizer, **kwargs))


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before")
@pytest.mark.parametrize("kind", SCHEDULES)
def test_a_schedule_gives_torchs_learning_rates_for_60_epochs(kind):
    ours_optimizer, ours, theirs_optimizer, theirs = schedules(kind, SCHEDULES[kind][0])
    rates, expected = [ours_optimizer.lr], [theirs_optimizer.param_groups[0]["lr"]]
    for _ in range(60):  # past T_max: cosine climbs back up, as torch's does
        ours.step()
        theirs.step()
        assert ours.get_last_lr() == [ours_optimizer.lr]
        rates.append(ours_optimizer.lr)
        expected.append(theirs.get_last_lr()[0])
    assert rates == expected  # exactly: the same recursion in the same float64 arithmetic
    assert len(set(rates)) > 3


@pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before")
def test_a_saved_schedule_carries_on_where_it_stopped():
    optimizer, schedule, *_ = schedules("CosineAnnealingLR", {"T_max": 8})
    for _ in range(5):
        schedule.step()
    saved = schedule.state_dict()
    rest = [(schedule.step(), optimizer.lr)[1] for _ in range(10)]
    other_optimizer, other, *_ = schedules("CosineAnnealingLR", {"T_max": 8})
    other.load_state_dict(saved)
    assert [(other.step(), other_optimizer.lr)[1] for _ in range(10)] == rest


@pytest.mark.parametrize(("make", "message"), [
    (lambda o: optim.lr_scheduler.StepLR(o, step_size=0), "step_size must be a whole number of epochs >= 1, got 0"),
    (lambda o: optim.lr_scheduler.CosineAnnealingLR(o, T_max=2.5), "T_max must be a whole number of epochs >= 1"),
    (lambda o: optim.lr_scheduler.StepLR(object(), step_size=2), "object has no `lr` to schedule"),
])
def test_a_schedule_refuses_settings_it_cannot_follow(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make(optim.SGD([Tensor([1.0], requires_grad=True)], lr=0.1))


def gradients(scale):
    values = [np.random.default_rng(i).standard_normal(shape) * scale for i, shape in enumerate([(3, 2), (3,), (1, 3)])]
    ours = [Tensor(np.zeros_like(v), requires_grad=True) for v in values]
    theirs = [torch.zeros(v.shape, dtype=torch.float64, requires_grad=True) for v in values]
    for mine, reference, value in zip(ours, theirs, values):
        mine.grad, reference.grad = value.copy(), torch.tensor(value)
    return ours, theirs


@pytest.mark.parametrize("scale", [10.0, 0.01])  # clipped, and left alone
def test_clip_grad_norm_returns_the_norm_and_clips_as_torch(scale):
    ours, theirs = gradients(scale)
    before = [p.grad.copy() for p in ours]
    total = nn.utils.clip_grad_norm_(ours, max_norm=1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm=1.0)
    assert total == pytest.approx(expected.item(), rel=1e-14)
    for mine, reference in zip(ours, theirs):
        close(mine.grad, reference.grad)
    clipped = np.sqrt(sum((p.grad ** 2).sum() for p in ours))
    assert clipped == pytest.approx(1.0, rel=1e-5) if scale > 1 else all(
        np.array_equal(p.grad, g) for p, g in zip(ours, before))


def test_clip_grad_norm_takes_one_tensor_and_skips_parameters_without_gradients():
    w, unused = Tensor([0.0, 0.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    w.grad = np.array([30.0, 40.0])
    assert nn.utils.clip_grad_norm_([w, unused], 5.0) == 50.0 and unused.grad is None
    np.testing.assert_allclose(w.grad, [3.0, 4.0], rtol=1e-6)
    assert nn.utils.clip_grad_norm_(w, 100.0) == pytest.approx(5.0)
