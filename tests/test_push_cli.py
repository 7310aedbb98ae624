"""`xte push`: the walking skeleton, end to end over real sockets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from powerschool_xte.cli import main
from powerschool_xte.testing import Simulator, running_in_thread
from tests.conftest import GRADEBOOK, read_csv, write_csv

TRUE = {"true", "yes", "y", "1", "t", "x"}


def push(sim: Simulator, csv_path: Path, tmp_path: Path, *extra: str) -> tuple[int, dict]:
    """Run `xte push` in-process against a simulator served from another thread."""
    report = tmp_path / "report.json"
    code = main(
        [
            "push", str(csv_path), "--url", sim.url, "--client-id", sim.client_id,
            "--client-secret", sim.client_secret, "--report", str(report), *extra,
        ]
    )  # fmt: skip
    return code, json.loads(report.read_text()) if report.exists() else {}


def assert_db_matches(
    sim: Simulator, rows: list[dict[str, str]], skip_students: set[int] = frozenset()
) -> None:
    """Every CSV row that carries a score is in the database exactly as written."""
    sections = {(s["sectionsdcid"], s["name"]): s for s in sim.assignment_sections()}
    stored = {(s["assignmentsectionid"], s["studentsdcid"]): s for s in sim.scores()}
    expected = 0
    for row in rows:
        student = int(row["student_dcid"])
        if not row["score"] or student in skip_students:
            continue
        expected += 1
        section = sections[(int(row["section_dcid"]), row["assignment_name"])]
        assert section["duedate"] == row["due_date"]
        assert section["scoreentrypoints"] == float(row["points_possible"])
        score = stored[(section["assignmentsectionid"], student)]
        assert score["actualscoreentered"] == row["score"], row
        assert score["scorepoints"] == float(row["score"]), row
        assert score["actualscorekind"] == "REAL_SCORE"
        assert score["islate"] == (row["late"].lower() in TRUE), row
        assert score["ismissing"] == (row["missing"].lower() in TRUE), row
        assert score["isexempt"] == (row["exempt"].lower() in TRUE), row
    assert len(stored) == expected


def test_simulator_flag_pushes_the_example_and_reports_json(tmp_path: Path) -> None:
    """The README's main command: exit 0 and scores_written == rows that carry a score."""
    rows = read_csv(GRADEBOOK)
    assert len(rows) >= 500
    done = subprocess.run(
        [sys.executable, "-m", "powerschool_xte.cli", "push", str(GRADEBOOK), "--simulator", "--json"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["rows"] == len(rows)
    assert summary["scores_written"] == sum(1 for r in rows if r["score"])
    assert summary["failed"] == 0
    assert summary["assignments_created"] == 21
    report = json.loads((tmp_path / summary["report"]).read_text())
    assert len(report["rows"]) == len(rows)
    assert {r["status"] for r in report["rows"]} == {"written", "skipped"}


def test_database_holds_every_score_exactly_as_in_the_csv(tmp_path: Path) -> None:
    """Row by row: assignment, score text, points and flags."""
    rows = read_csv(GRADEBOOK)
    with running_in_thread() as sim:
        code, report = push(sim, GRADEBOOK, tmp_path)
        assert code == 0
        assert report["summary"]["failed"] == 0
        assert_db_matches(sim, rows)


def test_second_push_reuses_assignments_and_upserts(tmp_path: Path) -> None:
    """Re-running a job creates nothing new and leaves one score per student and assignment."""
    rows = read_csv(GRADEBOOK)
    with running_in_thread() as sim:
        assert push(sim, GRADEBOOK, tmp_path)[0] == 0
        first = {
            (s["assignmentsectionid"], s["studentsdcid"]): s["assignmentscoreid"]
            for s in sim.scores()
        }
        code, report = push(sim, GRADEBOOK, tmp_path)
        assert code == 0
        assert report["summary"]["assignments_created"] == 0
        assert report["summary"]["assignments_existing"] == 21
        assert len(sim.assignment_sections()) == 21
        again = {
            (s["assignmentsectionid"], s["studentsdcid"]): s["assignmentscoreid"]
            for s in sim.scores()
        }
        assert again == first  # updated in place, same ids
        assert_db_matches(sim, rows)


def test_student_not_on_section_fails_that_row_only(tmp_path: Path) -> None:
    """PowerSchool refuses the whole batch with 409; the push isolates the row and lands the rest."""
    rows = read_csv(GRADEBOOK)
    stranger = dict(rows[40], student_dcid="20090", score="7")  # enrolled in 5004 only
    assert stranger["section_dcid"] == "5001"
    rows.insert(41, stranger)
    path = write_csv(tmp_path / "one-stranger.csv", rows)
    with running_in_thread() as sim:
        code, report = push(sim, path, tmp_path)
        assert code == 1
        failed = [r for r in report["rows"] if r["status"] == "failed"]
        assert len(failed) == 1
        assert failed[0]["row"] == 43  # header is line 1; the inserted row is the 42nd data row
        assert failed[0]["student_dcid"] == 20090
        assert "does not have an AssignmentStudentAssociation" in failed[0]["reason"]
        assert report["summary"]["scores_written"] == sum(1 for r in rows if r["score"]) - 1
        assert_db_matches(sim, rows, skip_students={20090})


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("score", "9,5", "is not a number"),
        ("student_dcid", "abc", "is not a whole-number id"),
        ("due_date", "10/09/2026", "is not a date"),
        ("late", "maybe", "is not true/false"),
        ("assignment_name", "x" * 51, "is 51 characters; PowerSchool allows at most 50"),
    ],
)
def test_bad_input_names_row_field_value_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: str, why: str
) -> None:
    """Exit 2, a message naming row, field and value, and not one request sent."""
    rows = read_csv(GRADEBOOK)
    rows[9][field] = value
    path = write_csv(tmp_path / "bad.csv", rows)
    with running_in_thread() as sim:
        code, report = push(sim, path, tmp_path)
        assert code == 2
        assert report == {}
        assert sim.request_log() == []
        assert sim.scores() == []
    err = capsys.readouterr().err
    assert f"row 11, field '{field}': {value!r} {why}" in err


def test_missing_column_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file without the required header exits 2 and says which columns are missing."""
    path = tmp_path / "short.csv"
    path.write_text("section_dcid,score\n5001,9\n")
    assert main(["push", str(path), "--simulator"]) == 2
    assert "missing column(s) users_dcid, term_id" in capsys.readouterr().err


def test_inconsistent_assignment_rows_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two rows of one assignment that disagree on points_possible: exit 2, both rows named."""
    rows = read_csv(GRADEBOOK)
    rows[5]["points_possible"] = "15"
    path = write_csv(tmp_path / "mixed.csv", rows)
    assert main(["push", str(path), "--simulator"]) == 2
    err = capsys.readouterr().err
    assert "row 7, field 'points_possible': '15.0' differs from row 2 ('10.0')" in err


def test_unknown_category_fails_its_rows_with_the_known_names(tmp_path: Path) -> None:
    """A category the teacher does not have: those rows fail, with the names that exist."""
    rows = read_csv(GRADEBOOK)[:28]
    for r in rows:
        r["category"] = "Homewrok"
    path = write_csv(tmp_path / "typo.csv", rows)
    with running_in_thread() as sim:
        code, report = push(sim, path, tmp_path)
    assert code == 1
    reasons = {r["reason"] for r in report["rows"] if r["status"] == "failed"}
    assert len(reasons) == 1
    assert "unknown category 'Homewrok'" in reasons.pop()


def test_dry_run_reads_but_writes_nothing(tmp_path: Path) -> None:
    """--dry-run: categories and assignments are read, nothing is created or written."""
    rows = read_csv(GRADEBOOK)
    for row in rows[:28]:  # the first assignment: a problem a dry run must find
        row["category"] = "Homewrok"
    path = write_csv(tmp_path / "dry.csv", rows)
    with running_in_thread() as sim:
        code, report = push(sim, path, tmp_path, "--dry-run")
        assert sim.assignment_sections() == []
        assert sim.scores() == []
        assert {r.method for r in sim.request_log()} <= {"GET", "POST"}
        assert [r.operation_id for r in sim.request_log() if r.method == "POST"] == [
            "getAccessToken"
        ]
    assert code == 1
    summary = report["summary"]
    assert summary["dry_run"] is True
    assert summary["scores_written"] == 0
    assert summary["assignments_created"] == 0
    assert summary["assignments_to_create"] == 20  # the typo'd assignment is not counted
    failed = [r for r in report["rows"] if r["status"] == "failed"]
    assert {r["reason"].split(" for ")[0] for r in failed} == {"unknown category 'Homewrok'"}
    assert summary["scores_to_write"] == sum(1 for r in rows if r["score"]) - sum(
        1 for r in failed if r["score"]
    )
