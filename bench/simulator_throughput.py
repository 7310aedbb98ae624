"""How many score PUTs per second the simulator serves, beside a bare aiohttp server.

    uv run python bench/simulator_throughput.py [--requests 6000] [--concurrency 16]

Each server runs in its own process (as `xte simulate` does); the load comes from this process
over loopback with pre-serialized bodies, so the figure is the server's, not the client's. Both
share the machine's 2 cores with the load generator. The bare server parses the JSON body and
answers a constant: the ratio says what the simulator's auth, validation and SQLite upsert cost.
Bounded: a fixed number of requests per case, a 120 s timeout on everything.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import multiprocessing
import socket
import statistics
import time
from typing import Any

import aiohttp
import orjson
from aiohttp import web

from powerschool_xte.testing import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Simulator


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_simulator(port: int, ready: Any) -> None:
    async def main() -> None:
        sim = Simulator()
        await sim.start(port=port)
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def _serve_bare(port: int, ready: Any) -> None:
    async def put(request: web.Request) -> web.Response:
        orjson.loads(await request.read())
        return web.Response(body=b'{"assignment_scores":[]}', content_type="application/json")

    async def token(request: web.Request) -> web.Response:
        await request.read()
        body = b'{"access_token":"bench","token_type":"Bearer","expires_in":"3600"}'
        return web.Response(body=body, content_type="application/json")

    async def main() -> None:
        app = web.Application()
        app.router.add_put("/ws/xte/score", put)
        app.router.add_post("/oauth/access_token", token)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


async def _prepare(url: str) -> tuple[str, list[tuple[int, int]]]:
    """A token and 21 assignment sections of the demo teacher (set-up, not measured)."""
    async with aiohttp.ClientSession() as session:
        basic = base64.b64encode(f"{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}".encode()).decode()
        async with session.post(
            url + "/oauth/access_token",
            data="grant_type=client_credentials",
            headers={"Authorization": f"Basic {basic}"},
        ) as r:
            token = (await r.json())["access_token"]
        asids = []
        for section in (5001, 5002, 5003):
            for n in range(7):
                body = {
                    "_assignmentsections": [
                        {
                            "sectionsdcid": section,
                            "name": f"Bench {n}",
                            "duedate": "2026-09-15",
                            "scoretype": "POINTS",
                            "scoreentrypoints": 10,
                            "_assignmentcategoryassociations": [{"teachercategoryid": 201}],
                        }
                    ]
                }
                async with session.post(
                    url + "/ws/xte/section/assignment/?users_dcid=1001",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                ) as r:
                    assert r.status == 201, await r.text()
                    asids.append((section, orjson.loads(r.headers["AssignmentSectionIds"])[0]))
    return token, asids


def _bodies(asids: list[tuple[int, int]], per_request: int, count: int) -> list[bytes]:
    """Bodies of ``per_request`` distinct (assignment section, enrolled student) pairs."""
    pairs: dict[int, list[tuple[int, int]]] = {}
    for section, asid in asids:
        first = 20001 + (section - 5001) * 28
        pairs.setdefault(section, []).extend((asid, first + k) for k in range(28))
    sections = sorted(pairs)
    out = []
    for i in range(count):
        pool = pairs[sections[i % len(sections)]]
        start = (i * per_request) % len(pool)
        window = (pool * 2)[start : start + per_request]
        scores = [
            {
                "_assignmentsection": {"assignmentsectionid": asid},
                "studentsdcid": student,
                "actualscoreentered": "8.5",
                "actualscorekind": "REAL_SCORE",
                "scoretype": "POINTS",
                "scorepoints": 8.5,
            }
            for asid, student in window
        ]
        out.append(orjson.dumps({"assignment_scores": scores}))
    return out


async def _load(url: str, token: str, bodies: list[bytes], concurrency: int) -> float:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    target = url + "/ws/xte/score?users_dcid=1001&status=A&term_id=3601"
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for b in bodies:
        queue.put_nowait(b)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                async with session.put(target, data=body, headers=headers) as r:
                    await r.read()
                    assert r.status == 200, r.status

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(bodies) / (time.perf_counter() - start)


def _start(target: Any) -> tuple[Any, str]:
    port = _free_port()
    ready = multiprocessing.Event()
    proc = multiprocessing.Process(target=target, args=(port, ready), daemon=True)
    proc.start()
    if not ready.wait(30):
        raise SystemExit("server did not start")
    return proc, f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sim_proc, sim_url = _start(_serve_simulator)
    bare_proc, bare_url = _start(_serve_bare)
    try:
        token, asids = asyncio.run(asyncio.wait_for(_prepare(sim_url), 60))
        print(
            f"{args.requests} PUT /ws/xte/score per run, concurrency {args.concurrency}, best of {args.runs}"
        )
        print(
            f"{'scores/request':>15} {'simulator req/s':>16} {'bare aiohttp req/s':>19} {'ratio':>6} {'sim scores/s':>13}"
        )
        for per_request in (1, 10, 50):
            bodies = _bodies(asids, per_request, args.requests)
            sim_rates, bare_rates = [], []
            for _ in range(args.runs):
                sim_rates.append(
                    asyncio.run(
                        asyncio.wait_for(_load(sim_url, token, bodies, args.concurrency), 120)
                    )
                )
                bare_rates.append(
                    asyncio.run(
                        asyncio.wait_for(_load(bare_url, token, bodies, args.concurrency), 120)
                    )
                )
            sim_best, bare_best = max(sim_rates), max(bare_rates)
            print(
                f"{per_request:>15} {sim_best:>16.0f} {bare_best:>19.0f} {sim_best / bare_best:>6.2f}"
                f" {sim_best * per_request:>13.0f}   (median sim {statistics.median(sim_rates):.0f})"
            )
    finally:
        sim_proc.terminate()
        bare_proc.terminate()


if __name__ == "__main__":
    main()
