"""The whole API fuzzed from its own OpenAPI schema (schemathesis, in process): for each
operation, requests generated from its parameters and bodies, valid and not, as a commune
officer and as a provincial officer, in a world with a dossier and a register entry. Every
answer must be one the schema documents — its status, its content type, its body's shape —
never an error 500, and a request that breaks the schema must be refused."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from communeos.conftest import make_person
from communeos.core.api import api
from communeos.documents.tests.conftest import incoming
from communeos.onestop.tests.conftest import receive
from communeos.people import services as people_services
from communeos.wsgi import application

# The schema the API publishes at /api/v1/openapi.json, built the same way (no request is made
# while the tests are collected), and served by the WSGI application itself.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application

# Checks that do not apply here: data that fits the schema is still refused when a service
# says no (an unknown procedure, a missing paper); and a session cookie is a second way in,
# so with a valid token beside it an invalid cookie changes nothing (the API tests of each
# app check that no token and a revoked one answer 401).
NOT_CHECKED = [checks.positive_data_acceptance, checks.ignored_auth]


@pytest.fixture
def world(cast, settings):
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis's WSGI client
    settings.PUBLIC_RATE_PER_MINUTE = 10**9
    receive(cast)
    incoming(make_person("clerk.a", cast.commune_a, "clerk"), cast.commune_a)
    return cast


@pytest.fixture
def in_the_tests_transaction():
    """The requests reach the WSGI application directly, not through Django's test client:
    keep the test's connection, and its transaction, open across them as the client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("account", ["officer_a", "provincial"])
@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_answer_is_one_the_schema_documents(case, account, world, in_the_tests_transaction):
    person = getattr(world, account)
    _token, raw = people_services.api_token_create(actor=person, person=person, name="fuzz")
    case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, excluded_checks=NOT_CHECKED)
