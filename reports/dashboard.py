"""The leader's home page: the year's key figures against their targets, each a registry figure with its source.

Nothing is computed here: a tile states a figure (and its stored target, and the registry's change against
last year); whether a target is met compares the two. The charts draw the same values.
"""
from __future__ import annotations

from decimal import Decimal

from . import wording as w
from .drafting import exact_text
from .figures import growth

STAR_SHARES = (("share_3plus", "三星级及以上"), ("share_4plus", "四星级及以上"), ("share_5", "五星级"))
# The figures the page states (its tiles, their targets and its charts): the home page computes these only.
KEYS = ("economy.income_total", "economy.villages_over_1m", "economy.villages_over_2m",
        *(f"stars.{share}" for share, _label in STAR_SHARES), "members.new_probationary", "township.problems_open",
        "submissions.reporting_rate", "targets.economy", "targets.stars", "targets.planned_probationary")


def _value(figures, key):
    return (figures.get(key) or {}).get("value")


def _tile(figures, previous, key, text_of, *, label=None, target=None, target_text=None, target_key=None,
          target_word="目标", note=None, change=True):
    figure = figures.get(key) or {}
    value = figure.get("value")
    tile = {"key": key, "label": label or figure.get("label", key), "text": "—" if value is None else text_of(value),
            "exact": exact_text(figure) if figure else "—", "source": figure.get("source"), "note": note,
            "target": None, "achieved": None, "change": None}
    if target is not None:
        tile.update(target=target_text(target), target_word=target_word,
                    target_source=(figures.get(target_key) or {}).get("source"),
                    achieved=value is not None and Decimal(str(value)) >= Decimal(str(target)))
    before = (previous.get(key) or {}) if change else {}
    text = w.growth_text(growth(value, before.get("value"))) if before else None
    if text:
        tile.update(change=text, change_source=before.get("source"), change_exact=f"上年：{exact_text(before)}")
    return tile


def key_figures(figures, previous, year) -> dict:
    """{"year", "tiles", "charts"} of a township's year."""
    previous = previous or {}
    economy = _value(figures, "targets.economy") or {}
    stars = _value(figures, "targets.stars") or {}
    count = lambda unit: lambda n: f"{n}{unit}"  # noqa: E731
    tiles = [
        _tile(figures, previous, "economy.income_total", w.wan, target=economy.get("income_total"),
              target_text=w.wan, target_key="targets.economy"),
        _tile(figures, previous, "economy.villages_over_1m", count("个"), target=economy.get("villages_over_1m"),
              target_text=count("个"), target_key="targets.economy", change=False),
        _tile(figures, previous, "economy.villages_over_2m", count("个"), target=economy.get("villages_over_2m"),
              target_text=count("个"), target_key="targets.economy", change=False),
        *[_tile(figures, previous, f"stars.{share}", w.percent, label=f"{label}党组织占比", target=stars.get(share),
                target_text=w.whole_percent, target_key="targets.stars", change=False)
          for share, label in STAR_SHARES],
        _tile(figures, previous, "members.new_probationary", count("名"),
              target=_value(figures, "targets.planned_probationary"), target_text=count("名"),
              target_key="targets.planned_probationary", target_word="计划", change=False),
        _tile(figures, previous, "township.problems_open", count("条"), label="未整改问题", note="截至年底",
              change=False),
        _tile(figures, previous, "submissions.reporting_rate", w.percent, change=False),
    ]
    # A tile whose target is not set says so rather than showing no comparison at all.
    for tile in tiles:
        if tile["target"] is None and tile["key"] not in ("township.problems_open", "submissions.reporting_rate"):
            tile["note"] = tile["note"] or "未设目标"
    charts = {
        "stars": {
            "labels": ["三星级及以上", "四星级及以上", "五星级"],
            "actual": [_value(figures, f"stars.{s}") for s in ("share_3plus", "share_4plus", "share_5")],
            "target": [stars.get(s) for s in ("share_3plus", "share_4plus", "share_5")],
        },
        "counts": {
            "labels": ["百万村", "两百万元村", "吸收预备党员"],
            "actual": [_value(figures, "economy.villages_over_1m"), _value(figures, "economy.villages_over_2m"),
                       _value(figures, "members.new_probationary")],
            "target": [economy.get("villages_over_1m"), economy.get("villages_over_2m"),
                       _value(figures, "targets.planned_probationary")],
        },
        "income": {
            "actual": _value(figures, "economy.income_total"), "target": economy.get("income_total"),
            "previous": _value(previous, "economy.income_total"), "year": year,
        },
    }
    return {"year": year, "tiles": tiles, "charts": charts}
