from django.db import migrations


def content_out_of_line(apps, schema_editor):
    """PostgreSQL: a file's content is kept out of line and not compressed (PDFs and images are
    compressed already: trying again only costs time); the second index Django gives a text
    primary key, for LIKE 'prefix%', is dropped: only `listdir`, a maintenance operation, reads
    by prefix, and every upload would pay for it. (A migration of its own: Django creates that
    index at the end of the migration that creates the table.)"""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_storedfile ALTER COLUMN content SET STORAGE EXTERNAL")
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'core_storedfile' AND indexname LIKE %s",
                ["%\\_like"],
            )
            for (name,) in cursor.fetchall():
                schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_stored_file"),
    ]

    operations = [
        migrations.RunPython(content_out_of_line, migrations.RunPython.noop),
    ]
