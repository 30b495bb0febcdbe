"""The administrative map through /api/v1/units/: counts of units before and after 1 July 2025."""

import pytest

from communeos.units.models import Unit


@pytest.fixture
def api(client, cast):
    client.force_login(cast.officer_a)
    return client


def count(api, **params) -> int:
    response = api.get("/api/v1/units/", params)
    assert response.status_code == 200, response.content
    return response.json()["count"]


@pytest.mark.parametrize(
    ("province", "after", "before"),
    [
        # Counts after: the resolutions' own figures; before: the reference data in shared/.
        ("20", 65, 194),  # Lạng Sơn (Resolution 1672/NQ-UBTVQH15)
        ("14", 75, 200),  # Sơn La (Resolution 1681/NQ-UBTVQH15)
        ("12", 38, 106),  # Lai Châu (Resolution 1670/NQ-UBTVQH15)
        ("01", 126, 526),  # Hà Nội
        ("08", 124, 137),  # Tuyên Quang: a new unit under an old code; before, only the old Tuyên Quang
    ],
)
def test_it_counts_communes_of_a_province_before_and_after_the_reform(api, province, after, before):
    assert count(api, province=province, level="commune", on="2025-07-01") == after
    assert count(api, province=province, level="commune", on="2025-06-30") == before


def test_it_counts_the_country_before_and_after_the_reform(api):
    assert count(api, level="province", on="2025-06-30") == 63
    assert count(api, level="province", on="2025-07-01") == 34
    assert count(api, level="commune", on="2025-07-01") == 3321
    assert count(api, level="commune", on="2025-06-30") == 10035
    assert count(api, level="district", on="2025-06-30") == 696
    assert count(api, level="district", on="2025-07-01") == 0


def test_a_merged_province_code_names_different_units_on_either_side_of_the_reform(api):
    # Tuyên Quang (08) absorbed Hà Giang (02): the code 08 stays, the unit is new.
    before = api.get("/api/v1/units/08/", {"on": "2025-06-30"}).json()
    after = api.get("/api/v1/units/08/", {"on": "2025-07-01"}).json()
    assert before["id"] != after["id"]
    assert before["valid_to"] == "2025-06-30" and after["valid_from"] == "2025-07-01"
    assert {p["unit"]["code"] for p in after["predecessors"]} == {"02", "08"}
    assert [s["unit"]["id"] for s in before["successors"]] == [after["id"]]
    assert after["predecessors"][0]["resolution"] == "202/2025/QH15"


def test_a_new_commune_lists_its_predecessors_with_the_resolution(api):
    body = api.get("/api/v1/units/06529/", {"on": "2025-08-01"}).json()
    assert body["name"] == "Xã Lộc Bình"
    assert body["province"]["code"] == "20"
    names = {p["unit"]["name"] for p in body["predecessors"]}
    assert "Thị trấn Lộc Bình" in names
    assert {p["resolution"] for p in body["predecessors"]} == {"1672/NQ-UBTVQH15"}


def test_a_split_commune_lists_every_successor_as_a_part(api):
    split = Unit.objects.filter(successions_out__share="part").distinct().first()
    body = api.get(f"/api/v1/units/{split.code}/", {"on": "2025-06-30", "level": "commune"}).json()
    assert len(body["successors"]) >= 2
    assert {s["share"] for s in body["successors"]} == {"part"}


def test_the_list_is_paged_with_the_total(api):
    first = api.get("/api/v1/units/", {"level": "commune", "on": "2025-07-01", "page_size": 50}).json()
    second = api.get("/api/v1/units/", {"level": "commune", "on": "2025-07-01", "page_size": 50, "page": 2}).json()
    assert first["count"] == 3321 and len(first["items"]) == 50
    assert {u["id"] for u in first["items"]}.isdisjoint({u["id"] for u in second["items"]})


def test_unknown_code_or_date_outside_its_period_answers_404(api):
    assert api.get("/api/v1/units/99999/").status_code == 404
    # The code 06529 belonged to another, older unit before the reform.
    old = api.get("/api/v1/units/06529/", {"on": "2025-06-01"}).json()
    assert old["name"] != "Xã Lộc Bình" and old["valid_to"] == "2025-06-30"
    assert api.get("/api/v1/units/2025/").status_code == 404
    assert api.get("/api/v1/units/", {"province": "99", "on": "2025-07-01"}).status_code == 404


def test_a_malformed_date_is_refused_with_422(api):
    assert api.get("/api/v1/units/", {"on": "30/06/2025"}).status_code == 422


def test_the_api_needs_a_session_or_a_token(client, cast):
    assert client.get("/api/v1/units/").status_code == 401


def test_the_openapi_schema_documents_the_units_endpoints(api):
    schema = api.get("/api/v1/openapi.json").json()
    assert "/api/v1/units/" in schema["paths"]
    assert "/api/v1/units/{code}/" in schema["paths"]
    assert "/api/v1/me/" in schema["paths"]
