"""Compiling a problem: inputs that contradict themselves are rejected by field."""

from __future__ import annotations

import pytest

from dispatch_opt.errors import InputError
from dispatch_opt.routing.compile import compile_problem
from tests.factories import near, problem, tech


def test_an_end_out_of_reach_of_the_shift_is_an_input_error_naming_it():
    far = tech("T2", end=near(900, 0))
    with pytest.raises(InputError) as err:
        compile_problem(problem([tech("T1"), far], []))
    assert [i.path for i in err.value.issues] == ["technicians[1].end"]
    assert "cannot be reached" in err.value.issues[0].rule


def test_a_reachable_end_compiles():
    assert compile_problem(problem([tech("T1", end=near(5, 0))], [])).instance.n_vehicles == 1


def test_a_driving_limit_below_the_drive_to_the_end_is_an_input_error_naming_it():
    """Even an idle day drives from start to end: a limit below that drive cannot be kept
    (the audit's plan broke it, and the CLI wrote it with exit 1)."""
    homebound = tech("T2", end=near(20, 0), max_travel_min=20.0)
    with pytest.raises(InputError) as err:
        compile_problem(problem([tech("T1"), homebound], []))
    assert [i.path for i in err.value.issues] == ["technicians[1].max_travel_min"]
    assert "drive from start to end" in err.value.issues[0].rule


def test_a_driving_limit_covering_the_drive_to_the_end_compiles():
    homebound = tech("T2", end=near(5, 0), max_travel_min=20.0)
    assert compile_problem(problem([homebound], [])).instance.n_vehicles == 1


def test_a_driving_limit_equal_to_the_drive_to_the_end_compiles():
    homebound = tech("T2", end=near(20, 0), max_travel_min=600.0)
    inst = compile_problem(problem([homebound], [])).instance
    drive = int(inst.drive_block(float(inst.speed_factor[0]), 0, 1))
    exact = tech("T2", end=near(20, 0), max_travel_min=drive / 60)
    assert compile_problem(problem([exact], [])).instance.max_travel_s[0] == drive
    with pytest.raises(InputError):
        compile_problem(problem([tech("T2", end=near(20, 0), max_travel_min=(drive - 1) / 60)], []))
