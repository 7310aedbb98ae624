"""XTEClient against the simulator: auth, resubmit, typed errors, created ids."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from powerschool_xte import (
    ConflictError,
    OAuthError,
    PermissionDeniedError,
    PreconditionFailedError,
    RetryPolicy,
    XTEClient,
    models,
)
from powerschool_xte.testing import Simulator


def new_assignment(
    section: int = 5001, name: str = "Lab 1", due: str = "2026-09-15"
) -> models.Assignment:
    return models.Assignment(
        assignmentsections=[
            models.AssignmentSection(
                sectionsdcid=section,
                name=name,
                duedate=dt.date.fromisoformat(due),
                scoretype=models.ScoreType.POINTS,
                scoreentrypoints=10,
                totalpointvalue=10,
                weight=1,
                assignmentcategoryassociations=[
                    models.AssignmentCategoryAssociation(teachercategoryid=201, isprimary=True)
                ],
            )
        ]
    )


def score(asid: int, student: int, points: float) -> models.AssignmentScoreWrite:
    return models.AssignmentScoreWrite(
        assignmentsection=models.AssignmentSectionRef(assignmentsectionid=asid),
        studentsdcid=student,
        actualscoreentered=f"{points:g}",
        actualscorekind=models.ActualScoreKind.REAL_SCORE,
        scoretype=models.ScoreType.POINTS,
        scorepoints=points,
    )


async def test_create_returns_ids_from_headers(sim: Simulator, xte: XTEClient) -> None:
    """201 with an empty body: the assignmentid comes from Location, section ids from the header."""
    created = await xte.section_assignments.create(new_assignment())
    [stored] = sim.assignment_sections()
    assert created.id == stored["assignmentid"]
    assert created.assignmentsection_ids == (stored["assignmentsectionid"],)
    assert created.location.endswith(f"/ws/xte/section/assignment/{created.id}")
    [listed] = await xte.section_assignments.list(section_ids=[5001])
    assert listed.assignmentid == created.id
    assert listed.type_tag == "assignment"
    assert "$breach_mitigation" in listed.extra_fields
    section = listed.assignmentsections[0]
    assert section.assignmentsectionid == stored["assignmentsectionid"]
    assert section.duedate == dt.date(2026, 9, 15)
    assert section.assignmentcategoryassociations[0].teachercategory.name == "Homework"


async def test_token_is_cached_and_users_dcid_comes_from_the_client(
    sim: Simulator, xte: XTEClient
) -> None:
    """Many calls, one token request; users_dcid is filled in from the client's options."""
    for _ in range(5):
        await xte.teacher_categories.list(year_id=36)
    assert sim.token_requests() == 1
    assert xte.token_requests == 1
    assert all(
        r.query.get("users_dcid") == "1001"
        for r in sim.request_log()
        if r.operation_id != "getAccessToken"
    )


async def test_score_put_answered_412_is_resubmitted_once(sim: Simulator, xte: XTEClient) -> None:
    """PowerSchool's "Resubmit": the same body again, and the score lands exactly once."""
    created = await xte.section_assignments.create(new_assignment())
    asid = created.assignmentsection_ids[0]
    sim.fail_next("putScores", 412)
    result = await xte.scores.put(
        models.ScoreWrite(assignment_scores=[score(asid, 20001, 9.5)]), term_id=3601
    )
    assert [i.studentsdcid for i in result.assignment_scores] == [20001]
    puts = [r.status for r in sim.request_log() if r.operation_id == "putScores"]
    assert puts == [412, 200]
    [stored] = sim.scores()
    assert (stored["studentsdcid"], stored["actualscoreentered"], stored["scorepoints"]) == (
        20001,
        "9.5",
        9.5,
    )


async def test_412_beyond_the_resubmit_budget_raises(sim: Simulator, xte: XTEClient) -> None:
    """The 412 budget is small and separate; when it is spent the caller gets a typed error."""
    created = await xte.section_assignments.create(new_assignment())
    sim.fail_next("putScores", 412, times=10)
    strict = xte.with_options(retry=RetryPolicy(resubmit_attempts=1))
    with pytest.raises(PreconditionFailedError) as info:
        await strict.scores.put(
            models.ScoreWrite(assignment_scores=[score(created.assignmentsection_ids[0], 20001, 5)])
        )
    assert info.value.status == 412
    assert info.value.request.attempts == 2
    assert sim.scores() == []


async def test_409_is_typed_and_carries_the_parsed_body(sim: Simulator, xte: XTEClient) -> None:
    """A student not on the section: ConflictError naming the student, raised at once (no retry)."""
    created = await xte.section_assignments.create(new_assignment())
    asid = created.assignmentsection_ids[0]
    body = models.ScoreWrite(assignment_scores=[score(asid, 20001, 5), score(asid, 20090, 6)])
    with pytest.raises(ConflictError) as info:
        await xte.scores.put(body, term_id=3601)
    err = info.value
    assert err.status == 409
    assert err.request.method == "PUT"
    assert err.request.path_template == "/ws/xte/score"
    assert err.request.attempts == 1
    assert err.errors[0].params == {"assignment_section_id": asid, "student_dcid": 20090}
    assert "student_dcid=20090" in str(err)
    assert sim.scores() == []  # all or nothing
    assert [r.status for r in sim.request_log() if r.operation_id == "putScores"] == [409]
    clone = pickle.loads(pickle.dumps(err))
    assert isinstance(clone, ConflictError)
    assert clone.errors[0].params["student_dcid"] == 20090


async def test_403_for_a_section_the_teacher_does_not_teach(xte: XTEClient) -> None:
    """The demo teacher may not create an assignment in another teacher's section."""
    with pytest.raises(PermissionDeniedError, match="does not teach section 5004"):
        await xte.section_assignments.create(new_assignment(section=5004))


async def test_revoked_token_is_refreshed_and_the_call_replayed(
    sim: Simulator, xte: XTEClient
) -> None:
    """A 401 drops the token, fetches one new token and replays once."""
    await xte.teacher_categories.list(year_id=36)
    sim.revoke_tokens()
    cats = await xte.teacher_categories.list(year_id=36)
    assert len(cats) == 5
    statuses = [(r.operation_id, r.status) for r in sim.request_log()]
    assert statuses == [
        ("getAccessToken", 200),
        ("listTeacherCategories", 200),
        ("listTeacherCategories", 401),
        ("getAccessToken", 200),
        ("listTeacherCategories", 200),
    ]


async def test_wrong_secret_raises_oauth_error_with_reason(sim: Simulator) -> None:
    """The token endpoint's refusal reaches the caller; the secret is not in the message."""
    async with XTEClient(sim.url, sim.client_id, "not-the-secret", users_dcid=1001) as xte:
        with pytest.raises(OAuthError) as info:
            await xte.teacher_categories.list(year_id=36)
    assert info.value.status == 401
    assert "Bad client credentials" in str(info.value)
    assert "not-the-secret" not in str(info.value)
    assert "not-the-secret" not in repr(info.value.__dict__)


def test_plain_http_is_refused_for_remote_hosts() -> None:
    """HTTPS is required except on loopback."""
    with pytest.raises(ValueError, match="https"):
        XTEClient("http://district.powerschool.com", "id", "secret")
    XTEClient("http://127.0.0.1:9", "id", "secret")
    XTEClient("https://district.powerschool.com", "id", "secret")
