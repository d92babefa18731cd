"""How fast applications flow from intake to a listed receipt, on real Kafka and PostgreSQL.

python -m bench.journey [--applications N] [--concurrency C]

Starts intake and notification as processes on fresh databases (servers as the tests find them), posts N
applications with C concurrent clients, and prints throughput and the time from each POST until the
notification API lists its receipt. Bounded in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

from tests import infra
from tests.helpers import application, register_person
from tests.platform import Platform, create_databases, new_run_id

TOLGA = "3426"


async def run(applications: int, concurrency: int) -> None:
    kafka, stop_kafka = infra.kafka()
    pg, stop_pg = infra.postgres()
    zipkin, stop_zipkin = infra.zipkin()
    platform = Platform(
        servers=infra.Servers(kafka_bootstrap=kafka, pg_url=pg, zipkin_url=zipkin),
        run_id=new_run_id(),
        workdir=Path(tempfile.mkdtemp(prefix="forvalt-bench-")),
    )
    try:
        await create_databases(pg, [f"{name}_{platform.run_id}" for name in ("intake", "notification")])
        for name in ("intake", "notification"):
            platform.add(name).start()
        await measure(platform, applications, concurrency)
    finally:
        platform.stop()
        stop_zipkin()
        stop_pg()
        stop_kafka()


async def measure(platform: Platform, applications: int, concurrency: int) -> None:
    intake, notification = platform.services["intake"], platform.services["notification"]
    headers = platform.token(TOLGA)
    person = await asyncio.to_thread(register_person, intake.url, headers, date(1941, 5, 12))
    posted_at: dict[str, float] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(applications):
        queue.put_nowait(i)

    async def poster(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            queue.get_nowait()
            started = time.perf_counter()
            response = await client.post(f"{intake.url}/applications", json=application(person=person))
            response.raise_for_status()
            posted_at[response.json()["case_id"]] = started

    began = time.perf_counter()
    async with httpx.AsyncClient(timeout=30, headers=headers) as client:
        await asyncio.gather(*(poster(client) for _ in range(concurrency)))
        post_seconds = time.perf_counter() - began
        seen_at: dict[str, float] = {}
        deadline = time.perf_counter() + 120
        while len(seen_at) < len(posted_at) and time.perf_counter() < deadline:
            offset = 0
            while True:
                page = (
                    await client.get(f"{notification.url}/notifications", params={"limit": 500, "offset": offset})
                ).json()
                now = time.perf_counter()
                for item in page:
                    if item["case_id"] in posted_at and item["case_id"] not in seen_at:
                        seen_at[item["case_id"]] = now
                if len(page) < 500:
                    break
                offset += 500
            await asyncio.sleep(0.2)
    total_seconds = time.perf_counter() - began
    latencies = sorted(seen_at[c] - posted_at[c] for c in seen_at)
    print(f"applications posted        {len(posted_at)} with {concurrency} clients")
    print(f"intake throughput          {len(posted_at) / post_seconds:.1f} applications/s")
    print(f"receipts listed            {len(seen_at)} of {len(posted_at)} within {total_seconds:.1f} s")
    if latencies:
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
        print(
            f"POST to listed receipt     p50 {statistics.median(latencies):.3f} s   p95 {p95:.3f} s"
            f"   max {latencies[-1]:.3f} s (polling every 0.2 s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=300, choices=range(1, 5001), metavar="N")
    parser.add_argument("--concurrency", type=int, default=8, choices=range(1, 65), metavar="C")
    args = parser.parse_args()
    asyncio.run(run(args.applications, args.concurrency))


if __name__ == "__main__":
    main()
