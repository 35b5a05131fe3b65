"""Prometheus metrics: requests, solve durations, jobs by state, queue length.

One registry per app (tests build several apps in one process); job gauges are read from
the store at scrape time, so they are right after a restart too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _JobCollector(Collector):
    """Jobs by state and the queue length, counted in the store when scraped."""

    def __init__(self, counts: Callable[[], dict[str, int]], busy: Callable[[], int]) -> None:
        self._counts, self._busy = counts, busy

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield the job gauges."""
        counts = self._counts()
        by_state = GaugeMetricFamily(
            "dispatch_jobs", "Jobs in the store by state", labels=["state"]
        )
        for state, n in counts.items():
            by_state.add_metric([state], n)
        yield by_state
        yield GaugeMetricFamily(
            "dispatch_job_queue_length", "Jobs waiting for a worker", value=counts["queued"]
        )
        yield GaugeMetricFamily(
            "dispatch_job_workers_busy", "Worker slots solving now", value=self._busy()
        )


class ApiMetrics:
    """The service's metrics and their text rendering."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "dispatch_http_requests",
            "HTTP requests by method, route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "dispatch_http_request_duration_seconds",
            "HTTP request duration by route",
            ["route"],
            registry=self.registry,
        )
        self.solve_seconds = Histogram(
            "dispatch_solve_duration_seconds",
            "Wall time of solves (sync requests and jobs)",
            ["kind"],
            buckets=(0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, float("inf")),
            registry=self.registry,
        )

    def watch_jobs(self, counts: Callable[[], dict[str, int]], busy: Callable[[], int]) -> None:
        """Add the job gauges, read through `counts` and `busy` at scrape time."""
        self.registry.register(_JobCollector(counts, busy))

    def observe_solve(self, kind: str, seconds: float) -> None:
        """Record one finished solve."""
        self.solve_seconds.labels(kind).observe(seconds)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one HTTP request."""
        self.requests.labels(method, route, str(status)).inc()
        self.request_seconds.labels(route).observe(seconds)

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)
