"""The catalogue as versioned data: a new version without code; dossiers keep theirs."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communeos.onestop import services
from communeos.onestop.models import ProcedureVersion
from communeos.onestop.tests.conftest import at, procedure, receive


def new_version(*, start: date, days: int = 1, cutoff=None) -> ProcedureVersion:
    """What the admin does with "save as new": copy the version, its papers and steps."""
    current = procedure().versions.get(version=1)
    version = ProcedureVersion.objects.create(
        procedure=current.procedure,
        version=2,
        effective_from=start,
        legal_basis="Nghị định 999/2026/NĐ-CP (giả định cho kiểm thử)",
        days=days,
        cutoff=cutoff,
    )
    for paper in current.papers.all():
        version.papers.create(order=paper.order, name_vi=paper.name_vi, name_en=paper.name_en, required=paper.required)
    for step in current.steps.all():
        copy = version.steps.create(stage=step.stage, name_vi=step.name_vi, name_en=step.name_en, share=step.share)
        copy.positions.set(step.positions.all())
    return version


def test_a_dossier_keeps_the_version_it_was_received_under(cast, admin_user):
    old = receive(cast, when=at(2026, 2, 27, 9, 0))
    current = procedure().versions.get(version=1)
    current.effective_to = date(2026, 2, 28)
    current.save()
    version = new_version(start=date(2026, 3, 1), days=2)
    services.procedure_version_publish(actor=admin_user, version=version)
    new = receive(cast, when=at(2026, 3, 2, 9, 0))  # Monday
    assert old.procedure_version.version == 1 and new.procedure_version.version == 2
    assert new.due_at == at(2026, 3, 4, 17, 0)
    old.refresh_from_db()
    assert old.due_at == at(2026, 2, 27, 17, 0)


def test_overlapping_versions_and_incomplete_steps_are_refused(cast, admin_user, english):
    version = new_version(start=date(2026, 3, 1))
    with pytest.raises(ValidationError, match="end it the day before"):
        services.procedure_version_publish(actor=admin_user, version=version)
    version.steps.filter(stage="return").delete()
    with pytest.raises(ValidationError):
        services.procedure_version_check(version)
    version.cutoff, version.days = time(15), 2
    version.steps.create(stage="return", name_vi="Trả", name_en="Return", share=10)
    with pytest.raises(ValidationError):
        services.procedure_version_check(version)


def test_a_version_in_use_is_read_only_in_the_admin(client, cast, admin_user):
    dossier = receive(cast)
    client.force_login(admin_user)
    url = reverse("admin:onestop_procedureversion_change", args=[dossier.procedure_version.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    unused = procedure("death-registration").versions.get()
    page = client.get(reverse("admin:onestop_procedureversion_change", args=[unused.pk]))
    assert 'name="_save"' in page.content.decode()
