"""How much the hardening tests tried: files fed to the readers, fuzz cases, races, permission requests.

Tests call count("…"); tests/conftest.py prints the totals once, at the end of the run
(pytest_terminal_summary). A counter is a note for the reader, never a check: the tests
that increment it assert on what they tried.
"""
from collections import Counter

COUNTS: Counter = Counter()


def count(name: str, amount: int = 1) -> None:
    COUNTS[name] += amount
