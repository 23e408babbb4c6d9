"""The ecosystem unit a roster names for a participant (issue 13 §4: each market or group shows workers known vs
covered)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_participant_employer"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="unit_name",
            field=models.CharField(
                blank=True, max_length=120, null=True, verbose_name="unit ekosistem (pasar/kelompok)"
            ),
        ),
    ]
