"""The client runtime unattended: auth, retries, pacing, errors, logging, secrets."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import pickle
import time
from typing import Any

import aiohttp
import orjson
import pytest

from powerschool_xte import (
    NO_RETRIES,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CachedToken,
    InternalServerError,
    RateLimitError,
    RequestOptions,
    RetryPolicy,
    XTEClient,
    models,
    set_testing,
)
from powerschool_xte._retry import parse_retry_after
from powerschool_xte.helpers import ScoreItem, create_assignment, put_scores
from powerschool_xte.testing import FaultPlan, Simulator, demo_district
from tests.conftest import CANARY_SECRET
from tests.test_client import new_assignment, score

# -- auth ------------------------------------------------------------------------------------


async def test_200_concurrent_calls_with_an_expired_token_make_one_token_request(
    sim: Simulator, xte: XTEClient
) -> None:
    """The server expired the token; 200 calls at once: one refresh, 200 answers."""
    await xte.teacher_categories.list(year_id=36)
    old_token = sim.issue_token()
    sim.expire_tokens()
    before = sim.token_requests()
    results = await asyncio.gather(*(xte.teacher_categories.list(year_id=36) for _ in range(200)))
    assert all(len(r) == 5 for r in results)
    assert sim.token_requests() - before == 1
    assert sim.issue_token() != old_token  # a new token was issued and used


async def test_200_concurrent_first_calls_make_one_token_request(
    sim: Simulator, xte: XTEClient
) -> None:
    """No token yet: exactly one token request however many tasks start at once."""
    await asyncio.gather(*(xte.teacher_categories.list(year_id=36) for _ in range(200)))
    assert sim.token_requests() == 1
    assert xte.token_requests == 1


async def test_token_is_refreshed_before_it_expires() -> None:
    """A 3 s token is replaced after 90 % of its life, without a 401."""
    async with Simulator(token_lifetime=3) as sim, sim.client() as xte:
        await xte.teacher_categories.list(year_id=36)
        await asyncio.sleep(2.8)
        await xte.teacher_categories.list(year_id=36)
        assert sim.token_requests() == 2
        assert all(r.status != 401 for r in sim.request_log())


async def test_a_401_refreshes_once_and_replays_once_never_loops(
    sim: Simulator, xte: XTEClient
) -> None:
    """Two 401s in a row: one refresh, one replay, then AuthenticationError."""
    await xte.teacher_categories.list(year_id=36)
    sim.fail_next("listTeacherCategories", 401, times=5, message="The access token is invalid")
    with pytest.raises(AuthenticationError) as info:
        await xte.teacher_categories.list(year_id=36)
    calls = [r.status for r in sim.request_log() if r.operation_id == "listTeacherCategories"]
    assert calls == [200, 401, 401]
    assert sim.token_requests() == 2
    assert info.value.request.attempts == 2


class MemoryStore:
    """A token store shared by two clients (stands in for Redis or a file)."""

    def __init__(self) -> None:
        self.token: CachedToken | None = None
        self.saves = 0

    async def load(self) -> CachedToken | None:
        return self.token

    async def save(self, token: CachedToken) -> None:
        self.token = token
        self.saves += 1


async def test_a_token_store_shares_one_token_between_workers(sim: Simulator) -> None:
    """Two clients (two worker processes of one plugin) with one store: one token request."""
    store = MemoryStore()
    async with sim.client(token_store=store) as a, sim.client(token_store=store) as b:
        await a.teacher_categories.list(year_id=36)
        await b.teacher_categories.list(year_id=36)
    assert sim.token_requests() == 1
    assert store.saves == 1
    assert "canary" not in repr(store.token)


# -- retries ---------------------------------------------------------------------------------


async def test_412_at_p_0_3_every_score_lands_exactly_once() -> None:
    """336 scores in chunks of 24 with 30 % Resubmits: all written once, each chunk once."""
    async with (
        Simulator(faults=FaultPlan(seed=11, resubmit_probability=0.3)) as sim,
        sim.client() as xte,
    ):
        sim.set_faults(FaultPlan(seed=-1))
        asids = []
        for n in range(12):
            created = await xte.section_assignments.create(new_assignment(name=f"A{n}"))
            asids.append(created.assignmentsection_ids[0])
        sim.set_faults(FaultPlan(seed=11, resubmit_probability=0.3))
        items = [
            ScoreItem(score(a, s, (s % 10) + 0.5), users_dcid=1001, term_id=3601)
            for a in asids
            for s in range(20001, 20029)
        ]
        result = await put_scores(xte, items, chunk_size=24, concurrency=4)
        assert result.succeeded == 336
        assert result.failed == ()
        puts = [r.status for r in sim.request_log() if r.operation_id == "putScores"]
        assert puts.count(200) == 14  # 336 / 24 chunks, each written once
        assert puts.count(412) >= 3
        stored = sim.scores()
        assert len(stored) == 336
        assert {(s["assignmentsectionid"], s["studentsdcid"]) for s in stored} == {
            i.key for i in items
        }
        assert all(s["scorepoints"] == (s["studentsdcid"] % 10) + 0.5 for s in stored)


async def test_409_is_raised_at_once_naming_the_student(sim: Simulator, xte: XTEClient) -> None:
    """Never retried: one request, the student in the message."""
    from powerschool_xte import ConflictError

    created = await xte.section_assignments.create(new_assignment())
    with pytest.raises(ConflictError, match="student_dcid=20090"):
        await xte.scores.put(
            models.ScoreWrite(assignment_scores=[score(created.assignmentsection_ids[0], 20090, 1)])
        )
    assert [r.status for r in sim.request_log() if r.operation_id == "putScores"] == [409]


async def test_throttle_retry_waits_retry_after_while_the_loop_keeps_running(
    sim: Simulator,
) -> None:
    """429 with Retry-After: 1: the job completes, the retry waits >= 1 s, the loop never stalls."""
    set_testing(False)  # real waits in this test
    sim.set_faults(FaultPlan(min_interval=1.0))
    gaps: list[float] = []

    async def ticker() -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(0.01)
            now = loop.time()
            gaps.append(now - last)
            last = now

    async with sim.client() as xte:
        ticking = asyncio.create_task(ticker())
        started = time.monotonic()
        results = await asyncio.gather(*(xte.teacher_categories.list(year_id=36) for _ in range(3)))
        elapsed = time.monotonic() - started
        ticking.cancel()
    assert [len(r) for r in results] == [5, 5, 5]
    log = [r for r in sim.request_log() if r.operation_id == "listTeacherCategories"]
    throttled = [r for r in log if r.status == 429]
    assert throttled
    ok_times = sorted(r.at for r in log if r.status == 200)
    assert ok_times[-1] - throttled[0].at >= 1.0
    assert elapsed >= 1.0
    assert max(gaps) < 0.25  # other tasks kept running while the retry waited


def test_retry_after_as_seconds_or_http_date() -> None:
    """Both forms of Retry-After; nonsense is ignored."""
    now = time.time()
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after("7") == 7.0
    assert 28 <= (parse_retry_after(date, now=now) or 0) <= 31
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


async def test_retry_after_beyond_the_cap_raises_rate_limit_error(
    sim: Simulator, xte: XTEClient
) -> None:
    """A server asking for 600 s ends retries with RateLimitError carrying the value."""
    sim.fail_next("listTeacherCategories", 429, headers={"Retry-After": "600"})
    with pytest.raises(RateLimitError) as info:
        await xte.teacher_categories.list(year_id=36)
    assert info.value.retry_after == 600.0
    assert info.value.request.attempts == 1


async def test_503_bursts_are_waited_out(sim: Simulator, xte: XTEClient) -> None:
    """Three 503s with Retry-After, then success."""
    sim.fail_next("listTeacherCategories", 503, times=3, headers={"Retry-After": "1"})
    assert len(await xte.teacher_categories.list(year_id=36)) == 5
    assert [r.status for r in sim.request_log() if r.operation_id == "listTeacherCategories"] == [
        503,
        503,
        503,
        200,
    ]


async def test_502_is_retried_for_reads_but_not_for_creates(sim: Simulator, xte: XTEClient) -> None:
    """Idempotent GET: retried. POST create: the 502 reaches the caller after one attempt."""
    sim.fail_next("listTeacherCategories", 502)
    assert len(await xte.teacher_categories.list(year_id=36)) == 5
    sim.fail_next("createSectionAssignment", 502)
    with pytest.raises(InternalServerError) as info:
        await xte.section_assignments.create(new_assignment())
    assert info.value.request.attempts == 1
    assert sim.assignment_sections() == []


async def test_500_and_400_are_never_retried(sim: Simulator, xte: XTEClient) -> None:
    """A deterministic 500 and a 400 HTML page: one attempt each; the page is kept as text."""
    sim.fail_next(
        "listTeacherCategories", 400, html="<html><body><h1>Bad Request</h1></body></html>"
    )
    with pytest.raises(BadRequestError) as info:
        await xte.teacher_categories.list(year_id=36)
    assert info.value.body is None
    assert "<h1>Bad Request</h1>" in info.value.text
    assert "Bad Request" in str(info.value)
    sim.fail_next("listTeacherCategories", 500)
    with pytest.raises(InternalServerError):
        await xte.teacher_categories.list(year_id=36)
    statuses = [r.status for r in sim.request_log() if r.operation_id == "listTeacherCategories"]
    assert statuses == [400, 500]


async def test_connection_drops_are_retried_for_idempotent_score_puts(
    sim: Simulator, xte: XTEClient
) -> None:
    """A PUT whose connection dropped (committed or not) is sent again: upserts make it safe."""
    created = await xte.section_assignments.create(new_assignment())
    sim.set_faults(FaultPlan(seed=5, drop_after_probability=0.2, drop_before_probability=0.1))
    for student in range(20001, 20011):
        await xte.scores.put(
            models.ScoreWrite(
                assignment_scores=[score(created.assignmentsection_ids[0], student, 4)]
            )
        )
    assert [s["studentsdcid"] for s in sim.scores()] == list(range(20001, 20011))
    assert any(r.fault for r in sim.request_log())


async def test_a_create_dropped_after_commit_makes_exactly_one_assignment(
    sim: Simulator, xte: XTEClient
) -> None:
    """The POST committed but the answer was lost: found by lookup, not created again."""
    sim.set_faults(
        FaultPlan(drop_after_probability=1.0, operations=frozenset({"createSectionAssignment"}))
    )
    created = await create_assignment(xte, new_assignment(name="Once"), known_ids=())
    [stored] = sim.assignment_sections()
    assert (created.id, created.assignmentsection_ids) == (
        stored["assignmentid"],
        (stored["assignmentsectionid"],),
    )
    assert [r.operation_id for r in sim.request_log()].count("createSectionAssignment") == 1


async def test_a_create_dropped_before_commit_is_sent_again(sim: Simulator, xte: XTEClient) -> None:
    """Nothing was created: the helper looks, finds nothing, and creates once."""
    # seed 0 drops the first create before it is processed and lets the second through
    sim.set_faults(
        FaultPlan(
            seed=0, drop_before_probability=0.5, operations=frozenset({"createSectionAssignment"})
        )
    )
    created = await create_assignment(xte, new_assignment(name="Again"), known_ids=())
    [stored] = sim.assignment_sections()
    assert created.assignmentsection_ids == (stored["assignmentsectionid"],)
    calls = [
        (r.operation_id, r.status, r.fault)
        for r in sim.request_log()
        if r.operation_id != "getAccessToken"
    ]
    assert calls == [
        ("createSectionAssignment", 0, "drop_before"),
        ("listSectionAssignments", 200, None),
        ("createSectionAssignment", 201, None),
    ]


async def test_an_existing_same_named_assignment_is_not_mistaken_for_ours(
    sim: Simulator, xte: XTEClient
) -> None:
    """known_ids are looked up first, so an older twin is never returned as the new one."""
    older = await xte.section_assignments.create(new_assignment(name="Twin"))
    sim.set_faults(
        FaultPlan(drop_after_probability=1.0, operations=frozenset({"createSectionAssignment"}))
    )
    created = await create_assignment(xte, new_assignment(name="Twin"))
    assert created.id != older.id
    assert len(sim.assignment_sections()) == 2


async def test_backoff_deadline_bounds_a_call(sim: Simulator, xte: XTEClient) -> None:
    """With a 0.3 s deadline and 503s asking for 1 s waits, the call ends early."""
    set_testing(False)
    sim.fail_next("listTeacherCategories", 503, times=10, headers={"Retry-After": "1"})
    quick = xte.with_options(retry=RetryPolicy(deadline=0.3))
    started = time.monotonic()
    with pytest.raises(InternalServerError):
        await quick.teacher_categories.list(year_id=36)
    assert time.monotonic() - started < 1.0


def test_backoff_is_jittered_exponential_and_capped() -> None:
    """Each wait lies in [ceiling/2, ceiling]; ceilings double up to the cap."""
    set_testing(False)
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=4.0)
    for n, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)):
        waits = {policy.backoff(n) for _ in range(50)}
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert len(waits) > 1


# -- pacing ----------------------------------------------------------------------------------


async def test_min_request_interval_keeps_a_job_under_the_throttle(sim: Simulator) -> None:
    """Paced at the plugin's interval, a job never sees a 429."""
    sim.set_faults(FaultPlan(min_interval=0.1))
    async with sim.client(min_request_interval=0.15) as xte:
        await asyncio.gather(*(xte.teacher_categories.list(year_id=36) for _ in range(6)))
    statuses = [r.status for r in sim.request_log()]
    assert 429 not in statuses
    assert statuses.count(200) == 7  # the token and six lists


async def test_max_in_flight_caps_concurrency(sim: Simulator) -> None:
    """50 concurrent calls with a cap of 3: the server never sees more than 3 at once."""
    sim.set_faults(FaultPlan(latency=0.02))
    async with sim.client(max_in_flight=3) as xte:
        await asyncio.gather(*(xte.teacher_categories.list(year_id=36) for _ in range(50)))
    assert sim.in_flight_peak == 3


# -- errors, logging, timeouts, sessions -------------------------------------------------------


async def test_one_log_record_per_attempt(
    sim: Simulator, xte: XTEClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Method, path template, status, duration and attempt, per attempt."""
    caplog.set_level(logging.DEBUG, logger="powerschool_xte")
    sim.fail_next("listTeacherCategories", 503, headers={"Retry-After": "0"})
    await xte.teacher_categories.list(year_id=36)
    records = [
        r for r in caplog.records if getattr(r, "xte_path", None) == "/ws/xte/teacher_category"
    ]
    assert [(r.xte_method, r.xte_status, r.xte_attempt) for r in records] == [
        ("GET", 503, 1),
        ("GET", 200, 2),
    ]
    assert all(r.xte_duration_ms >= 0 for r in records)
    assert "GET /ws/xte/teacher_category -> 503" in records[0].getMessage()


async def test_per_call_timeout(sim: Simulator, xte: XTEClient) -> None:
    """A slow server and a 0.1 s per-call timeout: APITimeoutError, no retry asked for."""
    sim.set_faults(FaultPlan(latency=0.5))
    with pytest.raises(APITimeoutError) as info:
        await xte.teacher_categories.list(
            year_id=36, options=RequestOptions(timeout=0.1, retry=NO_RETRIES)
        )
    assert "timed out" in str(info.value)


async def test_callers_session_is_used_and_not_closed(sim: Simulator) -> None:
    """XTEClient(session=...) uses the caller's aiohttp session and leaves it open."""
    async with aiohttp.ClientSession() as session:
        xte = XTEClient(sim.url, sim.client_id, sim.client_secret, users_dcid=1001, session=session)
        async with xte:
            await xte.teacher_categories.list(year_id=36)
        assert not session.closed


async def test_with_options_shares_session_and_token(sim: Simulator, xte: XTEClient) -> None:
    """A tuned copy reuses the session and the token cache; the original is unchanged."""
    await xte.teacher_categories.list(year_id=36)
    strict = xte.with_options(retry=NO_RETRIES, timeout=5)
    await strict.teacher_categories.list(year_id=36)
    assert sim.token_requests() == 1
    assert strict._shared is xte._shared
    assert xte.options.retry != strict.options.retry
    assert strict.options.timeout.total == 5


# -- secrets ---------------------------------------------------------------------------------


async def test_the_canary_secret_is_in_no_repr_exception_or_pickle(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Right and wrong secrets, every error path: the secret and the token never show."""
    caplog.set_level(logging.DEBUG)
    district = demo_district()
    district["plugins"] = [{"client_id": "canary-plugin", "client_secret": CANARY_SECRET}]
    texts: list[str] = []
    async with Simulator(district=district) as sim:
        token = sim.issue_token()
        async with XTEClient(sim.url, "canary-plugin", CANARY_SECRET, users_dcid=1001) as xte:
            texts += [
                repr(xte),
                str(xte),
                repr(xte.options),
                repr(xte._shared.tokens),
                repr(xte.scores),
            ]
            await xte.teacher_categories.list(year_id=36)
            for status in (400, 401, 403, 404, 409, 412, 429, 500, 503):
                sim.fail_next("listTeacherCategories", status, times=10)
                try:
                    await xte.with_options(retry=NO_RETRIES).teacher_categories.list(year_id=36)
                except Exception as err:  # noqa: BLE001 - collecting every error's text
                    texts += [
                        str(err),
                        repr(err),
                        repr(err.__dict__),
                        repr(pickle.loads(pickle.dumps(err)).__dict__),
                    ]
        async with XTEClient(
            sim.url, "canary-plugin", CANARY_SECRET + "-wrong", users_dcid=1001
        ) as bad:
            try:
                await bad.teacher_categories.list(year_id=36)
            except Exception as err:  # noqa: BLE001
                texts += [str(err), repr(err.__dict__)]
        token = sim.issue_token()
    texts += [r.getMessage() + repr(r.__dict__) for r in caplog.records]
    assert len(texts) > 30
    for text in texts:
        assert CANARY_SECRET not in text
        assert token not in text
        assert "Authorization" not in text or "Bearer " not in text


# -- found by the second newcomer review ------------------------------------------------------


async def test_with_options_cannot_move_the_token_to_another_server(xte: XTEClient) -> None:
    """base_url is not an option of a copy: the token belongs to one server."""
    with pytest.raises(ValueError, match="make a new XTEClient"):
        xte.with_options(base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="users_dcid must be a non-negative int"):
        xte.with_options(users_dcid="abc")


async def test_a_call_cancelled_while_paced_gives_its_slot_back(sim: Simulator) -> None:
    """max_in_flight=1: cancelling a call that waits for its pacing interval frees the slot."""
    async with sim.client(max_in_flight=1, min_request_interval=0.3) as xte:
        await xte.teacher_categories.list(year_id=36)
        waiting = asyncio.create_task(xte.teacher_categories.list(year_id=36))
        await asyncio.sleep(0.05)  # it now sleeps inside the pacer, holding the only slot
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        result = await asyncio.wait_for(xte.teacher_categories.list(year_id=36), 5)
    assert len(result) == 5


async def test_the_deadline_bounds_a_slow_attempt(sim: Simulator, xte: XTEClient) -> None:
    """A 2 s answer and a 0.4 s deadline: APITimeoutError well before 2 s."""
    sim.set_faults(FaultPlan(latency=2.0))
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        await xte.teacher_categories.list(
            year_id=36, options=RequestOptions(retry=RetryPolicy(deadline=0.4))
        )
    assert time.monotonic() - started < 1.5


async def test_a_delete_whose_answer_was_lost_is_not_reported_missing(
    sim: Simulator, xte: XTEClient
) -> None:
    """Dropped after commit, retried, 404: the delete succeeded, so no NotFoundError."""
    created = await xte.section_assignments.create(new_assignment())
    sim.set_faults(
        FaultPlan(
            seed=0, drop_after_probability=1.0, operations=frozenset({"deleteSectionAssignment"})
        )
    )
    task = asyncio.create_task(xte.section_assignments.delete(created.id, force=True))
    result = await task
    assert result is None
    assert sim.assignment_sections() == []
    deletes = [
        (r.status, r.fault)
        for r in sim.request_log()
        if r.operation_id == "deleteSectionAssignment"
    ]
    assert deletes[0] == (0, "drop_after")
    assert deletes[-1][0] == 404


async def test_a_gateway_504_on_create_is_looked_up_before_creating_again(
    sim: Simulator, xte: XTEClient
) -> None:
    """504 may hide a create that happened: the helper looks first, then creates once."""
    sim.fail_next("createSectionAssignment", 504)
    created = await create_assignment(xte, new_assignment(name="After 504"), known_ids=())
    [stored] = sim.assignment_sections()
    assert created.assignmentsection_ids == (stored["assignmentsectionid"],)
    ops = [
        (r.operation_id, r.status) for r in sim.request_log() if r.operation_id != "getAccessToken"
    ]
    assert ops == [
        ("createSectionAssignment", 504),
        ("listSectionAssignments", 200),
        ("createSectionAssignment", 201),
    ]


async def test_tokens_expiring_mid_call_do_not_fail_writes(sim: Simulator, xte: XTEClient) -> None:
    """Tokens that expire every 4 requests while 412s force resubmits: every score lands."""
    created = await xte.section_assignments.create(new_assignment())
    sim.set_faults(FaultPlan(seed=3, token_max_requests=4, resubmit_probability=0.2))
    items = [
        ScoreItem(score(created.assignmentsection_ids[0], s, 3), users_dcid=1001, term_id=3601)
        for s in range(20001, 20029)
    ]
    result = await put_scores(xte, items, chunk_size=1, concurrency=1)
    assert result.failed == ()
    assert len(sim.scores()) == 28
    statuses = [r.status for r in sim.request_log() if r.operation_id == "putScores"]
    assert 401 in statuses
    assert 412 in statuses


async def test_an_unusable_token_answer_is_a_validation_error(
    sim: Simulator, xte: XTEClient
) -> None:
    """A 200 from the token endpoint that is not a token: APIResponseValidationError, no token shown."""
    from powerschool_xte import APIResponseValidationError

    sim.fail_next("getAccessToken", 200, html="<html>maintenance</html>")
    with pytest.raises(APIResponseValidationError, match="without a usable access_token"):
        await xte.teacher_categories.list(year_id=36)


def test_secrets_refuse_to_be_pickled_and_tokens_serialize_explicitly() -> None:
    """A pickled Secret would be a clear-text leak or a broken credential: refused."""
    import copy

    from powerschool_xte import Secret

    secret = Secret("s3cret-value")
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(secret)
    assert copy.deepcopy(secret) is secret
    token = CachedToken.issued("tok-123", 3600, now=1000.0)
    again = CachedToken.loads(token.dumps())
    assert again == token
    assert again.value.reveal() == "tok-123"
    assert "tok-123" not in repr(token)


class FileStore:
    """A token store over a file, as two worker processes would share it."""

    def __init__(self, path: Any) -> None:
        self.path = path

    async def load(self) -> CachedToken | None:
        return CachedToken.loads(self.path.read_text()) if self.path.exists() else None

    async def save(self, token: CachedToken) -> None:
        self.path.write_text(token.dumps())


async def test_a_file_token_store_shares_the_token(sim: Simulator, tmp_path: Any) -> None:
    """Two clients, one file: one token request, and the stored token works."""
    store = FileStore(tmp_path / "token.json")
    async with sim.client(token_store=store) as a:
        await a.teacher_categories.list(year_id=36)
    async with sim.client(token_store=store) as b:
        await b.teacher_categories.list(year_id=36)
    assert sim.token_requests() == 1


async def test_a_delete_behind_a_gateway_timeout_is_not_reported_missing(
    sim: Simulator, xte: XTEClient
) -> None:
    """Committed, then 504 from a gateway, retried, 404: the delete happened."""
    created = await xte.section_assignments.create(new_assignment())
    sim.set_faults(
        FaultPlan(timeout_after_probability=1.0, operations=frozenset({"deleteSectionAssignment"}))
    )
    assert await xte.section_assignments.delete(created.id, force=True) is None
    assert sim.assignment_sections() == []
    assert [r.status for r in sim.request_log() if r.operation_id == "deleteSectionAssignment"] == [
        504,
        404,
    ]


async def test_a_create_behind_a_gateway_timeout_is_found_not_made_twice(
    sim: Simulator, xte: XTEClient
) -> None:
    """Committed, then 504: create_assignment finds it instead of creating a second one."""
    sim.set_faults(
        FaultPlan(timeout_after_probability=1.0, operations=frozenset({"createSectionAssignment"}))
    )
    created = await create_assignment(xte, new_assignment(name="Gateway"), known_ids=())
    [stored] = sim.assignment_sections()
    assert created.id == stored["assignmentid"]


async def test_set_faults_replaces_latency_too(sim: Simulator, xte: XTEClient) -> None:
    """A later plan's operations filter also decides where latency applies."""
    sim.set_faults(FaultPlan(latency=0.5))
    sim.set_faults(FaultPlan(latency=0.5, operations=frozenset({"putScores"})))
    started = time.monotonic()
    await xte.teacher_categories.list(year_id=36)
    assert time.monotonic() - started < 0.4


async def test_a_plugin_call_without_users_dcid_is_refused_before_sending(sim: Simulator) -> None:
    """No users_dcid on the client or the call: ValueError, nothing sent."""
    async with XTEClient(sim.url, sim.client_id, sim.client_secret) as xte:
        with pytest.raises(ValueError, match="needs users_dcid from a plugin"):
            await xte.teacher_categories.list(year_id=36)
        with pytest.raises(ValueError, match="needs year_id"):
            await xte.teacher_categories.list(users_dcid=1001)
        assert len(await xte.teacher_categories.list(users_dcid=1001, year_id=36)) == 5
    assert [r.operation_id for r in sim.request_log()] == [
        "getAccessToken",
        "listTeacherCategories",
    ]


async def test_the_ui_flag_push_assignment_scores_is_accepted(
    sim: Simulator, xte: XTEClient
) -> None:
    """PowerTeacher Pro sends push_assignment_scores=false: part of the spec, accepted."""
    created = await xte.section_assignments.create(new_assignment())
    body = models.ScoreWrite(assignment_scores=[score(created.assignmentsection_ids[0], 20001, 4)])
    await xte.scores.put(body, push_assignment_scores=False, status="A,I,P")
    assert sim.request_log()[-1].query["push_assignment_scores"] == "false"
    assert len(sim.scores()) == 1


async def test_read_modify_write_sends_no_read_only_keys(sim: Simulator, xte: XTEClient) -> None:
    """get() then update(): no $breach_mitigation, no _name/_id; unknown keys go back."""
    import attrs as attrs_

    from powerschool_xte import _converter

    created = await xte.section_assignments.create(new_assignment())
    got = await xte.section_assignments.get(created.id)
    assert "$breach_mitigation" in got.extra_fields
    section = attrs_.evolve(
        got.assignmentsections[0], name="Lab 1 (renamed)", extra_fields={"futurefield": 1}
    )
    changed = attrs_.evolve(got, assignmentsections=[section], extra_fields=got.extra_fields)
    body = orjson.loads(_converter.dumps_request(changed))
    assert "$breach_mitigation" not in body
    assert "_name" not in body
    assert "_id" not in body["_assignmentsections"][0]
    assert body["_assignmentsections"][0]["futurefield"] == 1
    await xte.section_assignments.update(created.id, changed)
    assert sim.assignment_sections()[0]["name"] == "Lab 1 (renamed)"
