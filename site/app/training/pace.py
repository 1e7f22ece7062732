"""The Speed control: epochs at a steady rate a learner can follow, or as many as training can take.

>>> pace = Pace(2)            # two epochs a second
>>> [pace.due(t) for t in (0.0, 0.1, 0.4, 0.6)]   # the first at once, the next half a second later
[True, False, False, True]
>>> pace.rest(0.7)            # the next one is due at 1.0
0.3
>>> Pace(None).due(0.0), Pace(None).rest(0.0)
(True, 0.0)
"""


class Pace:
    """Whether the next epoch is due at `per_second` epochs a second (None: always), counting from the first
    one asked for; each epoch that `due` allows counts as taken."""

    def __init__(self, per_second=None):
        self.per_second, self.started, self.taken = per_second, None, 0

    def due(self, now_s):
        if self.per_second is None:
            return True
        if self.started is None:
            self.started = now_s
        if self.taken > self.per_second * (now_s - self.started):
            return False
        self.taken += 1
        return True

    def rest(self, now_s):
        """Seconds until the next epoch is due (0.0 when it is)."""
        if self.per_second is None or self.started is None:
            return 0.0
        return round(max(0.0, self.started + self.taken / self.per_second - now_s), 9)
