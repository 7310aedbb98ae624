"""Bulk score helper: one outcome per input, 409 isolation, concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from powerschool_xte import XTEClient
from powerschool_xte.helpers import ItemOutcome, ScoreItem, put_scores, streaming_put_scores
from powerschool_xte.testing import FaultPlan, Simulator
from tests.test_client import new_assignment, score


async def _assignments(xte: XTEClient, n: int) -> list[int]:
    out = []
    for i in range(n):
        created = await xte.section_assignments.create(new_assignment(name=f"A{i}"))
        out.append(created.assignmentsection_ids[0])
    return out


@pytest.mark.parametrize("report", ["all", "first"])
async def test_students_not_on_section_are_isolated(report: str) -> None:
    """Offenders fail with PowerSchool's reason; every other score of their chunks lands."""
    async with Simulator(conflict_report=report) as sim, sim.client() as xte:
        asids = await _assignments(xte, 3)
        good = [(a, s) for a in asids for s in range(20001, 20029)]
        bad = [(asids[0], 20090), (asids[1], 20091), (asids[1], 20092)]
        items = [
            ScoreItem(score(a, s, 7.5), users_dcid=1001, term_id=3601, ref=(a, s))
            for a, s in good + bad
        ]
        outcomes = [o async for o in streaming_put_scores(xte, items, chunk_size=20, concurrency=4)]
        assert sorted(o.item.ref for o in outcomes) == sorted(good + bad)
        failed = {o.item.ref: o for o in outcomes if not o.ok}
        assert set(failed) == set(bad)
        assert all(
            o.status == 409 and "AssignmentStudentAssociation" in (o.reason or "")
            for o in failed.values()
        )
        stored = {(s["assignmentsectionid"], s["studentsdcid"]) for s in sim.scores()}
        assert stored == set(good)


async def test_deleted_assignment_section_is_isolated(sim: Simulator, xte: XTEClient) -> None:
    """A 500 naming a missing assignment section fails its rows only."""
    [asid] = await _assignments(xte, 1)
    items = [
        ScoreItem(score(asid, s, 8), users_dcid=1001, term_id=3601, ref=s)
        for s in range(20001, 20011)
    ]
    items += [ScoreItem(score(999999, 20001, 8), users_dcid=1001, term_id=3601, ref="gone")]
    result = await put_scores(xte, items, chunk_size=50)
    assert result.succeeded == 10
    [gone] = result.failed
    assert gone.item.ref == "gone"
    assert gone.status == 500
    assert "Unable to find" in (gone.reason or "")
    assert len(sim.scores()) == 10


async def test_duplicate_keys_in_one_job_are_not_written_twice(
    sim: Simulator, xte: XTEClient
) -> None:
    """The second score for the same (section, student) fails instead of racing the first."""
    [asid] = await _assignments(xte, 1)
    items = [
        ScoreItem(score(asid, 20001, 8), users_dcid=1001, ref=1),
        ScoreItem(score(asid, 20001, 3), users_dcid=1001, ref=2),
    ]
    result = await put_scores(xte, items)
    assert result.succeeded == 1
    assert [o.item.ref for o in result.failed] == [2]
    assert sim.scores()[0]["scorepoints"] == 8


async def test_chunks_and_concurrency_are_bounded(sim: Simulator, xte: XTEClient) -> None:
    """1,000 scores in chunks of 25 make 40 PUTs, never more than 3 at once at the server."""
    asids = await _assignments(xte, 36)
    items = [
        ScoreItem(score(a, s, 1), users_dcid=1001, term_id=3601)
        for a in asids
        for s in range(20001, 20029)
    ][:1000]
    sim.set_faults(FaultPlan(latency=0.01))  # answers overlap, so the cap is what limits them
    sim.in_flight_peak = 0
    result = await put_scores(xte, items, chunk_size=25, concurrency=3)
    assert result.succeeded == 1000
    assert sim.in_flight_peak == 3
    assert sum(1 for r in sim.request_log() if r.operation_id == "putScores") == 40
    assert len(sim.scores()) == 1000


async def test_error_in_the_input_propagates_after_outcomes(sim: Simulator, xte: XTEClient) -> None:
    """An exception of the caller's iterable is raised as itself, after the writes in flight end."""
    asids = await _assignments(xte, 1)
    sim.set_faults(FaultPlan(latency=0.2))

    async def items() -> AsyncIterator[ScoreItem]:
        for student in range(20001, 20011):
            yield ScoreItem(score(asids[0], student, 1), users_dcid=1001)
        raise RuntimeError("source broke")

    seen: list[ItemOutcome] = []

    async def consume() -> None:
        async for outcome in streaming_put_scores(xte, items(), chunk_size=5, concurrency=2):
            seen.append(outcome)

    with pytest.raises(RuntimeError, match="source broke"):
        await consume()
    assert len(seen) == 10
    assert all(o.ok for o in seen)
    assert len(sim.scores()) == 10


async def test_a_slow_consumer_holds_the_producer_back(sim: Simulator, xte: XTEClient) -> None:
    """Finished chunks do not pile up: PUTs sent stay within `concurrency` of what was consumed."""
    asids = await _assignments(xte, 8)
    items = [
        ScoreItem(score(a, s, 2), users_dcid=1001, term_id=3601)
        for a in asids
        for s in range(20001, 20029)
    ]
    consumed = ahead = 0
    async for _ in streaming_put_scores(xte, items, chunk_size=4, concurrency=2):
        consumed += 1
        await asyncio.sleep(0.002)  # a consumer slower than the server
        sent = sum(1 for r in sim.request_log() if r.operation_id == "putScores")
        ahead = max(ahead, sent - consumed // 4)
    assert consumed == len(items)
    assert ahead <= 5  # the chunk being consumed, `concurrency` queued, `concurrency` in flight


async def test_the_breaker_stops_a_job_against_a_dead_server(
    sim: Simulator, xte: XTEClient
) -> None:
    """Every PUT answers 503: 3 failed chunks, one failed trial, then nothing more is sent."""
    asids = await _assignments(xte, 4)
    items = [
        ScoreItem(score(a, s, 1), users_dcid=1001, term_id=3601)
        for a in asids
        for s in range(20001, 20029)
    ]
    sim.fail_next("putScores", 503, times=10_000)
    result = await put_scores(xte, items, chunk_size=4, concurrency=2, max_consecutive_failures=3)
    assert result.succeeded == 0
    assert len(result.failed) == len(items) == 112
    not_sent = [
        o
        for o in result.failed
        if (o.reason or "").startswith("not sent: ")
        and "chunks in a row failed" in (o.reason or "")
    ]
    assert len(not_sent) >= 112 - 5 * 4  # at most 4 chunks in flight or on trial were tried
    puts = sum(1 for r in sim.request_log() if r.operation_id == "putScores")
    assert puts <= 5 * 5  # each tried chunk: the client's 5 attempts


async def test_a_short_outage_trips_the_breaker_but_the_trial_resumes_the_job(
    sim: Simulator, xte: XTEClient
) -> None:
    """503s for three chunks' worth of attempts, then health: the trial lands and so does the rest."""
    asids = await _assignments(xte, 2)
    items = [
        ScoreItem(score(a, s, 1), users_dcid=1001, term_id=3601)
        for a in asids
        for s in range(20001, 20029)
    ]
    sim.fail_next("putScores", 503, times=15)  # 3 chunks x 5 attempts
    result = await put_scores(xte, items, chunk_size=4, concurrency=1, max_consecutive_failures=3)
    assert result.succeeded == 56 - 12
    assert all("not sent" not in (o.reason or "") for o in result.failed)
    assert len(sim.scores()) == 44


async def test_deterministic_500s_never_trip_the_breaker(sim: Simulator, xte: XTEClient) -> None:
    """A deleted assignment's 500s are the data's problem: the healthy rows after them land."""
    asids = await _assignments(xte, 2)
    gone = await xte.section_assignments.list(section_ids=[5001])
    await xte.section_assignments.delete(gone[0].assignmentid, force=True)
    items = [ScoreItem(score(asids[0], s, 1), users_dcid=1001) for s in range(20001, 20029)]
    items += [ScoreItem(score(asids[1], s, 1), users_dcid=1001) for s in range(20001, 20029)]
    result = await put_scores(xte, items, chunk_size=2, concurrency=1, max_consecutive_failures=2)
    assert result.succeeded == 28
    assert {o.status for o in result.failed} == {500}


async def test_revoked_credentials_stop_the_job_at_once(sim: Simulator, xte: XTEClient) -> None:
    """A 401 that survives the token refresh opens the breaker immediately."""
    asids = await _assignments(xte, 2)
    items = [ScoreItem(score(a, s, 1), users_dcid=1001) for a in asids for s in range(20001, 20029)]
    sim.rotate_secret(sim.client_id, "rotated")
    result = await put_scores(xte, items, chunk_size=4, concurrency=1)
    assert result.succeeded == 0
    assert (
        sum(1 for o in result.failed if "refused the plugin's credentials" in (o.reason or ""))
        == 56 - 4
    )
    assert (
        sum(1 for r in sim.request_log() if r.operation_id == "getAccessToken" and r.status == 401)
        <= 2
    )


def test_breaker_limits_are_checked() -> None:
    """0 or negative would stop a job at its first failure: refused."""
    from powerschool_xte.helpers._breaker import Breaker

    with pytest.raises(ValueError, match="at least 1"):
        Breaker(0, 1.0)


async def test_the_breaker_ignores_data_errors_and_resets_on_success(
    sim: Simulator, xte: XTEClient
) -> None:
    """409s are the data's fault, not the server's: the job goes on and writes the rest."""
    asids = await _assignments(xte, 1)
    items = [
        ScoreItem(score(asids[0], s, 1), users_dcid=1001, ref=s) for s in range(20085, 20097)
    ]  # not enrolled
    items += [ScoreItem(score(asids[0], s, 1), users_dcid=1001, ref=s) for s in range(20001, 20029)]
    result = await put_scores(xte, items, chunk_size=1, concurrency=1, max_consecutive_failures=2)
    assert result.succeeded == 28
    assert len(result.failed) == 12
    assert all(o.status == 409 for o in result.failed)
