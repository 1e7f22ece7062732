"""The timing of the layered view's animation: the forward pass lights the slabs one by one from the input,
then the backward pass flows back from the output, each slab showing its gradient as the pulse reaches it.
"""
from typing import NamedTuple

STEP_MS = 160   # the pulse's time from one slab to the next
HOLD_MS = 400   # the finished forward pass rests this long before the gradient flows back


class PassState(NamedTuple):
    """Where the animation is: `phase` forward, backward or done; `reached` the slab the pulse last reached
    (input first); `progress` 0..1 of the way to the next slab in the direction of travel."""

    phase: str
    reached: int
    progress: float


def pass_at(elapsed_ms, slabs):
    """The animation's state `elapsed_ms` after it started, for `slabs` slabs.

    >>> pass_at(0, 4), pass_at(240, 4), pass_at(3 * 160 + 400 + 80, 4), pass_at(10_000, 4)
    (PassState(phase='forward', reached=0, progress=0.0), PassState(phase='forward', reached=1, progress=0.5), \
PassState(phase='backward', reached=3, progress=0.5), PassState(phase='done', reached=0, progress=1.0))
    """
    hops = max(slabs - 1, 0)
    forward_ms = hops * STEP_MS
    if elapsed_ms < forward_ms:
        hop, rest = divmod(elapsed_ms, STEP_MS)
        return PassState("forward", int(hop), rest / STEP_MS)
    backward_from = forward_ms + HOLD_MS
    if elapsed_ms < backward_from:
        return PassState("forward", hops, 1.0)
    if elapsed_ms < backward_from + forward_ms:
        hop, rest = divmod(elapsed_ms - backward_from, STEP_MS)
        return PassState("backward", hops - int(hop), rest / STEP_MS)
    return PassState("done", 0, 1.0)


def duration_ms(slabs):
    """How long a whole pass takes: forward, the rest, backward."""
    return 2 * max(slabs - 1, 0) * STEP_MS + HOLD_MS


def shows_gradient(state, slab):
    """Whether slab `slab` shows its gradient (the backward pulse has passed it) rather than its values."""
    return state.phase == "backward" and slab >= state.reached


def is_lit(state, slab):
    """Whether slab `slab` has been computed yet in the animation (dim until the forward pulse arrives)."""
    return state.phase != "forward" or slab <= state.reached
