"""Shared fixtures: a simulator on a real loopback socket and a client for it."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from powerschool_xte import XTEClient, set_testing
from powerschool_xte.testing import Simulator

pytest_plugins = ["powerschool_xte.testing.pytest_plugin"]

ROOT = Path(__file__).resolve().parent.parent
GRADEBOOK = ROOT / "examples" / "gradebook.csv"


@pytest.fixture(autouse=True)
def _instant_backoff() -> Iterator[None]:
    """Retries still happen, but their waits are instant."""
    set_testing(True)
    yield
    set_testing(False)


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A fresh simulator with the demo district on 127.0.0.1:<free port>."""
    async with Simulator() as s:
        yield s


@pytest.fixture
async def xte(sim: Simulator) -> AsyncIterator[XTEClient]:
    """A client for ``sim`` acting as the demo teacher."""
    async with sim.client() as client:
        yield client


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
