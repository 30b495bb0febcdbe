"""What the API answers to numbers no database row can have: a page number or an id past
what the database holds is refused or finds nothing, never an error 500."""

import pytest
from django.db import connection

HUGE = "244335268755039806021552161423360"  # more than 64 bits


@pytest.mark.parametrize(
    "path",
    ["/api/v1/onestop/dossiers/", "/api/v1/documents/", "/api/v1/people/", "/api/v1/units/", "/api/v1/exports/"],
)
def test_a_page_number_past_what_a_database_holds_is_refused(client, cast, path):
    client.force_login(cast.officer_a)
    answer = client.get(path, {"page": HUGE})
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "page"]
    assert client.get(path, {"page": 2**31 - 1}).status_code == 200  # far past the last page: none


def test_an_id_past_64_bits_finds_nothing_or_is_refused(client, cast):
    client.force_login(cast.officer_a)
    # PostgreSQL compares the number with the column and finds nothing; SQLite cannot hold it.
    listing = client.get("/api/v1/people/", {"unit": f"-{HUGE}"})
    document = client.get(f"/api/v1/documents/{HUGE}/")
    assert document.status_code == 404
    if connection.vendor == "sqlite":
        assert listing.status_code == 422
        assert listing.json() == {"detail": "A number in the request is too large."}
    else:
        assert listing.status_code == 200 and listing.json()["items"] == []
