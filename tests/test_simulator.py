"""The simulator's rules, one test each: status, body and the database afterwards."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from powerschool_xte import PreconditionFailedError, XTEClient, models
from powerschool_xte.testing import FaultPlan, Simulator, demo_district
from tests.test_client import new_assignment, score


class Raw:
    """Plain HTTP against a simulator, to see statuses, headers and bodies as they are."""

    def __init__(self, sim: Simulator, session: aiohttp.ClientSession) -> None:
        self.sim, self.session = sim, session
        self.token = sim.issue_token()

    async def __call__(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> tuple[int, dict[str, str], Any]:
        hdrs = {"Authorization": f"Bearer {self.token}"} if auth else {}
        hdrs.update(headers or {})
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        query = {"users_dcid": "1001", **{k: str(v) for k, v in (params or {}).items()}}
        query = {k: v for k, v in query.items() if v != "None"}
        async with self.session.request(
            method, self.sim.url + path, data=data, params=query, headers=hdrs
        ) as r:
            text = await r.text()
            return r.status, dict(r.headers), json.loads(text) if text else None


@pytest.fixture
async def raw(sim: Simulator) -> AsyncIterator[Raw]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield Raw(sim, session)


def section_body(
    section: int = 5001, name: str = "Lab 1", due: str = "2026-09-15", **extra: Any
) -> dict[str, Any]:
    return {
        "_assignmentsections": [
            {
                "sectionsdcid": section,
                "name": name,
                "duedate": due,
                "scoretype": "POINTS",
                "scoreentrypoints": 10,
                "totalpointvalue": 10,
                "weight": 1,
                "_assignmentcategoryassociations": [{"teachercategoryid": 201, "isprimary": True}],
                **extra,
            }
        ]
    }


def score_item(asid: int, student: int, points: float = 8) -> dict[str, Any]:
    return {
        "_assignmentsection": {"assignmentsectionid": asid},
        "studentsdcid": student,
        "actualscoreentered": f"{points:g}",
        "actualscorekind": "REAL_SCORE",
        "scoretype": "POINTS",
        "scorepoints": points,
    }


async def create(raw: Raw, **kw: Any) -> tuple[int, int]:
    status, headers, body = await raw(
        "POST", "/ws/xte/section/assignment/", body=section_body(**kw)
    )
    assert status == 201, body
    return int(headers["Location"].rsplit("/", 1)[1]), json.loads(headers["AssignmentSectionIds"])[
        0
    ]


# -- auth ------------------------------------------------------------------------------------


async def test_token_is_a_string_lifetime_and_the_same_token_comes_back(
    sim: Simulator, raw: Raw
) -> None:
    """expires_in is a JSON string; a second request returns the same token (wire-facts 1.1)."""
    basic = base64.b64encode(f"{sim.client_id}:{sim.client_secret}".encode()).decode()
    got = []
    for path in ("/oauth/access_token", "/oauth/access_token/"):
        async with raw.session.post(sim.url + path, data="grant_type=client_credentials",
                                    headers={"Authorization": f"Basic {basic}"}) as r:  # fmt: skip
            assert r.status == 200
            got.append(await r.json())
    assert isinstance(got[0]["expires_in"], str)
    assert int(got[0]["expires_in"]) > 29 * 24 * 3600
    assert got[0]["token_type"] == "Bearer"
    assert got[0]["access_token"] == got[1]["access_token"] == raw.token


async def test_missing_token_is_401_with_a_bearer_challenge(raw: Raw) -> None:
    """No Authorization header: 401 and WWW-Authenticate."""
    status, headers, body = await raw(
        "GET", "/ws/xte/teacher_category", params={"year_id": 36}, auth=False
    )
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert body == {"message": "Authentication required"}


async def test_expired_token_is_401_invalid_token_expired(sim: Simulator, raw: Raw) -> None:
    """An expired token: error="invalid_token" and "expired" in the challenge."""
    sim.expire_tokens()
    status, headers, _ = await raw("GET", "/ws/xte/teacher_category", params={"year_id": 36})
    assert status == 401
    assert 'error="invalid_token"' in headers["WWW-Authenticate"]
    assert "expired" in headers["WWW-Authenticate"]


async def test_rotating_the_secret_revokes_tokens(sim: Simulator, raw: Raw) -> None:
    """New secret: the old token is refused, the old secret too, the new one works."""
    sim.rotate_secret(sim.client_id, "rotated-secret")
    status, headers, _ = await raw("GET", "/ws/xte/teacher_category", params={"year_id": 36})
    assert status == 401
    assert 'error="invalid_token"' in headers["WWW-Authenticate"]
    async with sim.client() as xte:
        assert len(await xte.teacher_categories.list(year_id=36)) == 5
    assert sim.client_secret == "rotated-secret"


async def test_plugins_may_save_only_assignment_scores(sim: Simulator, raw: Raw) -> None:
    """A standard score in PUT /ws/xte/score from a plugin: 403, nothing written."""
    _, asid = await create(raw)
    item = {**score_item(asid, 20001), "_assignmentstandardassociation": {"standardid": 7001}}
    status, _, body = await raw("PUT", "/ws/xte/score", body={"assignment_scores": [item]})
    assert status == 403
    assert body["message"] == "Plugins may save only assignment scores"
    assert sim.scores() == []


async def test_single_score_put_is_for_plugins_only(sim: Simulator, raw: Raw) -> None:
    """A PowerTeacher Pro session gets 403 on PUT /ws/xte/score/assignment; a plugin gets 200."""
    _, asid = await create(raw)
    status, _, body = await raw("PUT", "/ws/xte/score/assignment", body=score_item(asid, 20001), auth=False,
                                headers={"Cookie": "JSESSIONID=demo-teacher-session"})  # fmt: skip
    assert status == 403
    assert "not accessible to teachers" in body["message"]
    assert sim.scores() == []
    status, _, body = await raw("PUT", "/ws/xte/score/assignment", body=score_item(asid, 20001))
    assert status == 200
    assert body == {
        "_name": "assignmentscore",
        "studentsdcid": 20001,
        "_assignmentsection": {"assignmentsectionid": asid},
    }
    assert [s["studentsdcid"] for s in sim.scores()] == [20001]


async def test_users_dcid_is_required_of_plugins(raw: Raw) -> None:
    """A plugin call without users_dcid: 400."""
    status, _, body = await raw(
        "GET", "/ws/xte/teacher_category", params={"year_id": 36, "users_dcid": ""}
    )
    assert status == 400
    assert "users_dcid" in body["message"]


async def test_a_user_changes_only_sections_they_teach(sim: Simulator, raw: Raw) -> None:
    """Creating in another teacher's section: 403, nothing created."""
    status, _, body = await raw(
        "POST", "/ws/xte/section/assignment/", body=section_body(section=5004)
    )
    assert status == 403
    assert body["message"] == "User does not teach section 5004 with access EDIT"
    assert sim.assignment_sections() == []


# -- PowerSchool's rules ---------------------------------------------------------------------


async def test_scores_upsert_on_section_and_student(sim: Simulator, raw: Raw) -> None:
    """The second write of (assignment section, student) updates the same row."""
    _, asid = await create(raw)
    for points in (5, 9.5):
        status, _, body = await raw(
            "PUT", "/ws/xte/score", body={"assignment_scores": [score_item(asid, 20001, points)]}
        )
        assert status == 200
        assert body["assignment_scores"][0]["studentsdcid"] == 20001
        assert "assignmentscoreid" not in body["assignment_scores"][0]
    [row] = sim.scores()
    assert (row["actualscoreentered"], row["scorepoints"], row["assignmentscoreid"]) == (
        "9.5",
        9.5,
        7700001,
    )


async def test_one_student_not_on_the_section_refuses_the_whole_batch(
    sim: Simulator, raw: Raw
) -> None:
    """409, errors[].params names the student, nothing written."""
    _, asid = await create(raw)
    batch = [score_item(asid, 20001), score_item(asid, 20090), score_item(asid, 20002)]
    status, _, body = await raw("PUT", "/ws/xte/score", body={"assignment_scores": batch})
    assert status == 409
    assert body["message"] == "Validation Error"
    assert [e["params"] for e in body["errors"]] == [
        {"assignment_section_id": asid, "student_dcid": 20090}
    ]
    assert sim.scores() == []


async def test_locked_term_answers_409(sim: Simulator, raw: Raw) -> None:
    """Scores and creates in a locked term: 409 Locked Term, nothing changes."""
    _, asid = await create(raw)
    sim.lock_term(3601)
    status, _, body = await raw(
        "PUT", "/ws/xte/score", body={"assignment_scores": [score_item(asid, 20001)]}
    )
    assert (status, body["message"]) == (409, "Locked Term")
    status, _, body = await raw(
        "POST", "/ws/xte/section/assignment/", body=section_body(name="Lab 2")
    )
    assert (status, body["message"]) == (409, "Locked Term")
    assert sim.scores() == []
    assert len(sim.assignment_sections()) == 1


async def test_deleting_an_assignment_with_scores_needs_force(sim: Simulator, raw: Raw) -> None:
    """412 "has grades" without force (never a Resubmit); force=true deletes scores too."""
    aid, asid = await create(raw)
    await raw("PUT", "/ws/xte/score", body={"assignment_scores": [score_item(asid, 20001)]})
    status, _, body = await raw("DELETE", f"/ws/xte/section/assignment/{aid}")
    assert status == 412
    assert "has grades" in body["message"]
    assert len(sim.scores()) == 1
    status, _, body = await raw(
        "DELETE", f"/ws/xte/section/assignment/{aid}", params={"force": "true"}
    )
    assert (status, body) == (204, None)
    assert sim.scores() == []
    assert sim.assignment_sections() == []


async def test_score_write_to_a_deleted_assignment_is_500(sim: Simulator, raw: Raw) -> None:
    """What the real server does (wire-facts 3 #3)."""
    aid, asid = await create(raw)
    await raw("DELETE", f"/ws/xte/section/assignment/{aid}")
    status, _, body = await raw(
        "PUT", "/ws/xte/score", body={"assignment_scores": [score_item(asid, 20001)]}
    )
    assert status == 500
    assert (
        body["message"]
        == f"Unable to find com.pearson.powerschool.xte.model.AssignmentSection with id {asid}"
    )
    assert sim.scores() == []


async def test_student_association_delete_is_blind(sim: Simulator, raw: Raw) -> None:
    """Unknown ids are not an error; known ones are removed; with scores it needs force."""
    status, _, _ = await raw(
        "DELETE",
        "/ws/xte/assignment_section/students",
        body={"student_ids": [1], "section_ids": [2]},
    )
    assert status == 204
    body = section_body(
        _assignmentstudentassociations=[{"studentsdcid": 20001}, {"studentsdcid": 20002}]
    )
    status, headers, _ = await raw("POST", "/ws/xte/section/assignment/", body=body)
    asid = json.loads(headers["AssignmentSectionIds"])[0]
    # only associated students may be scored now
    status, _, err = await raw(
        "PUT", "/ws/xte/score", body={"assignment_scores": [score_item(asid, 20003)]}
    )
    assert status == 409
    await raw("PUT", "/ws/xte/score", body={"assignment_scores": [score_item(asid, 20001)]})
    status, _, err = await raw(
        "DELETE",
        "/ws/xte/assignment_section/students",
        body={"student_ids": [20001, 20002], "section_ids": [asid]},
    )
    assert status == 409
    assert err["errors"][0]["code"] == "ScoresExist"
    status, _, _ = await raw("DELETE", "/ws/xte/assignment_section/students", params={"force": "true"},
                             body={"student_ids": [20001, 20002, 99], "section_ids": [asid]})  # fmt: skip
    assert status == 204
    assert sim.scores() == []
    rows = sim.store.db.execute("SELECT count(*) FROM assignment_student_assocs").fetchone()[0]
    assert rows == 0  # back to "every student of the section"


async def test_standard_delete_is_blind_and_guards_standard_scores(
    sim: Simulator, raw: Raw
) -> None:
    """Unlinked standard ids are fine; standard scores need force."""
    body = {
        **section_body(),
        "standardscoringmethod": "GradeScale",
        "_assignmentstandardassociations": [{"standardid": 7001}, {"standardid": 7002}],
    }
    status, headers, _ = await raw("POST", "/ws/xte/section/assignment/", body=body)
    assert status == 201
    aid = int(headers["Location"].rsplit("/", 1)[1])
    asid = json.loads(headers["AssignmentSectionIds"])[0]
    sim.add_standard_score(
        assignmentsectionid=asid,
        standardid=7001,
        studentsdcid=20001,
        scorenumericgrade=3,
        actualscoreentered="3",
    )
    status, _, _ = await raw(
        "DELETE",
        f"/ws/xte/assignment/{aid}/assignmentstandards",
        params={"standard_ids": "7002,7999"},
    )
    assert status == 204
    status, _, err = await raw(
        "DELETE", f"/ws/xte/assignment/{aid}/assignmentstandards", params={"standard_ids": "7001"}
    )
    assert status == 409
    assert err["errors"][0]["code"] == "StandardScoresExist"
    status, _, scores = await raw("POST", "/ws/xte/standard/score", body={"assignment_ids": [aid]})
    assert (status, [s["studentsdcid"] for s in scores]) == (200, [20001])
    status, _, _ = await raw(
        "DELETE",
        f"/ws/xte/assignment/{aid}/assignmentstandards",
        params={"standard_ids": "7001", "force": "true"},
    )
    assert status == 204
    status, _, doc = await raw("GET", f"/ws/xte/section/assignment/{aid}")
    assert doc["_assignmentstandardassociations"] == []
    assert sim.store.db.execute("SELECT count(*) FROM standard_scores").fetchone()[0] == 0


async def test_standards_need_grade_scale_scoring(raw: Raw) -> None:
    """The vendor doc's rule: standard associations need standardscoringmethod GradeScale."""
    body = {**section_body(), "_assignmentstandardassociations": [{"standardid": 7001}]}
    status, _, err = await raw("POST", "/ws/xte/section/assignment/", body=body)
    assert status == 409
    assert err["errors"][0]["field"] == "standardscoringmethod"


@pytest.mark.parametrize(
    ("kw", "field", "code"),
    [({"name": "x" * 51}, "name", "maxLength"), ({"due": "2027-02-01"}, "duedate", "outsideTerm")],
)
async def test_long_names_and_due_dates_outside_the_term_are_refused(
    sim: Simulator, raw: Raw, kw: dict[str, str], field: str, code: str
) -> None:
    """409 Validation Error naming the field (the simulator's documented choice)."""
    status, _, body = await raw("POST", "/ws/xte/section/assignment/", body=section_body(**kw))
    assert status == 409
    assert body["message"].startswith("Validation Error")
    assert (body["errors"][0]["field"], body["errors"][0]["code"]) == (field, code)
    assert sim.assignment_sections() == []


async def test_create_answers_201_empty_with_location_and_section_ids(
    sim: Simulator, raw: Raw
) -> None:
    """Empty body, Location ends in the assignmentid, AssignmentSectionIds a JSON array."""
    status, headers, body = await raw("POST", "/ws/xte/section/assignment", body=section_body())
    assert (status, body) == (201, None)
    [stored] = sim.assignment_sections()
    assert headers["Location"] == f"{sim.url}/ws/xte/section/assignment/{stored['assignmentid']}"
    assert json.loads(headers["AssignmentSectionIds"]) == [stored["assignmentsectionid"]]


@pytest.mark.parametrize("path", ["/ws/xte/section/assignment/", "/ws/xte/section/assignment"])
async def test_lists_are_plain_arrays_with_tags_and_padding(raw: Raw, path: str) -> None:
    """Both slash forms; bare arrays; _name, _id and $breach_mitigation on each object."""
    await create(raw)
    status, _, body = await raw("GET", path, params={"section_ids": "5001,5002"})
    assert status == 200
    assert isinstance(body, list)
    [a] = body
    assert (a["_name"], a["_id"]) == ("assignment", a["assignmentid"])
    assert "$breach_mitigation" in a
    assert a["_assignmentsections"][0]["_name"] == "assignmentsection"
    status, _, cats = await raw("GET", "/ws/xte/teacher_category/", params={"year_id": 36})
    assert status == 200
    assert [c["_name"] for c in cats] == ["teachercategory"] * 5


async def test_requests_that_break_the_spec_are_400(sim: Simulator, raw: Raw) -> None:
    """Schema validation comes before the rules: wrong types and unknown enum values."""
    _, asid = await create(raw)
    bad = {**score_item(asid, 20001), "islate": "yes"}
    status, _, body = await raw("PUT", "/ws/xte/score", body={"assignment_scores": [bad]})
    assert status == 400
    assert "islate" in body["message"]
    status, _, body = await raw(
        "POST", "/ws/xte/section/assignment/", body=section_body(scoretype="NEWTYPE")
    )
    assert status == 400
    assert sim.scores() == []


# -- faults ----------------------------------------------------------------------------------


async def _fixed_workload(plan: FaultPlan) -> tuple[list[tuple[int, str, str]], list[int]]:
    async with Simulator(faults=plan) as sim, aiohttp.ClientSession() as session:
        raw = Raw(sim, session)
        sim.set_faults(FaultPlan(seed=-1))  # the set-up requests below are not part of the draw
        _, asid = await create(raw)
        sim.set_faults(plan)
        statuses = []
        for i in range(60):
            try:
                status, _, _ = await raw(
                    "PUT",
                    "/ws/xte/score",
                    body={"assignment_scores": [score_item(asid, 20001 + i % 28)]},
                )
            except aiohttp.ClientError:
                status = 0
            statuses.append(status)
        return list(sim.faults.history), statuses


async def test_the_same_fault_seed_replays_the_same_faults() -> None:
    """Same seed, same requests: the same faults at the same places; another seed differs."""
    plan = FaultPlan(
        seed=42,
        resubmit_probability=0.2,
        burst_probability=0.05,
        burst_length=2,
        drop_after_probability=0.05,
    )
    first = await _fixed_workload(plan)
    second = await _fixed_workload(plan)
    other = await _fixed_workload(
        FaultPlan(
            seed=43,
            resubmit_probability=0.2,
            burst_probability=0.05,
            burst_length=2,
            drop_after_probability=0.05,
        )
    )
    assert first == second
    assert first[0] != other[0]
    kinds = {fault for _, _, fault in first[0]}
    assert {"resubmit", "burst"} <= kinds
    assert 412 in first[1]
    assert 503 in first[1]


async def test_throttle_answers_429_with_retry_after(raw: Raw, sim: Simulator) -> None:
    """Two requests inside the plugin's minimum interval: the second is 429 + Retry-After."""
    sim.set_faults(FaultPlan(min_interval=5.0))
    first, _, _ = await raw("GET", "/ws/xte/teacher_category", params={"year_id": 36})
    second, headers, body = await raw("GET", "/ws/xte/teacher_category", params={"year_id": 36})
    assert (first, second) == (200, 429)
    assert 1 <= int(headers["Retry-After"]) <= 5
    assert "minimum time interval" in body["message"]


async def test_dropped_after_commit_writes_but_never_answers(sim: Simulator, raw: Raw) -> None:
    """The write lands; the client sees a broken connection."""
    _, asid = await create(raw)
    sim.set_faults(FaultPlan(drop_after_probability=1.0))
    with pytest.raises(aiohttp.ClientError):
        await raw("PUT", "/ws/xte/score", body={"assignment_scores": [score_item(asid, 20001)]})
    assert [s["studentsdcid"] for s in sim.scores()] == [20001]
    assert sim.request_log()[-1].fault == "drop_after"
    assert sim.request_log()[-1].status == 0


async def test_dropped_before_processing_writes_nothing(sim: Simulator, raw: Raw) -> None:
    """The connection closes before anything happens."""
    _, asid = await create(raw)
    sim.set_faults(FaultPlan(drop_before_probability=1.0))
    with pytest.raises(aiohttp.ClientError):
        await raw("PUT", "/ws/xte/score", body={"assignment_scores": [score_item(asid, 20001)]})
    assert sim.scores() == []


async def test_token_expires_after_n_requests(sim: Simulator, raw: Raw) -> None:
    """token_max_requests=3: the fourth request with the token is 401 expired."""
    sim.set_faults(FaultPlan(token_max_requests=3))
    statuses = [
        (await raw("GET", "/ws/xte/teacher_category", params={"year_id": 36}))[0] for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 401]


async def test_latency_delays_answers(sim: Simulator, raw: Raw) -> None:
    """latency=0.2 s: a request takes at least that long."""
    sim.set_faults(FaultPlan(latency=0.2, jitter=0.05))
    loop = asyncio.get_running_loop()
    start = loop.time()
    status, _, _ = await raw("GET", "/ws/xte/teacher_category", params={"year_id": 36})
    assert status == 200
    assert loop.time() - start >= 0.2


# -- persistence, seeds, fixtures ----------------------------------------------------------------


async def test_a_file_database_survives_a_restart(tmp_path: Path) -> None:
    """xte simulate --db FILE: assignments and tokens are still there after a restart."""
    db = str(tmp_path / "sim.sqlite")
    sim = Simulator(db_path=db)
    async with sim, sim.client() as xte:
        await xte.teacher_categories.list(year_id=36)
        async with aiohttp.ClientSession() as session:
            await create(Raw(sim, session))
    token = sim.issue_token()
    sim.close()
    again = Simulator(db_path=db)
    async with again:
        assert len(again.assignment_sections()) == 1
        assert again.issue_token() == token
    again.close()


async def test_another_district_from_a_seed() -> None:
    """A seed in the demo district's shape replaces it."""
    district = demo_district()
    district["plugins"] = [{"client_id": "acme", "client_secret": "acme-secret"}]
    district["teacher_categories"] = [
        c for c in district["teacher_categories"] if c["name"] != "Project"
    ]
    async with Simulator(district=district) as sim, sim.client() as xte:
        assert sim.client_id == "acme"
        assert [c.name for c in await xte.teacher_categories.list(year_id=36)] == [
            "Homework",
            "Classwork",
            "Quiz",
            "Test",
        ]


@pytest.mark.xte_simulator(
    conflict_report="first", faults=FaultPlan(seed=3, resubmit_probability=1.0)
)
async def test_the_pytest_plugin_fixtures(xte_simulator: Simulator, xte_client: XTEClient) -> None:
    """xte_simulator honours its marker; xte_client retries instantly through the 412s."""
    assert xte_simulator.conflict_report == "first"
    created = await xte_client.section_assignments.create(new_assignment())
    body = models.ScoreWrite(assignment_scores=[score(created.assignmentsection_ids[0], 20001, 5)])
    with pytest.raises(PreconditionFailedError):
        await xte_client.scores.put(body)
    assert [r.status for r in xte_simulator.request_log() if r.operation_id == "putScores"] == [
        412
    ] * 4


async def test_unknown_query_parameters_are_refused_but_known_ignored_ones_pass(
    sim: Simulator, raw: Raw
) -> None:
    """A typo like section_id is a 400; pagesize and _ are ignored as PowerSchool does."""
    status, _, body = await raw(
        "GET", "/ws/xte/section/assignment/", params={"section_ids": "5001", "pagesise": 5}
    )
    assert status == 400
    assert "unknown query parameter(s) 'pagesise'" in body["message"]
    status, _, _ = await raw(
        "GET",
        "/ws/xte/section/assignment/",
        params={"section_ids": "5001", "pagesize": 5, "_": 1764790000000},
    )
    assert status == 200
    sim.strict_query = False
    status, _, _ = await raw(
        "GET", "/ws/xte/section/assignment/", params={"section_ids": "5001", "foo": "bar"}
    )
    assert status == 200


async def test_users_dcid_where_the_vendor_doc_is_silent_is_optional_but_checked(raw: Raw) -> None:
    """Section standards: without users_dcid any section; with it, only the teacher's."""
    status, _, standards = await raw(
        "GET", "/ws/xte/section/standard", params={"section_ids": "5001", "users_dcid": None}
    )
    assert status == 200
    assert [s["standardid"] for s in standards] == [
        7001,
        7002,
    ]  # 7003 allows no assignments, 7004 inactive
    status, _, _ = await raw("GET", "/ws/xte/section/standard", params={"section_ids": "5004"})
    assert status == 403
    status, _, everything = await raw(
        "GET",
        "/ws/xte/section/standard",
        params={"section_ids": "5001", "include_inactive": "true", "include_nonassigment": "true"},
    )
    assert [s["standardid"] for s in everything] == [7001, 7002, 7003, 7004]


async def test_sections_of_one_assignment_must_match_but_due_dates_may_differ(
    sim: Simulator, raw: Raw
) -> None:
    """Only the due date and the student lists may differ between sections (vendor doc)."""
    two = section_body()
    two["_assignmentsections"].append(
        {**two["_assignmentsections"][0], "sectionsdcid": 5002, "duedate": "2026-09-16"}
    )
    status, _, _ = await raw("POST", "/ws/xte/section/assignment/", body=two)
    assert status == 201
    bad = section_body()
    bad["_assignmentsections"].append(
        {**bad["_assignmentsections"][0], "sectionsdcid": 5002, "scoreentrypoints": 20}
    )
    status, _, body = await raw("POST", "/ws/xte/section/assignment/", body=bad)
    assert status == 409
    assert (body["errors"][0]["field"], body["errors"][0]["code"]) == (
        "scoreentrypoints",
        "notIdentical",
    )
    assert len(sim.assignment_sections()) == 2


async def test_nulls_the_ui_sends_are_accepted(sim: Simulator, raw: Raw) -> None:
    """publishdaysbeforedue/maxretakeallowed/relatedgradescaleitemdcid and scorepercent: null."""
    body = section_body(
        publishdaysbeforedue=None, maxretakeallowed=None, relatedgradescaleitemdcid=None
    )
    status, headers, _ = await raw("POST", "/ws/xte/section/assignment/", body=body)
    assert status == 201
    asid = json.loads(headers["AssignmentSectionIds"])[0]
    item = {**score_item(asid, 20001), "scorepercent": None, "actualscoregradescaledcid": None}
    status, _, _ = await raw("PUT", "/ws/xte/score", body={"assignment_scores": [item]})
    assert status == 200
    assert sim.scores()[0]["scorepercent"] is None
