"""Closed-loop HTTP load in its own process, so the client does not take the server's CPU in-process.

`python -m bench.load_generator '<json plan>'` prints one JSON line: requests, errors, rps, latency ms.
The plan: `{"base_url", "headers", "method", "paths" (one per client, cycled), "body" (JSON with
"{client}" and "{n}" placeholders in string values, or null), "concurrency", "duration", "warmup"}`.
aiohttp (a NiceGUI dependency) is used because its client costs less CPU per request than httpx.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import aiohttp

from bench.report import distribution


def _body(template: Any, client: int, n: int) -> Any:
    if isinstance(template, dict):
        return {key: _body(value, client, n) for key, value in template.items()}
    if isinstance(template, str):
        return template.replace("{client}", str(client)).replace("{n}", str(n))
    return template


async def run(plan: dict[str, Any]) -> dict[str, Any]:
    concurrency = int(plan["concurrency"])
    paths: list[str] = plan["paths"]
    started = time.perf_counter()
    measure_from = started + float(plan["warmup"])
    stop_at = measure_from + float(plan["duration"])
    latencies: list[float] = []
    errors: dict[str, int] = {}

    async def client(number: int, session: aiohttp.ClientSession) -> None:
        path = paths[number % len(paths)]
        n = 0
        while (begun := time.perf_counter()) < stop_at:
            n += 1
            body = _body(plan.get("body"), number, n)
            try:
                async with session.request(plan["method"], plan["base_url"] + path, json=body) as response:
                    await response.read()
                    status = response.status
            except aiohttp.ClientError as error:
                status = -1
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
            done = time.perf_counter()
            if begun >= measure_from:
                if 200 <= status < 300:
                    latencies.append((done - begun) * 1000)
                elif status != -1:
                    errors[str(status)] = errors.get(str(status), 0) + 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=plan.get("headers") or {}) as session:
        await asyncio.gather(*(client(number, session) for number in range(concurrency)))
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / float(plan["duration"]), 1),
        "latency_ms": distribution(latencies),
    }


def main() -> None:
    plan = json.loads(sys.argv[1])
    try:
        import uvloop

        result = uvloop.run(run(plan))
    except ImportError:
        result = asyncio.run(run(plan))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
