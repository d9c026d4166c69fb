"""Chinese resident ID numbers (身份证号, GB 11643-1999): check digit, birth date, gender."""
import datetime
import time
from operator import mul

from django.core.exceptions import ValidationError

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits."""
    if len(first17) != 17:
        raise ValueError("check_digit() takes the first 17 digits")
    if first17.isascii():  # the digits' bytes less the weighted "0"s: no int() per digit
        return _CHECK[(sum(map(mul, first17.encode("ascii"), _WEIGHTS)) - _ZEROS) % 11]
    return _CHECK[sum(map(mul, map(int, first17), _WEIGHTS)) % 11]


_ZEROS = ord("0") * sum(_WEIGHTS)


MAX_AGE = 120  # years: an older birth date is a typing error


def plausible_birth_date(born, today=None) -> bool:
    """Whether a birth date is today or earlier and at most MAX_AGE years ago."""
    earliest, today = _birth_range(today)
    return earliest <= born <= today


def _birth_range(today=None) -> tuple[datetime.date, datetime.date]:
    """(earliest, latest) plausible birth date on `today` (by default the local today, worked out once a day:
    a ledger checks 100,000 of them)."""
    global _range_today
    if today is None:
        if time.time() < _range_today[0]:
            return _range_today[1]
        today = datetime.date.today()
        until = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(0)).timestamp()
        _range_today = (until, _birth_range(today))
        return _range_today[1]
    try:
        earliest = today.replace(year=today.year - MAX_AGE)
    except ValueError:  # 29 February
        earliest = today.replace(year=today.year - MAX_AGE, day=28)
    return earliest, today


_range_today = (float("-inf"), None)  # (until when, (earliest, today)) of the local today


def normalize_id_number(value) -> str:
    """The 身份证号 as stored: no surrounding spaces, an upper-case X."""
    return "" if value is None else str(value).strip().upper()


def id_number_problem(value) -> str | None:
    """A Chinese message saying what is wrong with `value` as a 身份证号, or None when it is valid."""
    if value is None or str(value).strip() == "":
        return "身份证号不能为空"
    text = str(value).strip().upper()
    if len(text) != 18:
        return f"身份证号应为18位，当前为{len(text)}位"
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        return "身份证号前17位应为数字，最后一位为数字或X"
    try:
        born = birth_date_from_id(text)
    except ValueError:
        return "身份证号中的出生日期无效"
    if not plausible_birth_date(born):
        return f"身份证号中的出生日期（{born:%Y-%m-%d}）不在合理范围内：不能晚于今天，也不能早于{MAX_AGE}年前"
    if check_digit(text[:17]) != text[17]:
        return "身份证号校验位不正确，请核对"
    return None


def validate_id_number(value):
    problem = id_number_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_id_number")


def birth_date_from_id(value: str) -> datetime.date:
    digits = value[6:14]
    born = _birth_dates.get(digits)
    if born is None:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        if len(_birth_dates) < BIRTH_DATES_KEPT:
            _birth_dates[digits] = born
    return born


BIRTH_DATES_KEPT = 50_000  # more than the days of MAX_AGE years: people share birth dates, a roster repeats them
_birth_dates = {}  # the 8 digits of a birth date → the date (a valid one only)


def gender_from_id(value: str) -> str:
    """'male' or 'female': the 17th digit is odd for men."""
    return "male" if int(value[16]) % 2 else "female"


def make_id_number(region: str, born: datetime.date, sequence: int, male: bool) -> str:
    """A valid 身份证号 for test and demo data."""
    seq = sequence % 100
    gender_digit = (sequence % 5) * 2 + (1 if male else 0)
    first17 = f"{region[:6]}{born:%Y%m%d}{seq:02d}{gender_digit}"
    return first17 + check_digit(first17)
