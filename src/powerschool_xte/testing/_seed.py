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
        "students": students,
        "enrollments": [*enrollments, {"sectionsdcid": 4901, "studentsdcid": 20001}],
        "teacher_categories": categories,
    }
