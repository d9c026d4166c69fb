from tests.pages import external_references


def test_external_references_finds_other_hosts_and_ignores_text_that_merely_contains_cdn():
    page = ('<script src="https://cdn.jsdelivr.net/x.js"></script><link href=//fonts.example/a.css>'
            '<input name="csrfmiddlewaretoken" value="abcdnx"><script src="/static/vendor/echarts/echarts.min.js">')
    assert len(external_references(page)) == 2
    assert external_references('<input value="cdn"><a href="/records/">') == []
