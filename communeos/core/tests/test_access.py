"""Access by unit, with the cast: who sees which units, staff and records; 404 across communes."""

from datetime import date

import pytest

from communeos.conftest import make_person
from communeos.core import access
from communeos.people import services
from communeos.people.models import Position
from communeos.units.models import Level


def visible_codes(user, level=Level.COMMUNE):
    return set(access.units_visible_to(user).filter(level=level, valid_to=None).values_list("code", flat=True))


def test_a_commune_officer_sees_only_their_commune(cast):
    assert access.units_visible_to(cast.officer_a).get() == cast.commune_a
    assert not access.can_see_unit(cast.officer_a, cast.commune_b)


def test_a_provincial_officer_sees_every_commune_of_the_province(cast):
    codes = visible_codes(cast.provincial)
    assert len(codes) == 65
    assert {cast.commune_a.code, cast.commune_b.code} <= codes
    # and the province's history: the old communes of its old districts
    assert access.units_visible_to(cast.provincial).filter(level=Level.COMMUNE, valid_to="2025-06-30").count() == 194
    assert not visible_codes(cast.outsider) & codes


def test_someone_without_a_current_assignment_sees_nothing(cast):
    retired = make_person("retired", cast.commune_a, "specialist", start=date(2025, 7, 1))
    assignment = retired.assignments.get()
    services.assignment_update(actor=None, assignment=assignment, end=date(2025, 8, 1))
    assert not access.units_visible_to(retired).exists()


def test_a_secondment_adds_the_second_commune_for_its_dates(cast):
    services.assignment_create(
        actor=None,
        person=cast.officer_a,
        unit=cast.commune_b,
        position=Position.objects.get(code="specialist"),
        start=date(2025, 9, 1),
        end=date(2099, 12, 31),
    )
    assert visible_codes(cast.officer_a) == {cast.commune_a.code, cast.commune_b.code}
    assert not access.units_visible_to(cast.officer_a, date(2025, 8, 15)).filter(pk=cast.commune_b.pk).exists()


@pytest.mark.parametrize("path", ["/people/{id}/", "/api/v1/people/{id}/"])
def test_it_returns_404_for_a_person_of_another_commune(client, cast, path):
    client.force_login(cast.officer_b)
    assert client.get(path.format(id=cast.officer_a.pk)).status_code == 404
    assert client.get(path.format(id=cast.officer_b.pk)).status_code == 200


@pytest.mark.parametrize("path", ["/people/{id}/", "/api/v1/people/{id}/"])
def test_another_commune_and_a_missing_record_answer_alike(client, cast, path):
    client.force_login(cast.officer_b)
    other = client.get(path.format(id=cast.chair_a.pk))
    missing = client.get(path.format(id=999999))
    assert other.status_code == missing.status_code == 404
    assert other.content == missing.content


def test_the_provincial_officer_sees_staff_of_both_communes(client, cast):
    client.force_login(cast.provincial)
    for person in (cast.officer_a, cast.chair_a, cast.officer_b):
        assert client.get(f"/people/{person.pk}/").status_code == 200
    assert client.get(f"/people/{cast.outsider.pk}/").status_code == 404


def test_the_staff_list_shows_only_people_in_scope(client, cast):
    client.force_login(cast.officer_a)
    body = client.get("/people/").content.decode()
    assert "Chair.A" in body and "Officer.B" not in body
    api = client.get("/api/v1/people/").json()
    assert {p["username"] for p in api["items"]} == {"officer.a", "chair.a"}


def test_anonymous_visitors_are_sent_to_sign_in(client, cast):
    response = client.get(f"/people/{cast.officer_a.pk}/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_audit_trail_is_404_for_non_administrators(client, cast):
    client.force_login(cast.chair_a)
    assert client.get("/audit/").status_code == 404
