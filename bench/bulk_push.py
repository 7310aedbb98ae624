"""The SDK's bulk score writer beside hand-written aiohttp PUTs, and its memory on long inputs.

    uv run python bench/bulk_push.py [--jobs 10] [--concurrency 8] [--chunk-size 50]

1. Throughput: the same scores (21 assignments x 28 students per job) written to one simulator
   process by `helpers.put_scores` (models, cattrs + orjson, token, retry bookkeeping, 409
   isolation) and by bare aiohttp with bodies serialized beforehand. The ratio is the SDK's cost.
2. Memory: `streaming_put_scores` fed by a generator against a bare server, 10,000 and 100,000
   scores; tracemalloc peak for each. The input is pulled lazily; what grows is the set of keys
   kept to refuse a duplicate (about 100 bytes a score).
Bounded: fixed request counts, 300 s timeout per case.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import tracemalloc
from collections.abc import Iterator

import aiohttp
from simulator_throughput import _bodies, _prepare, _serve_bare, _serve_simulator, _start

from powerschool_xte import XTEClient, models
from powerschool_xte.helpers import ScoreItem, put_scores, streaming_put_scores
from powerschool_xte.testing import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET


def _items(asids: list[tuple[int, int]], points: float) -> list[ScoreItem]:
    out = []
    for section, asid in asids:
        first = 20001 + (section - 5001) * 28
        for student in range(first, first + 28):
            out.append(
                ScoreItem(
                    models.AssignmentScoreWrite(
                        assignmentsection=models.AssignmentSectionRef(assignmentsectionid=asid),
                        studentsdcid=student,
                        actualscoreentered=f"{points:g}",
                        actualscorekind=models.ActualScoreKind.REAL_SCORE,
                        scoretype=models.ScoreType.POINTS,
                        scorepoints=points,
                    ),
                    users_dcid=1001,
                    term_id=3601,
                )
            )
    return out


async def _sdk(
    url: str, asids: list[tuple[int, int]], jobs: int, concurrency: int, chunk: int
) -> float:
    async with XTEClient(url, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, users_dcid=1001) as xte:
        await xte.teacher_categories.list(year_id=36)  # token outside the timing
        batches = [_items(asids, 5 + j % 5) for j in range(jobs)]
        start = time.perf_counter()
        written = 0
        for batch in batches:
            result = await put_scores(xte, batch, chunk_size=chunk, concurrency=concurrency)
            assert not result.failed, result.failed[:1]
            written += result.succeeded
        return written / (time.perf_counter() - start)


async def _raw(url: str, token: str, bodies: list[bytes], concurrency: int, scores: int) -> float:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    target = url + "/ws/xte/score?users_dcid=1001&status=A&term_id=3601"
    sem = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as session:

        async def put(body: bytes) -> None:
            async with sem, session.put(target, data=body, headers=headers) as r:
                await r.read()
                assert r.status == 200

        start = time.perf_counter()
        await asyncio.gather(*(put(b) for b in bodies))
        return scores / (time.perf_counter() - start)


def _synthetic(n: int) -> Iterator[ScoreItem]:
    for i in range(n):
        yield ScoreItem(
            models.AssignmentScoreWrite(
                assignmentsection=models.AssignmentSectionRef(
                    assignmentsectionid=1_000_000 + i // 30
                ),
                studentsdcid=20_000 + i % 30,
                actualscoreentered="7",
                scorepoints=7.0,
            ),
            users_dcid=1001,
            term_id=3601,
        )


async def _memory(bare_url: str, n: int, concurrency: int, chunk: int) -> tuple[int, float]:
    async with XTEClient(bare_url, "bench", "bench", users_dcid=1001) as xte:
        tracemalloc.start()
        start = time.perf_counter()
        count = 0
        async for outcome in streaming_put_scores(
            xte, _synthetic(n), chunk_size=chunk, concurrency=concurrency
        ):
            assert outcome.ok
            count += 1
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert count == n
    return peak, n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--chunk-size", type=int, default=50)
    args = parser.parse_args()
    sim_proc, sim_url = _start(_serve_simulator)
    bare_proc, bare_url = _start(_serve_bare)
    try:
        token, asids = asyncio.run(asyncio.wait_for(_prepare(sim_url), 60))
        per_job = len(asids) * 28
        scores = per_job * args.jobs
        bodies = _bodies(asids, args.chunk_size, -(-scores // args.chunk_size))
        sdk = asyncio.run(
            asyncio.wait_for(
                _sdk(sim_url, asids, args.jobs, args.concurrency, args.chunk_size), 300
            )
        )
        raw = asyncio.run(
            asyncio.wait_for(
                _raw(sim_url, token, bodies, args.concurrency, len(bodies) * args.chunk_size), 300
            )
        )
        print(
            f"throughput: {scores} scores, chunks of {args.chunk_size}, {args.concurrency} in flight, simulator in its own process"
        )
        print(f"  SDK put_scores        {sdk:>9.0f} scores/s")
        print(f"  bare aiohttp PUTs     {raw:>9.0f} scores/s")
        print(f"  ratio SDK / bare      {sdk / raw:>9.2f}")
        small_peak, small_rate = asyncio.run(
            asyncio.wait_for(_memory(bare_url, 10_000, args.concurrency, args.chunk_size), 300)
        )
        big_peak, big_rate = asyncio.run(
            asyncio.wait_for(_memory(bare_url, 100_000, args.concurrency, args.chunk_size), 300)
        )
        print("memory: streaming_put_scores from a generator, bare server (tracemalloc peak)")
        print(f"  10,000 scores   {small_peak / 1e6:>7.1f} MB   {small_rate:>8.0f} scores/s")
        print(f"  100,000 scores  {big_peak / 1e6:>7.1f} MB   {big_rate:>8.0f} scores/s")
        print(f"  ratio 100k/10k  {big_peak / small_peak:>7.2f}  (input x10)")
    finally:
        sim_proc.terminate()
        bare_proc.terminate()


if __name__ == "__main__":
    main()
