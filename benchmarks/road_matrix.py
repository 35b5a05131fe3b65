"""Road network benchmarks and Shenzhen scenarios (data (c) OpenStreetMap contributors, ODbL).

    python -m benchmarks.road_matrix scenario      # write scenarios/shenzhen-*.json
    python -m benchmarks.road_matrix matrix        # matrix build: csgraph vs networkx
    python -m benchmarks.road_matrix haversine     # haversine plan checked on roads; calibration

`matrix` builds the free-flow matrix of 200, 1,000 and 3,000 random points of the
Shenzhen extract with dispatch-opt (snap + csgraph Dijkstra from the needed sources, times
and path lengths) and with plain networkx (`single_source_dijkstra` from each source on
the same graph and edge times, then the length of each returned path), several runs each;
reports median seconds, the ratio, and peak memory (tracemalloc: Python allocations incl.
numpy, measured in separate runs because tracing slows Python code). networkx took
0.4, 1.2 and 2.1 s per source here at 200, 1,000 and 3,000 points (it sums the length of
one path per point; docs/benchmarks/road-matrix.json), so above `--nx-full` points it
runs from a random sample of `--nx-sources` sources and its time is scaled to all
sources (the output says how many ran); its cost per source does not depend on the
number of sources.

`haversine` solves the Shenzhen day with the haversine model, then re-times every route
on the road network with the band of each real departure (same stop order, service starts
no earlier than planned) and counts what the haversine plan did not foresee: visits
starting after their window, SLA misses, overtime. It also calibrates the haversine
circuity and speed against the road network (pairs of scenario points over 1 km).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from dispatch_opt.domain import Location
from dispatch_opt.travel.haversine import lat_lon
from dispatch_opt.travel.roads.bands import FREE_FLOW
from dispatch_opt.travel.roads.matrices import RoadPoints, expand, node_paths, road_points
from dispatch_opt.travel.roads.network import RoadNetwork, load_network
from dispatch_opt.travel.roads.snap import main_snapper
from dispatch_opt.travel.roads.speeds import free_flow_kmh

REPO = Path(__file__).resolve().parents[1]
SHENZHEN = Path(
    os.environ.get(
        "DISPATCH_OPT_SHENZHEN_ROADS",
        REPO
        / ".."
        / "shared"
        / "data"
        / "roads"
        / "shenzhen"
        / "shenzhen_overpass_drive_2024-10-06.json",
    )
)
ATTRIBUTION = "roads (c) OpenStreetMap contributors, ODbL 1.0"
MOVE_BEYOND_M = 150.0
"""Scenario points farther than this from the main road network move onto its nearest node."""


# --------------------------------------------------------------------------- scenario


def _moved(location: dict[str, float], network: RoadNetwork) -> dict[str, float]:
    """The location, or its nearest main-network node when farther than MOVE_BEYOND_M."""
    snapped = main_snapper(network).snap(np.array([location["lat"]]), np.array([location["lon"]]))
    if snapped.distance_m[0] <= MOVE_BEYOND_M:
        return location
    node = int(snapped.node[0])
    return {"lat": round(float(network.lat[node]), 6), "lon": round(float(network.lon[node]), 6)}


def shenzhen_scenario(default: dict[str, Any], network: RoadNetwork, graph: str) -> dict[str, Any]:
    """The default day on the Shenzhen road network: far-off points moved onto the roads."""
    doc = json.loads(json.dumps(default))
    doc["name"] = f"shenzhen-day: default day on the Shenzhen road network ({ATTRIBUTION})"
    doc["travel"] = {"model": "road_graph", "graph": graph, "stop_overhead_min": 5}
    for tech in doc["technicians"]:
        tech["start"] = _moved(tech["start"], network)
        if "end" in tech:
            tech["end"] = _moved(tech["end"], network)
    for item in doc["depots"] + doc["tickets"]:
        item["location"] = _moved(item["location"], network)
    return doc


def write_scenarios(out_dir: Path = REPO / "scenarios") -> list[Path]:
    """Write shenzhen-day.json (road_graph, conservative) and shenzhen-day-haversine.json
    (the same points with haversine travel)."""
    network = load_network(SHENZHEN)
    graph = os.path.relpath(SHENZHEN.resolve(), out_dir.resolve())
    default = json.loads((out_dir / "default.json").read_text(encoding="utf-8"))
    day = shenzhen_scenario(default, network, graph)
    haversine = json.loads(json.dumps(day))
    haversine["name"] = day["name"].replace("shenzhen-day:", "shenzhen-day-haversine:")
    haversine["travel"] = default["travel"]
    paths = []
    for name, doc in (("day", day), ("day-haversine", haversine)):
        path = out_dir / f"shenzhen-{name}.json"
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- matrix


def random_points(network: RoadNetwork, n: int, seed: int) -> list[Location]:
    """`n` uniform random points of the extract's box within 300 m of the main network."""
    rng = np.random.default_rng(seed)
    out: list[Location] = []
    snapper = main_snapper(network)
    while len(out) < n:
        lat = rng.uniform(network.lat.min(), network.lat.max(), 2 * n)
        lon = rng.uniform(network.lon.min(), network.lon.max(), 2 * n)
        near = snapper.snap(lat, lon).distance_m < 300
        out += [Location(float(a), float(b)) for a, b in zip(lat[near], lon[near], strict=True)]
    return out[:n]


def ours(network: RoadNetwork, points: list[Location]) -> tuple[np.ndarray, np.ndarray]:
    """dispatch-opt: snap, csgraph Dijkstra from the distinct nodes, expand to points."""
    snapped = main_snapper(network).snap(*lat_lon(points))
    rp = road_points(network, snapped, [str(i) for i in range(len(points))])
    return expand(rp, node_paths(rp, FREE_FLOW))


def plain_networkx(
    network: RoadNetwork, points: list[Location], sources: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """networkx: snap (same KD-tree), then single_source_dijkstra from each given source
    row on edge attribute `time_s`, and the length of each returned path."""
    snapped = main_snapper(network).snap(*lat_lon(points))
    graph, nodes = network.graph, [network.nodes[k] for k in snapped.node]
    seconds = np.full((len(sources), len(points)), np.inf)
    metres = np.full_like(seconds, np.inf)
    for r, i in enumerate(sources.tolist()):
        dist, paths = nx.single_source_dijkstra(graph, nodes[i], weight="time_s")
        for j, target in enumerate(nodes):
            if target in dist:
                path = paths[target]
                seconds[r, j] = dist[target]
                metres[r, j] = sum(
                    min(graph[u][v].values(), key=lambda d: d["time_s"])["length"]
                    for u, v in pairwise(path)
                )
    return seconds, metres


def _set_free_flow_times(network: RoadNetwork) -> None:
    """Edge attribute `time_s` (free flow) for the networkx runs."""
    speeds = free_flow_kmh(network.highway, network.maxspeed)
    seconds = network.length_m / (speeds / 3.6)
    for _, _, data in network.graph.edges(data=True):
        data["time_s"] = float(seconds[data["eid"]])


def _timed(run: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    gc.collect()
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _memory(run: Callable[[], object]) -> float:
    """Peak MB allocated during one call (tracemalloc sees Python and numpy buffers)."""
    gc.collect()
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def bench_matrix(
    sizes: Sequence[int], runs: int, nx_full: int, nx_sources: int, seed: int = 1
) -> list[dict[str, Any]]:
    """Median build seconds of both methods per size, ratio, memory; checks they agree."""
    network = load_network(SHENZHEN)
    _set_free_flow_times(network)
    rng = np.random.default_rng(seed)
    rows = []
    for n in sizes:
        points = random_points(network, n, seed + n)
        ours_s = [_timed(lambda p=points: ours(network, p)) for _ in range(runs)]
        full = n <= nx_full
        sources = np.arange(n) if full else np.sort(rng.choice(n, nx_sources, replace=False))
        nx_runs = runs if full else max(1, runs // 2)
        nx_s = [
            _timed(lambda p=points, s=sources: plain_networkx(network, p, s))
            for _ in range(nx_runs)
        ]
        nx_scaled = [t * n / len(sources) for t in nx_s]
        seconds, metres = ours(network, points)
        ref_s, ref_m = plain_networkx(network, points, sources[:10])
        agree = float(np.abs(seconds[sources[:10]] - ref_s).max())
        ours_peak = _memory(lambda p=points: ours(network, p))
        nx_peak = _memory(lambda p=points, s=sources[:20]: plain_networkx(network, p, s))
        row = {
            "points": n,
            "runs": runs,
            "dispatch_opt_s": statistics.median(ours_s),
            "networkx_s": statistics.median(nx_scaled),
            "networkx_sources_run": len(sources),
            "networkx_runs": nx_runs,
            "ratio": statistics.median(nx_scaled) / statistics.median(ours_s),
            "dispatch_opt_peak_mb": ours_peak,
            "networkx_peak_mb_20_sources": nx_peak,
            "max_abs_diff_s_vs_networkx": agree,
            "max_abs_diff_m_vs_networkx": float(np.abs(metres[sources[:10]] - ref_m).max()),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


# --------------------------------------------------------------------------- haversine


def _problem_road_points(problem: Any) -> tuple[RoadPoints, list[Location]]:
    """Every place of a road_graph problem snapped onto its network (no distance limit)."""
    from dispatch_opt.travel.roads.inputs import open_network, problem_points, snap_points

    points, labels = problem_points(problem)
    network = open_network(problem.travel)
    return road_points(network, snap_points(network, points, labels, 1e9), labels), points


def calibrate(problem: Any) -> dict[str, Any]:
    """Road over straight-line distance, and the speed that makes haversine times match
    road times, over the scenario's point pairs more than 1 km apart (per band)."""
    from dispatch_opt.travel.haversine import great_circle_matrix_m
    from dispatch_opt.travel.roads.bands import day_bands

    rp, points = _problem_road_points(problem)
    lat, lon = lat_lon(points)
    gc_m = great_circle_matrix_m(lat, lon)
    pairs = gc_m > 1000
    out: dict[str, Any] = {"pairs": int(pairs.sum())}
    for band in day_bands(problem.travel.speed_bands):
        seconds, metres = expand(rp, node_paths(rp, band))
        ratio = metres[pairs] / gc_m[pairs]
        speed = 3.6 * np.median(ratio) * gc_m[pairs] / seconds[pairs]
        out[band.name] = {
            "circuity_median": float(np.median(ratio)),
            "circuity_p10": float(np.percentile(ratio, 10)),
            "circuity_p90": float(np.percentile(ratio, 90)),
            "speed_kmh_median": float(np.median(speed)),
        }
    return out


def retime_on_roads(road_problem: Any, plan: Any) -> dict[str, Any]:
    """Re-time a plan's routes on the road network, each leg in its departure band."""
    from dispatch_opt.domain import StopKind
    from dispatch_opt.travel.roads.bands import band_at, day_bands

    rp, _ = _problem_road_points(road_problem)
    bands = day_bands(road_problem.travel.speed_bands)
    by_band = {b.name: expand(rp, node_paths(rp, b))[0] for b in bands}
    index = {lab: i for i, lab in enumerate(rp.labels)}
    techs = {t.id: (i, t) for i, t in enumerate(road_problem.technicians)}
    tickets = {t.id: (i, t) for i, t in enumerate(road_problem.tickets)}
    depots = {d.id: i for i, d in enumerate(road_problem.depots)}
    origin = road_problem.horizon.start
    overhead = road_problem.travel.stop_overhead_min * 60
    late_window = late_sla = sla_kept_planned = 0
    overtime_min = extra_drive_min = 0.0
    for route in plan.routes:
        v, tech = techs[route.technician]
        here, clock = index[f"technicians[{v}].start"], None
        for stop in route.stops:
            if stop.kind is StopKind.START:
                clock = (stop.at - origin).total_seconds()
                continue
            if stop.kind is StopKind.BREAK:
                planned = (stop.start - origin).total_seconds()
                clock = max(clock, planned) + (stop.end - stop.start).total_seconds()
                continue
            if stop.kind is StopKind.END:
                there = index[f"technicians[{v}].end"]
            elif stop.kind is StopKind.DEPOT:
                there = index[f"depots[{depots[stop.id]}].location"]
            else:
                there = index[f"tickets[{tickets[stop.id][0]}].location"]
            local = origin.timestamp() + clock
            minute = ((local + origin.utcoffset().total_seconds()) % 86400) / 60
            drive = by_band[band_at(bands, minute).name][here, there] * tech.speed_factor
            planned_arrival = (stop.arrival or stop.at) - origin
            arrival = clock + drive + (overhead if stop.kind is StopKind.TICKET else 0.0)
            if stop.kind is StopKind.END:
                end_s = (tech.shift.end - origin).total_seconds()
                overtime_min += max(0.0, arrival - end_s - tech.overtime_max_min * 60) / 60
                break
            start = max(arrival, (stop.start - origin).total_seconds())
            extra_drive_min += max(0.0, arrival - planned_arrival.total_seconds()) / 60
            if stop.kind is StopKind.TICKET:
                ticket = tickets[stop.id][1]
                windows = [
                    ((w.start - origin).total_seconds(), (w.end - origin).total_seconds())
                    for w in ticket.time_windows
                ]
                if windows and not any(a <= start <= b + 1 for a, b in windows):
                    late_window += 1
                if ticket.sla_due is not None:
                    due = (ticket.sla_due - origin).total_seconds()
                    kept_before = (stop.start - origin).total_seconds() <= due + 1
                    sla_kept_planned += kept_before
                    late_sla += kept_before and start > due + 1
            clock = start + (stop.end - stop.start).total_seconds()
            here = there
    return {
        "visits": sum(len([s for s in r.stops if s.kind is StopKind.TICKET]) for r in plan.routes),
        "visits_after_their_window": late_window,
        "sla_misses_not_foreseen": int(late_sla),
        "sla_kept_in_plan": int(sla_kept_planned),
        "overtime_beyond_allowed_min": round(overtime_min, 1),
        "arrival_delay_total_min": round(extra_drive_min, 1),
    }


def _solved(problem: Any, time_limit: float) -> tuple[Any, dict[str, Any]]:
    """A deterministic plan and its headline figures, with the validator's verdict."""
    from dispatch_opt.planner import solve_problem
    from dispatch_opt.validate import road_band_check, validate_plan

    plan = solve_problem(problem, time_limit_s=time_limit, deterministic=True)
    report = validate_plan(problem, plan)
    check = road_band_check(problem, plan)
    return plan, {
        "served": plan.kpis.assigned,
        "travel_km": round(plan.kpis.travel_km, 1),
        "travel_min": round(plan.kpis.travel_min, 1),
        "violations": len(report.violations),
        "planned_drive_min": round(check.planned_s / 60, 1),
        "drive_by_departure_band_min": round(check.exact_s / 60, 1),
        "legs_slower_than_planned": check.slower_legs,
    }


def bench_haversine(time_limit: float) -> dict[str, Any]:
    """The Shenzhen day planned three ways (road conservative, road `day` band only,
    haversine), each checked on the roads; and the haversine calibration."""
    from dataclasses import replace

    from dispatch_opt.io import load_problem

    road = load_problem(REPO / "scenarios" / "shenzhen-day.json")
    hav = load_problem(REPO / "scenarios" / "shenzhen-day-haversine.json")
    day_band = road.with_changes(travel=replace(road.travel, solver_band="day"))
    plan, hav_figures = _solved(hav, time_limit)
    result = {
        "road_conservative": _solved(road, time_limit)[1],
        "road_day_band": _solved(day_band, time_limit)[1],
        "haversine_plan": hav_figures,
        "haversine_on_roads": retime_on_roads(road, plan),
        "calibration": calibrate(road),
    }
    print(json.dumps(result, indent=2), flush=True)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["scenario", "matrix", "haversine"])
    parser.add_argument("--sizes", default="200,1000,3000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--nx-full", type=int, default=200, help="networkx from every source")
    parser.add_argument("--nx-sources", type=int, default=100, help="else from this many")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--out", type=Path, default=None, help="write the results JSON here")
    args = parser.parse_args(argv)
    result: Any
    if args.what == "scenario":
        result = [str(p) for p in write_scenarios()]
    elif args.what == "matrix":
        sizes = [int(s) for s in args.sizes.split(",")]
        result = bench_matrix(sizes, args.runs, args.nx_full, args.nx_sources)
    else:
        result = bench_haversine(args.time_limit)
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
