"""The push job: CSV rows -> assignments found or created -> scores written -> one result per row."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from powerschool_xte import models
from powerschool_xte._client import XTEClient
from powerschool_xte._exceptions import APIError, APIStatusError, OAuthError
from powerschool_xte.cli._csv import Row
from powerschool_xte.cli._records import (
    AssignmentKey,
    differences,
    index_sections,
    new_assignment,
    pick,
    score_record,
)
from powerschool_xte.helpers import ScoreItem, create_assignment, streaming_put_scores


@attrs.define
class RowResult:
    row: Row
    status: str = "pending"  # written | failed | skipped
    reason: str | None = None
    assignmentsectionid: int | None = None
    #: something the operator should know although the row was written
    note: str | None = None

    def fail(self, reason: str) -> None:
        self.status, self.reason = "failed", reason

    def as_json(self) -> dict[str, Any]:
        r = self.row
        return {
            "row": r.line,
            "section_dcid": r.section_dcid,
            "assignment_name": r.assignment_name,
            "student_dcid": r.student_dcid,
            "score": r.score,
            "status": self.status,
            "reason": self.reason,
            "note": self.note,
            "assignmentsectionid": self.assignmentsectionid,
        }


@attrs.define
class PushResult:
    results: list[RowResult]
    assignments_created: int = 0
    assignments_existing: int = 0
    seconds: float = 0.0
    #: the credentials were refused: nothing could be done (exit code 2)
    unauthorized: bool = False
    dry_run: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def summary(self) -> dict[str, Any]:
        out = {
            "rows": len(self.results),
            "assignments_created": self.assignments_created,
            "assignments_existing": self.assignments_existing,
            "scores_written": self.count("written"),
            "skipped": self.count("skipped"),
            "failed": self.count("failed"),
            "notes": sum(1 for r in self.results if r.note),
            "seconds": round(self.seconds, 3),
        }
        if self.dry_run:
            out["dry_run"] = True
            out["assignments_to_create"] = out.pop("assignments_created")
            out["assignments_created"] = 0
            out["scores_to_write"] = self.count("would_write")
        return out


class PushJob:
    """One run of ``xte push`` against one client."""

    def __init__(
        self,
        client: XTEClient,
        rows: list[Row],
        *,
        concurrency: int,
        chunk_size: int,
        dry_run: bool = False,
        max_consecutive_failures: int | None = 10,
        progress: Callable[[int, int, int], None] | None = None,
    ):
        self.client = client
        self.results = [RowResult(r) for r in rows]
        self.concurrency = concurrency
        self.chunk_size = chunk_size
        #: read (categories, existing assignments) but write nothing
        self.dry_run = dry_run
        self.max_consecutive_failures = max_consecutive_failures
        #: called as progress(done, failed, total) while scores are written
        self.progress = progress
        self.outcome = PushResult(self.results, dry_run=dry_run)

    def _pending(self) -> Iterator[RowResult]:
        return (r for r in self.results if r.status == "pending")

    async def run(self) -> PushResult:
        started = time.monotonic()
        for r in self.results:
            if not r.row.has_write:
                r.status, r.reason = "skipped", "blank score and no flags: nothing to write"
        try:
            categories = await self._categories()
            await self._assignments(categories)
            if self.dry_run:
                for r in self._pending():
                    r.status = "would_write"
                    if r.assignmentsectionid is None:
                        r.reason = "its assignment would be created first"
            else:
                await self._scores()
        except OAuthError as err:
            self.outcome.unauthorized = True
            for r in self._pending():
                r.fail(f"PowerSchool refused the plugin credentials: {err.message}")
        except APIError as err:  # the server cannot be reached: nothing more can be done
            for r in self._pending():
                r.fail(err.message)
        self.outcome.seconds = time.monotonic() - started
        return self.outcome

    async def _categories(self) -> dict[tuple[int, int], dict[str, int]]:
        """(users_dcid, year_id) -> {category name (lower case) or id as text: id}."""
        wanted = {(r.row.users_dcid, r.row.term_id // 100) for r in self._pending()}
        out: dict[tuple[int, int], dict[str, int]] = {}
        for users_dcid, year_id in sorted(wanted):
            try:
                cats = await self.client.teacher_categories.list(
                    users_dcid=users_dcid, year_id=year_id
                )
            except OAuthError:
                raise
            except APIStatusError as err:
                for r in self._pending():
                    if (r.row.users_dcid, r.row.term_id // 100) == (users_dcid, year_id):
                        r.fail(f"cannot read teacher {users_dcid}'s categories: {err.message}")
                continue
            names: dict[str, int] = {}
            for c in cats:
                cid = c.teachercategoryid if c.teachercategoryid is not None else c.id
                if cid is None:
                    continue
                names[str(cid)] = cid
                if c.name and c.isactive is not False:
                    names.setdefault(c.name.strip().lower(), cid)
            out[(users_dcid, year_id)] = names
        return out

    async def _assignments(self, categories: dict[tuple[int, int], dict[str, int]]) -> None:
        by_teacher: dict[int, set[int]] = defaultdict(set)
        for r in self._pending():
            by_teacher[r.row.users_dcid].add(r.row.section_dcid)
        existing: dict[AssignmentKey, list[models.AssignmentSection]] = {}
        for users_dcid, sections in sorted(by_teacher.items()):
            existing.update(await self._existing(users_dcid, sorted(sections)))
        groups: dict[AssignmentKey, list[RowResult]] = defaultdict(list)
        for r in self._pending():
            groups[(r.row.section_dcid, r.row.assignment_name.casefold())].append(r)
        to_create: list[tuple[Row, int, list[RowResult]]] = []
        for key, members in groups.items():
            head = members[0].row
            names = categories.get((head.users_dcid, head.term_id // 100), {})
            wanted = {names.get(m.row.category.strip().lower()) for m in members}
            if None in wanted or len(wanted) != 1:
                known = sorted(k for k in names if not k.isdigit())
                bad = next(
                    (
                        m.row.category
                        for m in members
                        if names.get(m.row.category.strip().lower()) is None
                    ),
                    None,
                )
                why = (
                    f"unknown category {bad!r} for teacher {head.users_dcid} in year "
                    f"{head.term_id // 100} (known: {', '.join(known) or 'none'})"
                    if bad is not None
                    else f"the rows of {head.assignment_name!r} name different categories"
                )
                for m in members:
                    m.fail(why)
                continue
            (category_id,) = wanted
            assert category_id is not None
            if key in existing:
                picked = pick(existing[key], head)
                if isinstance(picked, str):
                    for m in members:
                        m.fail(picked)
                    continue
                self.outcome.assignments_existing += 1
                note = differences(picked, head, category_id)
                for m in members:
                    m.assignmentsectionid = picked.assignmentsectionid
                    m.note = note
                continue
            to_create.append((head, category_id, members))
        if self.dry_run:
            self.outcome.assignments_created = len(to_create)  # would be created
            return
        slots = asyncio.Semaphore(self.concurrency)
        made: dict[AssignmentKey, tuple[int, int, Row, list[RowResult]]] = {}

        async def create(head: Row, category_id: int, members: list[RowResult]) -> None:
            async with slots:
                try:
                    aid, asid = await self._create_one(head, category_id)
                except APIError as err:
                    for m in members:
                        m.fail(
                            f"could not create assignment {head.assignment_name!r}: {err.message}"
                        )
                    return
            self.outcome.assignments_created += 1
            made[(head.section_dcid, head.assignment_name.casefold())] = (aid, asid, head, members)
            for m in members:
                m.assignmentsectionid = asid

        async with asyncio.TaskGroup() as tg:
            for head, category_id, members in to_create:
                tg.create_task(create(head, category_id, members))
        await self._converge(made)

    async def _converge(
        self, made: dict[AssignmentKey, tuple[int, int, Row, list[RowResult]]]
    ) -> None:
        """Two pushes at once may each create the same assignment: all settle on the oldest.

        After creating, the sections are read again; where another run made a twin (same
        section, name and due date) with a smaller id, this run writes there instead and
        deletes its own copy, which has no scores yet.
        """
        by_teacher: dict[int, set[int]] = defaultdict(set)
        for _aid, _asid, head, _members in made.values():
            by_teacher[head.users_dcid].add(head.section_dcid)
        for users_dcid, sections in sorted(by_teacher.items()):
            found = await self._existing(users_dcid, sorted(sections))
            for key, (aid, asid, head, members) in made.items():
                if head.users_dcid != users_dcid:
                    continue
                twins = [
                    s.assignmentsectionid
                    for s in found.get(key, [])
                    if s.duedate == head.due_date and s.assignmentsectionid is not None
                ]
                oldest = min(twins, default=asid)
                if oldest == asid:
                    continue
                for m in members:
                    m.assignmentsectionid = oldest
                    m.note = (
                        "another push created this assignment at the same time; its copy is used"
                    )
                self.outcome.assignments_created -= 1
                self.outcome.assignments_existing += 1
                try:
                    await self.client.section_assignments.delete(aid, users_dcid=users_dcid)
                except APIError as err:
                    for m in members:
                        m.note = f"{m.note}; this run's duplicate {aid} could not be deleted: {err.message}"

    async def _existing(
        self, users_dcid: int, sections: list[int]
    ) -> dict[AssignmentKey, list[models.AssignmentSection]]:
        """Existing assignments of the sections; a section that cannot be read fails its rows."""
        try:
            found = await self.client.section_assignments.list(
                section_ids=sections, users_dcid=users_dcid
            )
            return index_sections(found)
        except OAuthError:
            raise
        except APIStatusError as err:
            if len(sections) == 1:
                for r in self._pending():
                    if r.row.section_dcid == sections[0] and r.row.users_dcid == users_dcid:
                        r.fail(f"cannot read section {sections[0]}: {err.message}")
                return {}
        out: dict[AssignmentKey, list[models.AssignmentSection]] = {}
        for section in sections:  # find the section at fault, keep the others
            out.update(await self._existing(users_dcid, [section]))
        return out

    async def _create_one(self, head: Row, category_id: int) -> tuple[int, int]:
        """Create the row's assignment once; (assignmentid, assignmentsectionid)."""
        created = await create_assignment(
            self.client,
            new_assignment(head, category_id),
            users_dcid=head.users_dcid,
            known_ids=(),
        )
        if created.assignmentsection_ids:
            return created.id, created.assignmentsection_ids[0]
        made = await self.client.section_assignments.get(created.id, users_dcid=head.users_dcid)
        for section in made.assignmentsections or []:
            if section.sectionsdcid == head.section_dcid and section.assignmentsectionid:
                return created.id, section.assignmentsectionid
        raise APIError(f"created assignment {created.id} but cannot find its section record")

    async def _scores(self) -> None:
        pending = {r.row.line: r for r in self._pending()}
        total = sum(1 for r in pending.values() if r.assignmentsectionid is not None)
        done = failed = 0
        items = (
            ScoreItem(
                score=score_record(r.row, r.assignmentsectionid),
                users_dcid=r.row.users_dcid,
                term_id=r.row.term_id,
                ref=line,
            )
            for line, r in pending.items()
            if r.assignmentsectionid is not None
        )
        async for outcome in streaming_put_scores(
            self.client,
            items,
            chunk_size=self.chunk_size,
            concurrency=self.concurrency,
            max_consecutive_failures=self.max_consecutive_failures,
        ):
            result = pending[outcome.item.ref]
            if outcome.ok:
                result.status = "written"
            else:
                result.fail(outcome.reason or "not written")
                failed += 1
                if outcome.status == 401:
                    self.outcome.unauthorized = True
            done += 1
            if self.progress is not None:
                self.progress(done, failed, total)
        for r in self._pending():  # defensive: every row ends with an outcome
            r.fail("no outcome was recorded for this row")
