"""A procedure version's fee note and time note, each in Vietnamese and in English, as its name
is: the catalogue held both in one field as "Vietnamese / English", which the English pages
showed whole and the printed forms had to cut (at the first " / ", as they did)."""

from django.db import migrations, models

SEPARATOR = " / "
NOTES = ("fee_note", "time_note")


def split_notes(apps, schema_editor):
    ProcedureVersion = apps.get_model("onestop", "ProcedureVersion")
    for version in ProcedureVersion.objects.all():
        values = {}
        for note in NOTES:
            vi, _sep, en = getattr(version, note).partition(SEPARATOR)
            values[f"{note}_vi"], values[f"{note}_en"] = vi.strip(), en.strip()
        ProcedureVersion.objects.filter(pk=version.pk).update(**values)


def join_notes(apps, schema_editor):
    ProcedureVersion = apps.get_model("onestop", "ProcedureVersion")
    for version in ProcedureVersion.objects.all():
        values = {}
        for note in NOTES:
            vi, en = getattr(version, f"{note}_vi"), getattr(version, f"{note}_en")
            values[note] = f"{vi}{SEPARATOR}{en}" if en else vi
        ProcedureVersion.objects.filter(pk=version.pk).update(**values)


class Migration(migrations.Migration):
    dependencies = [("onestop", "0004_event_actor_label")]

    operations = [
        migrations.AddField(
            model_name="procedureversion",
            name="fee_note_vi",
            field=models.CharField(blank=True, max_length=250, verbose_name="fee note (Vietnamese)"),
        ),
        migrations.AddField(
            model_name="procedureversion",
            name="fee_note_en",
            field=models.CharField(blank=True, max_length=250, verbose_name="fee note (English)"),
        ),
        migrations.AddField(
            model_name="procedureversion",
            name="time_note_vi",
            field=models.CharField(blank=True, max_length=250, verbose_name="time note (Vietnamese)"),
        ),
        migrations.AddField(
            model_name="procedureversion",
            name="time_note_en",
            field=models.CharField(blank=True, max_length=250, verbose_name="time note (English)"),
        ),
        migrations.RunPython(split_notes, join_notes),
        migrations.RemoveField(model_name="procedureversion", name="fee_note"),
        migrations.RemoveField(model_name="procedureversion", name="time_note"),
    ]
