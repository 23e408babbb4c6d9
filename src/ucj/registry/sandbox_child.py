"""``python -m ucj.registry.sandbox_child LIMITS FILENAME FACTS``: the roster parse child of
:func:`ucj.registry.sandbox.read_in_child`. Only the standard library and :mod:`ucj.bounded` are imported before
the memory, CPU and output limits are set; the reader, Polars and the spreadsheet libraries are imported under
them (their import alone takes ~180 MB, which a low ``UCJ_PARSE_MEMORY_MB`` must be able to refuse)."""

from __future__ import annotations

import json
import sys

from ucj import bounded


def main(argv: list[str]) -> int:
    limits = json.loads(argv[1])
    bounded.set_limits(int(limits["memory_bytes"]), float(limits["timeout_seconds"]))
    try:
        from ucj.registry.sandbox import parse_in_child
    except MemoryError:  # the parser's libraries do not fit under the limit (a failed thread start is a panic: exit 1)
        return bounded.EXIT_MEMORY
    return parse_in_child(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
