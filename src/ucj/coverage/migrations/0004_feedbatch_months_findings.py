"""A feed batch keeps the months it gave and its findings (issue 16 item 2: feed loads listed with their findings,
every feed figure named by its file and month)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("coverage", "0003_bappenas_and_feed_payer")]

    operations = [
        migrations.AddField(model_name="feedbatch", name="months", field=models.JSONField(blank=True, default=list)),
        migrations.AddField(model_name="feedbatch", name="findings", field=models.JSONField(blank=True, default=list)),
    ]
