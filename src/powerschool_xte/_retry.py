"""`RetryPolicy`: which failures are retried, how often and how long to wait.

Retry rules are per operation and come from the spec (`x-retry-on`, `x-idempotent`):

==========================  ======================================================
what happened               what the policy does
==========================  ======================================================
status in ``x-retry-on``    resubmit unchanged, own small budget (412 on score PUTs)
429, 503                    wait ``Retry-After`` (seconds or HTTP date, capped), retry
502, 504, connection error  retry only when the operation is idempotent
409 and every other 4xx     never
500                         never (PowerSchool's 500s are deterministic, e.g. a
                            score write to a deleted assignment)
==========================  ======================================================

Backoff is exponential with jitter (each wait lies between half and all of its ceiling), capped,
inside a total deadline per call; sleeps are ``asyncio.sleep`` only. `set_testing(True)` makes every wait instant for test suites.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

import attrs

_TESTING: list[bool] = [False]

ALWAYS_RETRY: Final = frozenset({429, 503})
IDEMPOTENT_RETRY: Final = frozenset({502, 504})
#: answers after which the request may or may not have been processed (a gateway gave up waiting)
AMBIGUOUS_STATUSES: Final = frozenset({502, 504})


def is_testing() -> bool:
    """Whether waits are instant (see `set_testing`)."""
    return _TESTING[0]


def set_testing(on: bool) -> None:
    """Make every backoff and Retry-After wait instant (for test suites)."""
    _TESTING[0] = on


@contextmanager
def testing_mode() -> Iterator[None]:
    """``with testing_mode():`` instant backoff inside the block."""
    before = _TESTING[0]
    _TESTING[0] = True
    try:
        yield
    finally:
        _TESTING[0] = before


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date); None if absent/bad."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How a client retries. Frozen: derive variants with `attrs.evolve`."""

    #: attempts in total for transient failures (429, 503, and 502/504/connection if idempotent)
    max_attempts: int = 5
    #: extra attempts for a status the operation lists in ``x-retry-on`` (412 "Resubmit")
    resubmit_attempts: int = 3
    #: first backoff, doubled per attempt, capped at ``max_backoff`` (seconds)
    initial_backoff: float = 0.25
    max_backoff: float = 10.0
    #: a longer ``Retry-After`` than this ends the retries with a RateLimitError
    retry_after_cap: float = 60.0
    #: total time one call may spend, retries included (None: no deadline)
    deadline: float | None = 300.0

    def backoff(self, retry_number: int) -> float:
        """Jittered exponential backoff before retry number ``retry_number`` (1-based)."""
        if _TESTING[0]:
            return 0.0
        ceiling = min(self.max_backoff, self.initial_backoff * 2 ** (retry_number - 1))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto

    def wait_for(self, retry_after: float | None, retry_number: int) -> float | None:
        """Seconds to wait before the next try; None when the server asks for too long."""
        if retry_after is None:
            return self.backoff(retry_number)
        if retry_after > self.retry_after_cap:
            return None
        return 0.0 if _TESTING[0] else retry_after


NO_RETRIES: Final = RetryPolicy(max_attempts=1, resubmit_attempts=0)
