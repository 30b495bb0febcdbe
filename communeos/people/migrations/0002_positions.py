from django.db import migrations

POSITIONS = [
    # code, Vietnamese, English, held in, order
    ("commune_chair", "Chủ tịch UBND xã", "Commune chair", "commune", 10),
    ("commune_vice_chair", "Phó Chủ tịch UBND xã", "Commune vice-chair", "commune", 20),
    ("onestop_officer", "Cán bộ một cửa", "One-stop officer", "commune", 30),
    ("specialist", "Chuyên viên", "Specialist", "any", 40),
    ("clerk", "Văn thư", "Clerk", "any", 50),
    ("department_officer", "Cán bộ sở, ngành tỉnh", "Provincial department officer", "province", 60),
    ("working_group_member", "Thành viên tổ công tác", "Working-group member", "province", 70),
    ("administrator", "Quản trị hệ thống", "Administrator", "any", 90),
]


def forward(apps, schema_editor):
    Position = apps.get_model("people", "Position")
    for code, vi, en, scope, order in POSITIONS:
        Position.objects.update_or_create(
            code=code, defaults={"name_vi": vi, "name_en": en, "scope": scope, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
