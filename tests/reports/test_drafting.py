

def test_money_in_tables_has_thousands_separators_and_two_decimals():
    from reports.drafting import exact_text, yuan

    assert yuan("13635320.5") == "13,635,320.50元"
    assert exact_text({"value": "2003580.00", "unit": "元"}) == "2,003,580.00元"
    assert exact_text({"value": {"village": "潘昶村", "amount": "2003580.00"}, "unit": "元"}) == "潘昶村 2,003,580.00元"
    assert exact_text({"value": 263, "unit": "次"}) == "263次"


def test_exact_text_of_maps_and_lists_reads_as_words():
    from reports.drafting import exact_text

    assert exact_text({"value": {"三星级及以上": 91.7}, "unit": "%"}) == "三星级及以上91.7%"
    assert exact_text({"value": {"star_share_3plus": 90.0, "star_share_4plus": 75.0, "planned_probationary": 12},
                       "unit": ""}) == "三星级及以上90.0%，四星级及以上75.0%，计划吸收预备党员12名"
    assert exact_text({"value": {"income_total": "13000000.00", "villages_over_1m": 7}, "unit": ""}) == \
        "村集体经济总收入13,000,000.00元，百万村7个"
    assert exact_text({"value": [{"title": "《工作要点》", "date": "2023-02-10"}], "unit": ""}) == "《工作要点》"
    assert exact_text({"value": [{"village": "潘昶村", "target": 5}], "unit": "个"}) == "潘昶村（目标五星级）"
    alliance = {"name": "联盟", "villages": ["江南村", "永宁村"]}
    assert exact_text({"value": [alliance], "unit": ""}) == "联盟（江南村、永宁村）"
    assert exact_text({"value": None, "unit": "个"}) == "—" and exact_text({"value": [], "unit": ""}) == "—"
    for value in ({"a": {"b": 1}}, [{"x": 1}], ["甲", "乙"]):
        text = exact_text({"value": value, "unit": ""})
        assert "[" not in text and "{" not in text and "'" not in text, text
