"""Handlers: teacher categories, section standards, standard scores and grade scales."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from powerschool_xte.testing._http import (
    Ctx,
    HTTPError,
    id_list,
    is_id,
    json_response,
    parse_bool,
    parse_ids,
    parse_int,
    path_id,
    read_object,
    validation,
)
from powerschool_xte.testing._store import transaction

if TYPE_CHECKING:
    import sqlite3

    from powerschool_xte.testing._simulator import Handler, Simulator

_COMPUTED = frozenset(
    {"_name", "_id", "$breach_mitigation", "teachercategoryid", "id", "usersdcid"}
)


def _category_doc(sim: Simulator, raw: str) -> dict[str, Any]:
    doc = orjson.loads(raw)
    doc.pop("yearid", None)
    out = {"_name": "teachercategory", "_id": doc["teachercategoryid"], **doc}
    out.setdefault("_teachercategorysectionexcludeassociations", [])
    out["$breach_mitigation"] = sim.breach_mitigation()
    return out


async def list_teacher_categories(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    year_id = parse_int(request.query.get("year_id"), "year_id")  # required of plugins (spec)
    rows = sim.store.db.execute(
        "SELECT doc FROM teacher_categories WHERE usersdcid = ? AND (? IS NULL OR yearid = ?)"
        " ORDER BY teachercategoryid",
        (ctx.users_dcid, year_id, year_id),
    )
    return json_response([_category_doc(sim, r["doc"]) for r in rows])


def _owned_category(sim: Simulator, ctx: Ctx, tcid: int, *, edit: bool) -> Any:
    row = sim.store.db.execute(
        "SELECT * FROM teacher_categories WHERE teachercategoryid = ?", (tcid,)
    ).fetchone()
    if row is None:
        raise HTTPError(404, f"Teacher category {tcid} not found")
    if ctx.users_dcid is not None and row["usersdcid"] != ctx.users_dcid:
        raise HTTPError(403, f"User {ctx.users_dcid} does not own teacher category {tcid}")
    if edit and orjson.loads(row["doc"]).get("categorytype") == "district":
        raise HTTPError(
            403, f"Teacher category {tcid} is a district category and cannot be changed"
        )
    return row


def _category_body(body: dict[str, Any]) -> dict[str, Any]:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise validation("teachercategory", "name", "required", "name is required")
    if len(name) > 50:
        raise validation(
            "teachercategory", "name", "maxLength", "name is longer than 50 characters", max=50
        )
    return {k: v for k, v in body.items() if k not in _COMPUTED}


def _check_unique(
    sim: Simulator, users_dcid: int | None, year_id: int | None, name: str, tcid: int | None
) -> None:
    clash = sim.store.db.execute(
        "SELECT teachercategoryid FROM teacher_categories WHERE usersdcid = ?"
        " AND (yearid IS ? OR yearid = ?) AND lower(name) = lower(?) AND teachercategoryid IS NOT ?",
        (users_dcid, year_id, year_id, name, tcid),
    ).fetchone()
    if clash is not None:
        raise validation(
            "teachercategory",
            "name",
            "duplicate",
            f"a category named {name!r} exists",
            teachercategoryid=clash[0],
        )


async def create_teacher_category(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    doc = _category_body(await read_object(request))
    # a category belongs to the year of the teacher's current term; the demo district has one year
    year = sim.store.db.execute(
        "SELECT max(t.yearid) FROM sections s JOIN terms t ON t.id = s.termid"
        " WHERE s.teacher_users_dcid = ?",
        (ctx.users_dcid,),
    ).fetchone()[0]
    _check_unique(sim, ctx.users_dcid, year, doc["name"], None)
    db = sim.store.db
    with transaction(db):
        next_id = db.execute(
            "SELECT coalesce(max(teachercategoryid), 0) + 1 FROM teacher_categories"
        ).fetchone()[0]
        doc.setdefault("categorytype", "user")
        doc.setdefault("isactive", True)
        full = {"teachercategoryid": next_id, "usersdcid": ctx.users_dcid, "yearid": year, **doc}
        db.execute(
            "INSERT INTO teacher_categories VALUES (?, ?, ?, ?, ?)",
            (next_id, ctx.users_dcid, year, doc["name"], orjson.dumps(full).decode()),
        )
    return web.Response(
        status=201, headers={"Location": f"{sim.url}/ws/xte/teacher_category/{next_id}"}
    )


async def get_teacher_category(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    row = _owned_category(sim, ctx, path_id(request, "teacher_category_id"), edit=False)
    return json_response(_category_doc(sim, row["doc"]))


async def update_teacher_category(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    tcid = path_id(request, "teacher_category_id")
    row = _owned_category(sim, ctx, tcid, edit=True)
    doc = _category_body(await read_object(request))
    _check_unique(sim, row["usersdcid"], row["yearid"], doc["name"], tcid)
    full = {
        "teachercategoryid": tcid,
        "usersdcid": row["usersdcid"],
        "yearid": row["yearid"],
        **doc,
    }
    sim.store.db.execute(
        "UPDATE teacher_categories SET name = ?, doc = ? WHERE teachercategoryid = ?",
        (doc["name"], orjson.dumps(full).decode(), tcid),
    )
    return web.Response(status=200)


async def delete_teacher_category(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    tcid = path_id(request, "teacher_category_id")
    _owned_category(sim, ctx, tcid, edit=True)
    used = sim.store.db.execute(
        "SELECT count(*) FROM assignment_category_assocs WHERE teachercategoryid = ?", (tcid,)
    ).fetchone()[0]
    if used:
        raise validation(
            "teachercategory",
            "teachercategoryid",
            "inUse",
            f"category {tcid} is used by {used} assignment section(s)",
            assignments=used,
        )
    sim.store.db.execute("DELETE FROM teacher_categories WHERE teachercategoryid = ?", (tcid,))
    return web.Response(status=200)


async def list_section_standards(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    section_ids = parse_ids(request.query.get("section_ids"), "section_ids")
    inactive = parse_bool(request.query.get("include_inactive"), "include_inactive") or False
    nonassign = (
        parse_bool(request.query.get("include_nonassigment"), "include_nonassigment") or False
    )
    for dcid in section_ids:
        sim.teaching_section(
            ctx, dcid, access="VIEW"
        )  # 404 unknown; 403 not taught (users_dcid given)
    marks = ",".join("?" * len(section_ids))
    out = []
    for r in sim.store.db.execute(
        "SELECT DISTINCT st.standardid, st.doc FROM standards st JOIN section_standards ss"
        f" ON ss.standardid = st.standardid WHERE ss.sectionsdcid IN ({marks}) ORDER BY st.standardid",
        section_ids,
    ):
        doc = orjson.loads(r["doc"])
        if (doc.get("isactive", True) or inactive) and (
            doc.get("isassignmentallowed", True) or nonassign
        ):
            out.append(
                {
                    "_name": "standard",
                    "_id": doc["standardid"],
                    **doc,
                    "$breach_mitigation": sim.breach_mitigation(),
                }
            )
    return json_response(out)


async def query_standard_scores(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    body = await read_object(request)
    assignment_ids = id_list(body, "assignment_ids")
    standard_ids = id_list(body, "standard_ids")
    section_ids = id_list(body, "section_ids")
    if not (assignment_ids or standard_ids or section_ids):
        raise HTTPError(400, "give at least one of assignment_ids, standard_ids, section_ids")
    clauses, args = [], []
    for column, values in (
        ("sa.assignmentid", assignment_ids),
        ("sa.standardid", standard_ids),
        ("a.sectionsdcid", section_ids),
    ):
        if values:
            clauses.append(f"{column} IN ({','.join('?' * len(values))})")
            args += values
    rows = sim.store.db.execute(
        "SELECT s.*, sa.standardid, sa.assignmentid FROM standard_scores s"
        " JOIN assignment_standard_assocs sa ON sa.assignmentstandardassocid = s.assignmentstandardassocid"
        " JOIN assignment_sections a ON a.assignmentsectionid = s.assignmentsectionid"
        f" WHERE {' AND '.join(clauses)} ORDER BY s.assignmentscoreid",
        args,
    )
    out = []
    for r in rows:
        doc = orjson.loads(r["doc"])
        out.append(
            {
                "_name": "standardscore",
                "_id": r["assignmentscoreid"],
                **doc,
                "assignmentscoreid": r["assignmentscoreid"],
                "studentsdcid": r["studentsdcid"],
                "_assignmentsection": {"assignmentsectionid": r["assignmentsectionid"]},
                "_assignmentstandardassociation": {
                    "assignmentstandardassocid": r["assignmentstandardassocid"],
                    "standardid": r["standardid"],
                    "assignmentid": r["assignmentid"],
                },
            }
        )
    return json_response(out)


async def get_grade_scales(sim: Simulator, request: web.Request, ctx: Ctx) -> web.Response:
    ids = parse_ids(request.match_info["grade_scale_ids"], "grade_scale_ids")
    include_items = parse_bool(request.query.get("include_items"), "include_items")
    marks = ",".join("?" * len(ids))
    rows = sim.store.db.execute(
        f"SELECT doc FROM grade_scales WHERE id IN ({marks}) ORDER BY id", ids
    ).fetchall()
    if not rows:
        raise HTTPError(404, f"No grade scale with id {', '.join(map(str, ids))}")
    out = []
    for r in rows:
        doc = orjson.loads(r["doc"])
        if include_items is False:
            doc.pop("_items", None)
        out.append(
            {
                "_name": "gradescale",
                "_id": doc["id"],
                **doc,
                "$breach_mitigation": sim.breach_mitigation(),
            }
        )
    return json_response(out)


def add_standard_score(
    db: sqlite3.Connection,
    *,
    assignmentsectionid: int,
    standardid: int,
    studentsdcid: int,
    **fields: Any,
) -> int:
    """Seed a standard score (XTE has no operation that writes one)."""
    row = db.execute(
        "SELECT sa.assignmentstandardassocid FROM assignment_sections a JOIN assignment_standard_assocs sa"
        " ON sa.assignmentid = a.assignmentid WHERE a.assignmentsectionid = ? AND sa.standardid = ?",
        (assignmentsectionid, standardid),
    ).fetchone()
    if row is None:
        raise ValueError(
            f"standard {standardid} is not associated with assignment section {assignmentsectionid}"
        )
    if not all(is_id(v) for v in (assignmentsectionid, standardid, studentsdcid)):
        raise ValueError("ids must be non-negative integers")
    cur = db.execute(
        "INSERT INTO standard_scores (assignmentstandardassocid, assignmentsectionid, studentsdcid, doc)"
        " VALUES (?, ?, ?, ?)",
        (row[0], assignmentsectionid, studentsdcid, orjson.dumps(fields).decode()),
    )
    return int(cur.lastrowid or 0)


ROUTES: dict[str, Handler] = {
    "listTeacherCategories": list_teacher_categories,
    "createTeacherCategory": create_teacher_category,
    "getTeacherCategory": get_teacher_category,
    "updateTeacherCategory": update_teacher_category,
    "deleteTeacherCategory": delete_teacher_category,
    "listSectionStandards": list_section_standards,
    "queryStandardScores": query_standard_scores,
    "getGradeScales": get_grade_scales,
}
