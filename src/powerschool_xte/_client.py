"""`XTEClient`: one aiohttp session, OAuth client credentials, retries, pacing, typed errors."""

from __future__ import annotations

import asyncio
import base64
import os
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote, urlsplit

import aiohttp
import attrs
import cattrs
import orjson

from powerschool_xte import _converter, models
from powerschool_xte._attempt import (
    connection_error,
    in_time,
    log,
    log_attempt,
    status_error,
    timeout_from,
    within,
)
from powerschool_xte._auth import TokenManager, TokenStore
from powerschool_xte._exceptions import (
    APIResponseValidationError,
    RequestInfo,
    UnsupportedOperationError,
)
from powerschool_xte._operation import Operation
from powerschool_xte._pacing import Pacer
from powerschool_xte._resource import RequestOptions, Response
from powerschool_xte._retry import (
    ALWAYS_RETRY,
    AMBIGUOUS_STATUSES,
    IDEMPOTENT_RETRY,
    RetryPolicy,
    parse_retry_after,
)
from powerschool_xte._secret import Secret
from powerschool_xte._values import check_users_dcid, is_loopback, query_value, redact, version
from powerschool_xte.resources import OPERATIONS, Resources

DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=60.0, connect=10.0)
TOKEN_OPERATION = OPERATIONS["getAccessToken"]


@attrs.frozen(kw_only=True)
class ClientOptions:
    """Settings of one client; `XTEClient.with_options` derives a copy."""

    base_url: str
    users_dcid: int | None = None
    server_version: str | None = None
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT
    extra_headers: tuple[tuple[str, str], ...] = ()


class _Shared:
    """What every `with_options` copy of a client shares: session, token cache, pacing."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None,
        client_id: str,
        client_secret: Secret,
        token_store: TokenStore | None,
        pacer: Pacer,
    ) -> None:
        self.session = session
        self.owns_session = session is None
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_store = token_store
        self.pacer = pacer
        self.tokens: TokenManager | None = None


class XTEClient(Resources):
    """Async client for PowerSchool's ``/ws/xte`` API.

    ::

        async with XTEClient("https://district.powerschool.com", client_id, client_secret,
                             users_dcid=1001) as xte:
            assignments = await xte.section_assignments.list(section_ids=[5001, 5002])

    ``base_url``, ``client_id`` and ``client_secret`` default to the environment variables
    ``POWERSCHOOL_URL``, ``POWERSCHOOL_CLIENT_ID`` and ``POWERSCHOOL_CLIENT_SECRET``. HTTPS is
    required except for loopback hosts (the simulator).
    """

    def __init__(
        self,
        base_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | Secret | None = None,
        *,
        users_dcid: int | None = None,
        server_version: str | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | aiohttp.ClientTimeout | None = None,
        session: aiohttp.ClientSession | None = None,
        token_store: TokenStore | None = None,
        max_in_flight: int | None = None,
        min_request_interval: float | None = None,
    ) -> None:
        base_url = base_url or os.environ.get("POWERSCHOOL_URL")
        client_id = client_id or os.environ.get("POWERSCHOOL_CLIENT_ID")
        secret = client_secret or os.environ.get("POWERSCHOOL_CLIENT_SECRET")
        if not base_url:
            raise ValueError("base_url is required (or set POWERSCHOOL_URL)")
        if not client_id or not secret:
            raise ValueError(
                "client_id and client_secret are required "
                "(or set POWERSCHOOL_CLIENT_ID and POWERSCHOOL_CLIENT_SECRET)"
            )
        parts = urlsplit(base_url)
        shown = redact(base_url)
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                f"base_url must not carry credentials ({shown}); pass client_id and client_secret"
            )
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, got {shown!r}")
        if parts.scheme != "https" and not is_loopback(parts.hostname):
            raise ValueError(
                f"base_url must use https (plain http is allowed for loopback hosts only): "
                f"{shown!r}"
            )
        if max_in_flight is not None and max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        check_users_dcid(users_dcid)
        options = ClientOptions(
            base_url=base_url.rstrip("/"),
            users_dcid=users_dcid,
            server_version=server_version,
            retry=retry or RetryPolicy(),
            timeout=timeout_from(timeout) or DEFAULT_TIMEOUT,
        )
        shared = _Shared(
            session=session,
            client_id=client_id,
            client_secret=secret if isinstance(secret, Secret) else Secret(secret),
            token_store=token_store,
            pacer=Pacer(max_in_flight, min_request_interval),
        )
        self._init(options, shared)

    def _init(self, options: ClientOptions, shared: _Shared) -> None:
        self.options = options
        self._shared = shared
        self._init_resources(self)

    def with_options(self, **changes: Any) -> XTEClient:
        """A copy with some `ClientOptions` changed; it shares the session and token cache.

        ``retry``, ``timeout``, ``users_dcid``, ``server_version`` and ``extra_headers`` may
        change. The server may not: a token belongs to one server, so another ``base_url`` needs
        its own `XTEClient`.
        """
        allowed = {"retry", "timeout", "users_dcid", "server_version", "extra_headers"}
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise ValueError(
                f"with_options cannot change {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
                + (
                    " (a token belongs to one server: make a new XTEClient)"
                    if "base_url" in unknown
                    else ""
                )
            )
        if "users_dcid" in changes:
            check_users_dcid(changes["users_dcid"])
        if "timeout" in changes:
            changes["timeout"] = timeout_from(changes["timeout"]) or DEFAULT_TIMEOUT
        copy = object.__new__(XTEClient)
        copy._init(attrs.evolve(self.options, **changes), self._shared)
        return copy

    def __repr__(self) -> str:
        return f"<XTEClient {self.options.base_url} client_id={self._shared.client_id!r}>"

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self._session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session if this client created it."""
        shared = self._shared
        if shared.owns_session and shared.session is not None and not shared.session.closed:
            await shared.session.close()

    def _session(self) -> aiohttp.ClientSession:
        shared = self._shared
        if shared.session is None or (shared.owns_session and shared.session.closed):
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100),
                json_serialize=lambda o: orjson.dumps(o).decode(),
            )
            # aiohttp silently resends an idempotent request once when a reused connection
            # drops. Our retry policy must see every attempt (to count, log and know that an
            # answer was lost), so that hidden retry is turned off, as aiohttp's own test
            # client does. A session the caller passes in keeps aiohttp's behaviour.
            if hasattr(session, "_retry_connection"):
                session._retry_connection = False
            shared.session = session
        if shared.tokens is None:
            shared.tokens = TokenManager(self._fetch_token, store=shared.token_store)
        return shared.session

    @property
    def token_requests(self) -> int:
        """How many token requests this client (and its copies) made."""
        return self._shared.tokens.fetches if self._shared.tokens else 0

    # -- the token endpoint ----------------------------------------------------------------

    async def _fetch_token(self) -> tuple[str, float]:
        shared = self._shared
        basic = base64.b64encode(
            f"{shared.client_id}:{shared.client_secret.reveal()}".encode()
        ).decode()
        headers = {
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
            "Accept": "application/json",
        }
        response = await self._attempts(
            TOKEN_OPERATION,
            url=self.options.base_url + TOKEN_OPERATION.path,
            params=(),
            data=b"grant_type=client_credentials",
            headers=headers,
            options=None,
            authenticated=False,
        )
        try:
            token = _converter.structure(orjson.loads(response.content), models.TokenResponse)
            lifetime = float(token.expires_in)
        except (orjson.JSONDecodeError, cattrs.BaseValidationError, TypeError, ValueError):
            raise APIResponseValidationError(
                f"the token endpoint answered {response.status} without a usable access_token "
                "and expires_in",
                request=response.request,
                text="(token response withheld)",
            ) from None
        return token.access_token, lifetime

    # -- requests --------------------------------------------------------------------------

    async def _send(
        self,
        operation: Operation,
        *,
        path: Mapping[str, Any],
        query: Mapping[str, Any],
        body: Any,
        options: RequestOptions | None,
    ) -> Response:
        """Send one operation: called by the generated resource methods."""
        opts = self.options
        if opts.server_version is not None and version(operation.available_since) > version(
            opts.server_version
        ):
            raise UnsupportedOperationError(
                operation.label, operation.available_since, opts.server_version
            )
        url_path = operation.path
        for name, value in path.items():
            url_path = url_path.replace("{" + name + "}", quote(query_value(value), safe=","))
        defaults = dict(operation.client_defaults)
        params: list[tuple[str, str]] = []
        for name, value in query.items():
            if value is None and name in defaults:
                value = getattr(opts, defaults[name])
            if value is not None:
                params.append((name, query_value(value)))
        given = {name for name, _ in params}
        missing = [name for name in operation.plugin_required_query if name not in given]
        if missing:
            hint = " or XTEClient(users_dcid=...)" if "users_dcid" in missing else ""
            raise ValueError(
                f"{operation.label} needs {', '.join(missing)} from a plugin: pass it{hint}; "
                "no request was sent"
            )
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = _converter.dumps_request(body)
            headers["Content-Type"] = "application/json"
        return await self._attempts(
            operation,
            url=opts.base_url + url_path,
            params=tuple(params),
            data=data,
            headers=headers,
            options=options,
            authenticated=True,
        )

    async def _attempts(
        self,
        operation: Operation,
        *,
        url: str,
        params: tuple[tuple[str, str], ...],
        data: bytes | None,
        headers: dict[str, str],
        options: RequestOptions | None,
        authenticated: bool,
    ) -> Response:
        session = self._session()
        tokens = self._shared.tokens
        assert tokens is not None
        policy = (options.retry if options else None) or self.options.retry
        timeout = timeout_from(options.timeout if options else None) or self.options.timeout
        headers = {**dict(self.options.extra_headers), **headers}
        if options and options.extra_headers:
            headers.update(options.extra_headers)
        deadline = None if policy.deadline is None else time.monotonic() + policy.deadline
        attempt = transient = resubmits = 0
        refused_tokens: list[Secret] = []  # each refused token earns one refresh and replay
        ambiguous = False  # an earlier attempt may have been processed without our hearing
        shown_url = url + ("?" + "&".join(f"{k}={v}" for k, v in params) if params else "")
        while True:
            attempt += 1
            info = RequestInfo(
                operation.method, operation.path, shown_url, operation.operation_id, attempt
            )
            token = await tokens.token() if authenticated else None
            send_headers = dict(headers)
            if token is not None:
                send_headers["Authorization"] = f"Bearer {token.reveal()}"
            t0 = time.monotonic()
            try:
                async with (
                    self._shared.pacer,
                    session.request(
                        operation.method,
                        url,
                        params=params,
                        data=data,
                        headers=send_headers,
                        timeout=within(timeout, deadline),
                        allow_redirects=False,
                    ) as resp,
                ):
                    content = await resp.read()
                    status = resp.status
                    resp_headers = dict(resp.headers.items())
            except (aiohttp.ClientError, TimeoutError) as exc:
                timed_out = isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError)
                log_attempt(operation, None, time.monotonic() - t0, attempt, type(exc).__name__)
                ambiguous = True
                transient += 1
                wait = policy.backoff(transient) if operation.idempotent else None
                if wait is not None and transient < policy.max_attempts and in_time(deadline, wait):
                    await asyncio.sleep(wait)
                    continue
                raise connection_error(operation, info, exc, timed_out=timed_out) from exc
            log_attempt(operation, status, time.monotonic() - t0, attempt, None)
            response = Response(status, resp_headers, content, info)
            if 200 <= status < 300:
                return response
            if status == 404 and ambiguous and operation.method == "DELETE":
                # the earlier attempt deleted it and its answer was lost: done, not "not found"
                log.info(
                    "%s %s: 404 after a lost answer, taken as deleted",
                    operation.method,
                    operation.path,
                )
                return attrs.evolve(response, status=204, content=b"")
            if (
                status == 401
                and token is not None
                and token not in refused_tokens
                and len(refused_tokens) < 3
            ):
                refused_tokens.append(token)
                await tokens.invalidate(token)
                continue
            wait = None
            if status in operation.retry_on and resubmits < policy.resubmit_attempts:
                resubmits += 1
                wait = policy.backoff(resubmits)
            elif status in ALWAYS_RETRY or (status in IDEMPOTENT_RETRY and operation.idempotent):
                ambiguous = ambiguous or status in AMBIGUOUS_STATUSES
                transient += 1
                if transient < policy.max_attempts:
                    wait = policy.wait_for(
                        parse_retry_after(resp_headers.get("Retry-After")), transient
                    )
            if wait is not None and in_time(deadline, wait):
                await asyncio.sleep(wait)
                continue
            raise status_error(response, token_endpoint=not authenticated)
