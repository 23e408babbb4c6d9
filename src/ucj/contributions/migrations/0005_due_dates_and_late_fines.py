"""Issue 12 item 5: due dates and late fines.

- ``Bill.due_date`` (the bill month's due date) and ``Bill.month_amounts`` (amount per contribution month and
  segment, the base of the late fine). Bills made before this migration have neither: make them again to see
  their overdue months (docs/contributions.md).
- The shipped ``DUE.DATE`` and ``LATE.FINE`` rule rows (sources: data/rules.csv, shared/domain.md §6) are upserted
  by (code, variant, valid_from); other rules are left alone.
"""

from django.db import migrations, models

FAMILIES = {"DUE.DATE", "LATE.FINE"}


def forward(apps, schema_editor):
    from ucj.contributions.rules import shipped_upserts

    Rule = apps.get_model("contributions", "ContributionRule")
    for key, values in shipped_upserts(FAMILIES):
        Rule.objects.update_or_create(**key, defaults=values)


def backward(apps, schema_editor):
    apps.get_model("contributions", "ContributionRule").objects.filter(code__in=FAMILIES).delete()


class Migration(migrations.Migration):
    dependencies = [("contributions", "0004_domain_corrections")]
    operations = [
        migrations.AddField(
            model_name="bill", name="due_date",
            field=models.DateField(blank=True, null=True, verbose_name="jatuh tempo"),
        ),
        migrations.AddField(model_name="bill", name="month_amounts", field=models.JSONField(default=list)),
        migrations.RunPython(forward, backward),
    ]
