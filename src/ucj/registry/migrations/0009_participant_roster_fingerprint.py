"""The roster fingerprint of every participant and its guard (issue 17 §3; :mod:`ucj.registry.fingerprint`).

The column holds the fingerprint of the roster row last applied to the participant; the guard, a trigger,
clears it whenever an ``UPDATE`` names a data column without giving a new one. Existing rows start without a
fingerprint: the next import of a row compares it in full, as before, and records its fingerprint. The guard is
written out here as it is at this point in history (``fingerprint.install_sql`` makes the same statements
today); a later data column needs a migration that installs the guard again, which clears every fingerprint."""

from typing import Any

from django.db import migrations, models

GUARDED = (
    "name, birth_date, sex, desa_id, occupation, village_role, ecosystem, segment, payer, jkk, jkm, jht, jp, jkp, "
    "income, risk_class, poverty_decile, kpj, phone, address, coverage_start, employer_sector, employer_size, "
    "unit_name"
)
INSTALL = {
    "postgresql": [
        "CREATE FUNCTION participant_fingerprint_guard() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.roster_fingerprint := NULL; RETURN NEW; END $$",
        f"CREATE TRIGGER participant_fingerprint_guard BEFORE UPDATE OF {GUARDED} ON registry_participant "
        "FOR EACH ROW WHEN (OLD.roster_fingerprint IS NOT NULL AND NEW.roster_fingerprint IS NOT DISTINCT FROM "
        "OLD.roster_fingerprint) EXECUTE FUNCTION participant_fingerprint_guard()",
    ],
    "sqlite": [
        f"CREATE TRIGGER participant_fingerprint_guard AFTER UPDATE OF {GUARDED} ON registry_participant "  # noqa: S608
        "FOR EACH ROW WHEN OLD.roster_fingerprint IS NOT NULL AND NEW.roster_fingerprint IS OLD.roster_fingerprint "
        "BEGIN UPDATE registry_participant SET roster_fingerprint = NULL WHERE id = NEW.id; END",
    ],
}
UNINSTALL = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS participant_fingerprint_guard ON registry_participant",
        "DROP FUNCTION IF EXISTS participant_fingerprint_guard()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS participant_fingerprint_guard"],
}


def install(apps: Any, schema_editor: Any) -> None:
    for sql in INSTALL[schema_editor.connection.vendor]:
        schema_editor.execute(sql)


def uninstall(apps: Any, schema_editor: Any) -> None:
    for sql in UNINSTALL[schema_editor.connection.vendor]:
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
