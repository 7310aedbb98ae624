"""The ``xte`` command line: arguments, help texts, exit codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from powerschool_xte.cli import _csv

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


def build_parser() -> argparse.ArgumentParser:
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
