"""Issue 16 item 5: a bill may be paid in parts (a subset of its participants at a time).

``BillLine.payment`` is the payment that paid the line. Bills paid before this migration were paid whole by one
payment: their lines point to it.
"""

import django.db.models.deletion
from django.db import migrations, models


def forward(apps, schema_editor):
    Payment = apps.get_model("contributions", "Payment")
    BillLine = apps.get_model("contributions", "BillLine")
    for payment_id, bill_id in Payment.objects.filter(bill__isnull=False).values_list("id", "bill_id"):
        BillLine.objects.filter(bill_id=bill_id, payment__isnull=True).update(payment_id=payment_id)


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0005_due_dates_and_late_fines"),
    ]

    operations = [
        migrations.AddField(
            model_name="billline",
            name="payment",
            field=models.ForeignKey(
                blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="lines", to="contributions.payment",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
