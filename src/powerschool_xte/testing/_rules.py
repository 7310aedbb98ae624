"""PowerSchool's rules for the assignment sections of a create or an update."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from powerschool_xte.resources._schemas import DEFS
from powerschool_xte.testing._http import Ctx, HTTPError, is_id, locked_term, validation

if TYPE_CHECKING:
    from powerschool_xte.testing._simulator import Simulator

#: the spec's x-max-length of AssignmentSection.name (PowerSchool's Varchar2(50))
MAX_NAME: int = DEFS["AssignmentSection"]["properties"]["name"]["x-max-length"]


def check_section(
    sim: Simulator, ctx: Ctx, s: Any
) -> tuple[dict[str, Any], dict[str, Any], list[Any], list[int]]:
    """Validate one `_assignmentsections` element; returns (body, section, categories, students)."""
    db = sim.store.db
    if not isinstance(s, dict):
        raise HTTPError(400, "_assignmentsections must contain objects")
    dcid = s.get("sectionsdcid")
    if not is_id(dcid):
        raise HTTPError(400, "sectionsdcid is required on every assignment section")
    section = sim.teaching_section(ctx, dcid)
    if section["locked"]:
        raise locked_term("assignmentsection", section["termid"])
    name = s.get("name")
    if not isinstance(name, str) or not name.strip():
        raise validation("assignmentsection", "name", "required", "name is required")
    if len(name) > MAX_NAME:
        raise validation(
            "assignmentsection",
            "name",
            "maxLength",
            f"name is {len(name)} characters, at most {MAX_NAME} are allowed",
            max=MAX_NAME,
            length=len(name),
        )
    due = s.get("duedate")
    try:
        due_date = dt.date.fromisoformat(due) if isinstance(due, str) and len(due) == 10 else None
    except ValueError:
        due_date = None
    if due_date is None:
        raise validation(
            "assignmentsection",
            "duedate",
            "format",
            f"duedate must be YYYY-MM-DD, got {due!r}",
            value=due,
        )
    if not section["firstday"] <= due_date.isoformat() <= section["lastday"]:
        raise validation(
            "assignmentsection",
            "duedate",
            "outsideTerm",
            f"duedate {due} is outside the section's term {section['firstday']}..{section['lastday']}",
            value=due,
            term_id=section["termid"],
            firstday=section["firstday"],
            lastday=section["lastday"],
        )
    assocs = s.get("_assignmentcategoryassociations") or []
    if not isinstance(assocs, list) or not assocs:
        raise validation(
            "assignmentsection",
            "_assignmentcategoryassociations",
            "required",
            "a teacher category is required",
        )
    for a in assocs:
        tcid = a.get("teachercategoryid") if isinstance(a, dict) else None
        if not is_id(tcid) or (
            db.execute(
                "SELECT 1 FROM teacher_categories WHERE teachercategoryid = ?", (tcid,)
            ).fetchone()
            is None
        ):
            raise validation(
                "assignmentsection",
                "teachercategoryid",
                "notFound",
                f"unknown teacher category {tcid!r}",
                value=tcid,
            )
    students = []
    for a in s.get("_assignmentstudentassociations") or []:
        student = a.get("studentsdcid") if isinstance(a, dict) else None
        if not is_id(student):
            raise HTTPError(400, "_assignmentstudentassociations need studentsdcid")
        students.append(student)
    return s, section, assocs, students


#: what may differ between the sections of one assignment (vendor doc)
_PER_SECTION = frozenset(
    {
        "sectionsdcid",
        "duedate",
        "_assignmentstudentassociations",
        "assignmentsectionid",
        "_name",
        "_id",
    }
)


def same_across_sections(sections: list[Any]) -> None:
    """All values except the due date and the student lists are identical across sections."""
    first = {k: v for k, v in sections[0].items() if k not in _PER_SECTION}
    for n, other in enumerate(sections[1:], start=1):
        rest = {k: v for k, v in other.items() if k not in _PER_SECTION}
        for key in sorted(first.keys() | rest.keys()):
            if first.get(key) != rest.get(key):
                raise validation(
                    "assignmentsection",
                    key,
                    "notIdentical",
                    f"{key} differs between the sections of the assignment (section 0: "
                    f"{first.get(key)!r}, section {n}: {rest.get(key)!r}); only the due date and "
                    "the student lists may differ",
                    index=n,
                )


def standards(sim: Simulator, body: dict[str, Any]) -> list[int]:
    raw = body.get("_assignmentstandardassociations") or []
    if not isinstance(raw, list):
        raise HTTPError(400, "_assignmentstandardassociations must be an array")
    ids = []
    for a in raw:
        sid = a.get("standardid") if isinstance(a, dict) else None
        if not is_id(sid):
            raise HTTPError(400, "_assignmentstandardassociations need standardid")
        ids.append(sid)
    if ids and body.get("standardscoringmethod") != "GradeScale":
        raise validation(
            "assignment",
            "standardscoringmethod",
            "required",
            "standardscoringmethod must be GradeScale when standards are associated",
        )
    return ids
