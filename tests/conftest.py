"""Shared fixtures: a simulator on a real loopback socket and a client for it."""

from __future__ import annotations

import csv
import logging
import os
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from powerschool_xte import XTEClient, set_testing
from powerschool_xte.testing import DEMO_CLIENT_SECRET, Simulator

pytest_plugins = ["powerschool_xte.testing.pytest_plugin"]

# CI replays the same examples on every run (a red CI is then a real regression); local runs
# explore new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
GRADEBOOK = ROOT / "examples" / "gradebook.csv"


#: a client secret used by tests that must prove it never leaks
CANARY_SECRET = "canary-4f1d2c-never-print-me"
_SECRETS = (CANARY_SECRET, DEMO_CLIENT_SECRET)
_CREDENTIAL_SHAPES = re.compile(r"Bearer [0-9a-f]{8}-|Basic [A-Za-z0-9+/=]{16,}")


class _Everything(logging.Handler):
    """Keeps every log record of the run, with its extras, for the leak check."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(f"{record.getMessage()} {record.__dict__!r}")


@pytest.fixture(scope="session", autouse=True)
def _no_secret_in_any_log_record(request: pytest.FixtureRequest) -> Iterator[_Everything]:
    """Every record the whole suite logs, at DEBUG, is checked for secrets and tokens."""
    handler = _Everything()
    root, sdk = logging.getLogger(), logging.getLogger("powerschool_xte")
    root.addHandler(handler)
    level = sdk.level
    sdk.setLevel(logging.DEBUG)
    yield handler
    sdk.setLevel(level)
    root.removeHandler(handler)
    if request.session.testscollected > 100:  # the whole suite: the check must not be vacuous
        assert len(handler.texts) > 100, "almost nothing was logged: the leak check would be empty"
    for text in handler.texts:
        for secret in _SECRETS:
            assert secret not in text, f"a client secret was logged: {text[:300]}"
        assert not _CREDENTIAL_SHAPES.search(text), f"a credential was logged: {text[:300]}"


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
