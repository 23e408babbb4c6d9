"""API tokens expire (issue 11 §16): ``expires_at``; tokens issued before get ``created_at + UCJ_TOKEN_DAYS``."""

import datetime as dt

from django.conf import settings
from django.db import migrations, models


def expire_existing(apps, schema_editor):
    days = getattr(settings, "UCJ_TOKEN_DAYS", 90)
    if days <= 0:
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    for row in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        ApiToken.objects.filter(pk=row.pk).update(expires_at=row.created_at + dt.timedelta(days=days))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="kedaluwarsa"),
        ),
        migrations.AlterField(
            model_name="apitoken", name="name",
            field=models.CharField(blank=True, default="", max_length=100, verbose_name="nama"),
        ),
        migrations.AlterField(
            model_name="apitoken", name="prefix", field=models.CharField(max_length=8, verbose_name="awalan"),
        ),
        migrations.AlterField(
            model_name="apitoken", name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="dibuat"),
        ),
        migrations.AlterField(
            model_name="apitoken", name="last_used_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="terakhir dipakai"),
        ),
        migrations.AlterField(
            model_name="apitoken", name="revoked", field=models.BooleanField(default=False, verbose_name="dicabut"),
        ),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
    ]
