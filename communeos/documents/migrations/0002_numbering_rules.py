"""The numbering rules in force, as data (see NumberingRule)."""

from datetime import date

from django.db import migrations

RULES = [
    # body, per, one series per type, secret documents in their own series, basis
    (
        "state",
        "year",
        False,
        True,
        "Nghị định 30/2020/NĐ-CP, Điều 15 và Phụ lục I: số văn bản tính từ 01 ngày 01 "
        "tháng 01 đến 31 tháng 12; văn bản mật đánh số riêng",
    ),
    (
        "party",
        "term",
        True,
        False,
        "Hướng dẫn 36-HD/VPTW ngày 03/4/2018, mục II.1.3: số văn bản tính theo từng "
        "loại văn bản trong một nhiệm kỳ cấp ủy; văn bản mật đánh chung",
    ),
]


def forward(apps, schema_editor):
    Rule = apps.get_model("documents", "NumberingRule")
    for body, period, per_type, secret_own, basis in RULES:
        Rule.objects.update_or_create(
            body=body,
            effective_from=date(2020, 3, 5) if body == "state" else date(2018, 4, 3),
            defaults={"period": period, "per_type": per_type, "secret_own_series": secret_own, "legal_basis": basis},
        )


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
