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
import signal
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from powerschool_xte._client import XTEClient
from powerschool_xte.cli import _csv
from powerschool_xte.cli._csv import InputError, read_rows
from powerschool_xte.cli._push import PushJob, PushResult

EXIT_OK, EXIT_FAILED_ROWS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse exits 2 on usage errors: keep that
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class _Help(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's tables as written and shows the defaults that say something."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        quiet = action.default in (None, False, 0, argparse.SUPPRESS) and not isinstance(
            action.default, float
        )
        if action.option_strings and not quiet and "%(default)" not in text:
            text += " (default: %(default)s)"
        return text


PUSH_EPILOG = (
    "columns of the CSV (header names, any order):\n"
    + "\n".join("  " + line for line in _csv.COLUMNS_HELP.strip().splitlines())
    + "\n\nexit codes: 0 every row landed or had nothing to write; 1 some rows failed (see the "
    "report);\n            2 unusable input or arguments, or credentials PowerSchool refuses "
    "(nothing written)"
)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="xte",
        description="PowerSchool XTE tools: push a gradebook CSV, run the local simulator.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    push = sub.add_parser(
        "push",
        help="push a gradebook CSV (one row per score) into PowerSchool",
        description="Create missing assignments and write every score of a long-format CSV,\n"
        "then print a summary and write a JSON report with one outcome per row. The whole\n"
        "file is checked first: any problem is reported by row, field and value, and\n"
        "nothing is written.",
        epilog=PUSH_EPILOG,
        formatter_class=_Help,
    )
    push.add_argument("file", type=Path, help="the CSV file")
    push.add_argument(
        "--simulator",
        action="store_true",
        help="push into an in-process XTE simulator seeded with the demo district",
    )
    push.add_argument("--url", help="PowerSchool base URL (default: $POWERSCHOOL_URL)")
    push.add_argument("--client-id", help="plugin client id (default: $POWERSCHOOL_CLIENT_ID)")
    push.add_argument(
        "--client-secret",
        help="plugin client secret (default: $POWERSCHOOL_CLIENT_SECRET; prefer the variable, "
        "command lines are visible to other users)",
    )
    push.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    push.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and read categories and existing assignments, but write nothing; "
        "the report says what would happen (rosters are not checked: PowerSchool only refuses "
        "a student who is not on a section when the score is written)",
    )
    push.add_argument(
        "--report",
        type=Path,
        help="where to write the per-row JSON report (default: ./<file name>.report.json)",
    )
    push.add_argument("--concurrency", type=int, default=8, help="score PUTs in flight")
    push.add_argument("--chunk-size", type=int, default=50, help="scores per PUT")
    push.add_argument(
        "--max-consecutive-failures",
        type=int,
        default=10,
        metavar="N",
        help="stop sending after N chunks in a row fail for transient reasons (server down); "
        "the rest are reported not sent (0: never stop)",
    )
    push.add_argument(
        "--min-request-interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="pace requests to the district's per-plugin minimum interval (plus ~10%%); off "
        "when not given",
    )
    push.add_argument(
        "-v", "--verbose", action="count", default=0, help="-v logs every request, -vv also aiohttp"
    )

    sim = sub.add_parser(
        "simulate",
        help="run the local XTE simulator",
        description="Serve every XTE operation on 127.0.0.1 from SQLite, seeded with the demo\n"
        "district (or --seed FILE), with optional seeded fault injection. Prints the URL and\n"
        "the plugin credentials; runs until Ctrl-C or SIGTERM. See docs/simulator.md.",
        formatter_class=_Help,
    )
    sim.add_argument("--port", type=int, default=8780, help="port on 127.0.0.1")
    sim.add_argument(
        "--db", help="SQLite file that keeps the state across restarts (default: memory)"
    )
    sim.add_argument(
        "--seed",
        type=Path,
        metavar="DISTRICT.json",
        help="load another district instead of the demo one (the format is in docs/simulator.md)",
    )
    faults = sim.add_argument_group(
        "fault injection (seeded: the same --fault-seed and requests replay the same faults)"
    )
    faults.add_argument(
        "--fault-seed", type=int, default=0, metavar="N", help="seed of the fault draws"
    )
    faults.add_argument(
        "--resubmit",
        type=float,
        default=0.0,
        metavar="P",
        help="412 Resubmit on score PUTs with probability P",
    )
    faults.add_argument(
        "--min-interval",
        type=float,
        default=0.0,
        metavar="S",
        help="per-plugin minimum interval; sooner requests get 429 + Retry-After",
    )
    faults.add_argument(
        "--burst",
        type=float,
        default=0.0,
        metavar="P",
        help="start a burst of 5xx with probability P",
    )
    faults.add_argument(
        "--burst-length", type=int, default=3, metavar="N", help="answers per burst"
    )
    faults.add_argument(
        "--burst-status",
        type=int,
        default=503,
        choices=(500, 502, 503, 504),
        help="status of a burst",
    )
    faults.add_argument(
        "--latency", type=float, default=0.0, metavar="S", help="added latency per request"
    )
    faults.add_argument(
        "--jitter", type=float, default=0.0, metavar="S", help="plus uniform(0, S) seconds"
    )
    faults.add_argument(
        "--drop-before",
        type=float,
        default=0.0,
        metavar="P",
        help="drop the connection before processing",
    )
    faults.add_argument(
        "--drop-after",
        type=float,
        default=0.0,
        metavar="P",
        help="commit a write, then drop the connection",
    )
    faults.add_argument(
        "--timeout-after",
        type=float,
        default=0.0,
        metavar="P",
        help="commit a write, then answer 504 as a gateway that gave up",
    )
    faults.add_argument(
        "--token-max-requests",
        type=int,
        default=None,
        metavar="N",
        help="tokens expire after N requests",
    )
    sim.add_argument(
        "--token-lifetime",
        type=float,
        default=None,
        metavar="S",
        help="token lifetime in seconds (default 30 days)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``xte`` console script."""
    args = _parser().parse_args(argv)
    if args.command == "simulate":
        return _simulate(args)
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


def _simulate(args: argparse.Namespace) -> int:
    from powerschool_xte.testing import FaultPlan, Simulator

    try:
        plan = FaultPlan(
            seed=args.fault_seed,
            resubmit_probability=args.resubmit,
            min_interval=args.min_interval,
            burst_probability=args.burst,
            burst_length=args.burst_length,
            burst_status=args.burst_status,
            latency=args.latency,
            jitter=args.jitter,
            drop_before_probability=args.drop_before,
            drop_after_probability=args.drop_after,
            timeout_after_probability=args.timeout_after,
            token_max_requests=args.token_max_requests,
        )
    except ValueError as err:
        print(f"xte simulate: {err}", file=sys.stderr)
        return EXIT_USAGE
    district = None
    if args.seed is not None:
        try:
            district = json.loads(args.seed.read_text())
        except (OSError, ValueError) as err:
            print(f"xte simulate: cannot read seed {args.seed}: {err}", file=sys.stderr)
            return EXIT_USAGE

    async def serve() -> None:
        extra = {"token_lifetime": args.token_lifetime} if args.token_lifetime else {}
        sim = Simulator(district=district, db_path=args.db or ":memory:", faults=plan, **extra)
        await sim.start(port=args.port)
        print(f"XTE simulator listening on {sim.url}")
        print(f"  client id:     {sim.client_id}")
        print(f"  client secret: {sim.client_secret}   (local simulator credentials)")
        if district is None:
            print("  demo district: teacher users_dcid 1001, term 3601, sections 5001 5002 5003")
        if plan != FaultPlan(seed=args.fault_seed):
            print(f"  faults: {plan}")
        print("Ctrl-C stops it.", flush=True)
        stop = asyncio.Event()
        with contextlib.suppress(NotImplementedError):  # SIGTERM stops it cleanly too
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        try:
            await stop.wait()
        finally:
            await sim.stop()
            sim.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    return EXIT_OK
