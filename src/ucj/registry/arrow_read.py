"""Reading many participant rows of a SQLite registry through Arrow, in a child process (issue 17 §3).

Through Python's ``sqlite3`` module a million stored rows of 15 columns cost 4.4–8 s (fetching 15 million Python
objects 3.7 s, building the Polars frame from them 1.8 s). The Arrow driver (``adbc_driver_sqlite``) reads the same
rows straight into Arrow columns in 1.3–1.5 s; the child hands them back as an Arrow IPC file through a memory
file (:func:`ucj.bounded.run`). The whole lookup of a 1M-row re-import: 2.1–2.6 s against 4.4–4.7 s in-process
(same run, load 1.5), 2.1 s in the CLI (load 1.4), 3.6 s against 6.2 s in ``bench/import_bench.py --before``
(medians of 2, load 0.9–1.8). What did not help: SQLite building CSV lines (quoted with ``replace``) or JSON
objects for Polars to parse in bulk: 3.2–5.3 s, the string building inside SQLite alone 4.1 s; ``mmap_size`` or
a larger page cache for the child's scan: no change (1.3–1.5 s).

Why a child: the driver bundles its own SQLite library. Two SQLite libraries holding one database file in one
process lose each other's POSIX locks, so the driver never opens the registry inside the Django process.

Why the child sees what the import's transaction sees (:func:`ucj.registry.store.snapshot_file` checks each
condition): the import's transaction began with ``BEGIN IMMEDIATE`` (Django's ``transaction_mode``), which takes
the database's single write lock and a read snapshot of the newest commit at once; while that lock is held no
other connection can commit. In WAL mode a reader that starts later reads the newest commit, which is therefore
the same state. Only the transaction's own writes would be missing from the child's view, so the child is used
only when the connection has written nothing since before the transaction began (its ``total_changes`` count is
unchanged), i.e. for the lookup before the insert. Never for a database in memory (no file to open).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

import polars as pl

from ucj import bounded

#: The child has this long; after it the import reads in-process instead (a million rows take ~1.5 s).
TIMEOUT_SECONDS = 300.0
#: Rows the driver reads before it fixes the column types: all of them. With its default (1,024) a column that
#: is NULL in those rows is typed as an integer and the first text further on fails the read.
_BATCH_ROWS = str(2**30)  # the largest the driver accepts


class ChildReadError(Exception):
    """The child did not answer (it failed, hit the timeout, or the driver is missing)."""


def read(path: Path, parts: Sequence[tuple[str, Sequence[Any]]], columns: Sequence[str]) -> pl.DataFrame:
    """The rows of every ``(sql, params)`` of ``parts`` one after the other (``?`` placeholders; the same columns
    in each) on the SQLite database file ``path``, read read-only by a child process through the Arrow driver, as
    a Polars frame with ``columns`` as its column names (one per selected expression, in order). The child reads
    the parts side by side, one thread and connection each. Column types are the driver's (inferred from every
    value: text, integers, floats; an all-NULL column comes back as integers). Raises :class:`ChildReadError` when
    the child gives no answer; the caller reads in-process then."""
    request = json.dumps({"path": str(path), "parts": [[sql, list(params)] for sql, params in parts]}).encode()

    def decode(meta: dict[str, Any], ipc: IO[bytes]) -> pl.DataFrame:
        frame = pl.read_ipc(bounded.read_path(ipc))  # the data file, or the IPC file after the header
        if frame.width != len(columns) or frame.height != int(meta["rows"]):
            raise ChildReadError("unexpected answer")
        frame.columns = list(columns)
        return frame

    def refuse(code: str, value: str) -> Exception:
        return ChildReadError(code)  # the value may quote what the driver said about a row: never logged

    return bounded.run(__name__, [], request, memory_bytes=0, timeout_seconds=TIMEOUT_SECONDS, decode=decode,
                       refuse=refuse, data_file=True)  # fmt: skip


def _child(source: IO[bytes], out: IO[bytes]) -> int:
    """The child's side: the request (JSON) on ``source``, the header and the rows as Arrow IPC on ``out``."""
    try:
        import adbc_driver_sqlite.dbapi as adbc
    except ImportError:
        bounded.write_meta({"error": "NO_DRIVER"}, out)
        return 0
    request = json.loads(source.read())
    uri = Path(request["path"]).as_uri() + "?mode=ro"

    def part(sql: str, params: list[Any]) -> pl.DataFrame:
        with adbc.connect(uri) as con, con.cursor() as cur:
            cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": _BATCH_ROWS})
            cur.execute(sql, tuple(params))  # the driver reads every row here, without the GIL
            return pl.DataFrame(cur.fetch_arrow())

    with ThreadPoolExecutor(len(request["parts"])) as pool:
        frames = list(pool.map(lambda p: part(*p), request["parts"]))
    # A column NULL throughout one part comes back as integers there: the parts meet in their common type.
    frame = pl.concat(frames, how="vertical_relaxed") if len(frames) > 1 else frames[0]
    data = bounded.data_output()
    bounded.write_meta({"rows": frame.height, "data_file": data is not None}, out)
    # Same Polars on both sides: the newest IPC level keeps string views as they are (see ucj.registry.sandbox).
    frame.write_ipc(data or out, compat_level=pl.CompatLevel.newest())
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.stdin.buffer, sys.stdout.buffer))
