"""The `replan` and `slots` sub-commands (registered by `dispatch_opt.cli`)."""

from __future__ import annotations

import argparse
import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from dispatch_opt.cli import EXIT_OK, finish_plan, seed_arg
from dispatch_opt.domain.problem import Problem, Ticket
from dispatch_opt.domain.state import NO_STABILITY
from dispatch_opt.errors import InputError, Issue


def register(sub: Any) -> None:
    """Add `replan` and `slots` to the sub-command parser."""
    rp = sub.add_parser("replan", help="re-plan the rest of the day from its state and events")
    rp.add_argument("problem", type=Path, help="problem JSON (with a `state`, or use --plan)")
    rp.add_argument("--plan", type=Path, help="previous plan JSON: the state is read off it")
    rp.add_argument("--now", help="the current moment (RFC 3339), with --plan")
    rp.add_argument("--freeze-min", type=float, default=0.0, dest="freeze_min")
    rp.add_argument("--urgent", type=Path, action="append", default=[],
                    help="a new urgent ticket (ticket JSON)")  # fmt: skip
    rp.add_argument("--overran", action="append", default=[], metavar="TECH:MIN")
    rp.add_argument("--unavailable", action="append", default=[], metavar="TECH")
    rp.add_argument("--part-missing", action="append", default=[], dest="part_missing",
                    metavar="SKU@TECH|SKU@depot:ID")  # fmt: skip
    rp.add_argument("--no-stability", action="store_true", dest="no_stability",
                    help="ignore the previous plan's assignment (churn costs nothing)")  # fmt: skip
    rp.add_argument("--out", type=Path, help="write the plan JSON here")
    rp.add_argument("--time-limit", type=float, dest="time_limit")
    rp.add_argument("--seed", type=seed_arg)
    rp.add_argument("--deterministic", action="store_true")
    rp.set_defaults(run=_cmd_replan)

    sl = sub.add_parser("slots", help="which appointment slots can a new ticket be promised")
    sl.add_argument("problem", type=Path, help="problem JSON (with or without a state)")
    sl.add_argument("plan", type=Path, help="the current plan JSON")
    sl.add_argument("ticket", type=Path, help="the new ticket JSON (its windows are ignored)")
    # defaults (replan.slots) are read when the command runs: building the parser, which
    # every command does, must not load the solver that module imports
    sl.add_argument("--slots", help="hours, e.g. 9-12,13-17")
    sl.add_argument("--days", type=int, help="today and the next days")
    sl.add_argument("--json", action="store_true", help="print the offers as JSON")
    sl.set_defaults(run=_cmd_slots)


def _read_ticket(path: Path) -> Ticket:
    """A ticket document (contract v1 `tickets[]` item) into a domain Ticket."""
    from dispatch_opt.io.problem_io import parse_ticket, read_document_file

    return parse_ticket(read_document_file(path))


def _moment(text: str, field: str) -> datetime:
    """An RFC 3339 moment with an offset, or an input error on `field`."""
    from dispatch_opt.io.schema import parse_moment

    try:
        return parse_moment(text)
    except ValueError as exc:
        raise InputError(Issue(field, str(exc))) from None


def _with_events(problem: Problem, args: argparse.Namespace) -> Problem:
    """Apply the events given on the command line, in a fixed order."""
    from dispatch_opt.replan import events

    for path in args.urgent:
        problem = events.urgent_ticket(problem, _read_ticket(path))
    for item in args.overran:
        tech, _, minutes = item.partition(":")
        try:
            problem = events.job_overran(problem, tech, float(minutes))
        except ValueError:
            raise InputError(Issue("--overran", f"'{item}': use TECH:MINUTES")) from None
    for tech in args.unavailable:
        problem = events.technician_unavailable(problem, tech)
    for item in args.part_missing:
        sku, _, where = item.partition("@")
        if where.startswith("depot:"):
            problem = events.part_not_delivered(problem, sku, depot=where[6:])
        else:
            problem = events.part_not_delivered(problem, sku, technician=where)
    return problem


def _cmd_replan(args: argparse.Namespace, console: Console) -> int:
    """Read the state (or read it off a plan), apply events, re-plan, validate, report."""
    from dispatch_opt.io import load_plan, load_problem
    from dispatch_opt.replan import replan
    from dispatch_opt.replan.from_plan import state_from_plan
    from dispatch_opt.report.tables import print_plan
    from dispatch_opt.validate import plan_issues, validate_plan

    problem = load_problem(args.problem)
    if args.plan is not None:
        if args.now is None:
            raise InputError(Issue("--now", "is required with --plan"))
        previous = load_plan(args.plan)
        now = _moment(args.now, "--now")
        issues = plan_issues(problem, previous, "--plan")
        if issues:
            raise InputError(issues)
        problem = state_from_plan(problem, previous, now, freeze_min=args.freeze_min)
    if problem.state is None:
        raise InputError(Issue("state", "is required (or give --plan and --now)"))
    if args.no_stability:
        state = dataclasses.replace(problem.state, stability=NO_STABILITY)
        problem = dataclasses.replace(problem, state=state)
    problem = _with_events(problem, args)
    plan = replan(
        problem,
        time_limit_s=args.time_limit,
        seed=args.seed,
        deterministic=True if args.deterministic else None,
    )
    report = validate_plan(problem, plan)
    print_plan(problem.with_changes(state=None), plan, console, routes=False)
    churn = plan.churn
    if churn is not None:
        console.print(
            f"churn: {len(churn.reassigned)} reassigned, {len(churn.moved)} moved beyond "
            f"{churn.tolerance_min:g} min; call again: {', '.join(churn.calls) or 'nobody'}"
        )
    return finish_plan(report, plan, args.out, console)


def _cmd_slots(args: argparse.Namespace, console: Console) -> int:
    """Offer slots for a new ticket on top of the current plan."""
    from dispatch_opt.io import load_plan, load_problem
    from dispatch_opt.replan.slots import offer_to_dict, offered_slots, promise_slots

    problem = load_problem(args.problem)
    plan = load_plan(args.plan)
    ticket = _read_ticket(args.ticket)
    if ticket.id in {t.id for t in problem.tickets}:
        raise InputError(Issue("ticket.id", f"ticket '{ticket.id}' already exists"))
    slots = offered_slots(problem, args.slots, args.days, "--slots")
    offers = promise_slots(problem, plan, ticket, slots)
    if args.json:
        console.print_json(json.dumps([offer_to_dict(o) for o in offers]))
        return EXIT_OK
    table = Table(title=f"slots for {ticket.id}")
    for col in ("slot", "status", "technician", "start", "cost", "+travel min", "SLA risk"):
        table.add_column(col)
    for o in offers:
        slot = f"{o.slot.start:%a %H:%M}-{o.slot.end:%H:%M}"
        if o.feasible:
            risk = ", ".join(o.at_risk) or "-"
            table.add_row(slot, o.status, o.technician, f"{o.start:%H:%M}",
                          f"{o.marginal_cost:.1f}", f"{o.extra_travel_min:.1f}", risk)  # fmt: skip
        else:
            table.add_row(slot, o.status, "", "", "", "", o.detail)
    console.print(table)
    return EXIT_OK
