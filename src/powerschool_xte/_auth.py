"""OAuth client-credentials token cache with single-flight refresh.

PowerSchool hands one plugin one token at a time (and the same token again until it expires), so
the cache is shared by everything that uses one client: 200 concurrent calls that find no valid
token cause exactly one token request. The HTTP exchange itself lives in `_client`; this module
is the caching logic only.

A token is refreshed ``skew`` seconds before it expires (10 % of its lifetime, at most 60 s), and
a 401 invalidates exactly the token that failed: if another task already replaced it, the new one
is used without a second request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

import attrs
import orjson

from powerschool_xte._secret import Secret


@attrs.frozen
class CachedToken:
    """An access token, when it expires and when to replace it (epoch seconds)."""

    value: Secret
    expires_at: float
    refresh_at: float

    def dumps(self) -> str:
        """JSON text for a `TokenStore` to keep (it contains the token: store it like a secret)."""
        return orjson.dumps(
            {
                "value": self.value.reveal(),
                "expires_at": self.expires_at,
                "refresh_at": self.refresh_at,
            }
        ).decode()

    @classmethod
    def loads(cls, text: str | bytes) -> CachedToken:
        """The token `dumps` wrote."""
        data = orjson.loads(text)
        return cls(Secret(data["value"]), float(data["expires_at"]), float(data["refresh_at"]))

    @classmethod
    def issued(cls, value: str, lifetime: float, now: float) -> CachedToken:
        """A token that lives ``lifetime`` s; replaced 10 % (at most 60 s) before it expires."""
        skew = min(60.0, lifetime * 0.1)
        return cls(Secret(value), now + lifetime, now + lifetime - skew)


class TokenStore(Protocol):
    """Where tokens are shared between processes of one plugin (optional).

    Implement both methods over a file, Redis or a database; the client calls `load` before it
    asks PowerSchool for a token and `save` after it got one. Serialize with
    `CachedToken.dumps()` / `CachedToken.loads()` (a `Secret` refuses to be pickled).
    """

    async def load(self) -> CachedToken | None: ...

    async def save(self, token: CachedToken) -> None: ...


#: fetch a new token: returns (access token, lifetime in seconds)
Fetch = Callable[[], Awaitable[tuple[str, float]]]


class TokenManager:
    """Caches one token; refreshes it single-flight."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        store: TokenStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch = fetch
        self._store = store
        self._clock = clock
        self._token: CachedToken | None = None
        self._lock = asyncio.Lock()
        #: how many token requests this manager has made (observability, tests)
        self.fetches = 0

    def __repr__(self) -> str:
        state = "cached" if self._token else "empty"
        return f"<TokenManager {state}, {self.fetches} fetches>"

    def _usable(self, token: CachedToken | None) -> bool:
        return token is not None and self._clock() < token.refresh_at

    async def token(self) -> Secret:
        """A valid token, fetching one (once, whatever the concurrency) if needed."""
        current = self._token
        if current is not None and self._usable(current):
            return current.value
        return await self._refresh(stale=current)

    async def invalidate(self, failed: Secret) -> Secret:
        """The token ``failed`` was refused (401): get another unless someone already did."""
        return await self._refresh(stale=CachedToken(failed, 0.0, 0.0), force=True)

    async def _refresh(self, *, stale: CachedToken | None, force: bool = False) -> Secret:
        async with self._lock:
            current = self._token
            if current is not None:
                replaced = stale is None or current.value != stale.value
                if self._usable(current) and (replaced or not force):
                    return current.value
            if self._store is not None and not force:
                shared = await self._store.load()
                if shared is not None and self._usable(shared):
                    self._token = shared
                    return shared.value
            value, lifetime = await self._fetch()
            self.fetches += 1
            token = CachedToken.issued(value, lifetime, self._clock())
            self._token = token
            if self._store is not None:
                await self._store.save(token)
            return token.value
