"""``python -m tests.registry.env_child``: a bounded child that answers with the names in its environment (for
tests/registry/test_sandbox.py)."""

import os
import sys

from ucj import bounded

if __name__ == "__main__":
    bounded.write_meta({"keys": sorted(os.environ)}, sys.stdout.buffer)
