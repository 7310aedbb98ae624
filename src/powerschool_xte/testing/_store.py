"""The simulator's SQLite database: schema, seeding and the queries the handlers need."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

SCHEMA = """
CREATE TABLE IF NOT EXISTS plugins (
    client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL, name TEXT,
    token TEXT, token_expires_at REAL, token_requests INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS users (dcid INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT);
CREATE TABLE IF NOT EXISTS terms (
    id INTEGER PRIMARY KEY, yearid INTEGER NOT NULL, name TEXT, abbreviation TEXT,
    firstday TEXT NOT NULL, lastday TEXT NOT NULL, locked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sections (
    dcid INTEGER PRIMARY KEY, termid INTEGER NOT NULL REFERENCES terms(id),
    teacher_users_dcid INTEGER NOT NULL REFERENCES users(dcid), course_name TEXT, period TEXT
);
CREATE TABLE IF NOT EXISTS students (dcid INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT);
CREATE TABLE IF NOT EXISTS enrollments (
    sectionsdcid INTEGER NOT NULL, studentsdcid INTEGER NOT NULL,
    PRIMARY KEY (sectionsdcid, studentsdcid)
);
CREATE TABLE IF NOT EXISTS teacher_categories (
    teachercategoryid INTEGER PRIMARY KEY, usersdcid INTEGER, yearid INTEGER, name TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS assignments (
    assignmentid INTEGER PRIMARY KEY AUTOINCREMENT, yearid INTEGER, doc TEXT NOT NULL,
    createdby_users_dcid INTEGER, createdbyplugin TEXT
);
CREATE TABLE IF NOT EXISTS assignment_sections (
    assignmentsectionid INTEGER PRIMARY KEY AUTOINCREMENT,
    assignmentid INTEGER NOT NULL REFERENCES assignments(assignmentid),
    sectionsdcid INTEGER NOT NULL, name TEXT NOT NULL, duedate TEXT NOT NULL,
    scoretype TEXT, scoreentrypoints REAL, totalpointvalue REAL, doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS assignment_category_assocs (
    assignmentcategoryassocid INTEGER PRIMARY KEY AUTOINCREMENT,
    assignmentsectionid INTEGER NOT NULL, teachercategoryid INTEGER NOT NULL,
    isprimary INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS sessions (session_id TEXT PRIMARY KEY, users_dcid INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS assignment_student_assocs (
    assignmentstudentassocid INTEGER PRIMARY KEY AUTOINCREMENT,
    assignmentsectionid INTEGER NOT NULL, studentsdcid INTEGER NOT NULL,
    UNIQUE (assignmentsectionid, studentsdcid)
);
CREATE TABLE IF NOT EXISTS assignment_standard_assocs (
    assignmentstandardassocid INTEGER PRIMARY KEY AUTOINCREMENT,
    assignmentid INTEGER NOT NULL, standardid INTEGER NOT NULL,
    UNIQUE (assignmentid, standardid)
);
CREATE TABLE IF NOT EXISTS standards (standardid INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS section_standards (
    sectionsdcid INTEGER NOT NULL, standardid INTEGER NOT NULL,
    PRIMARY KEY (sectionsdcid, standardid)
);
CREATE TABLE IF NOT EXISTS grade_scales (id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS standard_scores (
    assignmentscoreid INTEGER PRIMARY KEY AUTOINCREMENT,
    assignmentstandardassocid INTEGER NOT NULL, assignmentsectionid INTEGER NOT NULL,
    studentsdcid INTEGER NOT NULL, doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS scores (
    assignmentscoreid INTEGER PRIMARY KEY AUTOINCREMENT,
    assignmentsectionid INTEGER NOT NULL, studentsdcid INTEGER NOT NULL,
    actualscoreentered TEXT, actualscorekind TEXT, scoretype TEXT,
    scorepoints REAL, scorepercent REAL,
    islate INTEGER NOT NULL DEFAULT 0, isexempt INTEGER NOT NULL DEFAULT 0,
    ismissing INTEGER NOT NULL DEFAULT 0, isabsent INTEGER NOT NULL DEFAULT 0,
    isincomplete INTEGER NOT NULL DEFAULT 0, iscollected INTEGER NOT NULL DEFAULT 0,
    scoreentrydate TEXT, whenmodified TEXT,
    UNIQUE (assignmentsectionid, studentsdcid)
);
"""

# assignment ids start high enough to never look like a section or student id in the demo data
_ID_START = """
INSERT OR IGNORE INTO sqlite_sequence (name, seq) VALUES ('assignments', 880000);
INSERT OR IGNORE INTO sqlite_sequence (name, seq) VALUES ('assignment_sections', 2586000);
INSERT OR IGNORE INTO sqlite_sequence (name, seq) VALUES ('assignment_category_assocs', 91000);
INSERT OR IGNORE INTO sqlite_sequence (name, seq) VALUES ('scores', 7700000);
INSERT OR IGNORE INTO sqlite_sequence (name, seq) VALUES ('assignment_student_assocs', 64000);
INSERT OR IGNORE INTO sqlite_sequence (name, seq) VALUES ('assignment_standard_assocs', 52000);
INSERT OR IGNORE INTO sqlite_sequence (name, seq) VALUES ('standard_scores', 9900000);
"""

SCORE_FLAGS = ("islate", "isexempt", "ismissing", "isabsent", "isincomplete", "iscollected")


class Store:
    """One SQLite connection (in memory unless a path is given)."""

    def __init__(self, path: str = ":memory:") -> None:
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute(
            "PRAGMA journal_mode=WAL" if path != ":memory:" else "PRAGMA journal_mode=MEMORY"
        )
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        fresh = self.db.execute("SELECT count(*) FROM sqlite_sequence").fetchone()[0] == 0
        if fresh:
            self.db.executescript(_ID_START)

    def close(self) -> None:
        self.db.close()

    def is_empty(self) -> bool:
        return bool(self.db.execute("SELECT count(*) FROM plugins").fetchone()[0] == 0)

    def seed(self, district: Mapping[str, Any]) -> None:
        """Load a district (see `_seed`), replacing nothing that exists."""
        db = self.db
        with _tx(db):
            for p in district.get("plugins", []):
                db.execute(
                    "INSERT INTO plugins (client_id, client_secret, name) VALUES (?, ?, ?)",
                    (p["client_id"], p["client_secret"], p.get("name")),
                )
            _insert(db, "users", ("dcid", "first_name", "last_name"), district.get("users", []))
            for t in district.get("terms", []):
                db.execute(
                    "INSERT INTO terms VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (t["id"], t["yearid"], t.get("name"), t.get("abbreviation"), t["firstday"],
                     t["lastday"], int(bool(t.get("locked", False)))),
                )  # fmt: skip
            _insert(
                db,
                "sections",
                ("dcid", "termid", "teacher_users_dcid", "course_name", "period"),
                district.get("sections", []),
            )
            _insert(
                db, "students", ("dcid", "first_name", "last_name"), district.get("students", [])
            )
            _insert(
                db, "enrollments", ("sectionsdcid", "studentsdcid"), district.get("enrollments", [])
            )
            _insert(db, "sessions", ("session_id", "users_dcid"), district.get("sessions", []))
            for st in district.get("standards", []):
                db.execute(
                    "INSERT INTO standards VALUES (?, ?)",
                    (st["standardid"], orjson.dumps(st).decode()),
                )
            _insert(
                db,
                "section_standards",
                ("sectionsdcid", "standardid"),
                district.get("section_standards", []),
            )
            for g in district.get("grade_scales", []):
                db.execute(
                    "INSERT INTO grade_scales VALUES (?, ?)", (g["id"], orjson.dumps(g).decode())
                )
            for c in district.get("teacher_categories", []):
                db.execute(
                    "INSERT INTO teacher_categories VALUES (?, ?, ?, ?, ?)",
                    (c["teachercategoryid"], c.get("usersdcid"), c.get("yearid"), c["name"],
                     orjson.dumps(c).decode()),
                )  # fmt: skip


def _insert(
    db: sqlite3.Connection, table: str, cols: tuple[str, ...], rows: Iterable[Mapping[str, Any]]
) -> None:
    marks = ", ".join("?" for _ in cols)
    db.executemany(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
        [tuple(r.get(c) for c in cols) for r in rows],
    )


class _tx:  # noqa: N801 - used like a function
    """``with _tx(db):`` one transaction (the connection is in autocommit mode)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")


transaction = _tx
