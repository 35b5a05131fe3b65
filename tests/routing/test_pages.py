"""Planning asks NumPy for ordinary pages, and leaves its setting as it was."""

from __future__ import annotations

import pytest

from dispatch_opt.routing import pages


def _current() -> bool:
    """NumPy's setting, read through its switch (set, read back, restore)."""
    assert pages._set is not None
    now = pages._set(True)
    pages._set(now)
    return now


@pytest.mark.skipif(pages._set is None, reason="this NumPy has no huge-page switch")
def test_ordinary_pages_inside_and_the_old_setting_after(monkeypatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    before = _current()
    with pages.ordinary_pages():
        assert _current() is False
    assert _current() is before


@pytest.mark.skipif(pages._set is None, reason="this NumPy has no huge-page switch")
def test_overlapping_plans_restore_the_setting_only_when_the_last_ends(monkeypatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    before = _current()
    outer, inner = pages.ordinary_pages(), pages.ordinary_pages()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)  # the first to start ends first (another thread)
    assert _current() is False
    inner.__exit__(None, None, None)
    assert _current() is before


@pytest.mark.skipif(pages._set is None, reason="this NumPy has no huge-page switch")
def test_a_users_explicit_choice_is_kept(monkeypatch):
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    before = pages._set(True)
    try:
        with pages.ordinary_pages():
            assert _current() is True
    finally:
        pages._set(before)


class _Seen(Exception):
    """Stops the planner once it has compiled."""


@pytest.mark.skipif(pages._set is None, reason="this NumPy has no huge-page switch")
def test_solve_problem_compiles_with_ordinary_pages(monkeypatch):
    """The planner's entry point runs inside the switch: the matrices are built there."""
    import dispatch_opt.planner as planner
    from tests.factories import near, problem, tech, ticket

    def compiled(*args, **kwargs):
        raise _Seen(_current())

    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    monkeypatch.setattr(planner, "compile_problem", compiled)
    with pytest.raises(_Seen) as seen:
        planner.solve_problem(problem([tech("T0")], [ticket("K0", near(1, 1))]))
    assert seen.value.args == (False,)
