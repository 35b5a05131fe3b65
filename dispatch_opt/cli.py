"""The `dispatch-opt` command line: solve, validate (and later serve, report, whatif).

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

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from dispatch_opt.errors import DispatchError, InputError

EXIT_OK, EXIT_INVALID_PLAN, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


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
    solve.add_argument("--seed", type=int, help="random seed (default: the problem's, or 0)")
    solve.add_argument(
        "--deterministic",
        action="store_true",
        help="stop on a search-effort limit, not the clock: same plan anywhere",
    )
    solve.add_argument("--quiet", action="store_true", help="print only the KPIs")
    solve.set_defaults(run=_cmd_solve)

    val = sub.add_parser("validate", help="re-check a plan against its problem")
    val.add_argument("problem", type=Path)
    val.add_argument("plan", type=Path)
    val.add_argument("--json", action="store_true", help="print the report as JSON")
    val.set_defaults(run=_cmd_validate)

    from dispatch_opt.replan.cli import register as register_replan

    register_replan(sub)  # replan, slots (issue 8)
    return parser


def _progress_runner(console: Console, limit: float | None) -> tuple[Callable, Callable]:
    """A rich progress line (best objective, elapsed, time left) and its stop function."""
    bar = Progress(
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
    from dispatch_opt.io import load_problem, plan_to_dict, write_json_atomic
    from dispatch_opt.planner import default_time_limit_s, solve_problem
    from dispatch_opt.report.tables import print_plan
    from dispatch_opt.validate import format_report, validate_plan

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
    if not report.ok:
        console.print("[red]The plan breaks a rule (this is a bug, please report it):[/red]")
        console.print(format_report(report))
    if args.out is not None:
        write_json_atomic(args.out, plan_to_dict(plan))
        console.print(f"plan written to {args.out}")
    return EXIT_OK if report.ok else EXIT_INVALID_PLAN


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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    console = Console()
    err = Console(stderr=True)
    try:
        return int(args.run(args, console))
    except InputError as exc:
        err.print("[bold red]input error[/bold red]", highlight=False)
        for issue in exc.issues:
            err.print(f"  {issue}", markup=False, highlight=False)
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
