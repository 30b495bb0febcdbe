from django.db import migrations, models


def content_out_of_line(apps, schema_editor):
    """PostgreSQL: a file's content is kept out of line and not compressed (PDFs and images are
    compressed already: trying again only costs time)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_storedfile ALTER COLUMN content SET STORAGE EXTERNAL")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_audit_link_in_sql"),
    ]

    operations = [
        migrations.CreateModel(
            name="StoredFile",
            fields=[
                ("name", models.CharField(max_length=255, primary_key=True, serialize=False)),
                ("content", models.BinaryField()),
                ("size", models.PositiveBigIntegerField()),
                ("created_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "stored file",
                "verbose_name_plural": "stored files",
            },
        ),
        migrations.RunPython(content_out_of_line, migrations.RunPython.noop),
    ]
