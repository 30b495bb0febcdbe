from django.db import migrations, models


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
    ]
