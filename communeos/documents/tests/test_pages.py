"""The document pages through HTTP: registering, the duplicate warning, the page with its
citations, actions by role, the registers and their exports, confidentiality (404)."""

from datetime import date

from django.urls import reverse

from communeos.conftest import run_tasks
from communeos.core.models import AuditEntry, Export
from communeos.documents.models import Document
from communeos.documents.tests.conftest import incoming


def register_form(**extra):
    return {
        "symbol": "1672/NQ-UBTVQH15",
        "author": "Ủy ban Thường vụ Quốc hội",
        "issued_on": "2025-06-16",
        "summary": "Nghị quyết về việc sắp xếp các đơn vị hành chính cấp xã của tỉnh Lạng Sơn năm 2025",
        "text": "Căn cứ Nghị quyết số 76/2025/UBTVQH15 ngày 14/4/2025",
    } | extra


def test_a_clerk_registers_and_sees_the_citations(client, cast, clerk):
    client.force_login(clerk)
    response = client.post(reverse("documents:register_incoming"), register_form())
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("documents:detail", args=[document.pk])
    page = client.get(response["Location"]).content.decode()
    assert "1672/NQ-UBTVQH15" in page and "76/2025/UBTVQH15" in page


def test_registering_twice_warns_with_a_link_to_the_first(client, cast, clerk):
    client.force_login(clerk)
    client.post(reverse("documents:register_incoming"), register_form())
    first = Document.objects.get()
    again = client.post(reverse("documents:register_incoming"), register_form(symbol="Số: 1672 / NQ-UBTVQH15"))
    assert again.status_code == 200 and reverse("documents:detail", args=[first.pk]) in again.content.decode()
    assert Document.objects.count() == 1
    confirmed = client.post(reverse("documents:register_incoming"), register_form(confirm_duplicate="on"))
    assert confirmed.status_code == 302 and Document.objects.count() == 2


def test_a_bad_symbol_shows_the_expected_forms(client, cast, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("documents:register_incoming"), register_form(symbol="no symbol"), headers={"Accept-Language": "en"}
    )
    assert "15/UBND-VP" in response.content.decode() and not Document.objects.exists()


def test_another_commune_gets_404(client, cast, clerk):
    document = incoming(clerk, cast.commune_a)
    client.force_login(cast.officer_b)
    assert client.get(reverse("documents:detail", args=[document.pk])).status_code == 404
    assert client.post(reverse("documents:action", args=[document.pk, "start"])).status_code == 404
    assert document not in client.get(reverse("documents:list"), {"q": "lang son"}).context["page"]


def test_a_confidential_document_is_404_unless_granted_and_each_view_is_audited(client, cast, clerk):
    secret = incoming(clerk, cast.commune_a, symbol="07/QĐ-UBND", confidentiality="toi_mat")
    client.force_login(cast.provincial)
    assert client.get(reverse("documents:detail", args=[secret.pk])).status_code == 404
    client.force_login(clerk)
    views = AuditEntry.objects.filter(action="document.view").count()
    assert client.get(reverse("documents:detail", args=[secret.pk])).status_code == 200
    assert AuditEntry.objects.filter(action="document.view", actor=clerk).count() == views + 1


def test_the_chair_assigns_through_the_page(client, cast, clerk):
    document = incoming(clerk, cast.commune_a)
    client.force_login(cast.chair_a)
    client.post(
        reverse("documents:action", args=[document.pk, "assign"]),
        {"lead": cast.officer_a.pk, "deadline": "2099-01-01", "comment": "Triển khai"},
    )
    document.refresh_from_db()
    assert document.status == "assigned" and document.deadline == date(2099, 1, 1)


def test_the_register_page_and_its_exports(client, cast, clerk):
    incoming(clerk, cast.commune_a)
    client.force_login(clerk)
    url = reverse("documents:register", args=[cast.commune_a.code, "incoming", 2025])
    assert "1672/NQ-UBTVQH15" in client.get(url).content.decode()
    secret = incoming(clerk, cast.commune_a, symbol="07/KH-CAT", author="Công an tỉnh", confidentiality="mat")
    xlsx = client.get(reverse("documents:register_export", args=[cast.commune_a.code, "incoming", 2025, "xlsx"]))
    assert xlsx.status_code == 200 and len(xlsx.content) > 1000
    assert xlsx["Content-Disposition"] == 'attachment; filename="so-van-ban-den-2025-06529.xlsx"'
    asked = client.post(reverse("documents:register_export", args=[cast.commune_a.code, "incoming", 2025, "pdf"]))
    export = Export.objects.get()
    assert asked.status_code == 302 and asked["Location"] == reverse("core:export", args=[export.pk])
    run_tasks()
    pdf = client.get(reverse("core:export_file", args=[export.pk]))
    assert pdf.status_code == 200 and len(b"".join(pdf.streaming_content)) > 1000
    assert pdf["Content-Disposition"] == 'attachment; filename="so-van-ban-den-2025-06529.pdf"'
    # The page's exports, like the API's, record each confidential entry printed as a view.
    views = AuditEntry.objects.filter(action="document.view", object_id=str(secret.pk), actor=clerk)
    assert sorted(entry.changes["export"][1] for entry in views) == ["register.pdf", "register.xlsx"]
    client.force_login(cast.officer_b)
    assert client.get(url).status_code == 404


def test_a_documents_files_open_from_its_page_for_those_who_see_it(client, cast, clerk, file_store):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from communeos.documents.tests.test_attachments import text_pdf

    content = text_pdf()
    document = incoming(clerk, cast.commune_a, uploads=[SimpleUploadedFile("qd.pdf", content)])
    secret = incoming(
        clerk,
        cast.commune_a,
        symbol="07/QĐ-UBND",
        confidentiality="mat",
        uploads=[SimpleUploadedFile("m.pdf", content)],
    )
    attachment, hidden = document.attachments.get(), secret.attachments.get()
    url = reverse("documents:file", args=[document.pk, attachment.pk])
    client.force_login(clerk)
    assert url in client.get(reverse("documents:detail", args=[document.pk])).content.decode()

    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == content
    assert not AuditEntry.objects.filter(action="document.file_view").exists()  # not confidential
    assert client.get(reverse("documents:file", args=[secret.pk, hidden.pk])).status_code == 200
    assert AuditEntry.objects.get(action="document.file_view").actor == clerk  # confidential: recorded
    assert client.get(reverse("documents:file", args=[document.pk, hidden.pk])).status_code == 404  # not its file

    client.force_login(cast.officer_b)  # another commune
    assert client.get(url).status_code == 404
    client.force_login(cast.provincial)  # sees the commune, not its confidential documents
    assert client.get(url).status_code == 200
    assert client.get(reverse("documents:file", args=[secret.pk, hidden.pk])).status_code == 404


def test_the_lead_handler_shows_on_the_register_and_the_page_whether_a_person_or_a_unit(client, cast, clerk):
    """A handling names a person or a unit, never needs both: the pages show whichever it has."""
    from communeos.conftest import make_person
    from communeos.documents import services

    specialist = make_person("specialist.a", cast.commune_a, "specialist")
    to_person = incoming(clerk, cast.commune_a)
    services.document_assign(actor=cast.chair_a, document=to_person, lead=specialist, deadline=date(2099, 1, 1))
    to_unit = incoming(clerk, cast.commune_a, symbol="15/TB-UBND", author="UBND tỉnh Lạng Sơn")
    services.document_assign(actor=cast.chair_a, document=to_unit, lead_unit=cast.commune_a, deadline=date(2099, 1, 1))
    client.force_login(clerk)
    register = client.get(reverse("documents:register", args=[cast.commune_a.code, "incoming", 2025]))
    assert register.status_code == 200
    assert str(specialist) in register.content.decode() and cast.commune_a.name in register.content.decode()
    for document, lead in ((to_person, str(specialist)), (to_unit, cast.commune_a.name)):
        page = client.get(reverse("documents:detail", args=[document.pk]))
        assert page.status_code == 200 and lead in page.content.decode()


def test_the_list_offers_registering_only_to_someone_with_a_unit(client, cast, clerk, admin_user):
    """A person with no unit (a system administrator) would get 404 from the registering pages:
    the list does not link to them."""
    new = reverse("documents:register_incoming")
    client.force_login(clerk)
    assert new in client.get(reverse("documents:list")).content.decode()
    client.force_login(admin_user)
    listing = client.get(reverse("documents:list"))
    assert listing.status_code == 200 and new not in listing.content.decode()
    assert client.get(new).status_code == 404
