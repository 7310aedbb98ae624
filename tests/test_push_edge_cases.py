"""`xte push` on sloppy and hostile input: every finding of the first newcomer review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest

from powerschool_xte.cli import main
from powerschool_xte.testing import running_in_thread
from tests.conftest import GRADEBOOK, read_csv, write_csv
from tests.test_push_cli import assert_db_matches, push

HEADER = "section_dcid,users_dcid,term_id,assignment_name,due_date,points_possible,category,student_dcid,score"


def small(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "small.csv"
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


def test_blank_score_with_flag_writes_the_flag_and_no_points(tmp_path: Path) -> None:
    """The row replaces the whole record: flag set, no score (documented), not 'nothing'."""
    header = HEADER + ",late,missing"
    with running_in_thread() as sim:
        first = small(
            tmp_path, "5001,1001,3601,Quiz 1,2026-09-01,10,Quiz,20002,7,,true", header=header
        )
        assert push(sim, first, tmp_path)[0] == 0
        assert sim.scores()[0]["ismissing"] is True
        second = small(
            tmp_path, "5001,1001,3601,Quiz 1,2026-09-01,10,Quiz,20002,,true,", header=header
        )
        code, report = push(sim, second, tmp_path)
        assert code == 0
        assert report["rows"][0]["status"] == "written"
        [score] = sim.scores()
        assert (score["actualscoreentered"], score["scorepoints"]) == (None, None)
        assert (score["islate"], score["ismissing"]) == (True, False)


def test_flags_are_always_sent_explicitly() -> None:
    """The body of a row without flag columns says false for each flag; nothing is left out."""
    import datetime as dt

    from powerschool_xte import _converter
    from powerschool_xte.cli._csv import Row
    from powerschool_xte.cli._records import score_record

    row = Row(line=2, section_dcid=5001, users_dcid=1001, term_id=3601, assignment_name="Q",
              due_date=dt.date(2026, 9, 1), points_possible=10, category="Quiz", student_dcid=20002,
              score="7", late=False, missing=False, exempt=False)  # fmt: skip
    body = orjson.loads(_converter.dumps(score_record(row, 2586001)))
    assert (body["islate"], body["ismissing"], body["isexempt"]) == (False, False, False)
    assert body["actualscoreentered"] == "7"
    blank = orjson.loads(
        _converter.dumps(score_record(attrs.evolve(row, score=None, missing=True), 2586001))
    )
    assert "actualscoreentered" not in blank
    assert blank["ismissing"] is True


def test_absent_flag_columns_mean_false(tmp_path: Path) -> None:
    """A file without flag columns writes the flags as false (explicitly, not by omission)."""
    with running_in_thread() as sim:
        path = small(tmp_path, "5001,1001,3601,Quiz 1,2026-09-01,10,Quiz,20002,7")
        assert push(sim, path, tmp_path)[0] == 0
        [score] = sim.scores()
        assert (score["islate"], score["ismissing"], score["isexempt"]) == (False, False, False)


def test_existing_assignment_with_other_points_is_not_written(tmp_path: Path) -> None:
    """A 10-point assignment is not silently reused for a 100-point column of scores."""
    with running_in_thread() as sim:
        assert (
            push(
                sim, small(tmp_path, "5001,1001,3601,Quiz 1,2026-09-01,10,Quiz,20003,9"), tmp_path
            )[0]
            == 0
        )
        path = small(tmp_path, "5001,1001,3601,quiz 1,2026-12-01,100,Test,20003,95")
        code, report = push(sim, path, tmp_path)
        assert code == 1
        [row] = report["rows"]
        assert row["status"] == "failed"
        assert "with 10 points possible, the CSV says 100" in row["reason"]
        assert [s["scorepoints"] for s in sim.scores()] == [9.0]
        assert len(sim.assignment_sections()) == 1  # matched case-insensitively, not created again


def test_a_section_of_another_teacher_fails_only_its_rows(tmp_path: Path) -> None:
    """One 403 section does not take the good sections down with it."""
    path = small(
        tmp_path,
        "5001,1001,3601,Quiz 1,2026-09-01,10,Quiz,20002,7",
        "5004,1001,3601,Quiz 1,2026-09-01,10,Quiz,20085,8",
        "5002,1001,3601,Quiz 1,2026-09-01,10,Quiz,20030,9",
    )
    with running_in_thread() as sim:
        code, report = push(sim, path, tmp_path)
        assert code == 1
        status = {r["section_dcid"]: (r["status"], r["reason"]) for r in report["rows"]}
        assert status[5001][0] == status[5002][0] == "written"
        assert status[5004][0] == "failed"
        assert "does not teach section 5004" in status[5004][1]
        assert sorted(s["studentsdcid"] for s in sim.scores()) == [20002, 20030]


def test_unknown_teacher_fails_only_that_teachers_rows(tmp_path: Path) -> None:
    """users_dcid PowerSchool does not know: those rows fail, the rest land."""
    path = small(
        tmp_path,
        "5001,1001,3601,Quiz 1,2026-09-01,10,Quiz,20002,7",
        "5002,9999,3601,Quiz 2,2026-09-02,10,Quiz,20030,8",
    )
    with running_in_thread() as sim:
        code, report = push(sim, path, tmp_path)
        assert code == 1
        good, bad = report["rows"]
        assert good["status"] == "written"
        assert bad["status"] == "failed"
        assert "Unknown user 9999" in bad["reason"]
        assert [s["studentsdcid"] for s in sim.scores()] == [20002]


def test_one_section_disagreeing_on_its_teacher_is_refused(tmp_path: Path) -> None:
    """Rows of one section must name the same teacher and term."""
    path = small(
        tmp_path,
        "5001,1001,3601,Quiz 1,2026-09-01,10,Quiz,20002,7",
        "5001,9999,3601,Quiz 2,2026-09-02,10,Quiz,20003,8",
    )
    assert main(["push", str(path), "--simulator"]) == 2


def test_unwritable_report_path_stops_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No score is written when the report cannot be saved."""
    with running_in_thread() as sim:
        code = main(["push", str(GRADEBOOK), "--url", sim.url, "--client-id", sim.client_id,
                     "--client-secret", sim.client_secret, "--report", str(tmp_path / "no" / "r.json")])  # fmt: skip
        assert code == 2
        assert sim.request_log() == []
    assert "cannot write the report" in capsys.readouterr().err


def test_not_utf8_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A cp1252 file (Excel's default) exits 2 with advice, not a traceback."""
    path = tmp_path / "cp1252.csv"
    path.write_bytes(
        (HEADER + "\n5001,1001,3601,Caf\xe9 quiz,2026-09-01,10,Quiz,20002,7\n").encode("cp1252")
    )
    assert main(["push", str(path), "--simulator"]) == 2
    assert "not UTF-8" in capsys.readouterr().err


@pytest.mark.parametrize(
    "score", ["1e3", "+5", "-0", "1_0", "\u0663", "\u00b2", "9,5", "NaN", "inf", " "]
)
def test_only_plain_decimals_are_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], score: str
) -> None:
    """Exponents, signs, underscores and non-ASCII digits are refused (blank is 'no score')."""
    path = tmp_path / "s.csv"
    write_csv(
        path,
        [
            dict(
                zip(
                    HEADER.split(","),
                    ["5001", "1001", "3601", "Q", "2026-09-01", "10", "Quiz", "20002", score],
                    strict=True,
                )
            )
        ],
    )
    code = main(["push", str(path), "--simulator", "--report", str(tmp_path / "r.json")])
    if not score.strip():
        assert code == 0
        return
    assert code == 2
    assert f"field 'score': {score!r}" in capsys.readouterr().err


@pytest.mark.parametrize("dcid", ["\u00b2", "\uff12\uff10\uff10\uff10\uff12"])
def test_ids_are_ascii_digits(tmp_path: Path, dcid: str) -> None:
    """Superscript and full-width digits are not ids."""
    path = small(tmp_path, f"5001,1001,3601,Q,2026-09-01,10,Quiz,{dcid},7")
    assert main(["push", str(path), "--simulator"]) == 2


def test_header_and_row_shape_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A column named twice, or a row longer than the header, is refused."""
    assert (
        main(
            [
                "push",
                str(
                    small(
                        tmp_path,
                        "5001,1001,3601,Q,2026-09-01,10,Quiz,20002,7,8",
                        header=HEADER + ",score",
                    )
                ),
                "--simulator",
            ]
        )
        == 2
    )
    assert "column(s) score appear more than once" in capsys.readouterr().err
    assert (
        main(
            [
                "push",
                str(small(tmp_path, "5001,1001,3601,Q,2026-09-01,10,Quiz,20002,7,oops")),
                "--simulator",
            ]
        )
        == 2
    )
    assert "10 values but the header names 9 columns" in capsys.readouterr().err


def test_names_differing_only_in_case_and_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two spellings of one assignment, or a NUL in a name, are refused."""
    path = small(
        tmp_path,
        "5001,1001,3601,Quiz 1,2026-09-01,10,Quiz,20002,7",
        "5001,1001,3601,QUIZ 1,2026-09-01,10,Quiz,20003,7",
    )
    assert main(["push", str(path), "--simulator"]) == 2
    assert "differs only in case from 'Quiz 1'" in capsys.readouterr().err
    path = small(tmp_path, "5001,1001,3601,Quiz\x001,2026-09-01,10,Quiz,20002,7")
    assert main(["push", str(path), "--simulator"]) == 2


def test_category_case_does_not_matter(tmp_path: Path) -> None:
    """'Homework' and 'homework' on one assignment are the same category."""
    path = small(
        tmp_path,
        "5001,1001,3601,HW,2026-09-01,10,Homework,20002,7",
        "5001,1001,3601,HW,2026-09-01,10,homework,20003,8",
    )
    with running_in_thread() as sim:
        assert push(sim, path, tmp_path)[0] == 0
        assert len(sim.scores()) == 2


def test_refused_credentials_exit_2_without_echoing_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Wrong secret: exit 2, every row failed with PowerSchool's reason, secret nowhere."""
    with running_in_thread() as sim:
        code = main(["push", str(small(tmp_path, "5001,1001,3601,Q,2026-09-01,10,Quiz,20002,7")), "--url", sim.url,
                     "--client-id", sim.client_id, "--client-secret", "canary-wrong-secret", "--report", str(tmp_path / "r.json")])  # fmt: skip
    assert code == 2
    report = (tmp_path / "r.json").read_text()
    assert "Bad client credentials" in report
    out = capsys.readouterr()
    assert "canary-wrong-secret" not in report + out.out + out.err


def test_url_with_credentials_is_refused_without_echoing_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """user:password@ in --url is refused and masked."""
    path = small(tmp_path, "5001,1001,3601,Q,2026-09-01,10,Quiz,20002,7")
    code = main(
        [
            "push",
            str(path),
            "--url",
            "https://u:hunter2@example.invalid",
            "--client-id",
            "x",
            "--client-secret",
            "y",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "hunter2" not in err
    assert "must not carry credentials" in err


def test_verbose_logs_every_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """-v shows successful requests too (path templates, statuses), and no credentials."""
    import logging

    sdk = logging.getLogger("powerschool_xte")
    before = list(sdk.handlers)
    try:
        code = main(["push", str(small(tmp_path, "5001,1001,3601,Q,2026-09-01,10,Quiz,20002,7")), "--simulator", "-v",
                     "--report", str(tmp_path / "r.json")])  # fmt: skip
    finally:
        for handler in sdk.handlers[len(before) :]:
            sdk.removeHandler(handler)
        logging.getLogger("powerschool_xte").setLevel(logging.DEBUG)
    assert code == 0
    err = capsys.readouterr().err
    assert "PUT /ws/xte/score -> 200" in err
    assert "POST /ws/xte/section/assignment/ -> 201" in err
    assert "xte-demo-secret" not in err


def test_a_bad_url_leaves_no_report(tmp_path: Path) -> None:
    """Exit 2 before anything, and no empty report file."""
    report = tmp_path / "r.json"
    code = main(["push", str(small(tmp_path, "5001,1001,3601,Q,2026-09-01,10,Quiz,20002,7")), "--url", "http://example.invalid",
                 "--client-id", "x", "--client-secret", "y", "--report", str(report)])  # fmt: skip
    assert code == 2
    assert not report.exists()


def test_score_put_with_the_wrong_term_is_refused(tmp_path: Path) -> None:
    """The simulator checks term_id against the section's term (strict choice)."""
    with running_in_thread() as sim:
        path = small(tmp_path, "5001,1001,3602,Q,2026-09-01,10,Quiz,20002,7")
        code, report = push(sim, path, tmp_path)
        assert code == 1
        assert "term_id 3602 is not the term of section 5001" in report["rows"][0]["reason"]
        assert sim.scores() == []


def test_rows_keep_their_order_in_the_report(tmp_path: Path) -> None:
    """The report lists rows in file order with their line numbers."""
    with running_in_thread() as sim:
        code, report = push(sim, GRADEBOOK, tmp_path)
    assert code == 0
    lines = [r["row"] for r in report["rows"]]
    assert lines == list(range(2, len(lines) + 2))


def test_progress_line_ends_with_the_totals(capsys: pytest.CaptureFixture[str]) -> None:
    """The terminal progress line is throttled and always shows the final count."""
    from powerschool_xte.cli import _Progress

    progress = _Progress()
    for done in range(1, 101):
        progress(done, done // 50, 100)
    err = capsys.readouterr().err
    assert err.endswith("\n")
    assert "scores 100/100, 2 failed" in err.splitlines()[-1]
    assert err.count("\r") < 10  # throttled, not one line per score


def test_edited_due_date_and_category_are_noted_not_silently_ignored(tmp_path: Path) -> None:
    """A teacher's changes in PowerTeacher Pro win; the report says where the CSV differs."""
    with running_in_thread() as sim:
        assert (
            push(
                sim, small(tmp_path, "5001,1001,3601,Quiz 1,2026-09-01,10,Quiz,20002,7"), tmp_path
            )[0]
            == 0
        )
        code, report = push(
            sim, small(tmp_path, "5001,1001,3601,Quiz 1,2026-09-10,10,Test,20002,8"), tmp_path
        )
        assert code == 0
        [row] = report["rows"]
        assert row["status"] == "written"
        assert "due date 2026-09-01 (the CSV says 2026-09-10)" in row["note"]
        assert "category 203 (the CSV says 'Test' = 204)" in row["note"]
        assert report["summary"]["notes"] == 1
        assert [s["scorepoints"] for s in sim.scores()] == [8.0]


def test_a_category_by_name_and_by_id_on_one_assignment(tmp_path: Path) -> None:
    """'Homework' and 201 are the same category: accepted; 'Quiz' and 201 are not."""
    with running_in_thread() as sim:
        same = small(
            tmp_path,
            "5001,1001,3601,HW,2026-09-01,10,Homework,20002,7",
            "5001,1001,3601,HW,2026-09-01,10,201,20003,8",
        )
        assert push(sim, same, tmp_path)[0] == 0
        other = small(
            tmp_path,
            "5001,1001,3601,HW2,2026-09-01,10,Quiz,20002,7",
            "5001,1001,3601,HW2,2026-09-01,10,201,20003,8",
        )
        code, report = push(sim, other, tmp_path)
        assert code == 1
        assert {r["reason"] for r in report["rows"]} == {
            "the rows of 'HW2' name different categories"
        }


def test_two_pushes_at_once_settle_on_one_copy_of_each_assignment(tmp_path: Path) -> None:
    """Two jobs start together: both succeed, one copy per assignment stays, every score is in it."""
    import threading

    from powerschool_xte.testing import FaultPlan, Simulator

    rows = read_csv(GRADEBOOK)
    # latency makes both jobs read the sections before either has created anything
    with running_in_thread(Simulator(faults=FaultPlan(latency=0.05))) as sim:
        results: list[tuple[int, dict[str, Any]]] = []

        def run(n: int) -> None:
            out = tmp_path / str(n)
            out.mkdir()
            results.append(push(sim, GRADEBOOK, out))

        threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert [code for code, _ in results] == [0, 0]
        settled = [
            r for _, rep in results for r in rep["rows"] if "another push" in (r["note"] or "")
        ]
        assert settled  # the race really happened and was settled
        names = [(s["sectionsdcid"], s["name"]) for s in sim.assignment_sections()]
        assert len(names) == len(set(names)) == 21
        assert_db_matches(sim, rows)
        sim.set_faults(FaultPlan())
        code, report = push(sim, GRADEBOOK, tmp_path)  # and the next night is a plain re-run
        assert code == 0
        assert report["summary"]["assignments_existing"] == 21


def test_refused_credentials_during_the_scores_exit_2(tmp_path: Path) -> None:
    """The secret is rotated after the assignments are made: the job stops, exit 2."""
    from powerschool_xte.testing import FaultPlan

    with running_in_thread() as sim:
        sim.set_faults(FaultPlan(latency=0.0))
        sim.rotate_secret(sim.client_id, sim.client_secret)  # fresh token state
        original = sim.client_secret
        path = small(
            tmp_path, *[f"5001,1001,3601,Q,2026-09-01,10,Quiz,{20001 + i},7" for i in range(20)]
        )
        sim.fail_next("putScores", 401, times=1000, message="The access token is invalid")
        code, report = push(sim, path, tmp_path, "--chunk-size", "2", "--concurrency", "1")
        assert original == sim.client_secret
    assert code == 2
    assert all(r["status"] == "failed" for r in report["rows"])
    assert any("refused the plugin's credentials" in (r["reason"] or "") for r in report["rows"])


def test_negative_breaker_limit_is_a_usage_error(tmp_path: Path) -> None:
    """--max-consecutive-failures -1 is refused (0 means never stop)."""
    path = small(tmp_path, "5001,1001,3601,Q,2026-09-01,10,Quiz,20002,7")
    assert main(["push", str(path), "--simulator", "--max-consecutive-failures", "-1"]) == 2
    assert (
        main(
            [
                "push",
                str(path),
                "--simulator",
                "--max-consecutive-failures",
                "0",
                "--report",
                str(tmp_path / "r.json"),
            ]
        )
        == 0
    )
