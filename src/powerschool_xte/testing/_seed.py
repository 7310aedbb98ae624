"""The demo district every simulator starts with (unless given another seed).

A seed is plain JSON-compatible data, so ``xte simulate --seed FILE`` can load another district
written in the same shape (see docs/simulator.md):

``plugins``        ``[{client_id, client_secret, name}]``
``users``          ``[{dcid, first_name, last_name}]``
``terms``          ``[{id, yearid, name, abbreviation, firstday, lastday, locked}]`` (dates ``YYYY-MM-DD``)
``sections``       ``[{dcid, termid, teacher_users_dcid, course_name, period}]``
``students``       ``[{dcid, first_name, last_name}]``
``enrollments``    ``[{sectionsdcid, studentsdcid}]``
``teacher_categories``  ``[{teachercategoryid, usersdcid, yearid, name, ...}]`` (any TeacherCategory field)
"""

from __future__ import annotations

from typing import Any, Final

#: fixed, documented credentials of the demo plugin (they open nothing but a local simulator)
DEMO_CLIENT_ID: Final = "xte-demo-plugin"
DEMO_CLIENT_SECRET: Final = "xte-demo-secret-local-only"
#: the demo teacher, who teaches sections 5001-5003 in term 3601 (S1 2026-27)
DEMO_TEACHER_DCID: Final = 1001
DEMO_TERM_ID: Final = 3601
DEMO_YEAR_ID: Final = 36
DEMO_SECTIONS: Final = (5001, 5002, 5003)

_FIRST = [
    "Ava",
    "Liam",
    "Noah",
    "Emma",
    "Mia",
    "Lucas",
    "Zoe",
    "Ethan",
    "Isla",
    "Mateo",
    "Chloe",
    "Leo",
    "Aria",
    "Owen",
    "Nora",
    "Eli",
    "Maya",
    "Jack",
    "Layla",
    "Kai",
    "Ruby",
    "Finn",
    "Ivy",
    "Omar",
    "Lena",
    "Hugo",
    "Sara",
    "Theo",
    "Iris",
    "Ben",
    "Jade",
    "Axel",
    "Alma",
    "Ravi",
    "Nina",
    "Cole",
]
_LAST = [
    "Garcia",
    "Nguyen",
    "Smith",
    "Patel",
    "Kim",
    "Johnson",
    "Lopez",
    "Brown",
    "Chen",
    "Davis",
    "Martinez",
    "Wilson",
    "Okafor",
    "Singh",
    "Rossi",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
    "Hill",
    "Scott",
    "Green",
    "Adams",
    "Baker",
    "Nelson",
    "Carter",
    "Mitchell",
    "Perez",
    "Roberts",
    "Turner",
    "Phillips",
    "Campbell",
    "Parker",
    "Evans",
    "Edwards",
]


def _standards() -> list[dict[str, Any]]:
    rows = [
        (7001, "A.REI.1", "Explain each step in solving a simple equation", True, True),
        (7002, "A.REI.3", "Solve linear equations and inequalities in one variable", True, True),
        (7003, "A.CED.2", "Create equations in two or more variables", True, False),
        (7004, "A.SSE.1", "Interpret expressions (retired)", False, True),
        (7101, "G.CO.1", "Know precise definitions of angle, circle, line segment", True, True),
        (7102, "G.CO.9", "Prove theorems about lines and angles", True, True),
        (7103, "G.SRT.5", "Use congruence and similarity criteria for triangles", True, True),
    ]
    return [
        {
            "standardid": sid,
            "longitudinalid": sid,
            "yearid": DEMO_YEAR_ID,
            "identifier": ident,
            "displayposition": n,
            "conversionscale": 900,
            "gradescaleitemdcid": 900,
            "name": ident,
            "description": text,
            "subjectarea": "Mathematics",
            "isactive": active,
            "iscommentincluded": True,
            "maxcommentlength": 500,
            "isassignmentallowed": allowed,
            "externalid": f"CCSS.MATH.{ident}",
            "isexcludedfromreports": False,
            "_level": 1,
        }
        for n, (sid, ident, text, active, allowed) in enumerate(rows, start=1)
    ]


def _grade_scales() -> list[dict[str, Any]]:
    letters = (("A", 90, 4.0), ("B", 80, 3.0), ("C", 70, 2.0), ("D", 60, 1.0), ("F", 0, 0.0))
    levels = (
        ("4", 4, "Exceeds"),
        ("3", 3, "Meets"),
        ("2", 2, "Approaching"),
        ("1", 1, "Beginning"),
    )
    return [
        {
            "id": 800, "dcid": 800, "name": "Letter grades", "description": "A-F",
            "gradescaletype": "ALPHA", "isforcoursegrade": True, "isforstandards": False,
            "isgpashown": True, "istermweightingshown": False, "displayposition": 1,
            "hasrelatedscales": False, "modify_code": False,
            "_items": [
                {"id": 8000 + n, "dcid": 8000 + n, "name": name, "description": name,
                 "cutoffpercentage": cut, "grade_points": gp, "value": cut, "countsingpa": True,
                 "isproficient": cut >= 60, "_parentgradescale": {"id": 800, "dcid": 800}}
                for n, (name, cut, gp) in enumerate(letters)
            ],
        },
        {
            "id": 900, "dcid": 900, "name": "Standards 1-4", "description": "Proficiency levels",
            "gradescaletype": "NUMERIC", "isforcoursegrade": False, "isforstandards": True,
            "isgpashown": False, "istermweightingshown": False, "displayposition": 2,
            "hasrelatedscales": False, "modify_code": False,
            "_items": [
                {"id": 9000 + n, "dcid": 9000 + n, "name": name, "description": text,
                 "value": value, "cutoffpoints": value, "isproficient": value >= 3,
                 "_parentgradescale": {"id": 900, "dcid": 900}}
                for n, (name, value, text) in enumerate(levels)
            ],
        },
    ]  # fmt: skip


def demo_district() -> dict[str, Any]:
    """The demo district: one teacher with 3 sections of 28 students, categories, terms."""
    students = [
        {
            "dcid": 20001 + i,
            "first_name": _FIRST[i % len(_FIRST)],
            "last_name": _LAST[(i * 7) % len(_LAST)],
        }
        for i in range(96)
    ]
    enrollments = []
    for n, section in enumerate(DEMO_SECTIONS):
        for i in range(28):
            enrollments.append({"sectionsdcid": section, "studentsdcid": 20001 + n * 28 + i})
    # the other teacher's section shares two students with the demo teacher's sections
    for dcid in (*range(20085, 20097), 20001, 20029):
        enrollments.append({"sectionsdcid": 5004, "studentsdcid": dcid})
    categories = []
    for i, (name, points) in enumerate(
        (("Homework", 10), ("Classwork", 10), ("Quiz", 20), ("Test", 100), ("Project", 50))
    ):
        categories.append(
            {
                "teachercategoryid": 201 + i,
                "usersdcid": DEMO_TEACHER_DCID,
                "yearid": DEMO_YEAR_ID,
                "name": name,
                "description": f"<p>{name} for the 2026-27 school year.</p>",
                "categorytype": "user",
                "color": str(i + 1),
                "displayposition": i + 1,
                "isinfinalgrades": True,
                "isactive": True,
                "isusermodifiable": True,
                "isdefaultpublishscores": True,
                "defaultpublishoption": "Immediately",
                "defaultscoretype": "POINTS",
                "defaultscoreentrypoints": points,
                "defaulttotalvalue": points,
                "defaultextracreditpoints": 0,
                "defaultweight": 1,
            }
        )
    categories.append(
        {
            "teachercategoryid": 301,
            "usersdcid": 1002,
            "yearid": DEMO_YEAR_ID,
            "name": "Labs",
            "categorytype": "user",
            "color": "3",
            "isactive": True,
            "defaultscoretype": "POINTS",
        }
    )
    return {
        "plugins": [
            {
                "client_id": DEMO_CLIENT_ID,
                "client_secret": DEMO_CLIENT_SECRET,
                "name": "Demo plugin",
            }
        ],
        "users": [
            {"dcid": DEMO_TEACHER_DCID, "first_name": "Ana", "last_name": "Rivera"},
            {"dcid": 1002, "first_name": "Marcus", "last_name": "Chen"},
        ],
        "terms": [
            {
                "id": 3600,
                "yearid": 36,
                "name": "2026-2027",
                "abbreviation": "26-27",
                "firstday": "2026-08-17",
                "lastday": "2027-06-11",
                "locked": False,
            },
            {
                "id": 3601,
                "yearid": 36,
                "name": "Semester 1",
                "abbreviation": "S1",
                "firstday": "2026-08-17",
                "lastday": "2027-01-15",
                "locked": False,
            },
            {
                "id": 3602,
                "yearid": 36,
                "name": "Semester 2",
                "abbreviation": "S2",
                "firstday": "2027-01-19",
                "lastday": "2027-06-11",
                "locked": False,
            },
            {
                "id": 3501,
                "yearid": 35,
                "name": "Semester 1",
                "abbreviation": "S1",
                "firstday": "2025-08-18",
                "lastday": "2026-01-16",
                "locked": True,
            },
        ],
        "sections": [
            {
                "dcid": 5001,
                "termid": 3601,
                "teacher_users_dcid": DEMO_TEACHER_DCID,
                "course_name": "Algebra I",
                "period": "P1",
            },
            {
                "dcid": 5002,
                "termid": 3601,
                "teacher_users_dcid": DEMO_TEACHER_DCID,
                "course_name": "Algebra I",
                "period": "P3",
            },
            {
                "dcid": 5003,
                "termid": 3601,
                "teacher_users_dcid": DEMO_TEACHER_DCID,
                "course_name": "Geometry",
                "period": "P5",
            },
            {
                "dcid": 5004,
                "termid": 3601,
                "teacher_users_dcid": 1002,
                "course_name": "Biology",
                "period": "P2",
            },
            {
                "dcid": 4901,
                "termid": 3501,
                "teacher_users_dcid": DEMO_TEACHER_DCID,
                "course_name": "Algebra I",
                "period": "P1",
            },
        ],
        "sessions": [{"session_id": "demo-teacher-session", "users_dcid": DEMO_TEACHER_DCID}],
        "standards": _standards(),
        "section_standards": [
            {"sectionsdcid": sec, "standardid": sid}
            for sec, ids in (
                (5001, (7001, 7002, 7003, 7004)),
                (5002, (7001, 7002, 7003, 7004)),
                (5003, (7101, 7102, 7103)),
            )
            for sid in ids
        ],
        "grade_scales": _grade_scales(),
        "students": students,
        "enrollments": [*enrollments, {"sectionsdcid": 4901, "studentsdcid": 20001}],
        "teacher_categories": categories,
    }
