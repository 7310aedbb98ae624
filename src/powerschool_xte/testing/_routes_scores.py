"""Handlers: the token endpoint, score writes and assignment student associations."""

from __future__ import annotations

import base64
import binascii
import secrets
import urllib.parse
import uuid
from typing import TYPE_CHECKING, Any

from aiohttp import web

from powerschool_xte.testing._http import (
    Ctx,
    HTTPError,
    id_list,
    json_response,
    locked_term,
    parse_bool,
    parse_int,
    read_object,
    validation,
)
from powerschool_xte.testing._store import transaction

if TYPE_CHECKING:
    from powerschool_xte.testing._simulator import Handler, Simulator


async def get_access_token(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        client_id = secret = ""
    if scheme.lower() != "basic" or not client_id:
        return json_response(
            {"error": "invalid_client", "error_description": "Basic authentication required"}, 401
        )
    # parsed as a form whatever the Content-Type says: clients that misspell the header still
    # get tokens from PowerSchool (wire-facts 1.1)
    raw = await request.read()
    try:
        form = urllib.parse.parse_qs(raw.decode("utf-8"), strict_parsing=False)
    except UnicodeDecodeError:
        form = {}
    if form.get("grant_type") != ["client_credentials"]:
        return json_response(
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
        return json_response(
            {"error": "invalid_client", "error_description": "Bad client credentials"}, 401
        )
    ctx.client_id = client_id
    now = sim.clock()
    token, expires_at = row["token"], row["token_expires_at"]
    if token is None or expires_at <= now:
        # PowerSchool hands back the same token until it expires (wire-facts 1.1)
        token, expires_at = str(uuid.uuid4()), now + sim.token_lifetime
        sim.token_uses[token] = 0
    sim.store.db.execute(
        "UPDATE plugins SET token = ?, token_expires_at = ?, token_requests = token_requests + 1"
        " WHERE client_id = ?",
        (token, expires_at, client_id),
    )
    return json_response(
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


def _parse_items(ctx: Ctx, items: list[Any]) -> list[tuple[int, int, dict[str, Any]]]:
    """(assignmentsectionid, studentsdcid, item) per item; the body already matched the schema."""
    try:
        parsed = [
            (item["_assignmentsection"]["assignmentsectionid"], item["studentsdcid"], item)
            for item in items
        ]
    except (KeyError, TypeError):
        raise HTTPError(
            400, "every score needs _assignmentsection.assignmentsectionid and studentsdcid"
        ) from None
    if ctx.role == "PLUGINS" and any(
        "_assignmentstandardassociation" in item or "standardid" in item for item in items
    ):
        raise HTTPError(403, "Plugins may save only assignment scores")
    return parsed


def _allowed_students(sim: Simulator, ctx: Ctx, asid: int, term_id: int | None) -> set[int]:
    """Students of the section, narrowed to the assignment's student associations if any."""
    db = sim.store.db
    row = db.execute(
        "SELECT sectionsdcid FROM assignment_sections WHERE assignmentsectionid = ?", (asid,)
    ).fetchone()
    if row is None:
        # what a real server does for a deleted assignment (wire-facts 3, #3)
        raise HTTPError(
            500,
            f"Unable to find com.pearson.powerschool.xte.model.AssignmentSection with id {asid}",
        )
    section = sim.teaching_section(ctx, row["sectionsdcid"])
    if section["locked"]:
        raise locked_term("AssignmentScore", section["termid"])
    if term_id is not None and term_id not in (section["termid"], section["yearid"] * 100):
        raise validation(
            "AssignmentScore",
            "term_id",
            "wrongTerm",
            f"term_id {term_id} is not the term of section {row['sectionsdcid']} "
            f"({section['termid']})",
            term_id=term_id,
            section_term_id=section["termid"],
        )
    enrolled = {
        r[0]
        for r in db.execute(
            "SELECT studentsdcid FROM enrollments WHERE sectionsdcid = ?", (row["sectionsdcid"],)
        )
    }
    chosen = {
        r[0]
        for r in db.execute(
            "SELECT studentsdcid FROM assignment_student_assocs WHERE assignmentsectionid = ?",
            (asid,),
        )
    }
    return enrolled & chosen if chosen else enrolled


def write_scores(
    sim: Simulator, ctx: Ctx, items: list[Any], term_id: int | None = None
) -> list[tuple[int, int]]:
    """Validate the whole batch, then upsert it in one transaction (all or nothing).

    An upsert replaces the whole score record: a field the body leaves out is stored empty
    (flags false), the strictest reading of PowerSchool's unpublished PUT semantics.
    """
    parsed = _parse_items(ctx, items)
    db = sim.store.db
    allowed: dict[int, set[int]] = {}  # asid -> students who may be scored on it
    conflicts: list[dict[str, Any]] = []
    for asid, student, _ in parsed:
        if asid not in allowed:
            allowed[asid] = _allowed_students(sim, ctx, asid, term_id)
        if student not in allowed[asid]:
            conflicts.append(_student_conflict(asid, student))
            if sim.conflict_report == "first":
                break
    if conflicts:
        raise HTTPError(409, "Validation Error", conflicts)
    now = sim.now_local()
    stamp, today = now.strftime("%Y-%m-%d %H:%M:%S"), now.date().isoformat()
    rows = [
        (
            asid,
            student,
            item.get("actualscoreentered"),
            item.get("actualscorekind"),
            item.get("scoretype"),
            item.get("scorepoints"),
            item.get("scorepercent"),
            1 if item.get("islate") else 0,
            1 if item.get("isexempt") else 0,
            1 if item.get("ismissing") else 0,
            1 if item.get("isabsent") else 0,
            1 if item.get("isincomplete") else 0,
            1 if item.get("iscollected") else 0,
            stamp,
            today,
        )
        for asid, student, item in parsed
    ]
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
    return [(asid, student) for asid, student, _ in parsed]


def _result_item(asid: int, student: int) -> dict[str, Any]:
    return {
        "_name": "assignmentscore",
        "studentsdcid": student,
        "_assignmentsection": {"assignmentsectionid": asid},
    }


async def put_scores(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    body = await read_object(request)
    items = body.get("assignment_scores")
    if not isinstance(items, list):
        raise HTTPError(400, "Body must be an object with an assignment_scores array")
    written = write_scores(sim, ctx, items, parse_int(request.query.get("term_id"), "term_id"))
    return json_response({"assignment_scores": [_result_item(a, s) for a, s in written]})


async def put_score(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    body = await read_object(request)
    term_id = parse_int(request.query.get("term_id"), "term_id")
    [(asid, student)] = write_scores(sim, ctx, [body], term_id)
    return json_response(_result_item(asid, student))


async def delete_assignment_student_associations(
    sim: Simulator, request: web.Request, ctx: Ctx
) -> web.Response:
    force = parse_bool(request.query.get("force"), "force") or False
    body = await read_object(request)
    students, asids = id_list(body, "student_ids"), id_list(body, "section_ids")
    if not students or not asids:
        raise HTTPError(400, "student_ids and section_ids are both required")
    db = sim.store.db
    marks_s, marks_a = ",".join("?" * len(students)), ",".join("?" * len(asids))
    for row in db.execute(
        "SELECT DISTINCT a.sectionsdcid FROM assignment_sections a"
        f" WHERE a.assignmentsectionid IN ({marks_a})",
        asids,
    ).fetchall():
        section = sim.teaching_section(ctx, row["sectionsdcid"])
        if section["locked"]:
            raise locked_term("AssignmentStudentAssociation", section["termid"])
    scored = db.execute(
        f"SELECT count(*) FROM scores WHERE assignmentsectionid IN ({marks_a})"
        f" AND studentsdcid IN ({marks_s})",
        [*asids, *students],
    ).fetchone()[0]
    if scored and not force:
        raise HTTPError(
            409,
            "Validation Error: scores exist for these students; use force=true to delete them",
            [{"resource": "AssignmentStudentAssociation", "field": "force", "code": "ScoresExist",
              "params": {"scores": scored}}],
        )  # fmt: skip
    with transaction(db):
        # blind delete: unknown ids are not an error (vendor doc)
        db.execute(
            f"DELETE FROM assignment_student_assocs WHERE assignmentsectionid IN ({marks_a})"
            f" AND studentsdcid IN ({marks_s})",
            [*asids, *students],
        )
        if force:
            db.execute(
                f"DELETE FROM scores WHERE assignmentsectionid IN ({marks_a})"
                f" AND studentsdcid IN ({marks_s})",
                [*asids, *students],
            )
    return web.Response(status=204)


ROUTES: dict[str, Handler] = {
    "getAccessToken": get_access_token,
    "putScores": put_scores,
    "putScore": put_score,
    "deleteAssignmentStudentAssociations": delete_assignment_student_associations,
}
