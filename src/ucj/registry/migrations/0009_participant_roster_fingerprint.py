"""The roster fingerprint of every participant and its guard (issue 17 §3; :mod:`ucj.registry.fingerprint`).

The column holds the fingerprint of the roster row last applied to the participant; the guard, a trigger,
clears it whenever an ``UPDATE`` names a data column without giving a new one. Existing rows start without a
fingerprint: the next import of a row compares it in full, as before, and records its fingerprint. The guard's
columns are written out here as they are at this point in history; a later data column needs a migration that
installs the guard again (which clears every fingerprint)."""

from typing import Any

from django.db import migrations, models

from ucj.registry.fingerprint import install_sql, uninstall_sql

GUARDED = (
    "name", "birth_date", "sex", "desa_id", "occupation", "village_role", "ecosystem", "segment", "payer",
    "jkk", "jkm", "jht", "jp", "jkp", "income", "risk_class", "poverty_decile", "kpj", "phone", "address",
    "coverage_start", "employer_sector", "employer_size", "unit_name",
)  # fmt: skip


def install(apps: Any, schema_editor: Any) -> None:
    for sql in install_sql(schema_editor.connection.vendor, guarded=GUARDED):
        schema_editor.execute(sql)


def uninstall(apps: Any, schema_editor: Any) -> None:
    for sql in uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_drop_nik_like_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="roster_fingerprint",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
