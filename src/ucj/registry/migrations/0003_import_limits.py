"""Import limits (issue 11 §13): how many findings of a batch were counted but not stored."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_trust_records"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="findings_not_stored",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
