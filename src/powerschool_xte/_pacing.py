"""Client-side pacing: a cap on requests in flight and a minimum interval between their starts.

Matches PowerSchool's per-plugin "minimum time interval between API requests" setting, so a job
stays under a district's throttle instead of bouncing off it with 429s.
"""

from __future__ import annotations

import asyncio
import time


class Pacer:
    """Client-side pacing: a cap on requests in flight and a minimum interval between starts."""

    def __init__(self, max_in_flight: int | None, min_request_interval: float | None) -> None:
        self._slots = asyncio.Semaphore(max_in_flight) if max_in_flight else None
        self._interval = min_request_interval or 0.0
        self._next_start = 0.0

    async def __aenter__(self) -> None:
        if self._slots is not None:
            await self._slots.acquire()
        if self._interval:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self._interval  # reserved before awaiting: no lock needed
            if start > now:
                try:
                    await asyncio.sleep(start - now)
                except BaseException:  # cancelled while waiting: give the slot back
                    if self._next_start == start + self._interval:  # and our place in line
                        self._next_start = start
                    if self._slots is not None:
                        self._slots.release()
                    raise

    async def __aexit__(self, *exc: object) -> None:
        if self._slots is not None:
            self._slots.release()
