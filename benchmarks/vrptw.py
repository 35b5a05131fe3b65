"""Benchmark dispatch-opt and its peers on VRPTW instances against best-known distances.

    python -m benchmarks.vrptw --instances C101,C201,R101 --budgets 5,30

For each budget and instance every solver runs once (VROOM, which takes no budget, once
per instance); every solution is re-checked in double precision by `vrptw_check`, and an
infeasible or missing one is reported as such. Writes `results.json`, `results.md` and,
with several budgets, `gap_vs_budget.png` to the output folder, then prints the summary.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import platform
import re
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from fnmatch import fnmatch
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.tables import cell
from benchmarks.vrptw_check import check_solution
from benchmarks.vrptw_instance import PeerResult, VrptwData, read_vrptw

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO / ".." / "shared" / "benchmarks" / "vrptw" / "solomon"
OWN = "dispatch-opt-own"
"""dispatch-opt without portfolio members (its own construction and search only)."""
SOLVERS = ("dispatch-opt", OWN, "ortools", "pyvrp", "vroom")
PEER_MODULES = {
    "ortools": ("ortools", "benchmarks.peers.vrptw_plain_ortools"),
    "pyvrp": ("pyvrp", "benchmarks.peers.vrptw_pyvrp"),
    "vroom": ("vroom", "benchmarks.peers.vrptw_vroom"),
}
UNBUDGETED = {"vroom"}
CLASSES = ("C1", "C2", "R1", "R2", "RC1", "RC2")
REFERENCE = "dispatch-opt"

Row = dict[str, Any]
Runner = Callable[[VrptwData, float, int], PeerResult]


# --------------------------------------------------------------------------- arguments


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.vrptw", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder of instance files")
    ap.add_argument("--instances", default="*", help="comma list of names and globs (default all)")
    ap.add_argument("--budgets", default="5", help="comma list of seconds per run")
    ap.add_argument("--solvers", default=",".join(SOLVERS), help="comma list of solvers")
    ap.add_argument("--out", type=Path, default=None, help="output folder")
    ap.add_argument("--deterministic", action="store_true", help="dispatch-opt deterministic")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    args.budgets = [float(b) for b in args.budgets.split(",") if b.strip()]
    args.solvers = [s.strip() for s in args.solvers.split(",") if s.strip()]
    unknown = [s for s in args.solvers if s not in SOLVERS]
    if unknown:
        ap.error(f"unknown solvers {unknown}; choose from {', '.join(SOLVERS)}")
    if args.out is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        args.out = REPO / "benchmarks" / "results" / f"vrptw-{stamp}"
    return args


def find_instances(folder: Path, spec: str) -> list[Path]:
    """Instance files of `folder` matching a comma list of names and globs (`C1*,R201`),
    in the order given, each once."""
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".txt", ".vrp"})
    by_name = {p.stem.lower(): p for p in files}
    found: dict[Path, None] = {}
    missing = []
    for part in (s.strip().lower() for s in spec.split(",") if s.strip()):
        if any(ch in part for ch in "*?["):
            matched = [p for p in files if fnmatch(p.stem.lower(), part)]
        else:
            matched = [by_name[part]] if part in by_name else []
        if not matched:
            missing.append(part)
        found.update(dict.fromkeys(matched))
    if missing:
        raise SystemExit(f"instances not found in {folder}: {', '.join(missing)}")
    return list(found)


# --------------------------------------------------------------------------- best-known


def load_bks(folder: Path) -> dict[str, Any]:
    """bks.json next to the instance folder (or inside it); empty when absent."""
    for candidate in (folder / "bks.json", folder.parent / "bks.json"):
        if candidate.exists():
            return json.loads(candidate.read_text())
    return {}


def best_known(bks: dict[str, Any], name: str) -> tuple[float | None, str | None, bool]:
    """(value, key, fallback): the `_distance` value, else the hierarchical one (marked)."""
    for key, fallback in ((f"{name}_distance", False), (name, True)):
        for k in (key, key.upper(), key.lower()):
            if k in bks:
                return float(bks[k]["best_known_cost"]), k, fallback
    return None, None, False


def instance_class(name: str) -> str:
    """Solomon class (C1, C2, R1, R2, RC1, RC2) of an instance name."""
    match = re.match(r"(RC|R|C)([12])", name.upper())
    return f"{match.group(1)}{match.group(2)}" if match else "other"


# --------------------------------------------------------------------------- solvers


def _dispatch_opt_runner(deterministic: bool, member: str = "auto") -> Runner:
    """dispatch-opt: build the RoutingInstance and solve it (both timed); `member`
    "none" keeps other engines out of the portfolio."""
    from benchmarks.vrptw_instance import build_instance, customer_routes
    from dispatch_opt.solver.portfolio import solve_portfolio
    from dispatch_opt.solver.solve import SolveParams

    def run(data: VrptwData, budget_s: float, seed: int) -> PeerResult:
        started = time.perf_counter()
        inst = build_instance(data)
        built = time.perf_counter() - started
        params = SolveParams(
            time_limit_s=budget_s, seed=seed, deterministic=deterministic, member=member
        )
        result = solve_portfolio(inst, params)
        elapsed = time.perf_counter() - started
        info = {
            "build_s": round(built, 4),
            "engine_status": result.status,
            "first_solution_s": result.first_solution_s,
            "solutions": result.solutions,
            "repaired": len(result.repaired),
        }
        return PeerResult(customer_routes(inst, result.routes), elapsed, "ok", info)

    return run


def make_runner(solver: str, deterministic: bool) -> Runner | str:
    """The solver's run function, or a reason it cannot run ("not installed")."""
    if solver == REFERENCE:
        return _dispatch_opt_runner(deterministic)
    if solver == OWN:
        return _dispatch_opt_runner(deterministic, member="none")
    package, module_name = PEER_MODULES[solver]
    if importlib.util.find_spec(package) is None:
        return "not installed"
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return f"not installed ({exc})"
    return module.solve


def run_solver(runner: Runner, data: VrptwData, budget_s: float, seed: int) -> PeerResult:
    """Run one solver, turning an exception into an error result."""
    started = time.perf_counter()
    try:
        return runner(data, budget_s, seed)
    except Exception as exc:  # a crashing peer must not stop the benchmark
        traceback.print_exc(file=sys.stderr)
        return PeerResult(
            None, time.perf_counter() - started, f"error: {type(exc).__name__}: {exc}"
        )


# --------------------------------------------------------------------------- one run


def make_row(
    data: VrptwData, solver: str, budget: float | None, result: PeerResult, bks: dict
) -> Row:
    """Check a result and record cost, gap, routes, time and feasibility."""
    check = check_solution(data, result.routes)
    value, key, fallback = best_known(bks, data.name)
    cost = check.cost if check.feasible else None
    gap = 100.0 * (cost - value) / value if cost is not None and value else None
    status = result.status
    if result.routes is None and status == "ok":
        status = "no solution"
    elif not check.feasible and result.routes is not None:
        status = "infeasible" if status == "ok" else f"infeasible ({status})"
    return {
        "instance": data.name,
        "class": instance_class(data.name),
        "solver": solver,
        "budget_s": budget,
        "status": status,
        "feasible": check.feasible,
        "cost": None if cost is None else round(cost, 4),
        "bks": value,
        "bks_key": key,
        "bks_fallback": fallback,
        "gap_pct": None if gap is None else round(gap, 4),
        "routes": check.routes_used if result.routes is not None else None,
        "time_s": round(result.time_s, 3),
        "messages": check.messages[:20],
        "info": result.info,
    }


def _progress(row: Row) -> None:
    """One line per run on stderr."""
    budget = "-" if row["budget_s"] is None else f"{row['budget_s']:g}s"
    if row["feasible"]:
        what = f"{row['cost']:.2f} ({_fmt_gap(row['gap_pct'])}) {row['routes']} routes"
    else:
        what = row["status"] + (f": {row['messages'][0]}" if row["messages"] else "")
    print(
        f"[{budget}] {row['instance']:<8} {row['solver']:<12} {what}  {row['time_s']:.1f}s",
        file=sys.stderr,
        flush=True,
    )


def run_all(args: argparse.Namespace, files: list[Path], bks: dict) -> list[Row]:
    """Every solver on every instance and budget (unbudgeted solvers once per instance)."""
    runners = {s: make_runner(s, args.deterministic) for s in args.solvers}
    rows: list[Row] = []
    for b_index, budget in enumerate(args.budgets):
        for path in files:
            data = read_vrptw(path)
            for solver, runner in runners.items():
                unbudgeted = solver in UNBUDGETED
                if unbudgeted and b_index > 0:
                    continue
                if isinstance(runner, str):
                    result = PeerResult(None, 0.0, runner)
                else:
                    result = run_solver(runner, data, budget, args.seed)
                row = make_row(data, solver, None if unbudgeted else budget, result, bks)
                rows.append(row)
                _progress(row)
    return rows


# --------------------------------------------------------------------------- summaries


def rows_for(rows: list[Row], solver: str, budget: float) -> list[Row]:
    """A solver's rows at a budget (an unbudgeted solver's rows count at every budget)."""
    return [r for r in rows if r["solver"] == solver and r["budget_s"] in (budget, None)]


def _gaps(rows: list[Row]) -> list[float]:
    """Gaps of the feasible rows that have a best-known value."""
    return [r["gap_pct"] for r in rows if r["feasible"] and r["gap_pct"] is not None]


def stats(rows: list[Row]) -> dict[str, Any]:
    """Mean/median/worst gap, solved count and mean time of some rows."""
    gaps = _gaps(rows)
    ran = [r for r in rows if not r["status"].startswith("not installed")]
    return {
        "n": len(rows),
        "solved": sum(1 for r in rows if r["feasible"]),
        "mean_gap_pct": statistics.fmean(gaps) if gaps else None,
        "median_gap_pct": statistics.median(gaps) if gaps else None,
        "worst_gap_pct": max(gaps) if gaps else None,
        "mean_time_s": statistics.fmean(r["time_s"] for r in ran) if ran else None,
        "installed": bool(ran),
    }


def gap_ratio(rows: list[Row], solver: str, budget: float) -> tuple[float | None, int]:
    """Mean gap of `solver` over the reference's, on instances both solved; (ratio, count)."""
    mine = {r["instance"]: r for r in rows_for(rows, solver, budget) if r["feasible"]}
    ref = {r["instance"]: r for r in rows_for(rows, REFERENCE, budget) if r["feasible"]}
    common = [i for i in mine if i in ref and mine[i]["gap_pct"] is not None]
    if not common:
        return None, 0
    ref_mean = statistics.fmean(ref[i]["gap_pct"] for i in common)
    mine_mean = statistics.fmean(mine[i]["gap_pct"] for i in common)
    if ref_mean <= 1e-9:
        return None, len(common)
    return mine_mean / ref_mean, len(common)


def summarize(rows: list[Row], solvers: list[str], budgets: list[float]) -> dict[str, Any]:
    """Per budget: overall and per-class statistics per solver, and gap ratios."""
    out: dict[str, Any] = {}
    classes = [c for c in (*CLASSES, "other") if any(r["class"] == c for r in rows)]
    for budget in budgets:
        overall, per_class = {}, {}
        for solver in solvers:
            mine = rows_for(rows, solver, budget)
            overall[solver] = stats(mine)
            ratio, common = gap_ratio(rows, solver, budget) if REFERENCE in solvers else (None, 0)
            overall[solver]["gap_ratio_to_reference"] = ratio
            overall[solver]["ratio_common_instances"] = common
            per_class[solver] = {c: stats([r for r in mine if r["class"] == c]) for c in classes}
        out[f"{budget:g}"] = {"overall": overall, "per_class": per_class}
    return out


# --------------------------------------------------------------------------- markdown


def _fmt_gap(gap: float | None) -> str:
    """A gap in percent with its sign, or a dash."""
    return "-" if gap is None else f"{gap:+.2f}%"


def _cell(row: Row | None) -> str:
    """Per-instance cell: cost (gap) routes, time; or why there is none."""
    if row is None:
        return "-"
    if not row["feasible"]:
        return f"**{row['status']}** ({row['time_s']:.1f}s)"
    return f"{row['cost']:.2f} ({_fmt_gap(row['gap_pct'])}) {row['routes']}r {row['time_s']:.1f}s"


def _header(solvers: list[str]) -> list[str]:
    """Column names, VROOM marked as running without a budget."""
    return [f"{s} (no budget)" if s in UNBUDGETED else s for s in solvers]


def _table(head: list[str], body: list[list[str]]) -> list[str]:
    """A markdown table."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return lines


def _summary_table(summary: dict[str, Any], solvers: list[str]) -> list[str]:
    """Overall table of one budget."""
    body = []
    for s in solvers:
        st = summary["overall"][s]
        if not st["installed"]:
            body.append([s, "not installed", "-", "-", "-", "-", "-"])
            continue
        ratio = st["gap_ratio_to_reference"]
        ratio_txt = "-" if ratio is None else f"{ratio:.2f} (on {st['ratio_common_instances']})"
        body.append([
            s, f"{st['solved']}/{st['n']}", cell(st["mean_gap_pct"]),
            cell(st["median_gap_pct"]), cell(st["worst_gap_pct"]),
            cell(st["mean_time_s"], ".1f"), ratio_txt,
        ])  # fmt: skip
    head = ["solver", "solved", "mean gap %", "median gap %", "worst gap %", "mean time s",
            f"mean gap / {REFERENCE}'s"]  # fmt: skip
    return _table(head, body)


def _class_table(summary: dict[str, Any], solvers: list[str]) -> list[str]:
    """Per-class table of one budget: mean / median gap, solved, mean time."""
    classes = list(summary["per_class"][solvers[0]]) if solvers else []
    body = []
    for c in classes:
        cells = [c]
        for s in solvers:
            st = summary["per_class"][s][c]
            if not st["installed"]:
                cells.append("not installed")
                continue
            cells.append(
                f"{cell(st['mean_gap_pct'])} / {cell(st['median_gap_pct'])} · "
                f"{st['solved']}/{st['n']} · {cell(st['mean_time_s'], '.1f')}s"
            )
        body.append(cells)
    return _table(["class", *_header(solvers)], body)


def _instance_table(rows: list[Row], solvers: list[str], budget: float) -> list[str]:
    """Per-instance table of one budget."""
    names = list(dict.fromkeys(r["instance"] for r in rows))
    body = []
    for name in names:
        first = next(r for r in rows if r["instance"] == name)
        bks = cell(first["bks"]) + (" *" if first["bks_fallback"] else "")
        cells = [name, bks]
        for s in solvers:
            found = [r for r in rows_for(rows, s, budget) if r["instance"] == name]
            cells.append(_cell(found[0] if found else None))
        body.append(cells)
    return _table(["instance", "best-known", *_header(solvers)], body)


def render_markdown(meta: dict[str, Any], rows: list[Row], summary: dict[str, Any]) -> str:
    """The whole report."""
    solvers = meta["solvers"]
    lines = [
        "# VRPTW benchmark: total distance against best-known",
        "",
        f"{meta['date']} · {meta['machine']} · instances: {meta['n_instances']} from "
        f"`{meta['dir']}` · seed {meta['seed']} · dispatch-opt "
        f"{'deterministic' if meta['deterministic'] else 'time-limited'}",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
        "",
        "Gap = (distance - best-known) / best-known, over feasible solutions; best-known is "
        "the `<NAME>_distance` value (pure distance), `*` marks a fallback to the "
        "hierarchical (fewest vehicles first) value. Every solution is re-checked in double "
        "precision; infeasible or missing ones count as unsolved. VROOM takes no budget: it "
        "runs once per instance and its results appear under every budget.",
    ]
    for budget in meta["budgets"]:
        part = summary[f"{budget:g}"]
        lines += ["", f"## Budget {budget:g} s", "", "### Summary", ""]
        lines += _summary_table(part, solvers)
        lines += ["", "### Per class (mean / median gap % · solved · mean time)", ""]
        lines += _class_table(part, solvers)
        lines += ["", "### Per instance (distance (gap) routes time)", ""]
        lines += _instance_table(rows, solvers, budget)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- plot


def plot_gap_vs_budget(summary: dict[str, Any], meta: dict[str, Any], path: Path) -> None:
    """Mean gap against budget per solver; an unbudgeted solver as one point at its time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, ax = plt.subplots(figsize=(7, 4.5))
    budgets = meta["budgets"]
    for solver in meta["solvers"]:
        points = [summary[f"{b:g}"]["overall"][solver] for b in budgets]
        if not points[0]["installed"]:
            continue
        if solver in UNBUDGETED:
            st = points[0]
            if st["mean_gap_pct"] is not None:
                ax.plot(
                    [st["mean_time_s"]], [st["mean_gap_pct"]], "D", label=f"{solver} (own time)"
                )
            continue
        xs = [b for b, st in zip(budgets, points, strict=True) if st["mean_gap_pct"] is not None]
        ys = [st["mean_gap_pct"] for st in points if st["mean_gap_pct"] is not None]
        ax.plot(xs, ys, "o-", label=solver)
    ax.set_xscale("log")
    ax.set_xticks(budgets)
    ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("budget per instance (s)")
    ax.set_ylabel("mean gap to best-known distance (%)")
    ax.set_title(f"VRPTW, {meta['n_instances']} instances (feasible solutions only)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# --------------------------------------------------------------------------- main


def _versions() -> dict[str, str]:
    """Installed versions of every package involved, whichever solvers run (dispatch-opt's
    portfolio may use PyVRP and VROOM as members even when they are not run as peers)."""
    found = {}
    for package in ("dispatch-opt", "ortools", "pyvrp", "pyvroom"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def _machine() -> str:
    """CPU and Python description."""
    return f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}"


def write_outputs(out: Path, meta: dict, rows: list[Row], summary: dict) -> str:
    """results.json, results.md and (several budgets) the plot; returns the markdown."""
    out.mkdir(parents=True, exist_ok=True)
    payload = {"meta": meta, "summary": summary, "rows": rows}
    (out / "results.json").write_text(json.dumps(payload, indent=2, default=str))
    markdown = render_markdown(meta, rows, summary)
    (out / "results.md").write_text(markdown)
    if len(meta["budgets"]) > 1:
        if importlib.util.find_spec("matplotlib") is None:
            print("matplotlib is not installed (pip install '.[bench]'): no plot", file=sys.stderr)
        else:
            plot_gap_vs_budget(summary, meta, out / "gap_vs_budget.png")
    return markdown


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the markdown summary."""
    args = parse_args(argv)
    folder = args.dir.resolve()
    files = find_instances(folder, args.instances)
    if not files:
        raise SystemExit(f"no instances match {args.instances!r} in {folder}")
    bks = load_bks(folder)
    rows = run_all(args, files, bks)
    meta = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "machine": _machine(),
        "dir": str(folder),
        "n_instances": len(files),
        "instances": [p.stem for p in files],
        "budgets": args.budgets,
        "solvers": args.solvers,
        "seed": args.seed,
        "deterministic": args.deterministic,
        "versions": _versions(),
    }
    summary = summarize(rows, args.solvers, args.budgets)
    print(write_outputs(args.out, meta, rows, summary))
    print(f"written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
