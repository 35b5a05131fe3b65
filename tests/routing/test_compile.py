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
