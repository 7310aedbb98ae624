"""pytest fixtures for testing code that uses powerschool-xte.

Enable them in your ``conftest.py``; the fixtures are async, so pytest-asyncio must run them
(``asyncio_mode = "auto"`` and ``asyncio_default_fixture_loop_scope = "function"`` in your
pytest configuration)::

    pytest_plugins = ["powerschool_xte.testing.pytest_plugin"]

    async def test_nightly_sync(xte_simulator, xte_client):
        await my_sync(xte_client)
        assert len(xte_simulator.scores()) == 84

Configure the simulator per test with a marker::

    @pytest.mark.xte_simulator(faults=FaultPlan(seed=1, resubmit_probability=0.3))
    async def test_survives_resubmits(xte_simulator, xte_client): ...

``xte_client`` is an `XTEClient` for the demo teacher (users_dcid 1001) whose retry waits are
instant, so fault-injection tests stay fast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from powerschool_xte._client import XTEClient
from powerschool_xte._retry import testing_mode
from powerschool_xte.testing._simulator import Simulator


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "xte_simulator(**kwargs): keyword arguments for the xte_simulator fixture's Simulator "
        "(faults=FaultPlan(...), conflict_report='first', district={...}, token_lifetime=...)",
    )


@pytest_asyncio.fixture
async def xte_simulator(request: pytest.FixtureRequest) -> AsyncIterator[Simulator]:
    """A running simulator on 127.0.0.1 with the demo district (or the marker's settings)."""
    marker = request.node.get_closest_marker("xte_simulator")
    kwargs = dict(marker.kwargs) if marker else {}
    async with Simulator(**kwargs) as sim:
        yield sim
    sim.close()


@pytest_asyncio.fixture
async def xte_client(xte_simulator: Simulator) -> AsyncIterator[XTEClient]:
    """A client for ``xte_simulator`` acting as the demo teacher; retry waits are instant."""
    with testing_mode():
        async with xte_simulator.client() as client:
            yield client
