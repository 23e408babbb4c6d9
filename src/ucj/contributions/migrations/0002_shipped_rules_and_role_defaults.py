"""Load the shipped contribution rules (data/rules.csv) and the national village-role defaults."""

from django.db import migrations

# Practice, not a national rule (shared/domain.md §2, open question 8): regions override these per region.
PRACTICE = "Praktik umum (shared/domain.md §2): Perbup siltap/jaminan sosial, Perkades iuran dari ADD"
APBD_PRACTICE = "Praktik umum: pekerja rentan BPU golongan terendah dibayar APBD (mis. Penajam Paser Utara 2025)"
ROLE_DEFAULTS = [
    # role, segment, programs, payer, risk class, income, source
    ("kepala_desa", "PU", "JKK,JKM", "apbdes", 1, None, PRACTICE),
    ("perangkat_desa", "PU", "JKK,JKM", "apbdes", 1, None, PRACTICE),
    ("bpd", "BPU", "JKK,JKM", "apbdes", None, 1_000_000, PRACTICE),
    ("lkd", "BPU", "JKK,JKM", "apbdes", None, 1_000_000, PRACTICE),
    ("rt", "BPU", "JKK,JKM", "apbd_kabkota", None, 1_000_000, APBD_PRACTICE),
    ("rw", "BPU", "JKK,JKM", "apbd_kabkota", None, 1_000_000, APBD_PRACTICE),
    ("rentan", "BPU", "JKK,JKM", "apbd_kabkota", None, 1_000_000, APBD_PRACTICE),
]


def load(apps, schema_editor):
    from ucj.contributions.rules import rule_to_row, shipped_rules

    Rule = apps.get_model("contributions", "ContributionRule")
    for rule in shipped_rules():
        row = {k: (v or None) for k, v in rule_to_row(rule).items()}
        key = {"code": rule.code, "variant": rule.variant, "valid_from": rule.valid_from}
        values = {k: v for k, v in row.items() if k not in key}
        values.update({k: values[k] or "" for k in ("segments", "programs", "excluded_payers", "source", "note")})
        Rule.objects.update_or_create(**key, defaults=values)
    RoleDefault = apps.get_model("contributions", "RoleDefault")
    for role, segment, programs, payer, risk, income, source in ROLE_DEFAULTS:
        RoleDefault.objects.update_or_create(
            region=None,
            role=role,
            defaults={
                "segment": segment,
                "programs": programs,
                "payer": payer,
                "risk_class": risk,
                "income": income,
                "source": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
