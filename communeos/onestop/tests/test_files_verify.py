"""`manage.py onestop_files_verify`: every dossier's files are there as uploaded, and files no
dossier holds are found (and removed on request)."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from communeos.core.models import StoredFile
from communeos.onestop.services import Upload
from communeos.onestop.tests.conftest import required_papers
from communeos.onestop.tests.test_intake import online, pdf_bytes


def verify(*args) -> str:
    out = io.StringIO()
    call_command("onestop_files_verify", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def dossier(cast, file_store):
    scans = [Upload(p, SimpleUploadedFile(f"{p}.pdf", pdf_bytes() + str(p).encode())) for p in required_papers()]
    return online(cast, scans)


def test_intact_files_pass(dossier):
    assert "Dossier files intact. 2 file(s) checked: 0 missing, 0 altered; 0 held by no dossier." in verify()


def test_a_missing_and_an_altered_file_are_named_with_their_dossier(dossier, overwrite_stored):
    first, second = dossier.files.order_by("id")
    default_storage.delete(first.file.name)
    overwrite_stored(second.file.name, b"%PDF-1.7 something else")
    out = io.StringIO()
    with pytest.raises(CommandError, match="NOT intact.*1 missing, 1 altered"):
        call_command("onestop_files_verify", stdout=out)
    assert f"MISSING {first.file.name} of {dossier.code}" in out.getvalue()
    assert f"ALTERED {second.file.name} of {dossier.code}" in out.getvalue()


def test_files_no_dossier_holds_are_listed_and_removed_on_request_but_not_young_ones(dossier, file_store):
    old = default_storage.save("dossiers/2026/11/23/left-by-a-killed-worker", ContentFile(b"%PDF-1.7"))
    young = default_storage.save("dossiers/2026/11/24/an-intake-under-way", ContentFile(b"%PDF-1.7"))
    earlier = default_storage.save("dossiers/ab/named-as-before-2026-11", ContentFile(b"%PDF-1.7"))
    two_hours_ago = time.time() - 7200
    for name in (old, earlier):
        if file_store == "database":
            StoredFile.objects.filter(name=name).update(created_at=timezone.now() - timedelta(hours=2))
        else:
            os.utime(default_storage.path(name), (two_hours_ago, two_hours_ago))
    assert f"ORPHAN {old}" in verify() and f"ORPHAN {earlier}" in verify() and young not in verify()
    assert f"REMOVED {old}" in verify("--remove-orphans")
    assert not default_storage.exists(old) and not default_storage.exists(earlier) and default_storage.exists(young)
    assert all(default_storage.exists(f.file.name) for f in dossier.files.all())
