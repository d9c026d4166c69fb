

def test_money_in_tables_has_thousands_separators_and_two_decimals():
    from reports.drafting import exact_text, yuan

    assert yuan("13635320.5") == "13,635,320.50元"
    assert exact_text({"value": "2003580.00", "unit": "元"}) == "2,003,580.00元"
    assert exact_text({"value": {"village": "潘昶村", "amount": "2003580.00"}, "unit": "元"}) == "潘昶村 2,003,580.00元"
    assert exact_text({"value": 263, "unit": "次"}) == "263次"
