"""Settings for the test suite: a throw-away data folder, immediate background jobs, and the database chosen
by ``UCJ_TEST_DB`` (``sqlite`` default, or ``postgres`` using ``UCJ_TEST_POSTGRES_URL``)."""

import os
import tempfile

os.environ.setdefault("UCJ_DATA_DIR", tempfile.mkdtemp(prefix="ucj-test-"))
# pytest-xdist's workers inherit the folder the controller made: each works in its own below it, so one worker's
# uploads, exports and locks are never seen by another's test (a test that found the other worker's upload in
# MEDIA_ROOT/imports failed under -n 2). A child process started by a test inherits the worker's folder as it is.
if os.environ.get("PYTEST_XDIST_WORKER", "") not in ("", os.path.basename(os.environ["UCJ_DATA_DIR"])):
    os.environ["UCJ_DATA_DIR"] = os.path.join(os.environ["UCJ_DATA_DIR"], os.environ["PYTEST_XDIST_WORKER"])
if os.environ.get("UCJ_TEST_DB") == "postgres":
    os.environ["DATABASE_URL"] = os.environ.get("UCJ_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/ucj")
else:
    os.environ["DATABASE_URL"] = "sqlite:///" + os.path.join(os.environ["UCJ_DATA_DIR"], "test.sqlite3")

from ucj.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests only
AXES_ENABLED = True
