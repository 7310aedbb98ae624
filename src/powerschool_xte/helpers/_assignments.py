"""Creating an assignment exactly once, even when the connection drops.

`POST /ws/xte/section/assignment/` is not idempotent: if the answer is lost (connection reset,
timeout), the assignment may or may not exist. Blindly sending the POST again can make two.
`create_assignment` instead looks the sections' assignments up after an ambiguous failure (a
connection error, a timeout, a 502 or 504 from a gateway), and only creates again when no
assignment it did not know before matches the body.
"""

from __future__ import annotations

from collections.abc import Collection

from powerschool_xte import models
from powerschool_xte._client import XTEClient
from powerschool_xte._exceptions import APIConnectionError, APIStatusError
from powerschool_xte._resource import Created
from powerschool_xte._retry import AMBIGUOUS_STATUSES

#: (sectionsdcid, name, duedate) of one assignment section
SectionKey = tuple[int | None, str | None, object]


def _keys(assignment: models.Assignment) -> set[SectionKey]:
    return {(s.sectionsdcid, s.name, s.duedate) for s in assignment.assignmentsections or []}


async def _matching(
    client: XTEClient, body: models.Assignment, users_dcid: int | None, exclude: Collection[int]
) -> list[models.Assignment]:
    sections = sorted({s.sectionsdcid for s in body.assignmentsections or [] if s.sectionsdcid})
    found = await client.section_assignments.list(section_ids=sections, users_dcid=users_dcid)
    want = _keys(body)
    return [
        a
        for a in found
        if a.assignmentid is not None and a.assignmentid not in exclude and want <= _keys(a)
    ]


def _created_from(made: models.Assignment, body: models.Assignment) -> Created:
    """The result a 201 would have given: ids of the body's sections, in the body's order."""
    by_key = {(s.sectionsdcid, s.name, s.duedate): s for s in made.assignmentsections or []}
    ids = []
    for s in body.assignmentsections or []:
        asid = by_key[(s.sectionsdcid, s.name, s.duedate)].assignmentsectionid
        if asid is not None:
            ids.append(asid)
    assert made.assignmentid is not None
    return Created(
        id=made.assignmentid,
        location=f"/ws/xte/section/assignment/{made.assignmentid}",
        assignmentsection_ids=tuple(ids),
    )


async def existing_assignment_ids(
    client: XTEClient, body: models.Assignment, *, users_dcid: int | None = None
) -> set[int]:
    """Ids of assignments that already match ``body`` (pass them to `create_assignment`)."""
    return {a.assignmentid for a in await _matching(client, body, users_dcid, ()) if a.assignmentid}


async def create_assignment(
    client: XTEClient,
    body: models.Assignment,
    *,
    users_dcid: int | None = None,
    known_ids: Collection[int] | None = None,
    attempts: int = 3,
) -> Created:
    """Create ``body`` once; after a lost answer, find it before trying again.

    ``known_ids`` are assignments that matched before this call (same sections, names and due
    dates) and so are not the one this call created; when omitted, they are looked up first.
    """
    if not body.assignmentsections:
        raise ValueError("an assignment needs at least one assignment section")
    known = (
        set(known_ids)
        if known_ids is not None
        else await existing_assignment_ids(client, body, users_dcid=users_dcid)
    )
    for attempt in range(1, attempts + 1):
        try:
            return await client.section_assignments.create(body, users_dcid=users_dcid)
        except (APIConnectionError, APIStatusError) as err:
            # a lost answer, or a gateway that gave up waiting (502/504): it may have happened
            if isinstance(err, APIStatusError) and err.status not in AMBIGUOUS_STATUSES:
                raise
            found = await _matching(client, body, users_dcid, known)
            if found:
                return _created_from(found[0], body)
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")
