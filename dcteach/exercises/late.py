"""Late policy: a deadline, a penalty per started day late, and a hard cut-off.

>>> import datetime as dt
>>> policy = LatePolicy.parse("2026-12-01T18:00+03:00", penalty_per_day=10, cutoff_days=3)
>>> policy.lateness(dt.datetime(2026, 12, 1, 14, 59, tzinfo=dt.timezone.utc))
(0, 0.0)
>>> policy.lateness(dt.datetime(2026, 12, 1, 15, 1, tzinfo=dt.timezone.utc))
(1, 0.1)
>>> policy.after_cutoff(dt.datetime(2026, 12, 4, 15, 1, tzinfo=dt.timezone.utc))
True
>>> policy.apply(8.0, 0.1)
7.2
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

from dcteach._errors import UsageError

__all__ = ["LatePolicy"]


@dataclass(frozen=True)
class LatePolicy:
    """``penalty_per_day`` in percent of the points, per started day after ``deadline``;
    nothing is accepted ``cutoff_days`` days after the deadline (None: no cut-off)."""

    deadline: _dt.datetime
    penalty_per_day: float = 0.0
    cutoff_days: float | None = None

    @classmethod
    def parse(cls, deadline: str, *, penalty_per_day: float = 0.0,
              cutoff_days: float | None = None) -> "LatePolicy":
        """Read an ISO 8601 deadline with its UTC offset (``2026-12-01T18:00+03:00``).

        Raises
        ------
        UsageError
            For a deadline without an offset or a negative penalty or cut-off.
        """
        try:
            moment = _dt.datetime.fromisoformat(str(deadline).strip().replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"--deadline {deadline!r}: expected an ISO 8601 time such as "
                             "2026-12-01T18:00+03:00") from None
        if moment.tzinfo is None:
            raise UsageError(f"--deadline {deadline!r}: give the UTC offset too, e.g. 2026-12-01T18:00+03:00")
        if not 0 <= penalty_per_day <= 100:
            raise UsageError(f"--penalty-per-day {penalty_per_day:g}: must be between 0 and 100 (percent)")
        if cutoff_days is not None and cutoff_days < 0:
            raise UsageError(f"--cutoff-days {cutoff_days:g}: must be 0 or more")
        return cls(moment, float(penalty_per_day), None if cutoff_days is None else float(cutoff_days))

    def lateness(self, submitted: _dt.datetime) -> tuple[int, float]:
        """``(started days late, penalty as a fraction of the points, at most 1)``."""
        seconds = (submitted - self.deadline).total_seconds()
        if seconds <= 0:
            return 0, 0.0
        days = math.ceil(seconds / 86400)
        return days, min(1.0, round(days * self.penalty_per_day / 100, 6))

    def after_cutoff(self, submitted: _dt.datetime) -> bool:
        """True if the submission came after the hard cut-off."""
        if self.cutoff_days is None:
            return False
        return (submitted - self.deadline).total_seconds() > self.cutoff_days * 86400

    @staticmethod
    def apply(points: float, fraction: float) -> float:
        """Points after a penalty of ``fraction`` (0..1).

        >>> LatePolicy.apply(8, 0.25)
        6.0
        """
        return round(float(points) * (1 - min(1.0, max(0.0, float(fraction)))), 4)
