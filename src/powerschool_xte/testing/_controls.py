"""What tests and operators do to a simulator: script faults, change state, look inside."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import attrs

from powerschool_xte.resources import OPERATIONS
from powerschool_xte.testing import _routes_catalog
from powerschool_xte.testing._faults import FaultInjector, FaultPlan
from powerschool_xte.testing._store import SCORE_FLAGS, Store


@attrs.frozen
class ScriptedFault:
    """Answer the next matching request with ``status`` instead of serving it."""

    status: int
    message: str
    headers: dict[str, str] = attrs.field(factory=dict)
    #: a raw body instead of PowerSchool's JSON error (an HTML error page, say)
    html: str | None = None


@attrs.frozen
class LoggedRequest:
    """One request as the simulator saw it (see `Simulator.request_log`)."""

    method: str
    path: str
    operation_id: str
    #: the status answered; 0 when the connection was dropped without an answer
    status: int
    query: dict[str, str]
    client_id: str | None
    at: float
    #: the injected fault, if any ("resubmit", "throttle", "burst", "drop_before", "drop_after",
    #: "scripted")
    fault: str | None = None


class Controls:
    """Mixed into `Simulator`: the state the methods below work on is the simulator's."""

    store: Store
    faults: FaultInjector
    clock: Callable[[], float]
    token_lifetime: float
    _log: list[LoggedRequest]
    _scripted: dict[str, list[ScriptedFault]]

    @property
    def client_id(self) -> str:
        return str(self.store.db.execute("SELECT client_id FROM plugins LIMIT 1").fetchone()[0])

    @property
    def client_secret(self) -> str:
        return str(self.store.db.execute("SELECT client_secret FROM plugins LIMIT 1").fetchone()[0])

    # -- faults and state changes ----------------------------------------------------------

    def set_faults(self, plan: FaultPlan) -> None:
        """Replace the fault plan (its RNG restarts from the plan's seed)."""
        self.faults = FaultInjector(plan)

    def fail_next(
        self,
        operation_id: str,
        status: int,
        *,
        times: int = 1,
        message: str | None = None,
        headers: dict[str, str] | None = None,
        html: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests of ``operation_id`` with ``status`` (not served).

        For example ``sim.fail_next("putScores", 412)`` is PowerSchool's "Resubmit";
        ``html="<html>...</html>"`` answers with an HTML page instead of a JSON error body.
        """
        if operation_id not in OPERATIONS:
            raise ValueError(f"unknown operation {operation_id!r}")
        text = message or {
            412: "Resubmit",
            429: "Too many requests",
            503: "Service unavailable",
        }.get(status, "Injected failure")
        self._scripted.setdefault(operation_id, []).extend(
            ScriptedFault(status, text, dict(headers or {}), html) for _ in range(times)
        )

    def issue_token(self, client_id: str | None = None) -> str:
        """A valid access token for a plugin, as the token endpoint would hand out (raw HTTP tests)."""
        cid = client_id or self.client_id
        row = self.store.db.execute(
            "SELECT token, token_expires_at FROM plugins WHERE client_id = ?", (cid,)
        ).fetchone()
        if row is None:
            raise ValueError(f"unknown plugin {cid!r}")
        token, expires_at = row["token"], row["token_expires_at"]
        if token is None or expires_at <= self.clock():
            token, expires_at = str(uuid.uuid4()), self.clock() + self.token_lifetime
            self.store.db.execute(
                "UPDATE plugins SET token = ?, token_expires_at = ? WHERE client_id = ?",
                (token, expires_at, cid),
            )
        return str(token)

    def revoke_tokens(self) -> None:
        """Invalidate every issued token (as regenerating the plugin's secret does)."""
        self.store.db.execute("UPDATE plugins SET token = NULL, token_expires_at = NULL")

    def rotate_secret(self, client_id: str, new_secret: str) -> None:
        """Regenerate a plugin's secret: its tokens stop working at once."""
        self.store.db.execute(
            "UPDATE plugins SET client_secret = ?, token = NULL, token_expires_at = NULL"
            " WHERE client_id = ?",
            (new_secret, client_id),
        )

    def expire_tokens(self) -> None:
        """Make every issued token expired (it is still known, so 401 says "expired")."""
        self.store.db.execute(
            "UPDATE plugins SET token_expires_at = ? WHERE token IS NOT NULL", (self.clock() - 1,)
        )

    def lock_term(self, term_id: int, locked: bool = True) -> None:
        self.store.db.execute("UPDATE terms SET locked = ? WHERE id = ?", (int(locked), term_id))

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

    def add_standard_score(self, **fields: Any) -> int:
        """Seed a standard score; see `_routes_catalog.add_standard_score`."""
        return _routes_catalog.add_standard_score(self.store.db, **fields)

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

    def teacher_categories(self) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.store.db.execute(
                "SELECT teachercategoryid, usersdcid, yearid, name FROM teacher_categories"
                " ORDER BY teachercategoryid"
            )
        ]

    def request_log(self) -> list[LoggedRequest]:
        """Every request served so far, in arrival order."""
        return list(self._log)

    def token_requests(self) -> int:
        """Token requests answered 200 so far."""
        return sum(1 for r in self._log if r.operation_id == "getAccessToken" and r.status == 200)
