"""schemathesis over /api/schema/, as staff and as a village secretary (token auth): no 5xx, and every
response that the schema describes matches it.

Bounded: a few examples per operation and role (FUZZ_EXAMPLES, default 3), no deadline.
The schema is loaded at module level with from_wsgi (from_fixture is broken on pytest 9.2).

Excluded, and why:
- POST /api/auth/token/: the credential endpoint. Random credentials only exercise django-axes'
  lock-out, which tests/township/test_security.py covers; here it would lock the fuzzing users out.
- POST /api/auth/logout/ and /logoutall/: they revoke the token the rest of the run uses.
Nothing else is excluded: writes run too (create, update, delete, upload, confirm, review), inside the
test's transaction, which is rolled back.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.counters import count
from township.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))


def _load_schema():
    """The schema /api/schema/ serves, generated in-process: the endpoint answers only logged-in users, and there
    is no user (nor a database) at collection time. The cases are then sent to the app through WSGI."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = application
    loaded.location = "/api/schema/"
    return loaded


schema = _load_schema().exclude(path="/api/auth/token/").exclude(path_regex="^/api/auth/logout")
# The coverage phase (every boundary value of every parameter: year=0.0, unknown properties…) found
# most of the bugs, but costs minutes over ~150 operations; FUZZ_COVERAGE=1 turns it on (CI nightly, by hand).
schema.config.phases.coverage.enabled = os.environ.get("FUZZ_COVERAGE") == "1"
# No shrinking: a failure is reported as found, which keeps a failing run short too.
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """As Django's test client does: the app called through WSGI must not close the connection that holds
    the test's transaction at the end of each request (it does on PostgreSQL: "connection already closed")."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(staff, secretary_a, village_b, wsgi_keeps_the_test_connection):
    # Two villages and their users, no more: the fixture runs once per operation and role.
    return {"staff": AuthToken.objects.create(user=staff)[1],
            "secretary_a": AuthToken.objects.create(user=secretary_a)[1]}


def _fuzz(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    count("api fuzz: cases run")
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_staff(case, tokens):
    _fuzz(case, tokens["staff"])


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_secretary(case, tokens):
    _fuzz(case, tokens["secretary_a"])
