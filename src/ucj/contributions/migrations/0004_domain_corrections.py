"""Issue 12 (shared/domain.md §6, 2026-11-30): bring an existing database's shipped rules up to date.

- PU.JKK.JKP rows removed: JKP participants pay the full JKK class rate (PP 6/2025 Pasal 11(5)).
- JAKON.JKM tiers added beside JAKON.TIER (JKK) (PP 44/2015 jo. PP 49/2020 Pasal 12(2)).
- RELIEF.PP7-2025 (labour-intensive industries), DEFERRAL.PP49-2020 (JP), MIN.WAGE (Sumsel UMP/UMK) added.
- Sources and notes corrected (BPU rows cite PP 44/2015 Lampiran II, not PP 50/2025).
- Village-role defaults: nothing to change (kelurahan are handled when defaults are applied).

Only the families changed here are upserted by (code, variant, valid_from); other rows (e.g. JP ceilings an admin
corrected) and rows an admin added are left alone.
"""

from django.db import migrations

CHANGED = {"PU.JKK", "PU.JKM", "BPU.BAND", "BPU.JKK", "BPU.JKM", "JAKON.TIER", "JAKON.JKM", "RELIEF.PP49-2020",
           "RELIEF.PP7-2025", "DEFERRAL.PP49-2020", "MIN.WAGE"}  # fmt: skip


def forward(apps, schema_editor):
    from ucj.contributions.rules import shipped_upserts

    Rule = apps.get_model("contributions", "ContributionRule")
    Rule.objects.filter(code="PU.JKK.JKP").delete()
    for key, values in shipped_upserts(CHANGED):
        Rule.objects.update_or_create(**key, defaults=values)


class Migration(migrations.Migration):
    dependencies = [("contributions", "0002_shipped_rules_and_role_defaults")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
