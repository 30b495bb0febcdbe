"""Assignments: dated, within the unit's period, refused clearly otherwise, with nothing saved."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from communeos.core.models import AuditEntry
from communeos.people import services
from communeos.people.models import Assignment, Position
from communeos.units.models import Level, Unit


def create(cast, **overrides):
    values = {
        "actor": None,
        "person": cast.officer_a,
        "unit": cast.commune_b,
        "position": Position.objects.get(code="specialist"),
        "start": date(2025, 9, 1),
        "end": date(2025, 12, 31),
    }
    values.update(overrides)
    return services.assignment_create(**values)


@pytest.fixture(autouse=True)
def _in_english(english):
    pass


def counts():
    return Assignment.objects.count(), AuditEntry.objects.count()


def test_an_assignment_ending_before_it_starts_is_refused_and_nothing_saved(cast):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        create(cast, start=date(2025, 9, 1), end=date(2025, 8, 31))
    assert "ends (2025-08-31) before it starts (2025-09-01)" in str(exc.value.message_dict["end"])
    assert counts() == before


def test_an_assignment_to_a_unit_not_in_force_on_its_dates_is_refused(cast):
    old = Unit.objects.filter(level=Level.COMMUNE, valid_to=date(2025, 6, 30), province=cast.province).first()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        create(cast, unit=old, start=date(2025, 6, 1), end=date(2025, 7, 15))
    assert "until 2025-06-30" in str(exc.value.message_dict["unit"])
    with pytest.raises(ValidationError):
        create(cast, unit=cast.commune_a, start=date(2025, 6, 1), end=None)  # the new commune began on 1 July
    assert counts() == before


def test_an_open_ended_assignment_to_a_unit_that_has_ended_is_refused(cast):
    old = Unit.objects.filter(level=Level.COMMUNE, valid_to=date(2025, 6, 30), province=cast.province).first()
    with pytest.raises(ValidationError):
        create(cast, unit=old, start=date(2025, 1, 1), end=None)
    assert create(cast, unit=old, start=date(2025, 1, 1), end=date(2025, 6, 30)).unit == old


def test_a_commune_position_cannot_be_held_in_a_province(cast):
    with pytest.raises(ValidationError) as exc:
        create(cast, unit=cast.province, position=Position.objects.get(code="commune_chair"))
    assert "position" in exc.value.message_dict


def test_the_database_refuses_an_inverted_period_even_without_the_service(cast):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            person=cast.officer_a,
            unit=cast.commune_a,
            position=Position.objects.get(code="specialist"),
            start=date(2025, 9, 1),
            end=date(2025, 8, 1),
        )


def admin_add(client, cast, **fields):
    data = {
        "person": cast.officer_a.pk,
        "unit": cast.commune_b.pk,
        "position": Position.objects.get(code="specialist").pk,
        "start": "2025-09-01",
        "note": "",
    }
    return client.post("/admin/people/assignment/add/", data | fields, HTTP_ACCEPT_LANGUAGE="en")


def test_the_admin_page_shows_the_services_error_on_the_form(client, cast, admin_user):
    client.force_login(admin_user)
    before = counts()
    response = admin_add(client, cast, end="2025-08-01")
    assert response.status_code == 200
    assert "before it starts" in response.content.decode()
    assert counts() == before


def test_the_admin_page_creates_a_secondment_through_the_service(client, cast, admin_user):
    client.force_login(admin_user)
    response = admin_add(client, cast, end="2025-12-31", note="secondment")
    assert response.status_code == 302
    created = Assignment.objects.get(person=cast.officer_a, unit=cast.commune_b)
    assert AuditEntry.objects.filter(action="assignment.create", object_id=str(created.pk), actor=admin_user).exists()
