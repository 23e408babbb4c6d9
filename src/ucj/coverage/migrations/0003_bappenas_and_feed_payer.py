"""The Bappenas indicator 06.02.021 (issue 12 item 18): ``bpu_universe``, the universe of BPU (informal) workers,
as a denominator definition of workforce rows and targets. (The feed's payer column already exists since
0001: ``FeedRow.payer``; the demo feed now fills it, issue 12 item 16.)"""

from django.db import migrations, models

CHOICES = [
    ("eligible", "Pekerja eligible (BPJS, potensi tenaga kerja)"),
    ("bps_employed", "Penduduk bekerja (BPS Sakernas)"),
    ("vulnerable", "Pekerja miskin/rentan (P3KE, DTKS, DTSEN)"),
    ("bpu_universe", "Semesta PBPU / pekerja informal (indikator Bappenas 06.02.021)"),
]


class Migration(migrations.Migration):
    dependencies = [("coverage", "0002_shared_cache_table")]

    operations = [
        migrations.AlterField(
            model_name="target",
            name="definition",
            field=models.CharField(choices=CHOICES, default="eligible", max_length=15, verbose_name="definisi"),
        ),
        migrations.AlterField(
            model_name="workforce",
            name="definition",
            field=models.CharField(choices=CHOICES, max_length=15, verbose_name="definisi"),
        ),
    ]
