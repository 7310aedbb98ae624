"""A circuit breaker for bulk writes: stop hammering a PowerSchool that is down, not a healthy one.

Only failures that say nothing about the data count: no answer, 412 after the resubmit budget,
429, 502, 503 and 504, each after the client's own retries. PowerSchool's 500s are deterministic
(a deleted assignment, say) and, like 409 and 403, are the data's problem: they never trip it.

After ``limit`` chunks in a row failed that way, the breaker trips: the writer waits until
nothing else is in flight, pauses ``cooldown`` seconds and sends one trial chunk. If the trial
fails the same way, the breaker opens for good and every remaining item fails at once with the
reason; if anything in it lands, writing goes on. A 401 that survived the client's token
refreshes (credentials revoked, secret rotated) opens it at once: no later chunk can succeed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from powerschool_xte._retry import is_testing

if TYPE_CHECKING:
    from powerschool_xte.helpers._bulk import ItemOutcome

#: statuses (None: no answer) that mean "the server is not well", not "this data is wrong"
TRANSIENT = frozenset({None, 412, 429, 502, 503, 504})


class Breaker:
    """Counts chunks that failed for transient reasons only; see the module docstring."""

    def __init__(self, limit: int | None, cooldown: float) -> None:
        if limit is not None and limit < 1:
            raise ValueError("max_consecutive_failures must be at least 1 (or None: never stop)")
        if cooldown < 0:
            raise ValueError("breaker_cooldown must not be negative")
        self.limit = limit
        self.cooldown = cooldown
        self.in_a_row = 0
        #: tripped: the next chunk is a trial, sent alone after the cool-down
        self.tripped = False
        #: why nothing more is sent (the breaker is open for good), or None
        self.reason: str | None = None

    def record(self, outcomes: Sequence[ItemOutcome], *, trial: bool = False) -> None:
        if self.limit is None or self.reason is not None or not outcomes:
            return
        failed = [o for o in outcomes if not o.ok]
        if failed and len(failed) == len(outcomes) and all(o.status == 401 for o in failed):
            self.reason = (
                f"not sent: PowerSchool refused the plugin's credentials ({failed[-1].reason})"
            )
            return
        transient_only = len(failed) == len(outcomes) and all(o.status in TRANSIENT for o in failed)
        if not transient_only:
            self.in_a_row = 0
            self.tripped = False
            return
        self.in_a_row += 1
        last = failed[-1].reason or "no answer"
        if trial:
            self.reason = (
                f"not sent: {self.in_a_row} chunks in a row failed, the last one after a "
                f"{self.cooldown:g} s pause (last: {last}); PowerSchool looks unavailable, run "
                "the job again later"
            )
        elif self.in_a_row >= self.limit:
            self.tripped = True

    async def pause(self) -> None:
        if not is_testing():
            await asyncio.sleep(self.cooldown)
