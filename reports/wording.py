"""How the drafted report states things: the official-writing rules, each defined once.

- Counts are cut down and take 余 (or 多 where the reference says 多: “送学”20多人次) only
  from 20 upward, and only while the rounded value keeps at least 80 % of the exact one:
  263 → 260余, 23 → 20余, 406 → 400余, 83 → 80余, but 19 → 19, 12 → 12, 29 → 29.
- People are counted with 名 (吸收预备党员5名), never with 个.
- Money is stated in 万元 cut down to whole 万元 (2003580 → 200万元, 253460.5 → 25万元), or
  with 余 where the text approximates (326000 → 30余万元); below 1万元 in whole 元.
- Changes against last year: 较上年增长X% / 较上年减少X% / 与上年持平 (one decimal), or for
  small counts 较上年增加N个 / 减少N个.
- No clause is built on a zero or a missing figure: `stated()` says whether a value may be.
- A sentence pattern is not repeated within one paragraph: `Varied` hands out alternatives
  in turn, and `repeated_patterns()` finds the ones used twice (the tests read every paragraph).

Exact values (tables, tooltips) are not rounded: township.numbers.yuan and drafting.exact_text.
Nothing here reads the database or computes a figure; the changes come from the registry
(reports.figures.growth and change).
"""
from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal

PEOPLE = "名"
CN_ORDINALS = "一二三四五六七八九十"
TEN_THOUSAND = Decimal("10000")
KEEP = Decimal("0.8")  # a rounded count keeps at least this share of the exact one
APPROX_FROM = 20  # counts below this are exact


def stated(value) -> bool:
    """Whether a figure's value may carry a clause of the text: neither missing nor zero nor empty."""
    if value is None or value is False:
        return False
    if isinstance(value, (list, dict, tuple, set)):
        return bool(value)
    if isinstance(value, str):
        try:
            return Decimal(value) != 0
        except ArithmeticError:
            return bool(value.strip())
    return value != 0


# ---------------------------------------------------------------- counts


def _cut(n: int) -> int:
    """n cut down to tens below a hundred, to two significant digits from a hundred on."""
    step = 10 if n < 100 else 10 ** (len(str(n)) - 2)
    return n - n % step


def approx(n, suffix="余") -> str:
    """A count as official writing states it: 263 → "260余", 23 → "20余", 19 → "19", 29 → "29".

    `suffix` is 余 or 多 ("20多人次")."""
    n = int(n)
    if n < APPROX_FROM:
        return str(n)
    rounded = _cut(n)
    if rounded == n or Decimal(rounded) < KEEP * n:
        return str(n)
    return f"{rounded}{suffix}"


def count(n, unit, *, rounded=False, suffix="余") -> str:
    """"5名", or "260余次" when `rounded`."""
    return f"{approx(n, suffix) if rounded else int(n)}{unit}"


def people(n, *, rounded=False) -> str:
    """People are counted with 名: 5 → "5名"."""
    return count(n, PEOPLE, rounded=rounded)


def plain_number(value) -> str:
    """A decimal without trailing zeros: 140.0 → "140", 1.5 → "1.5"."""
    return format(Decimal(str(value)).normalize(), "f")


# ---------------------------------------------------------------- money


def wan(amount) -> str:
    """Yuan in 万元 cut down to whole 万元 (2003580 → "200万元", 253460.5 → "25万元"); one decimal when the
    whole 万元 would keep less than 80 % of it (15000 → "1.5万元"); below 1万元 in whole 元 ("8000元")."""
    amount = Decimal(str(amount))
    if amount < TEN_THOUSAND:
        return f"{amount.quantize(Decimal('1'), rounding=ROUND_DOWN)}元"
    in_wan = amount / TEN_THOUSAND
    whole = in_wan.quantize(Decimal("1"), rounding=ROUND_DOWN)
    if whole < KEEP * in_wan:
        return f"{plain_number(in_wan.quantize(Decimal('0.1'), rounding=ROUND_DOWN))}万元"
    return f"{whole}万元"


def approx_wan(amount) -> str:
    """Yuan in 万元 with official rounding: 326000 → "30余万元", 80000 → "8万元", 5000 → "5000元"."""
    amount = Decimal(str(amount))
    if amount < TEN_THOUSAND:
        return f"{approx(amount)}元"
    in_wan = amount / TEN_THOUSAND
    whole = int(in_wan.quantize(Decimal("1"), rounding=ROUND_DOWN))
    text = approx(whole)
    if text.endswith("余") and Decimal(text[:-1]) < KEEP * in_wan:
        return wan(amount)
    return f"{text}万元"


# ---------------------------------------------------------------- shares and changes


def percent(value) -> str:
    """A share as the text states it: 95.8 → "95.8%"."""
    return f"{float(value):.1f}%"


def whole_percent(value) -> str:
    """A target share: 90.0 → "90%", 87.5 → "87.5%"."""
    return f"{plain_number(Decimal(str(value)))}%"


def growth_text(percent_change) -> str | None:
    """"较上年增长19.7%" / "较上年减少5.0%" / "与上年持平" from the registry's growth; None without one."""
    if percent_change is None:
        return None
    if percent_change > 0:
        return f"较上年增长{percent_change:.1f}%"
    if percent_change < 0:
        return f"较上年减少{-percent_change:.1f}%"
    return "与上年持平"


def difference_text(difference, unit) -> str | None:
    """"较上年增加2个" / "较上年减少1名" / "与上年持平", from the registry's change; None without one."""
    if difference is None:
        return None
    difference = int(difference)
    if difference > 0:
        return f"较上年增加{difference}{unit}"
    if difference < 0:
        return f"较上年减少{-difference}{unit}"
    return "与上年持平"


# ---------------------------------------------------------------- words


def join(names, sep="、") -> str:
    return sep.join(str(name) for name in names)


def titles(names) -> str:
    """Document titles one after another, as the reference lists them: 《A》《B》 (brackets added when missing)."""
    return "".join(name if name.startswith("《") else f"《{name}》" for name in names)


def quoted(name) -> str:
    """A name in Chinese quotation marks unless it has them: 挂图作战 → “挂图作战”."""
    return name if name.startswith(("“", "《", "\"")) else f"“{name}”"


def cn_ordinal(i) -> str:
    """1 → 一 … 10 → 十, then digits."""
    return CN_ORDINALS[i - 1] if 1 <= i <= len(CN_ORDINALS) else str(i)


def cn_date(day) -> str:
    """A date as official documents write it: 2024年1月15日 (Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------- patterns not to repeat within a paragraph

# Sentence patterns a reader notices when a paragraph uses them twice: (name, regex).
PATTERNS = [
    ("通过…模式", re.compile(r"通过[^，。；]{0,40}?模式")),
    ("采取…模式", re.compile(r"采取[^，。；]{0,40}?模式")),
    ("推动产业发展", re.compile(r"推动产业发展")),
    ("带动…务工就业", re.compile(r"带动[^，。；]{0,20}?务工就业")),
    ("成功举办", re.compile(r"成功举办")),
    ("较上年增长", re.compile(r"较上年增长")),
]


def repeated_patterns(text) -> list[str]:
    """The names of the PATTERNS that occur more than once in a paragraph's text."""
    return [name for name, regex in PATTERNS if len(regex.findall(text)) > 1]


class Varied:
    """Alternative phrasings of one pattern, handed out in turn, so a paragraph does not repeat itself.

    >>> model = Varied("通过“{}”模式", "采取“{}”模式", "探索“{}”模式")
    >>> model("支部+企业"), model("支部+合作社")
    ('通过“支部+企业”模式', '采取“支部+合作社”模式')
    """

    def __init__(self, *forms):
        self.forms = forms
        self.used = 0

    def __call__(self, *args) -> str:
        form = self.forms[self.used % len(self.forms)]
        self.used += 1
        return form.format(*args)
