"""A citizen sends online the papers a request to supplement asked for: their citizen ID number
proves the dossier is theirs; the clock runs again; a wrong number or a bad file changes
nothing."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communeos.core.models import AuditEntry
from communeos.onestop import services
from communeos.onestop.models import DossierFile, Event, Status
from communeos.onestop.tests.conftest import APPLICANT, at, receive
from communeos.onestop.tests.test_intake import pdf_bytes

ID_NUMBER = APPLICANT["applicant_id_number"]
OTHER_ID = "001099012345"  # well-formed, someone else's


def waiting(cast):
    dossier = receive(cast, when=at(2025, 10, 6, 9, 0))
    services.dossier_request_supplement(
        actor=cast.officer_a,
        dossier=dossier,
        missing=["Giấy chứng sinh bản chính"],
        reason="Bản sao mờ",
        at=at(2025, 10, 6, 10, 0),
    )
    dossier.refresh_from_db()
    return dossier


def scan(name="giay-chung-sinh.pdf", content=None):
    return SimpleUploadedFile(name, content or pdf_bytes(), content_type="application/pdf")


def test_the_citizen_sends_the_papers_from_the_look_up_page_and_the_clock_runs_again(client, cast):
    dossier = waiting(cast)
    page = client.get(reverse("onestop_public:lookup_code", args=[dossier.code]), headers={"Accept-Language": "en"})
    assert "Send the papers online" in page.content.decode()
    typed = " ".join(ID_NUMBER[i : i + 3] for i in range(0, 12, 3))  # as people type it
    response = client.post(
        reverse("onestop_public:supplement", args=[dossier.code]),
        {"applicant_id_number": typed, "note": "Bản chính đây ạ", "files": [scan()]},
        headers={"Accept-Language": "en"},
        follow=True,
    )
    assert "Your papers were received" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.paused_at is None and dossier.due_at > dossier.received_at
    assert dossier.files.get().original_name == "giay-chung-sinh.pdf"
    event = dossier.events.get(action=Event.Action.SUPPLEMENT)
    assert event.actor is None and event.note == "Bản chính đây ạ"
    entry = AuditEntry.objects.filter(action="dossier.supplement").latest("seq")
    assert entry.actor is None and entry.actor_label == "citizen (online)"


def test_a_wrong_citizen_id_changes_nothing_and_the_api_answers_as_for_an_unknown_code(client, cast):
    dossier = waiting(cast)
    page = client.post(
        reverse("onestop_public:supplement", args=[dossier.code]),
        {"applicant_id_number": OTHER_ID, "files": [scan()]},
        headers={"Accept-Language": "en"},
        follow=True,
    )
    assert "is not that of the dossier" in page.content.decode()
    url = "/api/v1/onestop/public/dossiers/{}/supplement/"
    wrong_id = client.post(url.format(dossier.code), {"applicant_id_number": OTHER_ID, "files": [scan()]})
    unknown = client.post(url.format("06529-251006-9999"), {"applicant_id_number": ID_NUMBER, "files": [scan()]})
    malformed = client.post(url.format(dossier.code), {"applicant_id_number": "12", "files": [scan()]})
    assert wrong_id.status_code == unknown.status_code == malformed.status_code == 404
    assert wrong_id.json() == unknown.json() == malformed.json()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT and not DossierFile.objects.exists()


def test_the_api_takes_the_papers_and_answers_without_personal_data(client, cast, media_root):
    dossier = waiting(cast)
    url = f"/api/v1/onestop/public/dossiers/{dossier.code}/supplement/"
    none = client.post(url, {"applicant_id_number": ID_NUMBER})
    disguised = client.post(url, {"applicant_id_number": ID_NUMBER, "files": [scan("a.pdf", b"MZ\x90\x00 a program")]})
    assert none.status_code == disguised.status_code == 422
    assert "a.pdf" in str(disguised.json()) and not any(p.is_file() for p in media_root.rglob("*"))
    answer = client.post(url, {"applicant_id_number": ID_NUMBER, "files": [scan(), scan("2.pdf")]})
    assert answer.status_code == 200 and answer.json()["status"] == "received" and answer.json()["missing"] == []
    assert not [value for value in APPLICANT.values() if value in answer.content.decode()]
    assert DossierFile.objects.filter(dossier=dossier).count() == 2
    again = client.post(url, {"applicant_id_number": ID_NUMBER, "files": [scan()]})  # not waiting any more
    assert again.status_code == 422 and DossierFile.objects.filter(dossier=dossier).count() == 2
