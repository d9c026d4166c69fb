"""Bugs the fuzzing found, each pinned by a plain request: a 400 or an empty answer, never a 500."""
import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.cadres.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["year=0.0", "year=1.5", "year=0", "year=99999", "year=abc",
                                   "month=%15%09abc", "month=99999999999999999999"])
def test_number_filters_refuse_garbage_with_400(query, api_for, staff):
    slug = "member-dues" if query.startswith("month") else "study-activities"
    response = api_for(staff).get(f"/api/{slug}/?{query}")
    assert response.status_code == 400, response.content


def test_record_list_page_ignores_a_bad_year(client_for, staff):
    assert client_for(staff).get("/records/study-activities/?year=0").status_code == 200


@pytest.mark.parametrize("year", ["16692", "1", "-5"])
def test_completeness_with_a_year_out_of_range(year, api_for, client_for, staff):
    response = api_for(staff).get(f"/api/submissions/completeness/?year={year}")
    assert response.status_code == 400 and "年度" in str(response.json()["year"])
    assert client_for(staff).get(f"/submissions/completeness/?year={year}").status_code == 200


def test_blank_stage_is_in_the_schema(api_for, staff, village_a):
    """A person with no stage change yet has stage "": the schema's enum must allow it."""
    PersonFactory(village=village_a, township=village_a.township)
    response = api_for(staff).get("/api/persons/")
    assert response.status_code == 200 and response.json()["results"][0]["stage"] == ""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    person = schema["components"]["schemas"]["Person"]["properties"]["stage"]
    refs = [person] + person.get("oneOf", []) + person.get("allOf", []) + person.get("anyOf", [])
    enums = []
    for ref in refs:
        if "$ref" in ref:
            enums += schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]].get("enum", [])
        enums += ref.get("enum", [])
    assert "" in enums, person

