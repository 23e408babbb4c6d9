"""``python -m tests.bounded_child env|spawn``: a bounded child for tests/test_bounded.py. ``env`` answers with the
names in its environment; ``spawn`` starts a long-running process of its own, answers with its process id and
exits, leaving it behind."""

import os
import subprocess
import sys

from ucj import bounded

if __name__ == "__main__":
    if sys.argv[1] == "spawn":
        left = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        bounded.write_meta({"pid": left.pid}, sys.stdout.buffer)
    else:
        bounded.write_meta({"keys": sorted(os.environ)}, sys.stdout.buffer)
