"""Handlers: section assignments and their standard associations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from powerschool_xte.testing._http import (
    Ctx,
    HTTPError,
    json_response,
    locked_term,
    parse_bool,
    parse_ids,
    path_id,
    read_object,
    validation,
)
from powerschool_xte.testing._rules import check_section, same_across_sections, standards
from powerschool_xte.testing._store import transaction
from powerschool_xte.testing._views import assignment_doc

if TYPE_CHECKING:
    import sqlite3

    from powerschool_xte.testing._simulator import Handler, Simulator

#: keys computed by the simulator, never stored from a request body
_SECTION_KEYS = frozenset(
    {
        "assignmentsectionid",
        "sectionsdcid",
        "_name",
        "_id",
        "_assignmentcategoryassociations",
        "_assignmentstudentassociations",
        "_assignmentscores",
    }
)
_TOP_KEYS = frozenset(
    {"_assignmentsections", "_assignmentstandardassociations", "assignmentid", "_id", "_name"}
)
#: changing one of these on an assignment with scores needs update_scores
_SCORING_KEYS = ("scoretype", "scoreentrypoints", "totalpointvalue", "weight", "extracreditpoints")


async def list_section_assignments(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    section_ids = parse_ids(request.query.get("section_ids"), "section_ids")
    for dcid in section_ids:
        sim.teaching_section(ctx, dcid, access="VIEW")
    marks = ",".join("?" for _ in section_ids)
    ids = [
        r[0]
        for r in sim.store.db.execute(
            "SELECT DISTINCT assignmentid FROM assignment_sections"
            f" WHERE sectionsdcid IN ({marks}) ORDER BY assignmentid",
            section_ids,
        )
    ]
    return json_response([assignment_doc(sim, i) for i in ids])


def _store_section(
    db: sqlite3.Connection,
    assignmentid: int,
    s: dict[str, Any],
    assocs: list[Any],
    students: list[int],
) -> int:
    doc = {k: v for k, v in s.items() if k not in _SECTION_KEYS}
    cur = db.execute(
        "INSERT INTO assignment_sections (assignmentid, sectionsdcid, name, duedate, scoretype,"
        " scoreentrypoints, totalpointvalue, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            assignmentid,
            s["sectionsdcid"],
            s["name"],
            s["duedate"],
            s.get("scoretype"),
            s.get("scoreentrypoints"),
            s.get("totalpointvalue"),
            orjson.dumps(doc).decode(),
        ),
    )
    asid = int(cur.lastrowid or 0)
    _replace_children(db, asid, assocs, students)
    return asid


def _replace_children(
    db: sqlite3.Connection, asid: int, assocs: list[Any], students: list[int]
) -> None:
    db.execute("DELETE FROM assignment_category_assocs WHERE assignmentsectionid = ?", (asid,))
    db.execute("DELETE FROM assignment_student_assocs WHERE assignmentsectionid = ?", (asid,))
    for a in assocs:
        db.execute(
            "INSERT INTO assignment_category_assocs (assignmentsectionid, teachercategoryid,"
            " isprimary) VALUES (?, ?, ?)",
            (asid, a["teachercategoryid"], int(bool(a.get("isprimary", True)))),
        )
    db.executemany(
        "INSERT OR IGNORE INTO assignment_student_assocs (assignmentsectionid, studentsdcid) VALUES (?, ?)",
        [(asid, st) for st in students],
    )


def _replace_standards(db: sqlite3.Connection, assignmentid: int, standard_ids: list[int]) -> None:
    db.execute(
        f"DELETE FROM assignment_standard_assocs WHERE assignmentid = ? AND standardid NOT IN ({','.join('?' * len(standard_ids)) or 'NULL'})",
        (assignmentid, *standard_ids),
    )
    db.executemany(
        "INSERT OR IGNORE INTO assignment_standard_assocs (assignmentid, standardid) VALUES (?, ?)",
        [(assignmentid, sid) for sid in standard_ids],
    )


async def create_section_assignment(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    body = await read_object(request)
    sections = body.get("_assignmentsections")
    if not isinstance(sections, list) or not sections:
        raise HTTPError(400, "_assignmentsections must be a non-empty array of objects")
    checked = [check_section(sim, ctx, s) for s in sections]
    same_across_sections(sections)
    standard_ids = standards(sim, body)
    top = {k: v for k, v in body.items() if k not in _TOP_KEYS}
    db = sim.store.db
    with transaction(db):
        cur = db.execute(
            "INSERT INTO assignments (yearid, doc, createdby_users_dcid, createdbyplugin)"
            " VALUES (?, ?, ?, ?)",
            (checked[0][1]["yearid"], orjson.dumps(top).decode(), ctx.users_dcid, ctx.client_id),
        )
        assignmentid = int(cur.lastrowid or 0)
        new_ids = [
            _store_section(db, assignmentid, s, assocs, students)
            for s, _section, assocs, students in checked
        ]
        _replace_standards(db, assignmentid, standard_ids)
    return web.Response(
        status=201,
        headers={
            "Location": f"{sim.url}/ws/xte/section/assignment/{assignmentid}",
            "AssignmentSectionIds": orjson.dumps(new_ids).decode(),
        },
    )


def _owned_assignment(sim: Simulator, ctx: Ctx, assignmentid: int, access: str) -> list[Any]:
    rows = sim.store.db.execute(
        "SELECT * FROM assignment_sections WHERE assignmentid = ? ORDER BY assignmentsectionid",
        (assignmentid,),
    ).fetchall()
    if not rows:
        raise HTTPError(404, f"Assignment {assignmentid} not found")
    for r in rows:
        section = sim.teaching_section(ctx, r["sectionsdcid"], access=access)
        if access == "EDIT" and section["locked"]:
            raise locked_term("assignment", section["termid"])
    return rows


async def get_section_assignment(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    assignmentid = path_id(request, "id")
    _owned_assignment(sim, ctx, assignmentid, "VIEW")
    return json_response(assignment_doc(sim, assignmentid))


async def update_section_assignment(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    assignmentid = path_id(request, "id")
    update_scores = parse_bool(request.query.get("update_scores"), "update_scores")
    existing = _owned_assignment(sim, ctx, assignmentid, "EDIT")
    body = await read_object(request)
    sections = body.get("_assignmentsections")
    if not isinstance(sections, list) or not sections:
        raise HTTPError(400, "_assignmentsections must be a non-empty array of objects")
    checked = [check_section(sim, ctx, s) for s in sections]
    same_across_sections(sections)
    by_dcid = {r["sectionsdcid"]: r for r in existing}
    sent = [s["sectionsdcid"] for s, *_ in checked]
    if sorted(sent) != sorted(by_dcid):
        raise validation(
            "assignment",
            "_assignmentsections",
            "allSections",
            "every section of a multi-section assignment must be included, each once",
            expected=sorted(by_dcid),
            got=sent,
        )
    standard_ids = standards(sim, body)
    db = sim.store.db
    for s, *_ in checked:
        old = by_dcid[s["sectionsdcid"]]
        old_doc = orjson.loads(old["doc"])
        changed = any(s.get(k) != old_doc.get(k) for k in _SCORING_KEYS)
        scored = db.execute(
            "SELECT 1 FROM scores WHERE assignmentsectionid = ? LIMIT 1",
            (old["assignmentsectionid"],),
        ).fetchone()
        if changed and scored and update_scores is None:
            raise validation(
                "assignment",
                "update_scores",
                "required",
                "scores exist and the scoring changes: update_scores must be given",
            )
    top = {k: v for k, v in body.items() if k not in _TOP_KEYS}
    with transaction(db):
        db.execute(
            "UPDATE assignments SET doc = ? WHERE assignmentid = ?",
            (orjson.dumps(top).decode(), assignmentid),
        )
        for s, _section, assocs, students in checked:
            asid = by_dcid[s["sectionsdcid"]]["assignmentsectionid"]
            doc = {k: v for k, v in s.items() if k not in _SECTION_KEYS}
            db.execute(
                "UPDATE assignment_sections SET name = ?, duedate = ?, scoretype = ?,"
                " scoreentrypoints = ?, totalpointvalue = ?, doc = ? WHERE assignmentsectionid = ?",
                (s["name"], s["duedate"], s.get("scoretype"), s.get("scoreentrypoints"),
                 s.get("totalpointvalue"), orjson.dumps(doc).decode(), asid),
            )  # fmt: skip
            _replace_children(db, asid, assocs, students)
        _replace_standards(db, assignmentid, standard_ids)
    return web.Response(status=200)


async def delete_section_assignment(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    assignmentid = path_id(request, "id")
    force = parse_bool(request.query.get("force"), "force") or False
    existing = _owned_assignment(sim, ctx, assignmentid, "EDIT")
    asids = [r["assignmentsectionid"] for r in existing]
    marks = ",".join("?" * len(asids))
    db = sim.store.db
    scored = db.execute(
        f"SELECT count(*) FROM scores WHERE assignmentsectionid IN ({marks})", asids
    ).fetchone()[0]
    if scored and not force:
        raise HTTPError(
            412,
            "Validation Error - Assignment has grades associated; use force=true to delete them",
            [
                {
                    "resource": "assignment",
                    "field": "force",
                    "code": "HasGrades",
                    "params": {"scores": scored},
                }
            ],
        )
    with transaction(db):
        for table in (
            "scores",
            "assignment_category_assocs",
            "assignment_student_assocs",
            "standard_scores",
        ):
            db.execute(f"DELETE FROM {table} WHERE assignmentsectionid IN ({marks})", asids)
        db.execute("DELETE FROM assignment_sections WHERE assignmentid = ?", (assignmentid,))
        db.execute("DELETE FROM assignment_standard_assocs WHERE assignmentid = ?", (assignmentid,))
        db.execute("DELETE FROM assignments WHERE assignmentid = ?", (assignmentid,))
    return web.Response(status=204)


async def delete_assignment_standards(
    sim: Simulator, request: web.Request, ctx: Ctx
) -> web.Response:
    assignmentid = path_id(request, "assignment_id")
    standard_ids = parse_ids(request.query.get("standard_ids"), "standard_ids")
    force = parse_bool(request.query.get("force"), "force") or False
    db = sim.store.db
    rows = db.execute(
        "SELECT DISTINCT sectionsdcid FROM assignment_sections WHERE assignmentid = ?",
        (assignmentid,),
    ).fetchall()
    for r in rows:  # an unknown assignment is fine: the delete is blind
        section = sim.teaching_section(ctx, r["sectionsdcid"])
        if section["locked"]:
            raise locked_term("assignmentstandardassoc", section["termid"])
    marks = ",".join("?" * len(standard_ids))
    assoc_ids = [
        r[0]
        for r in db.execute(
            "SELECT assignmentstandardassocid FROM assignment_standard_assocs"
            f" WHERE assignmentid = ? AND standardid IN ({marks})",
            (assignmentid, *standard_ids),
        )
    ]
    amarks = ",".join("?" * len(assoc_ids)) or "NULL"
    scored = db.execute(
        f"SELECT count(*) FROM standard_scores WHERE assignmentstandardassocid IN ({amarks})",
        assoc_ids,
    ).fetchone()[0]
    if scored and not force:
        raise HTTPError(
            409,
            "Validation Error: StandardScore rows exist; use force=true to delete them",
            [{"resource": "assignmentstandardassoc", "field": "force", "code": "StandardScoresExist",
              "params": {"scores": scored}}],
        )  # fmt: skip
    with transaction(db):
        # blind delete: standard ids not linked to the assignment are not an error (vendor doc)
        db.execute(
            f"DELETE FROM standard_scores WHERE assignmentstandardassocid IN ({amarks})", assoc_ids
        )
        db.execute(
            f"DELETE FROM assignment_standard_assocs WHERE assignmentid = ? AND standardid IN ({marks})",
            (assignmentid, *standard_ids),
        )
    return web.Response(status=204)


ROUTES: dict[str, Handler] = {
    "listSectionAssignments": list_section_assignments,
    "createSectionAssignment": create_section_assignment,
    "getSectionAssignment": get_section_assignment,
    "updateSectionAssignment": update_section_assignment,
    "deleteSectionAssignment": delete_section_assignment,
    "deleteAssignmentStandards": delete_assignment_standards,
}
