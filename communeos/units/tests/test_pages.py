"""The unit pages: facts, lineage as links, a province's communes on a date with a search box."""

from communeos.units.models import Level, Unit


def test_a_commune_page_shows_kind_code_parent_validity_and_lineage_links(client, cast):
    client.force_login(cast.officer_b)
    page = client.get(f"/units/{cast.commune_a.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Xã Lộc Bình" in page and "06529" in page and "Commune" in page
    assert f'href="/units/{cast.province.pk}/"' in page  # the parent, Lạng Sơn
    assert "from 01/07/2025" in page
    old_town = Unit.objects.get(name="Thị trấn Lộc Bình", valid_to="2025-06-30")
    assert f'href="/units/{old_town.pk}/"' in page
    old_page = client.get(f"/units/{old_town.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="/units/{cast.commune_a.pk}/"' in old_page and "until 30/06/2025" in old_page


def test_the_province_page_finds_a_commune_without_diacritics(client, cast):
    client.force_login(cast.officer_a)
    response = client.get(f"/units/{cast.province.pk}/", {"q": "loc binh", "on": "2025-08-01"})
    names = [u.name for u in response.context["children"]]
    assert names == ["Xã Lộc Bình"]
    assert client.get(f"/units/{cast.province.pk}/", {"q": "LỘC BÌNH"}).context["children"].paginator.count == 1


def test_the_province_page_lists_the_communes_on_the_chosen_date(client, cast):
    client.force_login(cast.officer_a)
    before = client.get(f"/units/{cast.province.pk}/", {"on": "2025-06-30"}).context["children"]
    after = client.get(f"/units/{cast.province.pk}/", {"on": "2025-07-01"}).context["children"]
    assert before.paginator.count == 194 and after.paginator.count == 65
    assert {u.valid_to.isoformat() for u in before} == {"2025-06-30"}


def test_a_bad_date_shows_an_error_and_falls_back_to_today(client, cast):
    client.force_login(cast.officer_a)
    response = client.get(f"/units/{cast.province.pk}/", {"on": "31/02/2025"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_the_index_lists_provinces_on_a_date(client, cast):
    client.force_login(cast.officer_a)
    assert len(client.get("/units/", {"on": "2025-06-30"}).context["provinces"]) == 63
    assert len(client.get("/units/").context["provinces"]) == 34


def test_a_code_resolves_to_the_unit_in_force_on_the_date(client, cast):
    client.force_login(cast.officer_a)
    response = client.get("/units/code/06529/", {"on": "2025-07-01"})
    assert response.url == f"/units/{cast.commune_a.pk}/"
    old = Unit.objects.get(level=Level.COMMUNE, code="06529", valid_to="2025-06-30")
    assert client.get("/units/code/06529/", {"on": "2025-06-30"}).url == f"/units/{old.pk}/"
    assert client.get("/units/code/00000/").status_code == 404
    assert client.get("/units/987654321/").status_code == 404
