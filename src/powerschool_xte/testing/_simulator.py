"""A local PowerSchool XTE server: aiohttp.web over SQLite, routes from the spec.

Behaviour follows `wire-facts.md` where PowerSchool's is known, and the strictest plausible rule
where it is not (each rule is documented in docs/simulator.md). Every route comes from the
generated `OPERATIONS` table; building the app fails if an operation has no handler.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Self

from aiohttp import web

from powerschool_xte._operation import Operation
from powerschool_xte.resources import OPERATIONS
from powerschool_xte.testing import _routes_assignments, _routes_catalog, _routes_scores, _seed
from powerschool_xte.testing._controls import Controls, LoggedRequest, ScriptedFault
from powerschool_xte.testing._faults import FaultInjector, FaultPlan
from powerschool_xte.testing._http import Ctx, HTTPError, error_response, parse_int
from powerschool_xte.testing._store import Store
from powerschool_xte.testing._validate import validate_request

if TYPE_CHECKING:
    from powerschool_xte._client import XTEClient

Handler = Callable[["Simulator", web.Request, Ctx], Awaitable[web.StreamResponse]]
DEFAULT_TOKEN_LIFETIME = 30 * 24 * 3600  # PowerSchool's default: 30 days
HANDLERS: dict[str, Handler] = {
    **_routes_scores.ROUTES,
    **_routes_assignments.ROUTES,
    **_routes_catalog.ROUTES,
}


class Simulator(Controls):
    """A PowerSchool XTE server on 127.0.0.1, seeded with the demo district.

    ::

        async with Simulator() as sim, sim.client() as xte:
            ...
            assert sim.scores()[0]["actualscoreentered"] == "9.5"

    ``faults`` injects seeded failures (see `FaultPlan`); ``conflict_report`` says whether a 409
    on a score batch names every student not on the section ("all") or only the first.
    """

    def __init__(
        self,
        *,
        district: dict[str, Any] | None = None,
        db_path: str = ":memory:",
        token_lifetime: float = DEFAULT_TOKEN_LIFETIME,
        conflict_report: str = "all",
        strict_query: bool = True,
        faults: FaultPlan | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if conflict_report not in ("all", "first"):
            raise ValueError("conflict_report must be 'all' or 'first'")
        self.store = Store(db_path)
        if self.store.is_empty():
            self.store.seed(district if district is not None else _seed.demo_district())
        self.token_lifetime = token_lifetime
        self.conflict_report = conflict_report
        #: refuse query parameters an operation does not declare (400), except pagesize and _
        self.strict_query = strict_query
        self.clock = clock
        #: authenticated requests made with each token (for ``token_max_requests``)
        self.token_uses: dict[str, int] = {}
        self._log: list[LoggedRequest] = []
        #: requests being served right now, and the most there ever were at once
        self.in_flight = 0
        self.in_flight_peak = 0
        self._scripted: dict[str, list[ScriptedFault]] = {}
        self._rng = random.Random(0)
        self._runner: web.AppRunner | None = None
        self.faults = FaultInjector(faults or FaultPlan())
        self.url = ""
        self.app = self._build_app()

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0: a free port); returns the base URL."""
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, reuse_address=True)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        bound = sockets[0].getsockname()[1] if sockets else port
        self.url = f"http://{host}:{bound}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def close(self) -> None:
        """Close the database (a file database keeps its state for the next simulator)."""
        self.store.close()

    def client(self, **kwargs: Any) -> XTEClient:
        """An `XTEClient` for this simulator with the demo plugin's credentials."""
        from powerschool_xte import XTEClient

        kwargs.setdefault("users_dcid", _seed.DEMO_TEACHER_DCID)
        return XTEClient(self.url, self.client_id, self.client_secret, **kwargs)

    # -- the app ---------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        missing = [op for op in OPERATIONS if op not in HANDLERS]
        if missing:
            raise RuntimeError(f"simulator has no handler for {missing}")
        for operation in OPERATIONS.values():
            handler = self._wrap(operation, HANDLERS[operation.operation_id])
            path = operation.path
            alternative = path.rstrip("/") if path.endswith("/") else path + "/"
            for p in (path, alternative):
                app.router.add_route(operation.method, p, handler)
        return app

    def _wrap(
        self, operation: Operation, handler: Handler
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def serve(request: web.Request) -> web.StreamResponse:
            ctx = Ctx(operation)
            fault: str | None = None
            drop = False
            injector = self.faults
            self.in_flight += 1
            self.in_flight_peak = max(self.in_flight_peak, self.in_flight)
            try:
                if injector.applies(operation.operation_id):
                    delay = injector.delay()
                    if delay:
                        await asyncio.sleep(delay)
                if not operation.internal:
                    self._authenticate(request, ctx)
                response, fault, drop = await self._serve_with_faults(request, ctx, handler)
            except HTTPError as err:
                response = error_response(err)
                fault = getattr(err, "kind", None)
            except ConnectionResetError:  # the client went away while we read its request
                response, fault, drop = web.Response(status=400), "client_gone", True
            finally:
                self.in_flight -= 1
            status = 0 if drop else response.status
            self._log.append(
                LoggedRequest(
                    request.method,
                    request.path,
                    operation.operation_id,
                    status,
                    dict(request.query),
                    ctx.client_id,
                    self.clock(),
                    fault,
                )
            )
            if drop and request.transport is not None:
                request.transport.close()
            return response

        return serve

    async def _serve_with_faults(
        self, request: web.Request, ctx: Ctx, handler: Handler
    ) -> tuple[web.StreamResponse, str | None, bool]:
        op_id = ctx.operation.operation_id
        scripted = self._scripted.get(op_id)
        if scripted:
            f = scripted.pop(0)
            if f.html is not None:
                page = web.Response(
                    status=f.status, text=f.html, content_type="text/html", headers=f.headers
                )
                return page, "scripted", False
            raise _FaultError(f.status, f.message, f.headers, "scripted")
        injector = self.faults
        if not injector.applies(op_id):
            if not ctx.operation.internal:
                await validate_request(request, op_id, strict_query=self.strict_query)
            return await handler(self, request, ctx), None, False
        wait = injector.throttle(ctx.client_id, time.monotonic())
        if wait is not None:
            raise _FaultError(
                429,
                "Too many requests: the minimum time interval between API requests for this "
                f"plugin is {injector.plan.min_interval:g} s",
                {"Retry-After": str(max(1, math.ceil(wait)))},
                "throttle",
            )
        fault = injector.draw(op_id)
        if fault is None or fault in ("resubmit", "drop_after", "timeout_after"):
            await validate_request(request, op_id, strict_query=self.strict_query)
        if fault == "burst":
            status = injector.plan.burst_status
            headers = {"Retry-After": "1"} if status == 503 else {}
            raise _FaultError(status, "Service temporarily unavailable", headers, "burst")
        if fault == "resubmit":
            raise _FaultError(412, "Resubmit", {}, "resubmit")
        if fault == "drop_before":
            return web.Response(status=503), fault, True
        response = await handler(self, request, ctx)
        if fault == "timeout_after":  # committed; the gateway in front gave up waiting
            raise _FaultError(504, "Gateway Timeout", {}, "timeout_after")
        return response, fault, fault == "drop_after"

    def _authenticate(self, request: web.Request, ctx: Ctx) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token:
            self._bearer(token, ctx)
        elif "JSESSIONID" in request.cookies:
            self._session(request.cookies["JSESSIONID"], ctx)
        else:
            raise HTTPError(
                401,
                "Authentication required",
                headers={"WWW-Authenticate": 'Bearer realm="PowerSchool"'},
            )
        if ctx.role not in ctx.operation.accessible_to:
            raise HTTPError(
                403,
                f"{ctx.operation.label} is not accessible to {ctx.role.lower() if ctx.role else 'you'}",
            )
        for name in ctx.operation.required_query:
            if not request.query.get(name):
                raise HTTPError(400, f"{name} is required")
        if ctx.role == "PLUGINS":
            for name in ctx.operation.plugin_required_query:
                if name != "users_dcid" and not request.query.get(name):
                    raise HTTPError(400, f"{name} is required for OAuth clients")
        if ctx.role == "PLUGINS" and "users_dcid" in ctx.operation.query_params:
            users_dcid = parse_int(request.query.get("users_dcid"), "users_dcid")
            if users_dcid is None:
                if "users_dcid" in ctx.operation.plugin_required_query:
                    raise HTTPError(400, "users_dcid is required for OAuth clients")
                return  # optional here: nothing to check the user's access against
            known = self.store.db.execute(
                "SELECT 1 FROM users WHERE dcid = ?", (users_dcid,)
            ).fetchone()
            if known is None:
                raise HTTPError(403, f"Unknown user {users_dcid}")
            ctx.users_dcid = users_dcid

    def _bearer(self, token: str, ctx: Ctx) -> None:
        challenge = 'Bearer error="invalid_token",realm="PowerSchool",error_description='
        row = self.store.db.execute(
            "SELECT client_id, token_expires_at FROM plugins WHERE token = ?", (token,)
        ).fetchone()
        if row is None:
            raise HTTPError(
                401,
                "Invalid access token",
                headers={"WWW-Authenticate": challenge + '"The access token is invalid"'},
            )
        uses = self.token_uses.get(token, 0) + 1
        self.token_uses[token] = uses
        limit = self.faults.plan.token_max_requests
        expires_at = row["token_expires_at"]
        if limit is not None and uses > limit and expires_at > self.clock():
            expires_at = self.clock() - 1
            self.store.db.execute(
                "UPDATE plugins SET token_expires_at = ? WHERE token = ?", (expires_at, token)
            )
        if expires_at is None or expires_at <= self.clock():
            raise HTTPError(
                401,
                "The access token has expired",
                headers={"WWW-Authenticate": challenge + '"The access token has expired"'},
            )
        ctx.client_id = row["client_id"]
        ctx.role = "PLUGINS"

    def _session(self, session_id: str, ctx: Ctx) -> None:
        row = self.store.db.execute(
            "SELECT users_dcid FROM sessions WHERE session_id = ?", (session_id,)
        ).fetchone()
        if row is None:
            raise HTTPError(401, "Session expired; sign in to PowerTeacher Pro again")
        ctx.role = "TEACHERS"
        ctx.users_dcid = row["users_dcid"]

    # -- helpers for handlers --------------------------------------------------------------

    def breach_mitigation(self) -> str:
        """PowerSchool pads responses with a random ``$breach_mitigation`` key."""
        return secrets.token_urlsafe(self._rng.randint(4, 24))

    def section(self, dcid: int) -> dict[str, Any] | None:
        row = self.store.db.execute(
            "SELECT s.*, t.yearid, t.firstday, t.lastday, t.locked FROM sections s"
            " JOIN terms t ON t.id = s.termid WHERE s.dcid = ?",
            (dcid,),
        ).fetchone()
        return dict(row) if row else None

    def teaching_section(self, ctx: Ctx, dcid: int, access: str = "EDIT") -> dict[str, Any]:
        """The section, if the acting user teaches it; 403 otherwise (404 if unknown)."""
        section = self.section(dcid)
        if section is None:
            raise HTTPError(404, f"Section {dcid} not found")
        if ctx.users_dcid is not None and section["teacher_users_dcid"] != ctx.users_dcid:
            raise HTTPError(403, f"User does not teach section {dcid} with access {access}")
        return section

    def now_local(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock()).replace(microsecond=0)


class _FaultError(HTTPError):
    def __init__(self, status: int, message: str, headers: dict[str, str], kind: str) -> None:
        super().__init__(status, message, headers=headers)
        self.kind = kind
