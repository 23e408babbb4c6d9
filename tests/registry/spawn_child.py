"""``python -m tests.registry.spawn_child``: a bounded child that starts a long-running process of its own, answers
with its process id and exits, leaving it behind (for tests/registry/test_sandbox.py)."""

import subprocess
import sys

from ucj import bounded

if __name__ == "__main__":
    left = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    bounded.write_meta({"pid": left.pid}, sys.stdout.buffer)
