"""Issue paths nest under the field that holds their document."""

from dispatch_opt.errors import Issue


def test_an_issue_moves_under_its_parent_field():
    assert Issue("skills.ac", "r").under("ticket") == Issue("ticket.skills.ac", "r")
    assert Issue("[2].id", "r").under("items") == Issue("items[2].id", "r")
    assert Issue("", "r").under("ticket") == Issue("ticket", "r")
