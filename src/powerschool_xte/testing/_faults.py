"""Seeded fault injection for the simulator.

A `FaultPlan` says what can go wrong; a `FaultInjector` draws from one seeded RNG in request
order, so the same seed and the same sequence of requests give the same faults on every run.

=====================  ==========================================================================
knob                   effect
=====================  ==========================================================================
resubmit_probability   a score PUT is answered 412 "Resubmit" (nothing written)
min_interval           per plugin: a request sooner than this after the previous one is answered
                       429 with ``Retry-After`` (whole seconds, at least 1), like PowerSchool's
                       "minimum time interval between API requests" plugin setting
burst_probability,     a burst of ``burst_length`` consecutive requests answered ``burst_status``
burst_length,          (500 or 503; 503 carries ``Retry-After: 1``)
burst_status
latency, jitter        every response is delayed ``latency + uniform(0, jitter)`` seconds
drop_before_probability  the connection is closed before the request is processed (nothing done)
drop_after_probability   a write is committed, then the connection is closed without an answer
                         (the client cannot tell which of the two happened)
timeout_after_probability  a write is committed, then a gateway answers 504 (it gave up waiting)
token_max_requests     an access token expires after this many authenticated requests
=====================  ==========================================================================
"""

from __future__ import annotations

import random
from typing import Literal

import attrs

Fault = Literal["resubmit", "throttle", "burst", "drop_before", "drop_after", "timeout_after"]

#: operations that write (a dropped-after fault only makes sense for them)
WRITES = frozenset(
    {
        "putScores",
        "putScore",
        "createSectionAssignment",
        "updateSectionAssignment",
        "deleteSectionAssignment",
        "createTeacherCategory",
        "updateTeacherCategory",
        "deleteTeacherCategory",
        "deleteAssignmentStudentAssociations",
        "deleteAssignmentStandards",
    }
)
RESUBMIT_OPERATIONS = frozenset({"putScores", "putScore"})


@attrs.frozen(kw_only=True)
class FaultPlan:
    """What may go wrong, and the seed that decides when."""

    seed: int = 0
    resubmit_probability: float = 0.0
    min_interval: float = 0.0
    burst_probability: float = 0.0
    burst_length: int = 3
    burst_status: int = 503
    latency: float = 0.0
    jitter: float = 0.0
    drop_before_probability: float = 0.0
    drop_after_probability: float = 0.0
    timeout_after_probability: float = 0.0
    token_max_requests: int | None = None
    #: operation ids the plan applies to (None: every operation except the token endpoint)
    operations: frozenset[str] | None = None

    def __attrs_post_init__(self) -> None:
        for name in (
            "resubmit_probability",
            "burst_probability",
            "drop_before_probability",
            "drop_after_probability",
            "timeout_after_probability",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within 0..1, got {value}")
        if self.burst_status not in (500, 502, 503, 504):
            raise ValueError("burst_status must be 500, 502, 503 or 504")
        if self.min_interval < 0 or self.latency < 0 or self.jitter < 0:
            raise ValueError("min_interval, latency and jitter must not be negative")


class FaultInjector:
    """Decides, request by request, which fault (if any) happens."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self._rng = random.Random(plan.seed)
        self._burst_left = 0
        self._last_seen: dict[str, float] = {}
        #: every fault drawn, in order: (request number, operation id, fault)
        self.history: list[tuple[int, str, Fault]] = []
        self._requests = 0

    def applies(self, operation_id: str) -> bool:
        ops = self.plan.operations
        return operation_id != "getAccessToken" and (ops is None or operation_id in ops)

    def delay(self) -> float:
        plan = self.plan
        if not plan.latency and not plan.jitter:
            return 0.0
        return plan.latency + (self._rng.uniform(0.0, plan.jitter) if plan.jitter else 0.0)

    def throttle(self, client_id: str | None, now: float) -> float | None:
        """Seconds to wait if this plugin came too soon (the request is then refused)."""
        if not self.plan.min_interval or client_id is None:
            return None
        last = self._last_seen.get(client_id)
        if last is not None and now - last < self.plan.min_interval:
            return self.plan.min_interval - (now - last)
        self._last_seen[client_id] = now
        return None

    def draw(self, operation_id: str) -> Fault | None:
        """The fault for the next request of ``operation_id`` (throttling is separate)."""
        self._requests += 1
        plan = self.plan
        fault: Fault | None = None
        # Always draw the same number of numbers per request, so one knob never shifts another.
        r_burst, r_resubmit, r_before, r_after = (self._rng.random() for _ in range(4))
        if self._burst_left > 0:
            self._burst_left -= 1
            fault = "burst"
        elif r_burst < plan.burst_probability:
            self._burst_left = plan.burst_length - 1
            fault = "burst"
        elif r_before < plan.drop_before_probability:
            fault = "drop_before"
        elif operation_id in RESUBMIT_OPERATIONS and r_resubmit < plan.resubmit_probability:
            fault = "resubmit"
        elif operation_id in WRITES and r_after < plan.drop_after_probability:
            fault = "drop_after"
        elif (
            operation_id in WRITES
            and r_after < plan.drop_after_probability + plan.timeout_after_probability
        ):
            fault = "timeout_after"
        if fault is not None:
            self.history.append((self._requests, operation_id, fault))
        return fault
