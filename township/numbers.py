"""How the product states a number: money as yuan with two decimals, shares as percentages with one
decimal, and which months of a year have ended. Every figure, page and file asks these."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def money(amount) -> str | None:
    """Yuan as a string with two decimals ("1234.50"); None stays None."""
    if amount is None:
        return None
    return str(Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP))


def yuan(amount) -> str:
    """An exact amount as tables print money: 13,635,320.50元."""
    return f"{Decimal(str(amount)):,.2f}元"


def share(part, whole) -> float | None:
    """part/whole as a percentage with one decimal, half up; None when there is nothing to divide by."""
    if part is None or not whole:
        return None
    return float((Decimal(str(part)) * 100 / Decimal(str(whole))).quantize(TENTH, rounding=ROUND_HALF_UP))


def months_ended(year, today=None) -> int:
    """How many months of `year` have ended by `today` (12 for past years, 0 for future ones)."""
    today = today or timezone.localdate()
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1
