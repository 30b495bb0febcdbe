"""Provincial heads: the chair and vice-chairs of the provincial People's Committee, who
assign incoming documents and approve outgoing ones at the province."""

from django.db import migrations

POSITIONS = [
    ("province_chair", "Chủ tịch UBND tỉnh", "Provincial chair", "province", 5),
    ("province_vice_chair", "Phó Chủ tịch UBND tỉnh", "Provincial vice-chair", "province", 6),
]


def forward(apps, schema_editor):
    Position = apps.get_model("people", "Position")
    for code, vi, en, scope, order in POSITIONS:
        Position.objects.update_or_create(
            code=code, defaults={"name_vi": vi, "name_en": en, "scope": scope, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0003_assignment_period_message")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
