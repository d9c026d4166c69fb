"""cadres.id_numbers: the check digit, the birth date and its plausible range, worked out fast and the same."""
import datetime
from operator import mul

import pytest

from cadres import id_numbers
from cadres.id_numbers import (
    birth_date_from_id,
    check_digit,
    id_number_problem,
    make_id_number,
    plausible_birth_date,
)


def slow_check_digit(first17):
    """The rule as GB 11643 states it, digit by digit."""
    return "10X98765432"[sum(map(mul, map(int, first17), id_numbers._WEIGHTS)) % 11]


@pytest.mark.parametrize("first17", [
    "11010519491231002", "44030819900101123", "00000000000000000", "99999999999999999",
    "６４０１０２１９９２０３１５２５１",  # full-width digits too
])
def test_check_digit_agrees_with_the_rule_digit_by_digit(first17):
    assert check_digit(first17) == slow_check_digit(first17)


def test_check_digit_of_many_numbers():
    for n in range(2000):
        first17 = f"{640100 + n % 97:06d}{19500101 + n * 37 % 500000:08d}{n % 1000:03d}"
        assert check_digit(first17) == slow_check_digit(first17), first17


def test_a_number_with_a_wrong_check_digit_or_birth_date_is_refused():
    good = make_id_number("640102", datetime.date(1992, 3, 15), 25, True)
    assert id_number_problem(good) is None
    assert id_number_problem(good[:-1] + ("0" if good[-1] != "0" else "1")) == "身份证号校验位不正确，请核对"
    assert id_number_problem(good[:10] + "1332" + good[14:]) == "身份证号中的出生日期无效"
    assert birth_date_from_id(good) == datetime.date(1992, 3, 15)
    assert birth_date_from_id(good[:10] + "0229" + good[14:]) == datetime.date(1992, 2, 29)  # a leap year
    with pytest.raises(ValueError):
        birth_date_from_id(good[:6] + "19930229" + good[14:])  # not a leap year: never kept as a date


def test_birth_dates_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(id_numbers, "_birth_dates", {})
    monkeypatch.setattr(id_numbers, "BIRTH_DATES_KEPT", 3)
    days = [datetime.date(1980, 1, 1) + datetime.timedelta(days=n) for n in range(6)]
    for day in days:
        assert birth_date_from_id(make_id_number("640102", day, 1, True)) == day
    assert len(id_numbers._birth_dates) == 3


def test_the_plausible_range_follows_the_local_day(monkeypatch):
    monkeypatch.setattr(id_numbers, "_range_today", (float("-inf"), None))
    today = datetime.date.today()
    assert plausible_birth_date(today) and not plausible_birth_date(today + datetime.timedelta(days=1))
    assert id_numbers._range_today[1] == (today.replace(year=today.year - 120), today)
    # Past the day's end (as the clock tells), the range is worked out again, not kept.
    monkeypatch.setattr(id_numbers, "_range_today", (0.0, (today, today)))
    assert plausible_birth_date(today - datetime.timedelta(days=365))
    assert plausible_birth_date(datetime.date(2000, 2, 29), today=datetime.date(2120, 2, 29))
    assert not plausible_birth_date(datetime.date(2000, 2, 28), today=datetime.date(2120, 2, 29))
