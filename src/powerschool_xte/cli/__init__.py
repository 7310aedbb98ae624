"""The ``xte`` command: ``xte push FILE`` and ``xte simulate``.

Exit codes: 0 every row landed (or had nothing to write), 1 some rows failed (see the report),
2 unusable input or arguments, including credentials PowerSchool refuses (nothing was written).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from powerschool_xte._client import XTEClient
from powerschool_xte.cli._args import EXIT_FAILED_ROWS, EXIT_OK, EXIT_USAGE, build_parser
from powerschool_xte.cli._csv import InputError, read_rows
from powerschool_xte.cli._push import PushJob, PushResult
from powerschool_xte.cli._simulate import simulate


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``xte`` console script."""
    args = build_parser().parse_args(argv)
    if args.command == "simulate":
        return simulate(args)
    return _push(args)


# -- push ------------------------------------------------------------------------------------


def _push(args: argparse.Namespace) -> int:
    if args.concurrency < 1 or args.chunk_size < 1 or args.max_consecutive_failures < 0:
        print(
            "xte push: --concurrency and --chunk-size must be at least 1, "
            "--max-consecutive-failures at least 0 (0: never stop)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.verbose:  # -v: every request of the SDK; -vv: aiohttp and asyncio too
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        sdk = logging.getLogger("powerschool_xte")
        sdk.addHandler(handler)
        sdk.setLevel(logging.DEBUG)
        if args.verbose > 1:
            logging.getLogger().addHandler(handler)
            logging.getLogger().setLevel(logging.DEBUG)
            sdk.propagate = False  # printed once, by the handler above
    try:
        rows = read_rows(args.file)
    except InputError as err:
        shown = err.problems[:50]
        for line in shown:
            print(line, file=sys.stderr)
        if len(err.problems) > len(shown):
            print(f"... and {len(err.problems) - len(shown)} more problems", file=sys.stderr)
        print(f"xte push: {args.file} is not usable; nothing was written", file=sys.stderr)
        return EXIT_USAGE
    client: XTEClient | None = None
    if not args.simulator:
        try:  # checks the URL (https, no credentials in it) before anything else happens
            client = XTEClient(
                args.url,
                args.client_id,
                args.client_secret,
                min_request_interval=args.min_request_interval,
            )
        except ValueError as err:
            print(f"xte push: {err}", file=sys.stderr)
            if "required" in str(err):
                print(
                    "xte push: or give --simulator to push into the local simulator",
                    file=sys.stderr,
                )
            return EXIT_USAGE
    report_path = args.report or Path(args.file.name).with_suffix(".report.json")
    if not _writable(report_path):  # a push whose report cannot be saved must not start
        print(f"xte push: cannot write the report {report_path}", file=sys.stderr)
        return EXIT_USAGE
    jobs: list[PushJob] = []
    target = "?"
    try:
        result, target = asyncio.run(_run_push(args, client, rows, jobs))
    except KeyboardInterrupt:
        if not jobs:
            raise
        result = jobs[0].outcome
        for r in result.results:
            if r.status == "pending":
                r.fail(
                    "interrupted before its outcome was known; run the push again (re-runs are safe)"
                )
        _write_report(report_path, args.file, target, result)
        print(f"xte push: interrupted; report written to {report_path}", file=sys.stderr)
        return EXIT_FAILED_ROWS
    summary = _write_report(report_path, args.file, target, result)
    if args.json:
        print(json.dumps({**summary, "report": str(report_path)}))
    else:
        _print_summary(args.file, target, result, report_path)
    if result.unauthorized:
        return EXIT_USAGE
    return EXIT_FAILED_ROWS if summary["failed"] else EXIT_OK


def _writable(path: Path) -> bool:
    """Whether ``path`` can be written, without creating it."""
    if path.exists():
        return path.is_file() and os.access(path, os.W_OK)
    parent = path.parent if str(path.parent) else Path()
    return parent.is_dir() and os.access(parent, os.W_OK)


def _write_report(path: Path, file: Path, target: str, result: PushResult) -> dict[str, Any]:
    summary = result.summary()
    report = {
        "file": str(file),
        "target": target,
        "summary": summary,
        "rows": [r.as_json() for r in result.results],
    }
    path.write_text(json.dumps(report, indent=1) + "\n")
    return summary


@contextlib.asynccontextmanager
async def _connected(
    args: argparse.Namespace, client: XTEClient | None
) -> AsyncIterator[tuple[XTEClient, str]]:
    if client is None:  # --simulator
        from powerschool_xte.testing import Simulator

        async with (
            Simulator() as sim,
            sim.client(min_request_interval=args.min_request_interval) as c,
        ):
            yield c, f"{sim.url} (in-process simulator, demo district)"
        return
    async with client:
        yield client, client.options.base_url


async def _run_push(
    args: argparse.Namespace, client: XTEClient | None, rows: list[Any], jobs: list[PushJob]
) -> tuple[PushResult, str]:
    async with _connected(args, client) as (connected, target):
        job = PushJob(
            connected,
            rows,
            concurrency=args.concurrency,
            chunk_size=args.chunk_size,
            dry_run=args.dry_run,
            max_consecutive_failures=args.max_consecutive_failures or None,
            progress=None if args.json or not sys.stderr.isatty() else _Progress(),
        )
        jobs.append(job)
        return await job.run(), target


class _Progress:
    """One self-overwriting line on a terminal, at most every half second."""

    def __init__(self) -> None:
        self.started = self.shown = time.monotonic()

    def __call__(self, done: int, failed: int, total: int) -> None:
        now = time.monotonic()
        if now - self.shown < 0.5 and done != total:
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-9)
        end = "\n" if done == total else ""
        print(
            f"\r  scores {done}/{total}, {failed} failed, {rate:,.0f}/s ",
            end=end,
            file=sys.stderr,
            flush=True,
        )


def _print_summary(file: Path, target: str, result: PushResult, report: Path) -> None:
    s = result.summary()
    dry = result.dry_run
    print(
        f"{'Dry run of' if dry else 'Pushed'} {file} to {target}{' (nothing written)' if dry else ''}"
    )
    print(f"  rows                {s['rows']}")
    if dry:
        print(
            f"  assignments         {s['assignments_to_create']} to create, "
            f"{s['assignments_existing']} existing"
        )
        print(f"  scores to write     {s['scores_to_write']}")
    else:
        print(
            f"  assignments         {s['assignments_created']} created, "
            f"{s['assignments_existing']} existing"
        )
        print(f"  scores written      {s['scores_written']}")
    print(f"  skipped (no score)  {s['skipped']}")
    print(f"  failed              {s['failed']}")
    if s["notes"]:
        print(f"  written with a note {s['notes']} (see the report)")
    print(f"  time                {s['seconds']:.2f} s")
    failed = [r for r in result.results if r.status == "failed"]
    for r in failed[:10]:
        print(
            f"  row {r.row.line}: student {r.row.student_dcid}, {r.row.assignment_name!r}: {r.reason}"
        )
    if len(failed) > 10:
        print(f"  ... {len(failed) - 10} more failed rows in the report")
    print(f"Report: {report}")


# -- simulate --------------------------------------------------------------------------------
