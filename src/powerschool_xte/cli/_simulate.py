"""``xte simulate``: run the local XTE simulator until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys

from powerschool_xte.cli._args import EXIT_OK, EXIT_USAGE


def simulate(args: argparse.Namespace) -> int:
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
