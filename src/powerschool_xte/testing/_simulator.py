"""A local PowerSchool XTE server: aiohttp.web over SQLite, routes from the spec.

Behaviour follows `wire-facts.md` where PowerSchool's is known, and the strictest plausible rule
where it is not (documented per rule in docs/simulator.md). Every route comes from the generated
`OPERATIONS` table; building the app fails if an operation has no handler.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import random
import secrets
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, Self

import attrs
import orjson
from aiohttp import web

from powerschool_xte._operation import Operation
from powerschool_xte.resources import OPERATIONS
from powerschool_xte.testing import _seed
from powerschool_xte.testing._store import SCORE_FLAGS, Store, transaction

Handler = Callable[["Simulator", web.Request, "Ctx"], Awaitable[web.StreamResponse]]
DEFAULT_TOKEN_LIFETIME = 30 * 24 * 3600  # PowerSchool's default: 30 days


@attrs.define
class Ctx:
    """Who is calling, resolved by the auth wrapper."""

    operation: Operation
    client_id: str | None = None
    users_dcid: int | None = None


@attrs.frozen
class ScriptedFault:
    """Answer the next matching request with ``status`` instead of serving it."""

    status: int
    message: str
    headers: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class LoggedRequest:
    """One request as the simulator saw it (for `Simulator.request_log`)."""

    method: str
    path: str
    operation_id: str
    status: int
    query: dict[str, str]
    client_id: str | None
    at: float


class HTTPError(Exception):
    """Raised by handlers; becomes a PowerSchool-style JSON error response."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.errors, self.headers = status, message, errors, headers


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=orjson.dumps(data), status=status, headers=headers, content_type="application/json"
    )


def _error_response(err: HTTPError) -> web.Response:
    body: dict[str, Any] = {"message": err.message}
    if err.errors is not None:
        body["errors"] = err.errors
    return _json(body, err.status, err.headers)


def _int(value: str | None, name: str, *, required: bool = False) -> int | None:
    if value is None or value == "":
        if required:
            raise HTTPError(400, f"{name} is required")
        return None
    if not value.isdigit() or len(value) > 19 or int(value) > 2**63 - 1:
        raise HTTPError(400, f"{name} must be an integer id, got {value[:40]!r}")
    return int(value)


def _ids(value: str | None, name: str) -> list[int]:
    if not value:
        raise HTTPError(400, f"{name} is required")
    out = [_int(v, name) for v in value.split(",")]
    return [v for v in out if v is not None]


class Simulator:
    """A PowerSchool XTE server on 127.0.0.1, seeded with the demo district.

    ::

        async with Simulator() as sim:
            async with sim.client() as xte:
                ...
            assert sim.scores()[0]["actualscoreentered"] == "9.5"
    """

    def __init__(
        self,
        *,
        district: dict[str, Any] | None = None,
        db_path: str = ":memory:",
        token_lifetime: float = DEFAULT_TOKEN_LIFETIME,
        conflict_report: str = "all",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if conflict_report not in ("all", "first"):
            raise ValueError("conflict_report must be 'all' or 'first'")
        self.store = Store(db_path)
        if self.store.is_empty():
            self.store.seed(district if district is not None else _seed.demo_district())
        self.token_lifetime = token_lifetime
        #: 409 on a score batch names every student not on the section ("all") or the first
        self.conflict_report = conflict_report
        self.clock = clock
        self._log: list[LoggedRequest] = []
        self._scripted: dict[str, list[ScriptedFault]] = {}
        self._rng = random.Random(0)
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.app = self._build_app()

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def client_id(self) -> str:
        return str(self.store.db.execute("SELECT client_id FROM plugins LIMIT 1").fetchone()[0])

    @property
    def client_secret(self) -> str:
        return str(self.store.db.execute("SELECT client_secret FROM plugins LIMIT 1").fetchone()[0])

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0: a free port); returns the base URL."""
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, reuse_address=True)
        await site.start()
        server = site._server
        assert server is not None
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

    def client(self, **kwargs: Any) -> Any:
        """An `XTEClient` for this simulator with the demo plugin's credentials."""
        from powerschool_xte import XTEClient

        kwargs.setdefault("users_dcid", _seed.DEMO_TEACHER_DCID)
        return XTEClient(self.url, self.client_id, self.client_secret, **kwargs)

    # -- faults ------------------------------------------------------------------------------

    def fail_next(
        self,
        operation_id: str,
        status: int,
        *,
        times: int = 1,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` requests of ``operation_id`` with ``status`` (not served).

        For example ``sim.fail_next("putScores", 412)`` is PowerSchool's "Resubmit".
        """
        if operation_id not in OPERATIONS:
            raise ValueError(f"unknown operation {operation_id!r}")
        text = message or {
            412: "Resubmit",
            429: "Too many requests",
            503: "Service unavailable",
        }.get(status, "Injected failure")
        self._scripted.setdefault(operation_id, []).extend(
            ScriptedFault(status, text, dict(headers or {})) for _ in range(times)
        )

    def revoke_tokens(self) -> None:
        """Invalidate every issued token (as regenerating the plugin's secret does)."""
        self.store.db.execute("UPDATE plugins SET token = NULL, token_expires_at = NULL")

    def expire_tokens(self) -> None:
        """Make every issued token expired (it is still known, so 401 says "expired")."""
        self.store.db.execute(
            "UPDATE plugins SET token_expires_at = ? WHERE token IS NOT NULL", (self.clock() - 1,)
        )

    # -- inspection ------------------------------------------------------------------------

    def scores(self) -> list[dict[str, Any]]:
        """Every stored score, flags as booleans, ordered by (assignmentsectionid, student)."""
        rows = self.store.db.execute(
            "SELECT * FROM scores ORDER BY assignmentsectionid, studentsdcid"
        ).fetchall()
        out = []
        for r in rows:
            d = dict(r)
            for flag in SCORE_FLAGS:
                d[flag] = bool(d[flag])
            out.append(d)
        return out

    def assignment_sections(self) -> list[dict[str, Any]]:
        """Every assignment section with its assignment id, ordered by id."""
        rows = self.store.db.execute(
            "SELECT assignmentsectionid, assignmentid, sectionsdcid, name, duedate, scoretype,"
            " scoreentrypoints, totalpointvalue FROM assignment_sections"
            " ORDER BY assignmentsectionid"
        ).fetchall()
        return [dict(r) for r in rows]

    def request_log(self) -> list[LoggedRequest]:
        """Every request served so far, in arrival order."""
        return list(self._log)

    def token_requests(self) -> int:
        """Token requests answered 200 so far."""
        return sum(1 for r in self._log if r.operation_id == "getAccessToken" and r.status == 200)

    def enroll(self, sectionsdcid: int, studentsdcid: int) -> None:
        self.store.db.execute(
            "INSERT OR IGNORE INTO enrollments VALUES (?, ?)", (sectionsdcid, studentsdcid)
        )

    def drop(self, sectionsdcid: int, studentsdcid: int) -> None:
        """Take a student off a section (roster lag in the source system)."""
        self.store.db.execute(
            "DELETE FROM enrollments WHERE sectionsdcid = ? AND studentsdcid = ?",
            (sectionsdcid, studentsdcid),
        )

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
            try:
                if not operation.internal:
                    self._authenticate(request, ctx)
                scripted = self._scripted.get(operation.operation_id)
                if scripted:
                    fault = scripted.pop(0)
                    raise HTTPError(fault.status, fault.message, headers=fault.headers)
                response = await handler(self, request, ctx)
            except HTTPError as err:
                response = _error_response(err)
            self._log.append(
                LoggedRequest(
                    request.method,
                    request.path,
                    operation.operation_id,
                    response.status,
                    dict(request.query),
                    ctx.client_id,
                    self.clock(),
                )
            )
            return response

        return serve

    def _authenticate(self, request: web.Request, ctx: Ctx) -> None:
        auth = request.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        challenge = 'Bearer error="invalid_token",realm="PowerSchool"'
        if scheme.lower() != "bearer" or not token:
            raise HTTPError(
                401,
                "Authentication required",
                headers={"WWW-Authenticate": 'Bearer realm="PowerSchool"'},
            )
        row = self.store.db.execute(
            "SELECT client_id, token_expires_at FROM plugins WHERE token = ?", (token,)
        ).fetchone()
        if row is None:
            raise HTTPError(
                401,
                "Invalid access token",
                headers={
                    "WWW-Authenticate": challenge
                    + ',error_description="The access token is invalid"'
                },
            )
        if row["token_expires_at"] is None or row["token_expires_at"] <= self.clock():
            raise HTTPError(
                401,
                "The access token has expired",
                headers={
                    "WWW-Authenticate": challenge
                    + ',error_description="The access token has expired"'
                },
            )
        ctx.client_id = row["client_id"]
        if "PLUGINS" not in ctx.operation.accessible_to:
            raise HTTPError(403, f"{ctx.operation.label} is not accessible to plugins")
        for name in ctx.operation.required_query:
            if not request.query.get(name):
                raise HTTPError(400, f"{name} is required")
        if "users_dcid" in ctx.operation.query_params:
            users_dcid = _int(request.query.get("users_dcid"), "users_dcid")
            if users_dcid is None:
                raise HTTPError(400, "users_dcid is required for OAuth clients")
            known = self.store.db.execute(
                "SELECT 1 FROM users WHERE dcid = ?", (users_dcid,)
            ).fetchone()
            if known is None:
                raise HTTPError(403, f"Unknown user {users_dcid}")
            ctx.users_dcid = users_dcid

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
        section = self.section(dcid)
        if section is None or section["teacher_users_dcid"] != ctx.users_dcid:
            raise HTTPError(403, f"User does not teach section {dcid} with access {access}")
        return section

    def now_local(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock()).replace(microsecond=0)


# ---------------------------------------------------------------------------------------------
# handlers, one per operationId


async def _read_json(request: web.Request) -> Any:
    raw = await request.read()
    if not raw:
        raise HTTPError(400, "A JSON request body is required")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise HTTPError(400, f"Malformed JSON: {exc}") from None


async def get_access_token(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    auth = request.headers.get("Authorization", "")
    scheme, _, encoded = auth.partition(" ")
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        client_id = secret = ""
    if scheme.lower() != "basic" or not client_id:
        return _json(
            {"error": "invalid_client", "error_description": "Basic authentication required"}, 401
        )
    form = await request.post()
    if form.get("grant_type") != "client_credentials":
        return _json(
            {
                "error": "unsupported_grant_type",
                "error_description": "grant_type must be client_credentials",
            },
            400,
        )
    row = sim.store.db.execute(
        "SELECT client_secret, token, token_expires_at FROM plugins WHERE client_id = ?",
        (client_id,),
    ).fetchone()
    if row is None or not secrets.compare_digest(row["client_secret"], secret):
        return _json(
            {"error": "invalid_client", "error_description": "Bad client credentials"}, 401
        )
    ctx.client_id = client_id
    now = sim.clock()
    token, expires_at = row["token"], row["token_expires_at"]
    if token is None or expires_at <= now:
        # PowerSchool hands back the same token until it expires (wire-facts 1.1)
        token, expires_at = str(uuid.uuid4()), now + sim.token_lifetime
    sim.store.db.execute(
        "UPDATE plugins SET token = ?, token_expires_at = ?, token_requests = token_requests + 1"
        " WHERE client_id = ?",
        (token, expires_at, client_id),
    )
    return _json(
        {"access_token": token, "token_type": "Bearer", "expires_in": str(int(expires_at - now))}
    )


def _student_conflict(asid: int, student: int) -> dict[str, Any]:
    return {
        "resource": "AssignmentScore",
        "field": f"Student.id [{student}] does not have an AssignmentStudentAssociation "
        f"for AssignmentSection.id [{asid}]",
        "code": "Validation",
        "params": {"assignment_section_id": asid, "student_dcid": student},
    }


def _score_item(i: int, item: Any) -> tuple[int, int, dict[str, Any]]:
    if not isinstance(item, dict):
        raise HTTPError(400, f"assignment_scores[{i}] must be an object")
    section_ref = item.get("_assignmentsection")
    asid = section_ref.get("assignmentsectionid") if isinstance(section_ref, dict) else None
    student = item.get("studentsdcid")
    for name, value in (
        ("_assignmentsection.assignmentsectionid", asid),
        ("studentsdcid", student),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
            raise HTTPError(
                400,
                "Validation Error",
                [{"resource": "AssignmentScore", "field": name, "code": "required",
                  "params": {"index": i, "value": value}}],
            )  # fmt: skip
    assert isinstance(asid, int)
    assert isinstance(student, int)
    return asid, student, item


async def put_scores(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    body = await _read_json(request)
    items = body.get("assignment_scores") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise HTTPError(400, "Body must be an object with an assignment_scores array")
    parsed = [_score_item(i, item) for i, item in enumerate(items)]
    db = sim.store.db
    sections: dict[int, Any] = {}
    conflicts: list[dict[str, Any]] = []
    for asid, student, _ in parsed:
        if asid not in sections:
            row = db.execute(
                "SELECT a.sectionsdcid, a.scoreentrypoints FROM assignment_sections a"
                " WHERE a.assignmentsectionid = ?",
                (asid,),
            ).fetchone()
            if row is None:
                # what a real server does for a deleted assignment (wire-facts 3, #3)
                raise HTTPError(
                    500,
                    "Unable to find com.pearson.powerschool.xte.model.AssignmentSection "
                    f"with id {asid}",
                )
            section = sim.teaching_section(ctx, row["sectionsdcid"])
            if section["locked"]:
                raise HTTPError(409, "Locked Term", [{"resource": "AssignmentScore",
                                "field": "termid", "code": "LockedTerm",
                                "params": {"term_id": section["termid"]}}])  # fmt: skip
            sections[asid] = row
        enrolled = db.execute(
            "SELECT 1 FROM enrollments WHERE sectionsdcid = ? AND studentsdcid = ?",
            (sections[asid]["sectionsdcid"], student),
        ).fetchone()
        if enrolled is None:
            conflicts.append(_student_conflict(asid, student))
            if sim.conflict_report == "first":
                break
    if conflicts:
        raise HTTPError(409, "Validation Error", conflicts)
    now = sim.now_local()
    stamp, today = now.strftime("%Y-%m-%d %H:%M:%S"), now.date().isoformat()
    rows = []
    for asid, student, item in parsed:
        points = item.get("scorepoints")
        percent = item.get("scorepercent")
        rows.append(
            (
                asid,
                student,
                item.get("actualscoreentered"),
                item.get("actualscorekind"),
                item.get("scoretype"),
                points
                if isinstance(points, int | float) and not isinstance(points, bool)
                else None,
                percent
                if isinstance(percent, int | float) and not isinstance(percent, bool)
                else None,
                *(int(bool(item.get(flag, False))) for flag in SCORE_FLAGS),
                stamp,
                today,
            )
        )
    with transaction(db):
        db.executemany(
            "INSERT INTO scores (assignmentsectionid, studentsdcid, actualscoreentered,"
            " actualscorekind, scoretype, scorepoints, scorepercent, islate, isexempt, ismissing,"
            " isabsent, isincomplete, iscollected, scoreentrydate, whenmodified)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (assignmentsectionid, studentsdcid) DO UPDATE SET"
            " actualscoreentered = excluded.actualscoreentered,"
            " actualscorekind = excluded.actualscorekind, scoretype = excluded.scoretype,"
            " scorepoints = excluded.scorepoints, scorepercent = excluded.scorepercent,"
            " islate = excluded.islate, isexempt = excluded.isexempt,"
            " ismissing = excluded.ismissing, isabsent = excluded.isabsent,"
            " isincomplete = excluded.isincomplete, iscollected = excluded.iscollected,"
            " scoreentrydate = excluded.scoreentrydate, whenmodified = excluded.whenmodified",
            rows,
        )
    return _json(
        {
            "assignment_scores": [
                {
                    "_name": "assignmentscore",
                    "studentsdcid": student,
                    "_assignmentsection": {"assignmentsectionid": asid},
                }
                for asid, student, _ in parsed
            ]
        }
    )


def _assignment_doc(sim: Simulator, assignmentid: int) -> dict[str, Any]:
    db = sim.store.db
    top = db.execute("SELECT * FROM assignments WHERE assignmentid = ?", (assignmentid,)).fetchone()
    doc: dict[str, Any] = {"_name": "assignment", "_id": assignmentid, **orjson.loads(top["doc"])}
    doc["assignmentid"] = assignmentid
    doc["$breach_mitigation"] = sim.breach_mitigation()
    sections = []
    for s in db.execute(
        "SELECT * FROM assignment_sections WHERE assignmentid = ? ORDER BY assignmentsectionid",
        (assignmentid,),
    ):
        sdoc: dict[str, Any] = {
            "_name": "assignmentsection",
            "_id": s["assignmentsectionid"],
            **orjson.loads(s["doc"]),
            "assignmentsectionid": s["assignmentsectionid"],
            "sectionsdcid": s["sectionsdcid"],
        }
        assocs = []
        for a in db.execute(
            "SELECT c.*, t.doc AS tdoc FROM assignment_category_assocs c"
            " JOIN teacher_categories t ON t.teachercategoryid = c.teachercategoryid"
            " WHERE c.assignmentsectionid = ?",
            (s["assignmentsectionid"],),
        ):
            tdoc = orjson.loads(a["tdoc"])
            assocs.append(
                {
                    "_name": "assignmentcategoryassoc",
                    "_id": a["assignmentcategoryassocid"],
                    "assignmentcategoryassocid": a["assignmentcategoryassocid"],
                    "teachercategoryid": a["teachercategoryid"],
                    "isprimary": bool(a["isprimary"]),
                    "_teachercategory": {
                        "_name": "teachercategory",
                        "_id": a["teachercategoryid"],
                        "teachercategoryid": a["teachercategoryid"],
                        "name": tdoc["name"],
                        "color": str(tdoc.get("color", "1")),
                    },
                }
            )
        sdoc["_assignmentcategoryassociations"] = assocs
        sections.append(sdoc)
    doc["_assignmentsections"] = sections
    return doc


async def list_section_assignments(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    section_ids = _ids(request.query.get("section_ids"), "section_ids")
    for dcid in section_ids:
        sim.teaching_section(ctx, dcid, access="VIEW")
    marks = ",".join("?" for _ in section_ids)
    ids = [
        r[0]
        for r in sim.store.db.execute(
            f"SELECT DISTINCT assignmentid FROM assignment_sections WHERE sectionsdcid IN ({marks})"
            " ORDER BY assignmentid",
            section_ids,
        )
    ]
    return _json([_assignment_doc(sim, i) for i in ids])


_SECTION_COLUMNS = (
    "assignmentsectionid",
    "sectionsdcid",
    "_name",
    "_id",
    "_assignmentcategoryassociations",
)


def _validation(field: str, code: str, message: str, **params: Any) -> HTTPError:
    return HTTPError(
        409,
        f"Validation Error: {message}",
        [{"resource": "assignmentsection", "field": field, "code": code, "params": params}],
    )


async def create_section_assignment(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    body = await _read_json(request)
    sections = body.get("_assignmentsections") if isinstance(body, dict) else None
    if (
        not isinstance(sections, list)
        or not sections
        or not all(isinstance(s, dict) for s in sections)
    ):
        raise HTTPError(400, "_assignmentsections must be a non-empty array of objects")
    db = sim.store.db
    checked = []
    for s in sections:
        dcid = s.get("sectionsdcid")
        if not isinstance(dcid, int) or isinstance(dcid, bool):
            raise HTTPError(400, "sectionsdcid is required on every assignment section")
        section = sim.teaching_section(ctx, dcid)
        if section["locked"]:
            raise HTTPError(409, "Locked Term", [{"resource": "assignmentsection", "field": "termid",
                            "code": "LockedTerm", "params": {"term_id": section["termid"]}}])  # fmt: skip
        name = s.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _validation("name", "required", "name is required")
        if len(name) > 50:
            raise _validation(
                "name",
                "maxLength",
                f"name is {len(name)} characters, at most 50 are allowed",
                max=50,
                length=len(name),
            )
        due = s.get("duedate")
        try:
            due_date = (
                dt.date.fromisoformat(due) if isinstance(due, str) and len(due) == 10 else None
            )
        except ValueError:
            due_date = None
        if due_date is None:
            raise _validation(
                "duedate", "format", f"duedate must be YYYY-MM-DD, got {due!r}", value=due
            )
        if not section["firstday"] <= due_date.isoformat() <= section["lastday"]:
            raise _validation(
                "duedate", "outsideTerm",
                f"duedate {due} is outside the section's term {section['firstday']}..{section['lastday']}",
                value=due, term_id=section["termid"], firstday=section["firstday"], lastday=section["lastday"],
            )  # fmt: skip
        assocs = s.get("_assignmentcategoryassociations") or []
        if not isinstance(assocs, list) or not assocs:
            raise _validation(
                "_assignmentcategoryassociations", "required", "a teacher category is required"
            )
        for a in assocs:
            tcid = a.get("teachercategoryid") if isinstance(a, dict) else None
            known = db.execute(
                "SELECT 1 FROM teacher_categories WHERE teachercategoryid = ?", (tcid,)
            ).fetchone()
            if known is None:
                raise _validation(
                    "teachercategoryid",
                    "notFound",
                    f"unknown teacher category {tcid!r}",
                    value=tcid,
                )
        checked.append((s, section, assocs))
    top = {
        k: v
        for k, v in body.items()
        if k not in ("_assignmentsections", "assignmentid", "_id", "_name")
    }
    with transaction(db):
        cur = db.execute(
            "INSERT INTO assignments (yearid, doc, createdby_users_dcid, createdbyplugin)"
            " VALUES (?, ?, ?, ?)",
            (checked[0][1]["yearid"], orjson.dumps(top).decode(), ctx.users_dcid, ctx.client_id),
        )
        assignmentid = cur.lastrowid
        new_ids = []
        for s, _section, assocs in checked:
            doc = {k: v for k, v in s.items() if k not in _SECTION_COLUMNS}
            cur = db.execute(
                "INSERT INTO assignment_sections (assignmentid, sectionsdcid, name, duedate,"
                " scoretype, scoreentrypoints, totalpointvalue, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (assignmentid, s["sectionsdcid"], s["name"], s["duedate"], s.get("scoretype"),
                 s.get("scoreentrypoints"), s.get("totalpointvalue"), orjson.dumps(doc).decode()),
            )  # fmt: skip
            asid = cur.lastrowid
            new_ids.append(asid)
            for a in assocs:
                db.execute(
                    "INSERT INTO assignment_category_assocs (assignmentsectionid, teachercategoryid,"
                    " isprimary) VALUES (?, ?, ?)",
                    (asid, a["teachercategoryid"], int(bool(a.get("isprimary", True)))),
                )
    location = f"{sim.url}/ws/xte/section/assignment/{assignmentid}"
    return web.Response(
        status=201,
        headers={"Location": location, "AssignmentSectionIds": orjson.dumps(new_ids).decode()},
    )


async def list_teacher_categories(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    year_id = _int(request.query.get("year_id"), "year_id")
    if year_id is None:
        raise HTTPError(400, "year_id is required for OAuth clients")
    out = []
    for row in sim.store.db.execute(
        "SELECT doc FROM teacher_categories WHERE usersdcid = ? AND yearid = ?"
        " ORDER BY teachercategoryid",
        (ctx.users_dcid, year_id),
    ):
        doc = orjson.loads(row["doc"])
        doc.pop("yearid", None)
        doc = {"_name": "teachercategory", "_id": doc["teachercategoryid"], **doc}
        doc.setdefault("_teachercategorysectionexcludeassociations", [])
        doc["$breach_mitigation"] = sim.breach_mitigation()
        out.append(doc)
    return _json(out)


HANDLERS: dict[str, Handler] = {
    "getAccessToken": get_access_token,
    "putScores": put_scores,
    "listSectionAssignments": list_section_assignments,
    "createSectionAssignment": create_section_assignment,
    "listTeacherCategories": list_teacher_categories,
}


# ---------------------------------------------------------------------------------------------
# running a simulator outside the caller's event loop (sync tests, the CLI)


@contextmanager
def running_in_thread(sim: Simulator | None = None, port: int = 0) -> Iterator[Simulator]:
    """Serve ``sim`` from a background thread with its own event loop; stops on exit."""
    sim = sim or Simulator()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failure: list[BaseException] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(sim.start(port=port))
        except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
            failure.append(exc)
            started.set()
            return
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="xte-simulator", daemon=True)
    thread.start()
    started.wait(30)
    if failure:
        raise failure[0]
    try:
        yield sim
    finally:
        asyncio.run_coroutine_threadsafe(sim.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()
