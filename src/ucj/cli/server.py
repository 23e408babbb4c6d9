"""``ucj serve``, ``ucj worker``, ``ucj migrate``.

One background worker per data folder: ``ucj worker`` holds an exclusive lock on ``UCJ_DATA_DIR/worker.lock``
(released by the kernel when the process dies, so a crash never leaves a stale lock). Holding it, the worker
first fails the imports a dead worker left ``running`` or orphaned in the queue (``WORKER_DIED``, retryable)
and deletes uploads no job will read. ``ucj serve`` supervises its worker: restarts it when it dies (with a
back-off), stops it with the server, and the worker also exits by itself if the server disappears.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType

import typer

from ucj.cli.output import console, fail
from ucj.cli.setup import boot

LOCK_NAME = "worker.lock"
#: ``ucj worker`` exits with this code when another worker holds the lock.
EXIT_LOCKED = 3
_PARENT_ENV = "UCJ_WORKER_PARENT"


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    threads: int = typer.Option(8, "--threads", help="Request threads."),
    worker: bool = typer.Option(True, "--worker/--no-worker", help="Also run the background-job worker."),
) -> None:
    """Serve the web app (waitress) with a supervised background worker for long imports."""
    boot()
    from django.conf import settings
    from waitress import serve as waitress_serve

    from ucj.wsgi import application

    supervisor = Supervisor(worker_command(), env={_PARENT_ENV: str(os.getpid())}) if worker else None
    if supervisor is not None:
        supervisor.start()
    signal.signal(signal.SIGTERM, _interrupt)  # so the finally below stops the worker on `kill`/systemd stop
    console.print(f"UCJ berjalan di / running at http://{host}:{port}/  (Ctrl+C untuk berhenti / to stop)")
    # Bodies beyond the upload cap are refused by the server itself (413) before Django reads them.
    max_body = (settings.UCJ_MAX_UPLOAD_MB + 1) * 1024 * 1024
    try:
        waitress_serve(application, host=host, port=port, threads=threads, ident="ucj", max_request_body_size=max_body)
    except KeyboardInterrupt:
        pass
    finally:
        if supervisor is not None:
            supervisor.shutdown()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def worker_command() -> list[str]:
    """The command line of the background worker."""
    return [sys.executable, "-m", "ucj.cli.main", "worker"]


class Supervisor(threading.Thread):
    """Keeps one child process running: restarts it when it exits (1 s back-off, doubling up to 30 s while it
    keeps dying within a minute) until :meth:`shutdown` stops it."""

    def __init__(self, command: list[str], env: dict[str, str] | None = None, max_backoff: float = 30.0) -> None:
        super().__init__(name="ucj-worker-supervisor", daemon=True)
        self.command, self.env, self.max_backoff = command, {**os.environ, **(env or {})}, max_backoff
        self.child: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        backoff = 1.0
        while True:
            with self._lock:
                if self._halt.is_set():
                    return
                self.child = subprocess.Popen(self.command, env=self.env)  # noqa: S603
                self.starts += 1
            started = time.monotonic()
            while self.child.poll() is None:
                if self._halt.wait(0.5):
                    return
            console.print(f"Worker berhenti (kode {self.child.returncode}); dimulai lagi / worker exited "
                          f"(code {self.child.returncode}); restarting")  # fmt: skip
            backoff = 1.0 if time.monotonic() - started > 60 else min(backoff * 2, self.max_backoff)
            if self._halt.wait(backoff):
                return

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop restarting and stop the child (SIGTERM: the worker finishes its current step; then SIGKILL)."""
        with self._lock:
            self._halt.set()
            child = self.child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def acquire_worker_lock(data_dir: Path) -> int | None:
    """Take the single-worker lock (an ``flock`` on ``data_dir/worker.lock``, file mode 0600) and write this
    process id into it; None when another worker holds it. The lock lives as long as the returned descriptor."""
    import fcntl

    fd = os.open(data_dir / LOCK_NAME, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def worker() -> None:
    """Run the background-job worker (imports started from the web pages); one per data folder."""
    boot()
    from django.conf import settings
    from django.core.management import call_command

    from ucj.registry.jobs import purge_stale_uploads, recover_orphans

    lock = acquire_worker_lock(Path(settings.DATA_DIR))
    if lock is None:
        fail("Worker lain sudah berjalan untuk folder data ini / another worker is already running for this data "
             "folder", exit_code=EXIT_LOCKED)  # fmt: skip
    failed = recover_orphans()
    if failed:
        console.print(f"Impor yang terhenti ditandai gagal / interrupted imports marked failed: "
                      f"{', '.join(f'#{pk}' for pk in failed)}")  # fmt: skip
    purge_stale_uploads()
    from ucj.reports.tasks import ensure_scheduled

    ensure_scheduled()  # the monthly reports' job (issue 15 §5; UCJ_MONTHLY_REPORTS=0 switches it off)
    _exit_with_parent()
    call_command("db_worker", interval=0.5, startup_delay=False)


def _exit_with_parent() -> None:
    """When started by ``ucj serve``, stop (gracefully, as on SIGTERM) if that server process disappears."""
    parent = os.environ.get(_PARENT_ENV)
    if not parent or not parent.isdigit():
        return

    def watch() -> None:
        while os.getppid() == int(parent):
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="ucj-parent-watch", daemon=True).start()


def migrate() -> None:
    """Apply database migrations (every ucj command also does this itself)."""
    boot(migrate=False)
    from django.core.management import call_command

    call_command("migrate", interactive=False)
