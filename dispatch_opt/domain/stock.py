"""Spare-part quantities keyed by SKU, and the little arithmetic needed on them."""

from __future__ import annotations

from collections.abc import Mapping

Stock = dict[str, int]
"""Quantities per SKU; a plain dict so that it serialises and compares simply."""


def covers(available: Mapping[str, int], needed: Mapping[str, int]) -> bool:
    """True when `available` holds at least `needed` of every SKU."""
    return all(available.get(sku, 0) >= qty for sku, qty in needed.items())


def missing(available: Mapping[str, int], needed: Mapping[str, int]) -> dict[str, int]:
    """The SKUs and quantities of `needed` that `available` lacks."""
    return {
        sku: qty - available.get(sku, 0)
        for sku, qty in needed.items()
        if available.get(sku, 0) < qty
    }


def add(stock: Stock, parts: Mapping[str, int], sign: int = 1) -> None:
    """stock += sign * parts, in place."""
    for sku, qty in parts.items():
        stock[sku] = stock.get(sku, 0) + sign * qty
