"""Official rounding (reports.wording): counts cut down with 余/多 from 20 upward while the rounded value keeps
80 % of the exact one; money in 万元."""
from decimal import Decimal

import pytest

from reports.wording import approx, approx_wan, cn_ordinal, wan


@pytest.mark.parametrize("n,text", [
    (0, "0"), (8, "8"), (9, "9"), (10, "10"), (12, "12"), (13, "13"), (19, "19"), (20, "20"), (23, "20余"),
    (25, "20余"), (29, "29"), (83, "80余"), (99, "90余"), (100, "100"), (174, "170余"), (207, "200余"),
    (263, "260余"), (260, "260"), (406, "400余"), (1325, "1300余"), (1300, "1300"), (12345, "12000余"),
])
def test_approx(n, text):
    assert approx(n) == text


def test_approx_with_duo():
    assert approx(24, suffix="多") == "20多"
    assert approx(5, suffix="多") == "5"
    assert approx(19, suffix="多") == "19"


@pytest.mark.parametrize("amount,text", [
    ("2003580.00", "200万元"), ("253460.50", "25万元"), ("13635320.50", "1363万元"), ("9999.99", "9999元"),
    ("10000", "1万元"), ("15000", "1.5万元"), ("700000", "70万元"),
])
def test_wan_cuts_down_to_whole_wan(amount, text):
    assert wan(Decimal(amount)) == text


def test_approx_wan():
    assert approx_wan(Decimal("326000")) == "30余万元"
    assert approx_wan(Decimal("80000")) == "8万元"
    assert approx_wan(Decimal("5000")) == "5000元"
    assert approx_wan(Decimal("259000")) == "25万元"  # "20余万元" would keep only 77 % of it


def test_cn_ordinal():
    assert [cn_ordinal(i) for i in (1, 2, 5, 10)] == ["一", "二", "五", "十"]


def test_money_in_tables_has_thousands_separators_and_two_decimals():
    from reports.drafting import exact_text, yuan

    assert yuan("13635320.5") == "13,635,320.50元"
    assert exact_text({"value": "2003580.00", "unit": "元"}) == "2,003,580.00元"
    assert exact_text({"value": {"village": "潘昶村", "amount": "2003580.00"}, "unit": "元"}) == "潘昶村 2,003,580.00元"
    assert exact_text({"value": 263, "unit": "次"}) == "263次"
