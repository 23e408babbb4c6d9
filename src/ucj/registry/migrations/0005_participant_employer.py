"""The employer's sector and size on a participant (issue 12 item 4: the PP 7/2025 JKK relief on bills)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_ecosystem_mapping"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="employer_sector",
            field=models.CharField(
                blank=True,
                choices=[
                    ("textile", "Tekstil dan pakaian jadi"),
                    ("footwear", "Alas kaki"),
                    ("leather", "Kulit dan barang dari kulit"),
                    ("furniture", "Furnitur"),
                    ("food", "Makanan dan minuman"),
                    ("toys", "Mainan anak"),
                    ("other", "Lainnya"),
                ],
                max_length=12,
                null=True,
                verbose_name="sektor usaha pemberi kerja",
            ),
        ),
        migrations.AddField(
            model_name="participant",
            name="employer_size",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="jumlah pekerja pemberi kerja"),
        ),
    ]
