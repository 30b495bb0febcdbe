"""The whole API fuzzed from its own OpenAPI schema (schemathesis, in process): for each
operation, requests generated from its parameters and bodies, valid and not, as a commune
officer and as a provincial officer, in a world with dossiers (one with a file), a register
entry and an export. Every answer must be one the schema documents — its status, its content
type, its body's shape — never an error 500, and a request that breaks the schema must be
refused.

Generated codes and ids seldom name a record of the world, so the operations whose address
names one are fuzzed a second time with the world's records in their address (the actions,
forms and registers taken in turn): the bodies and queries are still generated, and the
records go through whatever the generated requests do to them."""

import itertools
from datetime import date

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from communeos.conftest import make_person
from communeos.core.api import api
from communeos.core.tests.test_uploads import pdf
from communeos.documents.models import Direction, Document
from communeos.documents.tests.conftest import incoming
from communeos.onestop import printing, services
from communeos.onestop.api import ACTION_NAMES
from communeos.onestop.models import Channel
from communeos.onestop.tests.conftest import APPLICANT, procedure, receive, required_papers
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
def records(world):
    """The world's records, by the name of the address's parameter that names them."""
    papers = required_papers()
    online = services.dossier_receive(
        actor=None,
        unit=world.commune_a,
        procedure=procedure(),
        channel=Channel.ONLINE,
        consent=True,
        uploads=[services.Upload(paper_id=p, file=SimpleUploadedFile(f"{p}.pdf", pdf())) for p in papers],
        **APPLICANT,
    )
    document = Document.objects.get()
    export = services.dossier_register_pdf_request(
        actor=world.officer_a, unit=world.commune_a, start=date(2025, 10, 1), end=date(2025, 10, 31)
    )
    return {
        "code": online.code,
        "file_id": online.files.first().pk,
        "person_id": world.officer_a.pk,
        "unit_code": world.commune_a.code,
        "document_id": document.pk,
        "export_id": str(export.pk),
    }


# In turn, for the parameters that name a kind of thing rather than a record.
KINDS = {
    "action": itertools.cycle(ACTION_NAMES.split(", ")),
    "form": itertools.cycle(printing.FORMS),
    "direction": itertools.cycle(Direction.values),
}
# The operations whose address names one of the world's records (by the parameter's name; a
# unit's or a procedure's `code` is another record than a dossier's).
ABOUT_RECORDS = schema.include(
    func=lambda context: any(name in context.operation.path for name in ["{code}", "_id}", "{unit_code}"])
)


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


@pytest.mark.parametrize("account", ["officer_a", "provincial"])
@ABOUT_RECORDS.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_answer_about_a_real_record_is_one_the_schema_documents(
    case, account, world, records, in_the_tests_transaction
):
    person = getattr(world, account)
    _token, raw = people_services.api_token_create(actor=person, person=person, name="fuzz")
    path = case.operation.path
    address = case.meta.components.get("path") if case.meta else None
    if address is not None and address.mode == "negative":  # an address that breaks the schema: kept
        case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, excluded_checks=NOT_CHECKED)
        return
    for name in case.path_parameters or {}:
        if name in KINDS:
            case.path_parameters[name] = next(KINDS[name])
        elif name == "code" and path.startswith("/api/v1/units/"):
            case.path_parameters[name] = world.commune_a.code
        elif name == "code" and path.startswith("/api/v1/onestop/procedures/"):
            case.path_parameters[name] = "birth-registration"
        elif name in records:
            case.path_parameters[name] = records[name]
    case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, excluded_checks=NOT_CHECKED)
