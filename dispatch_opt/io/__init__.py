"""The io edge: contract-v1 JSON in and out, validated, with every error named by its path."""

from dispatch_opt.io.plan_io import (
    load_plan,
    plan_from_dict,
    plan_to_dict,
    write_json_atomic,
    write_text_atomic,
)
from dispatch_opt.io.problem_io import load_problem, parse_problem, parse_ticket

__all__ = [
    "load_plan",
    "load_problem",
    "parse_problem",
    "parse_ticket",
    "plan_from_dict",
    "plan_to_dict",
    "write_json_atomic",
    "write_text_atomic",
]
