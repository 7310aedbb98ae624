"""Read and validate a gradebook CSV (long format: one row per score).

The columns are in `COLUMNS_HELP` (shown by ``xte push --help`` and in the README).

Each written row replaces the student's whole score record for the assignment: the score and
the three flags, exactly as the row says. A row with a blank score and at least one flag writes
that flag with no points (for example missing work), clearing a score PowerSchool had. A row
with a blank score and no flag has nothing to write and is reported "skipped": PowerSchool's
score, if any, is left alone. Every problem in the file is reported with its row number (the
line number a spreadsheet shows), field and value, and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from pathlib import Path

import attrs

COLUMNS_HELP = """
section_dcid     required  SECTIONS.DCID of the section
users_dcid       required  USERS.DCID of the teacher the write is made for
term_id          required  TERMS.ID of the section's term (the year is term_id // 100)
assignment_name  required  1-50 characters; with section_dcid it identifies the assignment
                           (matched case-insensitively; the due date decides between two of
                           the same name); created when missing
due_date         required  YYYY-MM-DD, inside the section's term
points_possible  required  number > 0
category         required  teacher category name (case-insensitive) or teachercategoryid
student_dcid     required  STUDENTS.DCID
score            optional  points earned: digits with an optional dot (9.5); above
                           points_possible is extra credit; blank = no score
late, missing,   optional  true/false, yes/no, 1/0, y/n; blank or absent = false
exempt
a blank score with no flag set writes nothing (the row is "skipped"); a blank score with a flag
writes the flag with no points; every other row replaces the student's whole score record
"""

REQUIRED = (
    "section_dcid",
    "users_dcid",
    "term_id",
    "assignment_name",
    "due_date",
    "points_possible",
    "category",
    "student_dcid",
)
OPTIONAL = ("score", "late", "missing", "exempt")
_TRUE = frozenset({"true", "yes", "y", "1", "t", "x"})
_FALSE = frozenset({"false", "no", "n", "0", "f", ""})
MAX_NAME = 50
_DECIMAL = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")


@attrs.frozen
class Row:
    """One validated CSV row."""

    line: int
    section_dcid: int
    users_dcid: int
    term_id: int
    assignment_name: str
    due_date: dt.date
    points_possible: float
    category: str
    student_dcid: int
    score: str | None
    late: bool
    missing: bool
    exempt: bool

    @property
    def has_write(self) -> bool:
        return self.score is not None or self.late or self.missing or self.exempt


class InputError(Exception):
    """The file cannot be used; ``problems`` lists every row/field/value at fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _id(value: str) -> int | None:
    v = value.strip()
    if v.isascii() and v.isdigit() and len(v) <= 18:
        return int(v)
    return None


def read_rows(path: Path) -> list[Row]:
    """Parse and validate the whole file, or raise `InputError` naming every problem."""
    problems: list[str] = []
    rows: list[Row] = []
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError([f"{path}: cannot open ({exc.strerror})"]) from None
    with handle:
        reader = csv.DictReader(handle, restkey=_EXTRA)
        try:
            header = [h.strip() for h in (reader.fieldnames or [])]
            _check_header(path, header)
            reader.fieldnames = header
            for record in reader:
                line = reader.line_num
                if _EXTRA in record:
                    problems.append(
                        f"{path} row {line}: {len(header) + len(record[_EXTRA])} values but the "
                        f"header names {len(header)} columns"
                    )
                    continue
                row = _row(path, line, record, problems)
                if row is not None:
                    rows.append(row)
        except UnicodeDecodeError:
            raise InputError(
                [f"{path} row {reader.line_num + 1}: not UTF-8 text; save the file as "
                 "'CSV UTF-8' and try again"]
            ) from None  # fmt: skip
        except csv.Error as exc:
            problems.append(f"{path} row {reader.line_num}: unreadable CSV ({exc})")
    if not rows and not problems:
        problems.append(f"{path}: no data rows")
    problems += _consistency(path, rows)
    if problems:
        raise InputError(problems)
    return rows


_EXTRA = "\x00extra"


def _check_header(path: Path, header: list[str]) -> None:
    missing_cols = [c for c in REQUIRED if c not in header]
    if missing_cols:
        raise InputError(
            [f"{path}: missing column(s) {', '.join(missing_cols)}; the header must name "
             f"{', '.join(REQUIRED)} (and optionally {', '.join(OPTIONAL)})"]
        )  # fmt: skip
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise InputError(
            [f"{path}: column(s) {', '.join(twice)} appear more than once in the header"]
        )


def _printable(text: str) -> bool:
    return not any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200d" for ch in text)


def _row(path: Path, line: int, record: dict[str, str | None], problems: list[str]) -> Row | None:
    before = len(problems)

    def bad(field: str, value: str, why: str) -> None:
        problems.append(f"{path} row {line}, field '{field}': {value!r} {why}")

    def text(field: str) -> str:
        value = record.get(field)
        return value.strip() if isinstance(value, str) else ""

    ids: dict[str, int] = {}
    for field in ("section_dcid", "users_dcid", "term_id", "student_dcid"):
        parsed = _id(text(field))
        if parsed is None:
            bad(field, text(field), "is not a whole-number id")
        else:
            ids[field] = parsed
    name = text("assignment_name")
    if not name:
        bad("assignment_name", name, "is empty")
    elif not _printable(name):
        bad("assignment_name", name, "contains control characters")
    elif len(name) > MAX_NAME:
        bad(
            "assignment_name",
            name,
            f"is {len(name)} characters; PowerSchool allows at most {MAX_NAME}",
        )
    due: dt.date | None = None
    try:
        due = dt.date.fromisoformat(text("due_date")) if len(text("due_date")) == 10 else None
    except ValueError:
        due = None
    if due is None:
        bad("due_date", text("due_date"), "is not a date in YYYY-MM-DD form")
    points = _number(text("points_possible"))
    if points is None or points <= 0:
        bad("points_possible", text("points_possible"), "is not a number greater than 0")
    category = text("category")
    if not category:
        bad("category", category, "is empty")
    score_text = text("score")
    score: str | None = None
    if score_text:
        if not _DECIMAL.match(score_text):
            bad(
                "score", score_text, "is not a number >= 0 written with digits and a dot (like 9.5)"
            )
        else:
            score = score_text
    flags: dict[str, bool] = {}
    for field in ("late", "missing", "exempt"):
        raw = text(field).lower()
        if raw in _TRUE:
            flags[field] = True
        elif raw in _FALSE:
            flags[field] = False
        else:
            bad(field, text(field), "is not true/false (yes/no, 1/0, y/n or blank)")
    if len(problems) > before or due is None or points is None:
        return None
    return Row(
        line=line,
        section_dcid=ids["section_dcid"],
        users_dcid=ids["users_dcid"],
        term_id=ids["term_id"],
        assignment_name=name,
        due_date=due,
        points_possible=points,
        category=category,
        student_dcid=ids["student_dcid"],
        score=score,
        late=flags["late"],
        missing=flags["missing"],
        exempt=flags["exempt"],
    )


def _number(text: str) -> float | None:
    return float(text) if _DECIMAL.match(text) else None


def _consistency(path: Path, rows: list[Row]) -> list[str]:
    """Rows of one assignment must agree; a student may appear once per assignment."""
    problems: list[str] = []
    first: dict[tuple[int, str], Row] = {}
    spelled: dict[tuple[int, str], Row] = {}
    seen: dict[tuple[int, str, dt.date, int], int] = {}
    section_owner: dict[int, Row] = {}
    for row in rows:
        key = (row.section_dcid, row.assignment_name)
        head = first.setdefault(key, row)
        other = spelled.setdefault((row.section_dcid, row.assignment_name.casefold()), row)
        if other.assignment_name != row.assignment_name:
            problems.append(
                f"{path} row {row.line}, field 'assignment_name': {row.assignment_name!r} differs "
                f"only in case from {other.assignment_name!r} (row {other.line}) in section "
                f"{row.section_dcid}; use one spelling"
            )
        for field in ("due_date", "points_possible", "category"):
            mine, theirs = getattr(row, field), getattr(head, field)
            if field == "category":
                mine, theirs = str(mine).casefold(), str(theirs).casefold()
                if mine.isdigit() != theirs.isdigit():
                    continue  # a name and an id: checked once the teacher's categories are read
            if mine != theirs:
                problems.append(
                    f"{path} row {row.line}, field '{field}': {str(getattr(row, field))!r} differs "
                    f"from row {head.line} ({str(getattr(head, field))!r}) for assignment "
                    f"{row.assignment_name!r} in section {row.section_dcid}"
                )
        owner = section_owner.setdefault(row.section_dcid, row)
        for field in ("users_dcid", "term_id"):
            if getattr(row, field) != getattr(owner, field):
                problems.append(
                    f"{path} row {row.line}, field '{field}': {getattr(row, field)!r} differs from "
                    f"row {owner.line} ({getattr(owner, field)!r}) for section {row.section_dcid}"
                )
        dup = (row.section_dcid, row.assignment_name, row.due_date, row.student_dcid)
        if dup in seen:
            problems.append(
                f"{path} row {row.line}, field 'student_dcid': {row.student_dcid!r} already has a "
                f"score for {row.assignment_name!r} in section {row.section_dcid} at row {seen[dup]}"
            )
        else:
            seen[dup] = row.line
    return problems
