"""Read forms: objects as PowerSchool returns them (`_name`, `_id`, `$breach_mitigation` ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from powerschool_xte.testing._simulator import Simulator


def assignment_doc(sim: Simulator, assignmentid: int) -> dict[str, Any]:
    """An assignment as PowerSchool returns it."""
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
        asid = s["assignmentsectionid"]
        sdoc: dict[str, Any] = {
            "_name": "assignmentsection",
            "_id": asid,
            **orjson.loads(s["doc"]),
            "assignmentsectionid": asid,
            "sectionsdcid": s["sectionsdcid"],
            "name": s["name"],
            "duedate": s["duedate"],
        }
        assocs = []
        for a in db.execute(
            "SELECT c.*, t.doc AS tdoc FROM assignment_category_assocs c"
            " JOIN teacher_categories t ON t.teachercategoryid = c.teachercategoryid"
            " WHERE c.assignmentsectionid = ?",
            (asid,),
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
        sdoc["_assignmentstudentassociations"] = [
            {
                "_name": "assignmentstudentassoc",
                "_id": r["assignmentstudentassocid"],
                "assignmentstudentassocid": r["assignmentstudentassocid"],
                "studentsdcid": r["studentsdcid"],
            }
            for r in db.execute(
                "SELECT * FROM assignment_student_assocs WHERE assignmentsectionid = ?"
                " ORDER BY studentsdcid",
                (asid,),
            )
        ]
        sections.append(sdoc)
    doc["_assignmentsections"] = sections
    doc["_assignmentstandardassociations"] = [
        {
            "_name": "assignmentstandardassoc",
            "_id": r["assignmentstandardassocid"],
            "assignmentstandardassocid": r["assignmentstandardassocid"],
            "standardid": r["standardid"],
            "assignmentid": assignmentid,
        }
        for r in db.execute(
            "SELECT * FROM assignment_standard_assocs WHERE assignmentid = ? ORDER BY standardid",
            (assignmentid,),
        )
    ]
    doc["hasstandards"] = bool(doc["_assignmentstandardassociations"])
    return doc
