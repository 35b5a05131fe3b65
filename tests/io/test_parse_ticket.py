"""One ticket document (a re-plan's new ticket, a slot request): every issue is named
under `ticket`."""

from __future__ import annotations

import pytest

from dispatch_opt.errors import InputError, Issue
from dispatch_opt.io import parse_ticket

GOOD = '{"id": "SR-9", "location": {"lat": 31.2, "lon": 121.5}, "duration_min": 30}'


def _issues(text: str) -> list[Issue]:
    with pytest.raises(InputError) as caught:
        parse_ticket(text)
    return caught.value.issues


def test_a_valid_ticket_parses() -> None:
    ticket = parse_ticket(GOOD)
    assert ticket.id == "SR-9" and ticket.duration_min == 30


def test_schema_and_repeated_key_issues_are_under_ticket() -> None:
    assert _issues(GOOD.replace("30", "-30")) == [Issue("ticket.duration_min", "must be >= 0")]
    repeated = GOOD.replace('"id": "SR-9"', '"id": "SR-9", "id": "SR-8"')
    assert [i.path for i in _issues(repeated)] == ["ticket.id"]
