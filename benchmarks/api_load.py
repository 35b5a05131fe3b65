"""API load benchmark: small batches from concurrent clients against the real server.

    python -m benchmarks.api_load [--clients 4] [--duration 60] [--tickets 40]
        [--technicians 6] [--time-limit 1] [--mode sync|jobs] [--workers N] [--url URL]

Starts `dispatch-opt serve` on a free loopback port (a fresh SQLite file in a temporary
folder) unless --url points at a running server. Each client loops for --duration
seconds: a generated problem (seeded, a different seed each request) is POSTed to
/v1/solve (sync mode) or submitted to /v1/jobs and polled until done (jobs mode). Every
returned plan goes through the validator. Prints p50/p95/max latency, throughput and the
errors by status; a benchmark, not a test: nothing here asserts speed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import httpx

from benchmarks.generate import generate_problem
from dispatch_opt.io import parse_problem, plan_from_dict, write_json_atomic
from dispatch_opt.validate import validate_plan

ROOT = Path(__file__).resolve().parents[1]


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    p.add_argument("--tickets", type=int, default=40)
    p.add_argument("--technicians", type=int, default=6)
    p.add_argument("--time-limit", type=float, default=1.0, dest="time_limit")
    p.add_argument("--mode", choices=("sync", "jobs"), default="sync")
    p.add_argument("--workers", type=int, help="server job/sync solver processes")
    p.add_argument("--url", help="use a running server instead of starting one")
    p.add_argument("--json", type=Path, help="also write the figures here")
    return p.parse_args(argv)


def _free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(folder: Path, workers: int | None) -> tuple[subprocess.Popen, str]:
    """`dispatch-opt serve` in a subprocess; returns it and its base URL once ready."""
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "DISPATCH_API_DB_PATH": str(folder / "jobs.sqlite3"),
        "DISPATCH_API_CLIENT_MAX_INFLIGHT": "64",
        "DISPATCH_API_CLIENT_MAX_ACTIVE_JOBS": "10000",
    }
    cmd = [sys.executable, "-m", "dispatch_opt.cli", "serve", "--port", str(port)]
    if workers:
        cmd += ["--workers", str(workers)]
    with (folder / "server.log").open("wb") as log:  # the server keeps its own descriptor
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {(folder / 'server.log').read_text()}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server not ready after 30 s")


class _Tally:
    """Latencies and errors from every client thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self.invalid = 0

    def ok(self, seconds: float, valid: bool) -> None:
        """One answered request."""
        with self.lock:
            self.latencies.append(seconds)
            self.invalid += not valid

    def error(self, what: str) -> None:
        """One failed request."""
        with self.lock:
            self.errors[what] += 1


def _one(client: httpx.Client, mode: str, doc: dict) -> tuple[int, dict | str]:
    """Solve `doc` through the API; (status, plan or error text)."""
    if mode == "sync":
        resp = client.post("/v1/solve", json=doc)
        return resp.status_code, resp.json() if resp.status_code == 200 else resp.text
    resp = client.post("/v1/jobs", json=doc)
    if resp.status_code != 202:
        return resp.status_code, resp.text
    job_id = resp.json()["id"]
    while True:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["state"] == "done":
            return 200, client.get(f"/v1/jobs/{job_id}/plan").json()
        if job["state"] in ("failed", "cancelled"):
            return 500, json.dumps(job["error"])
        time.sleep(0.05)


def _client(base: str, args: argparse.Namespace, k: int, until: float, tally: _Tally) -> None:
    """One client's loop."""
    seed = 1000 * k
    with httpx.Client(base_url=base, timeout=120) as client:
        while time.monotonic() < until:
            seed += 1
            doc = generate_problem(
                tickets=args.tickets,
                technicians=args.technicians,
                seed=seed,
                time_limit_s=args.time_limit,
            )
            started = time.perf_counter()
            try:
                status, answer = _one(client, args.mode, doc)
            except httpx.HTTPError as exc:
                tally.error(type(exc).__name__)
                continue
            elapsed = time.perf_counter() - started
            if status != 200 or not isinstance(answer, dict):
                tally.error(str(status))
                continue
            report = validate_plan(parse_problem(doc), plan_from_dict(answer))
            tally.ok(elapsed, report.ok)


def _pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of `values`."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load and print the figures."""
    args = _parse_args(argv)
    proc = None
    with tempfile.TemporaryDirectory() as tmp:
        base = args.url
        if base is None:
            proc, base = _start_server(Path(tmp), args.workers)
        try:
            tally = _Tally()
            until = time.monotonic() + args.duration
            started = time.perf_counter()
            threads = [
                threading.Thread(target=_client, args=(base, args, k, until, tally))
                for k in range(args.clients)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
    lat = sorted(tally.latencies)
    figures = {
        "mode": args.mode,
        "clients": args.clients,
        "tickets": args.tickets,
        "technicians": args.technicians,
        "time_limit_s": args.time_limit,
        "cores": os.cpu_count(),
        "wall_s": round(wall, 1),
        "requests_ok": len(lat),
        "invalid_plans": tally.invalid,
        "errors": dict(tally.errors),
        "throughput_per_s": round(len(lat) / wall, 2),
        "p50_s": round(_pct(lat, 0.50), 3) if lat else None,
        "p95_s": round(_pct(lat, 0.95), 3) if lat else None,
        "max_s": round(lat[-1], 3) if lat else None,
    }
    print(json.dumps(figures, indent=2))
    if args.json is not None:
        write_json_atomic(args.json, figures)
    return 0 if not tally.errors and not tally.invalid else 1


if __name__ == "__main__":
    sys.exit(main())
