"""The occupation → ecosystem mapping per region (issue 12 item 17), with the shipped national default
(``registry/data/ecosystem_mapping.csv``: a village's fishermen and street vendors in desa, market workers in
pasar; shared/domain.md §6)."""

import csv
from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def load_default(apps: Any, schema_editor: Any) -> None:
    from ucj.registry.vocab import DEFAULT_MAPPING_FILE

    rule = apps.get_model("registry", "EcosystemRule")
    with DEFAULT_MAPPING_FILE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rule.objects.update_or_create(
                region_id=row["region"] or None,
                keyword=row["keyword"],
                defaults={"ecosystem": row["ecosystem"], "source": row["source"]},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0002_regionboundary_region_lat_region_lng"),
        ("registry", "0003_import_limits"),
    ]

    operations = [
        migrations.CreateModel(
            name="EcosystemRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("keyword", models.CharField(max_length=80, verbose_name="kata kunci pekerjaan")),
                (
                    "ecosystem",
                    models.CharField(
                        choices=[
                            ("desa", "Desa"),
                            ("pasar", "Pasar"),
                            ("umkm", "UMKM"),
                            ("rentan", "Pekerja rentan"),
                            ("lainnya", "Lainnya"),
                        ],
                        max_length=10,
                        verbose_name="ekosistem",
                    ),
                ),
                ("source", models.CharField(blank=True, default="", max_length=250, verbose_name="sumber/dasar")),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="regions.region",
                        verbose_name="wilayah",
                    ),
                ),
            ],
            options={
                "verbose_name": "pemetaan pekerjaan ke ekosistem",
                "verbose_name_plural": "pemetaan pekerjaan ke ekosistem",
                "ordering": ["region_id", "keyword"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("region", "keyword"), name="unique_ecosystem_rule", nulls_distinct=False
                    )
                ],
            },
        ),
        migrations.RunPython(load_default, migrations.RunPython.noop),
    ]
