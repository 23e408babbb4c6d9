"""A participant's roster fingerprint: which roster row was last applied to it, so that a re-imported roster can
skip the rows nobody changed (issue 17 §3).

An import reads, for every known NIK, the stored values of every column the roster gives, and compares them:
for a re-uploaded roster of a million unchanged rows that read is most of the import (SQLite 6–8 s of 16 s on a
2-core machine). Instead every row an import writes (inserted, rewritten, or found equal) records the
fingerprint of the roster row that produced it: a 64-bit hash of the row as the store writes it (NIK, every
data column, and which values came from a region default). The next import reads only NIK, id, village and
fingerprint (0.6 s against 3.2–4 s for the full row on SQLite) and compares the full row only where the
fingerprints differ.

Why an equal fingerprint means "nothing to do", for a row whose stored values no one else changed since:
applying a roster row is idempotent (a blank cell keeps the stored value, a given cell is written, a region
default only fills what is not recorded, paid-through never moves by roster); the stored person then carries the
row's own name and birth date (or a birth date the row left blank), so it is never "another person"
(:func:`ucj.registry.identity.differs_expr`); only the writer's regions still decide, from the stored village,
between ``updated`` and ``foreign``.

"No one else changed it" is the database's job, not the code's: the **guard**, a trigger on the participant
table, clears the fingerprint whenever an ``UPDATE`` names a data column without giving a new fingerprint (a
page, the admin, a decision on a conflict, any SQL). Paid-through is not guarded: a roster never moves it for
a known person. Fingerprints are trusted only while the guard is in place and covers every data column
(:func:`guarded`); installing the guard clears every fingerprint first (:func:`install_sql`), so rows written
while it was missing (e.g. SQLite dropping triggers when a later migration rebuilds the table) are never
trusted. A page's own save writes no fingerprint either (``Participant.save``): an instance read before an
import rewrote the row would otherwise put back the old fingerprint, which the guard cannot tell from a new one.

For whoever changes the schema or runs the database:

- a data column added later must be added to :data:`GUARDED`, and a migration must install the guard again;
- PostgreSQL refuses to change the type of a column the guard names, or to drop one without ``CASCADE``: such
  a migration drops the guard first and installs it again after (which clears every fingerprint). Django's
  ``RemoveField`` drops with ``CASCADE`` on PostgreSQL, which drops the guard (then nothing is trusted until it
  is installed again); on SQLite it keeps the guard, which still fires for the other columns;
- SQLite drops the guard whenever a migration rebuilds the table: re-imports then compare every row again (slower,
  never wrong) until a migration installs it again; ``tests/registry/test_fingerprint.py`` fails meanwhile;
- PostgreSQL sessions that skip triggers (``ALTER TABLE … DISABLE TRIGGER``, ``session_replication_role =
  replica``, a restore with triggers off) must not edit participants; if they did, install the guard again.

The hash is Polars' ``hash_rows`` with a fixed seed: the same in every process of one Polars version. Another
version (or :data:`VERSION`) gives other fingerprints: every row is compared in full once, then carries the new
fingerprint. Bump :data:`VERSION` when applying a row changes meaning. A collision (2⁻⁶⁴ for a changed row)
would leave that one row as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

#: The participant column holding the fingerprint (NULL: unknown, compare in full).
COLUMN = "roster_fingerprint"
#: Mixed into the hash's seed; bump it when the meaning of applying a roster row changes.
VERSION = 1
#: The guard trigger's name (the same on SQLite and PostgreSQL).
TRIGGER = "participant_fingerprint_guard"
#: The data columns an import compares; an UPDATE naming any of them clears the fingerprint. Kept equal to
#: ``ucj.registry.store.DATA_COLUMNS`` without ``paid_through`` (tested).
GUARDED = (
    "name", "birth_date", "sex", "desa_id", "occupation", "village_role", "ecosystem", "segment", "payer",
    "jkk", "jkm", "jht", "jp", "jkp", "income", "risk_class", "poverty_decile", "kpj", "phone", "address",
    "coverage_start", "employer_sector", "employer_size", "unit_name",
)  # fmt: skip


def of_rows(frame: pl.DataFrame, columns: Sequence[str]) -> pl.Series:
    """The fingerprint of each row of ``frame`` over ``columns`` (in that order), as a signed 64-bit integer
    (the database's ``bigint``)."""
    hashed = frame.select(columns).hash_rows(seed=VERSION)
    return hashed.reinterpret(signed=True).alias(COLUMN)


def install_sql(vendor: str, table: str = "registry_participant", guarded: Sequence[str] = GUARDED) -> list[str]:
    """Statements that (re)create the guard over the columns ``guarded`` of ``table``, after clearing every
    stored fingerprint (they were written while no guard may have been watching). A migration passes the
    columns as they were at its point in history."""
    columns = ", ".join(guarded)
    clear = f"UPDATE {table} SET {COLUMN} = NULL WHERE {COLUMN} IS NOT NULL"  # noqa: S608 - constants only
    if vendor == "postgresql":
        return [
            *uninstall_sql(vendor, table),
            clear,
            f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN NEW.{COLUMN} := NULL; RETURN NEW; END $$",
            # WHEN: the function runs only for a row whose fingerprint the UPDATE left as it was.
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF {columns} ON {table} FOR EACH ROW "
            f"WHEN (OLD.{COLUMN} IS NOT NULL AND NEW.{COLUMN} IS NOT DISTINCT FROM OLD.{COLUMN}) "
            f"EXECUTE FUNCTION {TRIGGER}()",
        ]
    return [
        *uninstall_sql(vendor, table),
        clear,
        # SQLite's triggers cannot assign NEW: the row is updated again, by id, after the UPDATE's own write.
        f"CREATE TRIGGER {TRIGGER} AFTER UPDATE OF {columns} ON {table} FOR EACH ROW "  # noqa: S608 - constants
        f"WHEN OLD.{COLUMN} IS NOT NULL AND NEW.{COLUMN} IS OLD.{COLUMN} "
        f"BEGIN UPDATE {table} SET {COLUMN} = NULL WHERE id = NEW.id; END",
    ]


def uninstall_sql(vendor: str, table: str = "registry_participant") -> list[str]:
    """Statements that remove the guard (fingerprints are then never trusted)."""
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}", f"DROP FUNCTION IF EXISTS {TRIGGER}()"]
    return [f"DROP TRIGGER IF EXISTS {TRIGGER}"]


def guarded(cur: Any, vendor: str, table: str = "registry_participant") -> bool:
    """Whether the guard is in place on ``table``, enabled, and names every column of :data:`GUARDED`."""
    if vendor == "postgresql":
        cur.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s "
            "AND tgenabled IN ('O', 'A')",  # fires for ordinary sessions
            [table, TRIGGER],
        )
    else:
        cur.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s AND tbl_name = %s",
                    [TRIGGER, table])  # fmt: skip
    row = cur.fetchone()
    if row is None or not row[0]:
        return False
    named = _update_of(row[0])
    return named is not None and set(GUARDED) <= named


def _update_of(definition: str) -> set[str] | None:
    """The column names of a trigger's ``UPDATE OF a, b, … ON`` clause (``None`` when it has none)."""
    upper = definition.upper()
    start, end = upper.find("UPDATE OF "), upper.find(" ON ")
    if start < 0 or end < start:
        return None
    return {name.strip().strip('"').lower() for name in definition[start + len("UPDATE OF "):end].split(",")}
