"""What-if scenarios: solve a base problem and named variants of it, and compare the plans.

spec = load_scenario("scenarios/whatif/sick-engineer.json")
result = run_whatif(spec, workers=2, deterministic=True)
print(render_markdown(result))
"""

from dispatch_opt.whatif.compare import Comparison, HandChange
from dispatch_opt.whatif.render import render_markdown, result_to_dict
from dispatch_opt.whatif.result import WhatIfResult, run_whatif
from dispatch_opt.whatif.runner import Outcome
from dispatch_opt.whatif.spec import ScenarioSpec, Variant, load_scenario, parse_scenario

__all__ = [
    "Comparison",
    "HandChange",
    "Outcome",
    "ScenarioSpec",
    "Variant",
    "WhatIfResult",
    "load_scenario",
    "parse_scenario",
    "render_markdown",
    "result_to_dict",
    "run_whatif",
]
