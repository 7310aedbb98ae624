"""Regenerate examples/gradebook.csv (deterministic): ``python examples/make_gradebook.py``.

The data fits the simulator's demo district: teacher 1001, term 3601 (S1 2026-27), sections
5001-5003 with 28 students each, categories Homework/Classwork/Quiz/Test/Project.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

SECTIONS = {
    5001: ("Algebra I", range(20001, 20029)),
    5002: ("Algebra I", range(20029, 20057)),
    5003: ("Geometry", range(20057, 20085)),
}
ASSIGNMENTS = {
    "Algebra I": [
        ("HW 1: Linear equations", "2026-08-28", 10, "Homework"),
        ("Quiz 1: Solving for x", "2026-09-04", 20, "Quiz"),
        ("HW 2: Graphing lines", "2026-09-18", 10, "Homework"),
        ("Classwork: Slope stations", "2026-09-25", 10, "Classwork"),
        ("Unit 1 Test", "2026-10-09", 100, "Test"),
        ("Project: Budget a road trip", "2026-11-06", 50, "Project"),
        ("Quiz 2: Systems of equations", "2026-11-20", 20, "Quiz"),
    ],
    "Geometry": [
        ("HW 1: Points, lines, planes", "2026-08-28", 10, "Homework"),
        ("Quiz 1: Angle pairs", "2026-09-11", 20, "Quiz"),
        ("Classwork: Constructions", "2026-09-23", 10, "Classwork"),
        ("HW 2: Parallel lines", "2026-10-02", 10, "Homework"),
        ("Unit 1 Test", "2026-10-16", 100, "Test"),
        ("Project: Scale model", "2026-11-13", 50, "Project"),
        ("Quiz 2: Triangle congruence", "2026-12-01", 20, "Quiz"),
    ],
}
HEADER = [
    "section_dcid", "users_dcid", "term_id", "assignment_name", "due_date", "points_possible",
    "category", "student_dcid", "score", "late", "missing", "exempt",
]  # fmt: skip


def rows() -> list[list[str]]:
    rng = random.Random(20261203)
    out = []
    for section, (course, students) in SECTIONS.items():
        for name, due, points, category in ASSIGNMENTS[course]:
            for student in students:
                roll = rng.random()
                late = missing = exempt = ""
                if roll < 0.05:
                    score = ""  # not graded yet: nothing to write
                else:
                    earned = min(points * 1.1, max(0.0, rng.gauss(points * 0.82, points * 0.12)))
                    step = 0.5 if points <= 20 else 1
                    score = f"{round(earned / step) * step:g}"
                    if roll > 0.97:
                        late = "true"
                    elif 0.05 <= roll < 0.065:
                        score, missing = "0", "true"
                out.append([str(section), "1001", "3601", name, due, str(points), category,
                            str(student), score, late, missing, exempt])  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).with_name("gradebook.csv"), help="where to write"
    )
    target = parser.parse_args().out
    with target.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows())
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
