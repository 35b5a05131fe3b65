"""Each what-if change: what it does to the problem, and the error it gives on bad input."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dispatch_opt.domain import Location, Priority, TravelModel, TravelSpec
from dispatch_opt.errors import InputError
from dispatch_opt.whatif.changes import (
    AddTechnicians,
    AddTickets,
    ChangeObjective,
    ChangeShifts,
    CloseDepot,
    Holder,
    MoveStock,
    NewTechnician,
    RemoveTechnicians,
    SetTimeLimit,
)
from tests.factories import at, win
from tests.whatif.helpers import tiny


def issue_of(exc: pytest.ExceptionInfo[InputError]) -> str:
    """The single issue of an input error, as `path: rule`."""
    assert len(exc.value.issues) == 1
    return str(exc.value.issues[0])


# --------------------------------------------------------------------------- remove


def test_remove_technicians_drops_them_and_frees_their_tickets():
    base = tiny()
    after = RemoveTechnicians(("T1",)).apply(base)
    assert [t.id for t in after.technicians] == ["T2", "T3"]
    a, b, c = after.ticket("A"), after.ticket("B"), after.ticket("C")
    assert a.pinned_technician is None  # its engineer is sick: anyone qualified may go
    assert b.preferred_technicians == ("T2",)
    assert c.excluded_technicians == ()
    assert base.ticket("A").pinned_technician == "T1"  # the base is untouched


def test_remove_unknown_technician_names_the_field():
    with pytest.raises(InputError) as exc:
        RemoveTechnicians(("T2", "T99")).apply(tiny())
    assert issue_of(exc) == "technicians[1]: unknown technician T99"


def test_remove_every_technician_is_an_error():
    with pytest.raises(InputError) as exc:
        RemoveTechnicians(("T1", "T2", "T3")).apply(tiny())
    assert "no technician" in issue_of(exc)


# --------------------------------------------------------------------------- add


def test_add_technician_copies_skills_and_stock_with_new_start_and_shift():
    where = Location(22.6, 114.1)
    new = NewTechnician("X1", "T1", start=where, shift=win("13:00", "19:00"))
    after = AddTechnicians((new,)).apply(tiny())
    x1, t1 = after.technician("X1"), after.technician("T1")
    assert (x1.skills, x1.stock, x1.breaks) == (t1.skills, t1.stock, t1.breaks)
    assert x1.stock is not t1.stock
    assert (x1.start, x1.end, x1.shift) == (where, where, win("13:00", "19:00"))
    assert len(after.technicians) == 4


def test_add_technician_keeps_place_and_shift_when_not_given():
    after = AddTechnicians((NewTechnician("X1", "T2", breaks=()),)).apply(tiny())
    x1, t2 = after.technician("X1"), after.technician("T2")
    assert (x1.start, x1.end, x1.shift, x1.breaks) == (t2.start, t2.end, t2.shift, ())


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (NewTechnician("X1", "T99"), "technicians[0].copy_of: unknown technician T99"),
        (NewTechnician("T2", "T1"), "technicians[0].id: technician T2 already exists"),
        (
            NewTechnician("X1", "T1", shift=win("13:00", "12:00")),
            "technicians[0].shift: end 2026-11-23T12:00:00+08:00 must be after start "
            "2026-11-23T13:00:00+08:00",
        ),
    ],
)
def test_add_technician_errors(new, expected):
    with pytest.raises(InputError) as exc:
        AddTechnicians((new,)).apply(tiny())
    assert issue_of(exc) == expected


def test_add_technician_twice_with_one_id_is_an_error():
    twice = (NewTechnician("X1", "T1"), NewTechnician("X1", "T2"))
    with pytest.raises(InputError) as exc:
        AddTechnicians(twice).apply(tiny())
    assert issue_of(exc) == "technicians[1].id: technician X1 already exists"


def test_add_technician_with_a_travel_matrix_is_refused():
    base = tiny()
    base = replace(
        base,
        travel=TravelSpec(
            model=TravelModel.MATRIX, locations=("T1",), durations_s=np.zeros((1, 1))
        ),
    )
    with pytest.raises(InputError) as exc:
        AddTechnicians((NewTechnician("X1", "T1"),)).apply(base)
    assert "matrix" in issue_of(exc)


# --------------------------------------------------------------------------- shifts


def test_change_shifts_moves_the_end_and_sets_overtime():
    after = ChangeShifts(("T1", "T2"), end=at("12:00"), overtime_max_min=30).apply(tiny())
    for tid in ("T1", "T2"):
        tech = after.technician(tid)
        assert tech.shift == win("08:30", "12:00")
        assert tech.overtime_max_min == 30
    assert after.technician("T3").shift == win("12:00", "20:00")


def test_change_shifts_outside_the_horizon_is_an_error():
    with pytest.raises(InputError) as exc:
        ChangeShifts(("T1",), end=at("22:00")).apply(tiny())
    assert issue_of(exc).startswith("end: T1's shift would be 08:30-22:00: must lie inside")


def test_change_shifts_end_before_start_is_an_error():
    with pytest.raises(InputError) as exc:
        ChangeShifts(("T3",), end=at("11:00")).apply(tiny())
    assert "must be after start" in issue_of(exc)


def test_change_shifts_unknown_technician():
    with pytest.raises(InputError) as exc:
        ChangeShifts(("T99",), start=at("10:00")).apply(tiny())
    assert issue_of(exc) == "technicians[0]: unknown technician T99"


# --------------------------------------------------------------------------- depots, stock


def test_close_depot_removes_it():
    assert CloseDepot("WH").apply(tiny()).depots == ()


def test_close_depot_from_a_time_cuts_its_hours():
    after = CloseDepot("WH", at("14:00")).apply(tiny())
    assert after.depots[0].open == win("08:00", "14:00")
    assert CloseDepot("WH", at("07:30")).apply(tiny()).depots == ()


def test_close_unknown_depot():
    with pytest.raises(InputError) as exc:
        CloseDepot("WH9").apply(tiny())
    assert issue_of(exc) == "depot: unknown depot WH9"


def test_move_stock_from_depot_to_van_and_back():
    depot, van = Holder("depot", "WH"), Holder("technician", "T3")
    after = MoveStock(depot, van, {"CAP": 2, "FAN": 2}).apply(tiny())
    assert after.depots[0].stock == {"CAP": 3}
    assert after.technician("T3").stock == {"CAP": 2, "FAN": 2}
    back = MoveStock(van, depot, {"FAN": 1}).apply(after)
    assert back.depots[0].stock == {"CAP": 3, "FAN": 1}
    assert back.technician("T3").stock == {"CAP": 2, "FAN": 1}


def test_move_more_stock_than_held_names_the_sku():
    with pytest.raises(InputError) as exc:
        MoveStock(Holder("technician", "T2"), Holder("depot", "WH"), {"CAP": 3}).apply(tiny())
    assert issue_of(exc) == "parts.CAP: technician T2 holds 1, cannot move 3"


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (
            Holder("technician", "T9"),
            Holder("depot", "WH"),
            "from.technician: unknown technician T9",
        ),
        (Holder("depot", "WH"), Holder("depot", "WH2"), "to.depot: unknown depot WH2"),
        (Holder("depot", "WH"), Holder("depot", "WH"), "to: is the same holder as from"),
    ],
)
def test_move_stock_holder_errors(source, target, expected):
    with pytest.raises(InputError) as exc:
        MoveStock(source, target, {"CAP": 1}).apply(tiny())
    assert issue_of(exc) == expected


# --------------------------------------------------------------------------- tickets


def test_add_tickets_fits_generated_tickets_to_the_problem():
    base = tiny()
    after = AddTickets(6, seed=3, id_prefix="N-").apply(base)
    new = after.tickets[len(base.tickets) :]
    assert [t.id for t in new] == [f"N-00{k}" for k in range(1, 7)]
    for t in new:
        assert t.pinned_technician is None and not t.preferred_technicians
        assert not t.excluded_technicians and not t.required
        for w in t.time_windows:
            assert base.horizon.start <= w.start < w.end <= base.horizon.end
        assert abs(t.location.lat - 22.54) < 0.2 and abs(t.location.lon - 114.02) < 0.2
    again = AddTickets(6, seed=3, id_prefix="N-").apply(base)
    assert again.tickets == after.tickets  # seeded: the same tickets every time
    other = AddTickets(6, seed=4, id_prefix="N-").apply(base)
    assert other.tickets != after.tickets


def test_a_generated_ticket_whose_slots_all_miss_the_horizon_is_not_made_any_time():
    from dispatch_opt.domain import TimeWindow
    from dispatch_opt.whatif.newtickets import _fit

    base = tiny()
    day = base.horizon.start
    base = replace(base, horizon=TimeWindow(day.replace(hour=13), day.replace(hour=15)))
    morning = replace(
        base.tickets[0], time_windows=(TimeWindow(day.replace(hour=9), day.replace(hour=10)),)
    )
    assert _fit(morning, "N-1", base, (0.0, 0.0)) is None
    early_pm = replace(
        morning, time_windows=(TimeWindow(day.replace(hour=13), day.replace(hour=14)),)
    )
    fitted = _fit(early_pm, "N-2", base, (0.0, 0.0))
    assert fitted is not None and fitted.time_windows == early_pm.time_windows
    anytime = replace(morning, time_windows=())
    assert _fit(anytime, "N-3", base, (0.0, 0.0)).time_windows == ()


def test_add_tickets_far_from_any_generator_city_are_moved_onto_the_problem():
    far = Location(48.14, 11.58)  # Munich: no generator city there
    base = tiny()
    base = replace(
        base,
        tickets=tuple(replace(t, location=far) for t in base.tickets),
    )
    new = AddTickets(4, seed=1).apply(base).tickets[len(base.tickets) :]
    for t in new:  # the generator's city layout, moved onto the problem's centre
        assert abs(t.location.lat - far.lat) < 0.3 and abs(t.location.lon - far.lon) < 0.3


def test_add_tickets_with_clashing_ids_is_an_error():
    base = AddTickets(2, seed=1, id_prefix="N-").apply(tiny())
    with pytest.raises(InputError) as exc:
        AddTickets(2, seed=2, id_prefix="N-").apply(base)
    assert issue_of(exc) == "id_prefix: ticket N-001 already exists: choose another prefix"


# --------------------------------------------------------------------------- objective, solve


def test_change_objective_merges_weights():
    base = tiny()
    after = ChangeObjective({"travel_per_km": 2.0}, {Priority.LOW: 5.0}).apply(base)
    assert after.objective.travel_per_km == 2.0
    assert after.objective.travel_per_min == base.objective.travel_per_min
    assert after.objective.unassigned_penalty[Priority.LOW] == 5.0
    assert (
        after.objective.unassigned_penalty[Priority.URGENT]
        == base.objective.unassigned_penalty[Priority.URGENT]
    )


def test_change_objective_number_penalty_scales_with_weight():
    after = ChangeObjective({}, 100.0).apply(tiny())
    assert after.objective.unassigned_penalty[Priority.LOW] == 100.0
    assert after.objective.unassigned_penalty[Priority.URGENT] == 800.0


def test_set_time_limit():
    assert SetTimeLimit(7.5).apply(tiny()).solve.time_limit_s == 7.5


def test_changes_apply_in_order_and_leave_the_base_alone():
    base = tiny()
    changes = [
        AddTechnicians((NewTechnician("X1", "T1"),)),
        ChangeShifts(("X1",), start=at("10:00")),
        RemoveTechnicians(("T1",)),
    ]
    after = base
    for change in changes:
        after = change.apply(after)
    assert [t.id for t in after.technicians] == ["T2", "T3", "X1"]
    assert after.technician("X1").shift == win("10:00", "17:30")
    assert [t.id for t in base.technicians] == ["T1", "T2", "T3"]
    for change in changes:
        assert change.describe()
