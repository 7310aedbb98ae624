"""Testing aids shipped with the SDK: a faithful local XTE simulator.

::

    from powerschool_xte.testing import Simulator

    async with Simulator() as sim, sim.client() as xte:
        await xte.scores.put(...)
        assert sim.scores()[0]["actualscoreentered"] == "9.5"
"""

from __future__ import annotations

from powerschool_xte.testing._controls import LoggedRequest
from powerschool_xte.testing._faults import FaultPlan
from powerschool_xte.testing._seed import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_SECTIONS,
    DEMO_TEACHER_DCID,
    DEMO_TERM_ID,
    DEMO_YEAR_ID,
    demo_district,
)
from powerschool_xte.testing._simulator import Simulator
from powerschool_xte.testing._threaded import running_in_thread

__all__ = [
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_SECTIONS",
    "DEMO_TEACHER_DCID",
    "DEMO_TERM_ID",
    "DEMO_YEAR_ID",
    "FaultPlan",
    "LoggedRequest",
    "Simulator",
    "demo_district",
    "running_in_thread",
]
