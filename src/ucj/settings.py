"""Django settings, driven by the environment.

Defaults give a zero-set-up instance: an SQLite file inside ``UCJ_DATA_DIR`` (``./.ucj``). Production mode
(``UCJ_PRODUCTION=1``) refuses to start without a secret key and allowed hosts from the environment and
switches on secure cookies and HSTS (see README, "Production").
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("UCJ_DATA_DIR", ".ucj")).resolve()
PRODUCTION = os.environ.get("UCJ_PRODUCTION", "") in {"1", "true", "yes"}
DEBUG = os.environ.get("UCJ_DEBUG", "") in {"1", "true", "yes"} and not PRODUCTION


def _private_dir(path: Path) -> Path:
    """Create ``path`` readable by its owner only (0700): it holds personal data, keys or the database."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
        path.chmod(0o700)  # an existing folder from an older version
    return path


def _private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (SQLite gives its -wal/-shm files the same mode)."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _secret_key() -> str:
    """The secret key: from the environment in production, else kept in the data folder."""
    key = os.environ.get("UCJ_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise RuntimeError("UCJ_PRODUCTION=1 needs UCJ_SECRET_KEY in the environment")
    _private_dir(DATA_DIR)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)  # never readable by others, not even briefly
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("UCJ_ALLOWED_HOSTS", "").split(",") if h] or (
    [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("UCJ_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    # The admin's modules are found when the URL map loads (ucj.urls calls admin.autodiscover()), not at every
    # django.setup(): a CLI command does not import every app's admin (issue 17 §2).
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ucj.web.ninja_assets.NinjaAssetsConfig",  # django-ninja's templates/static, not imported at start-up
    "django_tasks",
    "django_tasks_db",
    "axes",
    "ucj.regions",
    "ucj.accounts",
    "ucj.registry",
    "ucj.contributions",
    "ucj.coverage",
    "ucj.planning",
    "ucj.commitments",
    "ucj.targeting",
    "ucj.reports",
    "ucj.notifications",
    "ucj.favourites",
    "ucj.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ucj.web.middleware.DatabaseBusyMiddleware",
    "ucj.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ucj.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ucj.accounts.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ucj.urls"
WSGI_APPLICATION = "ucj.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ucj.web.context.common",
            ],
        },
    },
]


# SQLite has one writer at a time: a write waits up to UCJ_SQLITE_BUSY_TIMEOUT seconds for the lock (a long import
# holds it for its whole all-or-nothing transaction; readers never wait, WAL), then the request answers 503 with
# Retry-After: UCJ_BUSY_RETRY_AFTER seconds (ucj.dbbusy). PostgreSQL lock timeouts and serialisation failures too.
UCJ_SQLITE_BUSY_TIMEOUT = float(os.environ.get("UCJ_SQLITE_BUSY_TIMEOUT", "30"))
UCJ_BUSY_RETRY_AFTER = int(os.environ.get("UCJ_BUSY_RETRY_AFTER", "5"))


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'ucj.sqlite3'}"
    db = dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        _private_dir(Path(str(db["NAME"])).parent)
        _private_file(Path(str(db["NAME"])))
        # WAL lets the web app read while an import writes; IMMEDIATE avoids lock-upgrade deadlocks.
        db["OPTIONS"] = {
            "timeout": UCJ_SQLITE_BUSY_TIMEOUT,  # a writer waits this long for the lock, then the request is a 503
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
            " PRAGMA cache_size=-65536;",
        }
    return dict(db)


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _caches() -> dict[str, dict[str, object]]:
    """One cache every process shares (web server, background worker, CLI), so an import run anywhere
    invalidates the dashboards everywhere at once: Redis when ``UCJ_REDIS_URL`` (or ``UCJ_CACHE_URL``) is set
    (needs the optional ``redis`` package), else the database cache table ``UCJ_CACHE_TABLE`` (created by the
    coverage migrations, so every ``ucj`` command and the test database get it)."""
    timeout = int(os.environ.get("UCJ_CACHE_TIMEOUT", "600"))  # seconds; version keys never expire
    url = os.environ.get("UCJ_REDIS_URL") or os.environ.get("UCJ_CACHE_URL") or ""
    if url:
        try:
            import redis  # noqa: F401  (optional dependency: only an instance that configures Redis needs it)
        except ImportError as err:
            raise RuntimeError("UCJ_REDIS_URL/UCJ_CACHE_URL is set but the 'redis' package is not installed: "
                               "pip install redis") from err  # fmt: skip
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                            "TIMEOUT": timeout, "KEY_PREFIX": os.environ.get("UCJ_CACHE_PREFIX", "ucj")}}  # fmt: skip
    return {
        "default": {
            "BACKEND": "ucj.coverage.cache.SharedDatabaseCache",  # Django's DatabaseCache, see its module doc
            "LOCATION": os.environ.get("UCJ_CACHE_TABLE", "ucj_cache"),
            "TIMEOUT": timeout,
            # Culling deletes a third of the table when it is full: room for every dashboard answer of a
            # province (answers x months x definitions) without culling on a normal day.
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("UCJ_CACHE_MAX_ENTRIES", "20000"))},
        }
    }


CACHES = _caches()
# On SQLite, how long a cache write (storing an answer) may wait for the write lock an import holds before it is
# skipped; the coverage version is always written.
UCJ_CACHE_WRITE_WAIT_MS = int(os.environ.get("UCJ_CACHE_WRITE_WAIT_MS", "100"))
# After every data change the dashboards' default answers of a new coverage version are prepared, then the version
# is published (ucj.coverage.services.prepare_and_publish): "auto" in the background worker when one runs, else in
# the changing process after its commit; "worker" always queues the job; "inline" never does.
UCJ_COVERAGE_PRECOMPUTE = os.environ.get("UCJ_COVERAGE_PRECOMPUTE", "auto")
# The worker prepares versions at this CPU niceness (0: unchanged), leaving the web server's requests the CPU.
UCJ_COVERAGE_PREPARE_NICE = int(os.environ.get("UCJ_COVERAGE_PREPARE_NICE", "10"))
# Each new version also prepares the answers computed on demand under the previous one (drill-downs, other months
# people opened), at most this many, most recent first (0: only the default answers).
UCJ_COVERAGE_PREPARE_ASKED = int(os.environ.get("UCJ_COVERAGE_PREPARE_ASKED", "50"))
# A dashboard answer nobody prepared (another month, definition, a drill-down) is computed once: other requests
# for it wait at most this long for that answer, then compute it themselves.
UCJ_COVERAGE_FLIGHT_WAIT_MS = int(os.environ.get("UCJ_COVERAGE_FLIGHT_WAIT_MS", "10000"))

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes, ucj.accounts.throttle): an account is locked for UCJ_LOGIN_COOLOFF_MINUTES
# after UCJ_LOGIN_FAILURE_LIMIT failures from one address (elsewhere its owner can still log in), and everywhere
# after UCJ_LOGIN_ACCOUNT_LIMIT failures from any addresses (guessing spread over many addresses).
UCJ_LOGIN_FAILURE_LIMIT = int(os.environ.get("UCJ_LOGIN_FAILURE_LIMIT", "5"))
UCJ_LOGIN_ACCOUNT_LIMIT = int(os.environ.get("UCJ_LOGIN_ACCOUNT_LIMIT", "10"))
UCJ_LOGIN_COOLOFF_MINUTES = int(os.environ.get("UCJ_LOGIN_COOLOFF_MINUTES", "15"))
# Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or networks, e.g. "10.0.0.2" or
# "10.0.0.0/24"); empty: the connecting address (REMOTE_ADDR) is the client and the header is ignored.
UCJ_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("UCJ_TRUSTED_PROXIES", "").split(",") if p.strip()]
AXES_HANDLER = "ucj.accounts.throttle.TwoLimitHandler"
AXES_FAILURE_LIMIT = UCJ_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = UCJ_LOGIN_COOLOFF_MINUTES / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_CLIENT_IP_CALLABLE = "ucj.accounts.clientip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["password", "nik"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
_private_dir(DATA_DIR)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from the finders until collectstatic runs
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "uploads"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_HANDLERS = [
    "ucj.registry.uploads.SizeLimitedUploadHandler",  # UCJ_MAX_UPLOAD_MB, before anything is stored
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Limits on roster files (issue 11 §13; docs/architecture.md "Limits"). Sizes in MB.
UCJ_MAX_UPLOAD_MB = int(os.environ.get("UCJ_MAX_UPLOAD_MB", "50"))  # upload page, API, CLI, waitress body size
UCJ_MAX_XLSX_UNCOMPRESSED_MB = int(os.environ.get("UCJ_MAX_XLSX_UNCOMPRESSED_MB", "500"))  # measured, not declared
UCJ_MAX_ROWS = int(os.environ.get("UCJ_MAX_ROWS", "1000000"))  # data rows per file
UCJ_MAX_COLUMNS = int(os.environ.get("UCJ_MAX_COLUMNS", "500"))
UCJ_MAX_CELL_CHARS = int(os.environ.get("UCJ_MAX_CELL_CHARS", "2000"))  # longer cells: row finding CELL_TOO_LONG
UCJ_PARSE_INPROCESS_MB = int(os.environ.get("UCJ_PARSE_INPROCESS_MB", "16"))  # larger files: parsed in a child
UCJ_PARSE_MEMORY_MB = int(os.environ.get("UCJ_PARSE_MEMORY_MB", "2048"))  # the child's RLIMIT_AS
UCJ_PARSE_TIMEOUT_S = int(os.environ.get("UCJ_PARSE_TIMEOUT_S", "300"))  # the child's wall-clock limit
UCJ_MAX_STORED_FINDINGS = int(os.environ.get("UCJ_MAX_STORED_FINDINGS", "10000"))  # per batch; counts stay exact
UCJ_RETRY_KEEP_HOURS = int(os.environ.get("UCJ_RETRY_KEEP_HOURS", "24"))  # a dead worker's upload kept for retry
# An in-process import (CLI, API) still "running" after this long was killed: failed with PROCESS_DIED.
UCJ_IMPORT_ABANDONED_HOURS = int(os.environ.get("UCJ_IMPORT_ABANDONED_HOURS", "6"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("UCJ_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Security headers everywhere; secure cookies and HSTS when served over HTTPS in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("UCJ_SSL_REDIRECT", "1") != "0"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Contribution status: a participant is non-active after this many consecutive unpaid months
# (BPJS FAQ as reproduced by perisaiblora.blogspot.com, Apr 2023; domain.md §1.5; open question 3).
UCJ_LAPSE_MONTHS = int(os.environ.get("UCJ_LAPSE_MONTHS", "3"))
# Budget planning (docs/planning.md): the share of BPU and renewed workers expected to lapse in a year. A plan
# estimates it from the registry's last 12 months when at least UCJ_PLAN_LAPSE_MIN_SAMPLE BPU participants were
# active a year ago; otherwise this default applies (0: no source gives a lapse rate; a scenario may set its own).
UCJ_PLAN_LAPSE_RATE = float(os.environ.get("UCJ_PLAN_LAPSE_RATE", "0"))
if not 0 <= UCJ_PLAN_LAPSE_RATE < 1:
    raise ValueError("UCJ_PLAN_LAPSE_RATE must be 0 <= rate < 1 (0.1 = 10 % a year)")
UCJ_PLAN_LAPSE_MIN_SAMPLE = int(os.environ.get("UCJ_PLAN_LAPSE_MIN_SAMPLE", "100"))
# PP 50/2025 excludes contributions paid from APBN/APBD from its 50 % relief; whether APBDes money from Dana Desa
# (an APBN transfer) counts as APBN is open (shared/domain.md §6). "apply" (default): APBDes-paid BPU get the
# relief; "exclude": they pay in full. Either way every affected amount carries a warning (docs/contributions.md).
UCJ_APBDES_RELIEF = os.environ.get("UCJ_APBDES_RELIEF", "apply").strip().lower()
if UCJ_APBDES_RELIEF not in ("apply", "exclude"):
    raise ValueError("UCJ_APBDES_RELIEF must be 'apply' or 'exclude'")

# Privacy (docs/privacy.md). Participant searches per user (NIK and name; pages and API), with Django's cache:
# "N/second|minute|hour|day"; over it a search answers 429.
UCJ_SEARCH_RATE = os.environ.get("UCJ_SEARCH_RATE", "30/minute")
# Roster dry runs per user (CLI with --user, API): they say which rows a file would create or update.
UCJ_DRY_RUN_RATE = os.environ.get("UCJ_DRY_RUN_RATE", "20/hour")
# The bpjs role gets full NIKs in bulk workbooks (bill lines, enrolment lists) to match them against BPJS
# membership; "0" masks its workbooks like a viewer's (single records stay visible on audited pages).
UCJ_BPJS_FULL_NIK_EXPORTS = os.environ.get("UCJ_BPJS_FULL_NIK_EXPORTS", "1") not in {"0", "false", "no"}
# How far ahead a payment may run: ``through`` (and a bill month) at most this many months after the month of
# payment. Payment channels accept "several months in advance"; whether BPU periods are 1/3/6/12 months is not
# confirmed (shared/domain.md §1.5, open question 2), so the longest period mentioned is the default.
UCJ_PREPAY_MONTHS = int(os.environ.get("UCJ_PREPAY_MONTHS", "12"))
# API tokens expire this many days after they are issued (0: never; not recommended).
UCJ_TOKEN_DAYS = int(os.environ.get("UCJ_TOKEN_DAYS", "90"))
# Targeting (issue 14, docs/targeting.md): working age of candidates, inclusive (BPS working age from 15; the
# upper bound for new BPU participants is not confirmed in a regulation text, so it is a setting), and the columns
# of the collective registration file for BPJS ("Header=field" separated by "|"; branches differ).
UCJ_TARGET_MIN_AGE = int(os.environ.get("UCJ_TARGET_MIN_AGE", "15"))
UCJ_TARGET_MAX_AGE = int(os.environ.get("UCJ_TARGET_MAX_AGE", "65"))
UCJ_TARGETING_SUBMISSION_COLUMNS = os.environ.get(
    "UCJ_TARGETING_SUBMISSION_COLUMNS",
    "NIK=nik|NAMA LENGKAP=name|TANGGAL LAHIR=birth_date|JENIS KELAMIN=sex|PEKERJAAN=occupation|"
    "KODE DESA=desa|DESA/KELURAHAN=desa_name|KECAMATAN=kecamatan|KABUPATEN/KOTA=kabkota|PROGRAM=programs|"
    "SEGMEN=segment|NO KPJ=kpj",
)
# Commitments (issue 13, docs/commitments.md): the largest instrument document (PDF) accepted, and overrides of the
# scorecard's thresholds as JSON (e.g. {"status_green": 80}; keys of ucj.commitments.scorecard.Thresholds).
UCJ_MAX_DOCUMENT_MB = int(os.environ.get("UCJ_MAX_DOCUMENT_MB", "20"))
UCJ_SCORECARD = json.loads(os.environ.get("UCJ_SCORECARD", "{}") or "{}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"pii": {"()": "ucj.accounts.logfilter.PersonalDataFilter"},
                "client_errors": {"()": "ucj.accounts.logfilter.ClientErrorFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["pii"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"ucj": {"level": os.environ.get("UCJ_LOG_LEVEL", "INFO")},
                "django.request": {"filters": ["client_errors"]}},  # 403/404 without tracebacks
}
