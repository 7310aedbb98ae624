"""What the push sends and how it matches CSV rows to PowerSchool's assignments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from powerschool_xte import models
from powerschool_xte.cli._csv import Row

AssignmentKey = tuple[int, str]  # (section_dcid, assignment name case-folded)


def score_record(row: Row, asid: int) -> models.AssignmentScoreWrite:
    """The whole score record a row stands for: score (or none) and all three flags."""
    return models.AssignmentScoreWrite(
        assignmentsection=models.AssignmentSectionRef(assignmentsectionid=asid),
        studentsdcid=row.student_dcid,
        actualscoreentered=row.score,
        actualscorekind=models.ActualScoreKind.REAL_SCORE if row.score is not None else None,
        scoretype=models.ScoreType.POINTS if row.score is not None else None,
        scorepoints=float(row.score) if row.score is not None else None,
        islate=row.late,
        ismissing=row.missing,
        isexempt=row.exempt,
    )


def new_assignment(row: Row, category_id: int) -> models.Assignment:
    points = row.points_possible
    return models.Assignment(
        assignmentsections=[
            models.AssignmentSection(
                sectionsdcid=row.section_dcid,
                name=row.assignment_name,
                duedate=row.due_date,
                scoretype=models.ScoreType.POINTS,
                scoreentrypoints=points,
                totalpointvalue=points,
                weight=1,
                iscountedinfinalgrade=True,
                isscoringneeded=True,
                publishoption=models.PublishOption.IMMEDIATELY,
                assignmentcategoryassociations=[
                    models.AssignmentCategoryAssociation(
                        teachercategoryid=category_id, isprimary=True
                    )
                ],
            )
        ]
    )


def index_sections(
    assignments: Iterable[models.Assignment],
) -> dict[AssignmentKey, list[models.AssignmentSection]]:
    found: dict[AssignmentKey, list[models.AssignmentSection]] = defaultdict(list)
    for a in assignments:
        for s in a.assignmentsections or []:
            if s.sectionsdcid is not None and s.name is not None:
                found[(s.sectionsdcid, s.name.casefold())].append(s)
    return found


def pick(candidates: list[models.AssignmentSection], row: Row) -> models.AssignmentSection | str:
    """The existing assignment section a row belongs to, or why it cannot be used."""
    picked = candidates[0] if len(candidates) == 1 else None
    if picked is None:
        same_day = [s for s in candidates if s.duedate == row.due_date]
        if len(same_day) != 1:
            advice = (
                "they share the CSV's due date: delete or rename the duplicate in PowerTeacher Pro"
                if same_day
                else "rename one in PowerTeacher Pro or give the CSV the due date of the right one"
            )
            return (
                f"{len(candidates)} assignments named {row.assignment_name!r} exist in section "
                f"{row.section_dcid}; {advice}"
            )
        picked = same_day[0]
    points = picked.scoreentrypoints
    if points is not None and abs(points - row.points_possible) > 1e-9:
        return (
            f"assignment {picked.name!r} (assignmentsectionid {picked.assignmentsectionid}) exists "
            f"in section {row.section_dcid} with {points:g} points possible, the CSV says "
            f"{row.points_possible:g}; not written (fix the CSV or the assignment)"
        )
    if picked.assignmentsectionid is None:
        return (
            f"assignment {picked.name!r} in section {row.section_dcid} has no assignmentsectionid"
        )
    return picked


def differences(section: models.AssignmentSection, row: Row, category_id: int) -> str | None:
    """What PowerSchool's assignment says that the CSV does not (kept: teachers may edit it)."""
    notes = []
    if section.duedate is not None and section.duedate != row.due_date:
        notes.append(f"due date {section.duedate} (the CSV says {row.due_date})")
    primary = [
        a.teachercategoryid
        for a in section.assignmentcategoryassociations or []
        if a.isprimary is not False and a.teachercategoryid is not None
    ]
    if primary and category_id not in primary:
        notes.append(f"category {primary[0]} (the CSV says {row.category!r} = {category_id})")
    if not notes:
        return None
    return "PowerSchool's assignment has " + " and ".join(notes) + "; it was not changed"
