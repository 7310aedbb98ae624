"""Every check CI runs: ``uv run nox`` (all sessions) or ``uv run nox -s tests``."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv"
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["codegen", "lint", "typecheck", "tests"]


def _sync(session: nox.Session, *groups: str) -> None:
    """Install the project (locked versions) and the named dependency groups into the session."""
    args = ["uv", "sync", "--frozen", "--no-default-groups"]
    args += [f"--group={g}" for g in groups]
    session.run_install(*args, env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location})


@nox.session
def codegen(session: nox.Session) -> None:
    """Generated code is in sync with openapi/xte.yaml."""
    _sync(session, "codegen")
    session.run("python", "-m", "codegen", "--check", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    _sync(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/ and codegen/ (generated code included)."""
    _sync(session, "typecheck")
    session.run("mypy", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """pytest against the simulator over loopback sockets."""
    _sync(session, "test")
    session.run("pytest", *session.posargs)
