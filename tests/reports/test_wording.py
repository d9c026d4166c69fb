"""The wording rules of the drafted report (reports/wording.py), case by case, and the draft that follows them."""
import datetime
from decimal import Decimal

import pytest

from reports import drafting
from reports.figures import compute_years, growth
from reports.wording import (
    Varied,
    approx,
    approx_wan,
    cn_date,
    count,
    difference_text,
    growth_text,
    people,
    repeated_patterns,
    stated,
    wan,
)
from tests.economy.factories import AllianceFactory, EnterpriseFactory, IncomeRecordFactory
from tests.records.factories import SupervisionVisitFactory
from tests.study.factories import StudyActivityFactory
from tests.villages.factories import VillageMonthFactory

# ---------------------------------------------------------------- 余 and 多: from 20, keeping 80 %


@pytest.mark.parametrize("n,text", [(263, "260余"), (23, "20余"), (19, "19"), (12, "12"), (406, "400余"),
                                    (83, "80余"), (29, "29"), (25, "20余"), (174, "170余"), (207, "200余")])
def test_counts_take_yu_from_20_while_the_rounded_value_keeps_80_percent(n, text):
    assert approx(n) == text
    if text.endswith("余"):
        assert int(text[:-1]) >= 0.8 * n


def test_duo_where_the_reference_says_duo():
    assert count(24, "人次", rounded=True, suffix="多") == "20多人次"
    assert count(19, "人次", rounded=True, suffix="多") == "19人次"


# ---------------------------------------------------------------- people with 名


def test_people_are_counted_with_ming():
    assert people(5) == "5名" and people(43, rounded=True) == "40余名"


def test_the_draft_counts_people_with_ming(township, village_a):
    from tests.cadres.factories import StageChangeFactory

    for _ in range(5):
        StageChangeFactory(person__village=village_a, person__township=township, stage="probationary",
                           date=datetime.date(2023, 6, 1))
    figures, previous = (lambda both: (both[2023], both[2022]))(compute_years(township, [2023, 2022]))
    text = "".join(p.text for p in drafting.grassroots(figures, previous))
    assert "吸收预备党员5名" in text and "5个" not in text


# ---------------------------------------------------------------- money


@pytest.mark.parametrize("amount,text", [("2003580.00", "200万元"), ("253460.50", "25万元"), ("700000", "70万元"),
                                         ("15000", "1.5万元"), ("8000", "8000元")])
def test_money_in_wan_cut_down_where_the_reference_cuts(amount, text):
    assert wan(Decimal(amount)) == text


@pytest.mark.parametrize("amount,text", [("326000", "30余万元"), ("259000", "25万元"), ("80000", "8万元")])
def test_money_approximated_with_yu(amount, text):
    assert approx_wan(Decimal(amount)) == text


# ---------------------------------------------------------------- changes against last year


def test_growth_is_the_registrys_one_decimal_share_of_last_year():
    assert growth(263, 231) == 13.9
    assert growth("1100000.00", "1000000.00") == 10.0 and growth(1, 3) == -66.7
    assert growth(5, 0) is None and growth(5, None) is None and growth(None, 5) is None


@pytest.mark.parametrize("value,text", [(19.7, "较上年增长19.7%"), (-5.0, "较上年减少5.0%"), (0.0, "与上年持平"),
                                        (None, None)])
def test_growth_text(value, text):
    assert growth_text(value) == text


def test_difference_text():
    assert difference_text(Decimal("2"), "个") == "较上年增加2个"
    assert difference_text(Decimal("-1"), "名") == "较上年减少1名"
    assert difference_text(0, "名") == "与上年持平" and difference_text(None, "名") is None


# ---------------------------------------------------------------- no clause on a zero or a missing figure


@pytest.mark.parametrize("value,said", [(0, False), (None, False), ("0.00", False), ([], False), ({}, False),
                                        (3, True), ("12.50", True), (["x"], True), (95.8, True)])
def test_stated(value, said):
    assert stated(value) is said


def test_a_year_with_a_few_records_leaves_out_what_it_lacks(township, village_a):
    StudyActivityFactory(village=village_a, township=township, kind="concentrated", essays=0,
                         date=datetime.date(2023, 3, 1))
    both = compute_years(township, [2023, 2022])
    text = "\n".join(p.text for p in drafting.political(both[2023], both[2022]) + drafting.grassroots(
        both[2023], both[2022]))
    assert "集中学习1次" in text
    for nothing in ("暂无记录", "心得体会", "0名", "0个", "0次", "较上年"):
        assert nothing not in text, nothing


def test_a_cn_date():
    assert cn_date(datetime.date(2024, 1, 15)) == "2024年1月15日"


# ---------------------------------------------------------------- the reporting rate with the mechanisms


def test_the_reporting_rate_is_stated_with_the_working_mechanisms(township, village_a):
    VillageMonthFactory(village=village_a, year=2023, month=1, status="approved")
    SupervisionVisitFactory(township=township, village=village_a, date=datetime.date(2023, 1, 10), kind="monthly")
    both = compute_years(township, [2023, 2022], today=datetime.date(2023, 3, 1))
    duty = drafting.grassroots(both[2023], both[2022])[0].text
    assert duty.startswith("一是压实党建责任。")
    mechanism = next(sentence for sentence in duty.split("。") if "上报率" in sentence)
    assert "健全落实月度指导工作机制" in mechanism and "月报上报率50.0%" in mechanism


# ---------------------------------------------------------------- no pattern twice in a paragraph


def test_repeated_patterns_are_found():
    assert repeated_patterns("通过“甲”模式推动产业发展，通过“乙”模式推动产业发展。") == ["通过…模式", "推动产业发展"]
    assert repeated_patterns("通过“甲”模式，采取“乙”模式。") == []


def test_varied_hands_out_alternatives_in_turn():
    model = Varied("通过“{}”模式", "采取“{}”模式")
    assert [model("甲"), model("乙"), model("丙")] == ["通过“甲”模式", "采取“乙”模式", "通过“丙”模式"]


def test_three_alliances_with_models_do_not_repeat_a_pattern(township, village_a, village_b):
    enterprise = EnterpriseFactory(township=township, name="示范农业科技有限公司")
    for n in range(3):
        AllianceFactory(township=township, name=f"联盟{n}", villages=[village_a, village_b],
                        enterprises=[enterprise], model=f"支部+合作社+企业{n}", description="推动产业发展")
    IncomeRecordFactory(village=village_a, year=2023)
    both = compute_years(township, [2023, 2022])
    (paragraph,) = [p.text for p in drafting.highlights(both[2023], both[2022]) if "联盟" in p.text]
    assert paragraph.count("模式") == 3 and paragraph.count("通过") == 1
    assert repeated_patterns(paragraph) == ["推动产业发展"]  # the records' own words are theirs to vary
