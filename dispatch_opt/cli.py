"""The `dispatch-opt` command line: solve, validate, report, whatif, serve.

Exit codes: 0 done; 1 the plan breaks a rule (validate); 2 bad input (a message naming
the field and the rule, nothing written); 3 an internal error (never a traceback unless
--debug).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from dispatch_opt.errors import DispatchError, InputError, Issue

if TYPE_CHECKING:
    from dispatch_opt.domain import Plan, Problem
    from dispatch_opt.validate import ValidationReport

EXIT_OK, EXIT_INVALID_PLAN, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

ISSUES_SHOWN = 20
"""Input issues printed before the rest are counted: a matrix keyed by the wrong ids
gives one issue per key, and 300 lines bury the first, which usually says it all."""


def _parser() -> argparse.ArgumentParser:
    """Argument parser with one sub-command per job."""
    parser = argparse.ArgumentParser(
        prog="dispatch-opt",
        description="Technician dispatch optimizer: tickets and technicians in, a plan out.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)

    solve = sub.add_parser("solve", help="plan a problem file (contract v1 JSON)")
    solve.add_argument("problem", type=Path, help="problem JSON file")
    solve.add_argument("--out", type=Path, help="write the plan JSON here")
    solve.add_argument(
        "--time-limit",
        type=float,
        dest="time_limit",
        help="seconds for the whole answer (default: the problem's, or by size)",
    )
    solve.add_argument("--seed", type=seed_arg, help="random seed (default: the problem's, or 0)")
    solve.add_argument(
        "--deterministic",
        action="store_true",
        help="stop on a search-effort limit, not the clock: same plan anywhere",
    )
    solve.add_argument("--quiet", action="store_true", help="print only the KPIs")
    _view_options(solve, "--report")
    solve.set_defaults(run=_cmd_solve)

    val = sub.add_parser("validate", help="re-check a plan against its problem")
    val.add_argument("problem", type=Path)
    val.add_argument("plan", type=Path)
    val.add_argument("--json", action="store_true", help="print the report as JSON")
    val.set_defaults(run=_cmd_validate)

    rep = sub.add_parser("report", help="write the dispatcher views (HTML map and board)")
    rep.add_argument("problem", type=Path)
    rep.add_argument("plan", type=Path)
    _view_options(rep, "--out")
    rep.set_defaults(run=_cmd_report)

    serve = sub.add_parser("serve", help="run the HTTP API (needs the [api] extra)")
    serve.add_argument("--host", help="interface (default 127.0.0.1 or DISPATCH_API_HOST)")
    serve.add_argument("--port", type=int, help="TCP port (default 8000 or DISPATCH_API_PORT)")
    serve.add_argument(
        "--workers", type=int, help="solver processes for jobs (default: one per core)"
    )
    serve.set_defaults(run=_cmd_serve)
    _add_whatif(sub)

    from dispatch_opt.replan.cli import register as register_replan

    register_replan(sub)  # replan, slots (issue 8)
    return parser


def _view_options(parser: argparse.ArgumentParser, html_flag: str) -> None:
    """Options that write the HTML report and the GeoJSON export."""
    parser.add_argument(
        html_flag,
        type=Path,
        dest="report",
        metavar="FILE.html",
        help="write the HTML report (map, schedule board, KPIs, unassigned) here",
    )
    parser.add_argument(
        "--geojson", type=Path, metavar="FILE.geojson", help="write the routes as GeoJSON here"
    )
    parser.add_argument("--title", help="title of the HTML report")


def _write_views(args: argparse.Namespace, problem: Problem, plan: Plan, console: Console) -> None:
    """Write the views the options ask for and say where."""
    from dispatch_opt.report.files import write_views

    for path in write_views(
        problem, plan, html=args.report, geojson=args.geojson, title=args.title
    ):
        console.print(f"view written to {path}", markup=False, highlight=False, soft_wrap=True)


def _positive(kind: type) -> Callable[[str], float]:
    """An argparse type accepting only numbers above zero."""

    def parse(text: str) -> float:
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value

    return parse


def seed_arg(text: str) -> int:
    """An argparse type for `--seed`: an integer from 0 to 2^32 - 1, as in the contract."""
    from dispatch_opt.domain.problem import SEED_LIMIT

    value = int(text)
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"must be from 0 to {SEED_LIMIT - 1}, got {text}")
    return value


def _add_whatif(sub) -> None:
    """The `whatif` sub-command: a base problem and variants, solved and compared."""
    wi = sub.add_parser("whatif", help="solve a scenario's base and variants, compare the plans")
    wi.add_argument("scenario", type=Path, help="scenario JSON file (see README)")
    wi.add_argument("--out", type=Path, required=True, help="folder for plans and comparison")
    wi.add_argument(
        "--deterministic",
        action="store_true",
        help="stop each solve on an effort limit, not the clock: same comparison anywhere",
    )
    wi.add_argument(
        "--from-base",
        action="store_true",
        dest="from_base",
        help="start each variant's search from the base plan (default: all from scratch)",
    )
    wi.add_argument(
        "--workers", type=_positive(int), help="CPU processes in all (default: every core)"
    )
    wi.add_argument(
        "--time-limit",
        type=_positive(float),
        dest="time_limit",
        help="seconds per solve (default: the scenario's, or each problem's)",
    )
    wi.set_defaults(run=_cmd_whatif)


def _cmd_whatif(args: argparse.Namespace, console: Console) -> int:
    """Run a what-if scenario (see dispatch_opt.whatif.command)."""
    from dispatch_opt.whatif.command import cmd_whatif

    return cmd_whatif(args, console)


def _progress_runner(console: Console, limit: float | None) -> tuple[Callable, Callable]:
    """A rich progress line (elapsed, best objective, time left) and its stop function."""
    bar = Progress(
        TimeElapsedColumn(),
        TextColumn("[bold]searching[/bold] {task.description}"),
        BarColumn(),
        TimeRemainingColumn(elapsed_when_finished=True),
        console=console,
        transient=True,
    )
    total = limit or 1.0
    task = bar.add_task("", total=total)
    started = time.perf_counter()
    done = threading.Event()

    def tick() -> None:
        while not done.wait(0.2):
            bar.update(task, completed=min(total, time.perf_counter() - started))

    def on_progress(p) -> None:
        bar.update(task, description=f"best objective {p.objective:,}  solutions {p.solutions}")

    def stop() -> None:
        done.set()
        bar.stop()

    bar.start()
    threading.Thread(target=tick, daemon=True).start()
    return on_progress, stop


def _cmd_solve(args: argparse.Namespace, console: Console) -> int:
    """Load, plan, validate, print and write."""
    from dispatch_opt.io import load_problem
    from dispatch_opt.planner import default_time_limit_s, solve_problem
    from dispatch_opt.report.tables import print_plan
    from dispatch_opt.validate import validate_plan

    started = time.perf_counter()
    problem = load_problem(args.problem)
    limit = args.time_limit or problem.solve.time_limit_s or default_time_limit_s(problem)
    show = console.is_terminal and not args.quiet
    on_progress, stop = _progress_runner(console, limit) if show else (None, lambda: None)
    try:
        plan = solve_problem(
            problem,
            time_limit_s=limit,
            seed=args.seed,
            deterministic=True if args.deterministic else None,
            progress=on_progress,
            started=started,
        )
    finally:
        stop()
    report = validate_plan(problem, plan)
    print_plan(problem, plan, console, routes=not args.quiet)
    code = finish_plan(report, plan, args.out, console)
    if report.ok:  # a plan that breaks a rule gets no dispatcher views either
        _write_views(args, problem, plan, console)
    return code


def finish_plan(report: ValidationReport, plan: Plan, out: Path | None, console: Console) -> int:
    """After a solve: show the validator's report if a rule is broken, write the plan
    when asked, and give the exit code (shared by solve and replan). A plan that breaks a
    rule never goes to `out` (a caller could act on it; `out` is left as it was): it is
    kept beside it, as `invalid_plan_path(out)`, for the bug report."""
    from dispatch_opt.io import plan_to_dict, write_json_atomic
    from dispatch_opt.validate import format_report

    if not report.ok:
        console.print("[red]The plan breaks a rule (this is a bug, please report it):[/red]")
        console.print(format_report(report))
    if out is not None:
        target = out if report.ok else invalid_plan_path(out)
        write_json_atomic(target, plan_to_dict(plan))
        console.print(
            f"plan written to {out}"
            if report.ok
            else f"plan NOT written to {out}; kept for the bug report in {target}"
        )
    return EXIT_OK if report.ok else EXIT_INVALID_PLAN


def invalid_plan_path(out: Path) -> Path:
    """Where a plan that breaks a rule is kept instead of `out`: `<stem>.invalid<suffix>`
    beside it (plan.json -> plan.invalid.json)."""
    return out.with_name(f"{out.stem}.invalid{out.suffix}")


def _cmd_validate(args: argparse.Namespace, console: Console) -> int:
    """Validate a plan file against a problem file."""
    import json

    from dispatch_opt.io import load_plan, load_problem
    from dispatch_opt.validate import format_report, validate_plan

    problem = load_problem(args.problem)
    plan = load_plan(args.plan)
    report = validate_plan(problem, plan)
    if args.json:
        console.print_json(json.dumps(report.to_dict()))
    else:
        console.print(format_report(report), markup=False, highlight=False)
    return EXIT_OK if report.ok else EXIT_INVALID_PLAN


def _cmd_report(args: argparse.Namespace, console: Console) -> int:
    """Write the HTML report and/or the GeoJSON of a plan file."""
    from dispatch_opt.io import load_plan, load_problem

    if args.report is None and args.geojson is None:
        raise InputError(Issue("", "report needs --out FILE.html and/or --geojson FILE"))
    problem = load_problem(args.problem)
    plan = load_plan(args.plan)
    _write_views(args, problem, plan, console)
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace, console: Console) -> int:
    """Start the HTTP API; FastAPI is imported only here, so the CLI works without it."""
    try:
        from api.server import ServeError, serve
        from api.settings import ApiSettings
    except ImportError as exc:
        console.print(f"the HTTP API needs its extra: pip install 'dispatch-opt[api]' ({exc})")
        return EXIT_INTERNAL
    given = {"host": args.host, "port": args.port, "workers": args.workers}
    try:
        settings = ApiSettings(**{k: v for k, v in given.items() if v is not None})
    except ValueError as exc:  # pydantic's ValidationError: a bad option or env var
        console.print(f"bad setting: {exc}", markup=False, highlight=False)
        return EXIT_INPUT
    try:
        serve(settings)
    except ServeError as exc:
        console.print(f"cannot serve: {exc}", markup=False, highlight=False)
        return EXIT_INPUT
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    console = Console()
    err = Console(stderr=True)
    try:
        return int(args.run(args, console))
    except InputError as exc:
        err.print("[bold red]input error[/bold red]", highlight=False)
        shown = exc.issues if args.debug else exc.issues[:ISSUES_SHOWN]
        for issue in shown:
            err.print(f"  {issue}", markup=False, highlight=False)
        if len(shown) < len(exc.issues):
            more = len(exc.issues) - len(shown)
            err.print(f"  ... and {more} more (--debug lists them all)", highlight=False)
        return EXIT_INPUT
    except (DispatchError, OSError) as exc:
        if args.debug:
            raise
        err.print(f"[bold red]error:[/bold red] {exc}", markup=False, highlight=False)
        return EXIT_INPUT if isinstance(exc, OSError) else EXIT_INTERNAL
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as exc:  # the last line of defence: a message, not a traceback
        if args.debug:
            raise
        err.print(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug)",
            markup=False,
            highlight=False,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
