"""The one settings module: every value that differs between machines comes from the environment.

SEJOUR_ENV chooses the profile: "production" (the default, strict), "local" (make run) or
"test" (the test suite). Nothing secret has a default in production.
"""

import os
import tempfile
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
SEJOUR_ENV = env.str("SEJOUR_ENV", default="production")
if SEJOUR_ENV not in {"production", "local", "test"}:
    raise ImproperlyConfigured("SEJOUR_ENV must be production, local or test.")
PRODUCTION = SEJOUR_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG cannot be on in production.")

if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-local-key-never-used-in-production")
# Keys replaced by a rotation, still accepted for what they signed or sealed (sessions, queued
# messages) until it has expired or been sent.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The public address of the service, used in links sent by e-mail and SMS.
SITE_URL = env.str("SEJOUR_SITE_URL", default="" if PRODUCTION else "http://127.0.0.1:8000")
if PRODUCTION and not SITE_URL:
    raise ImproperlyConfigured("SEJOUR_SITE_URL is required in production.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "dsfr",
    "widget_tweaks",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "phonenumber_field",
    "django_tasks",
    "django_tasks_db",
    "sejour.core",
    "sejour.audit",
    "sejour.notifications",
    "sejour.accounts",
    "sejour.catalog",
    "sejour.attestations",
    "sejour.helpers",
    "sejour.dossiers",
    "sejour.appointments",
    "sejour.sharing",
    "sejour.support",
    "sejour.backoffice",
    "sejour.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sejour.core.csp.PolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sejour.accounts.middleware.SessionActivityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sejour.accounts.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sejour" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sejour.web.context_processors.site",
            ],
        },
    },
]

# Database: SQLite in WAL mode by default, PostgreSQL when DATABASE_URL says so.
_sqlite_path = env.str("SEJOUR_SQLITE_PATH", default=str(BASE_DIR / "var" / "sejour.sqlite3"))
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{_sqlite_path}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock when the transaction begins, so two writers never deadlock.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
    if SEJOUR_ENV == "test":
        # A file, not memory: the browser tests' live server then gives each of its threads
        # its own connection, and concurrent requests take the write lock in turn as in
        # production instead of sharing one connection and one transaction.
        DATABASES["default"]["TEST"] = {
            "NAME": env.str(
                "SEJOUR_SQLITE_TEST_PATH",
                default=str(Path(tempfile.gettempdir()) / f"sejour-test-{os.getpid()}.sqlite3"),
            )
        }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters sent apart from the statement, and statements run twice on a connection
    # prepared: PostgreSQL then plans each of them once per connection rather than at every
    # request (measured by bench/submit.py: the database's CPU per filing nearly halved).
    # Off for a pooler that cannot keep prepared statements (PgBouncer in transaction mode
    # before 1.21, or without max_prepared_statements).
    if env.bool("SEJOUR_PG_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=2
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Sessions are read on every request: from the cache when it is shared by every web process
# (Redis), the database keeping them too; a cache of each process's own would let a session
# ended in one process (logout) live on in the others, so without one they stay in the database.
_SHARED_CACHE = CACHES["default"]["BACKEND"] not in (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if _SHARED_CACHE
    else "django.contrib.sessions.backends.db"
)

# One copy of a message waiting to be shown, however often the form that adds it is sent.
MESSAGE_STORAGE = "sejour.core.messages.OnceStorage"

# Files: local disk by default, S3-compatible object storage by settings.
MEDIA_ROOT = env.str("SEJOUR_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
STATIC_ROOT = env.str("SEJOUR_STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "sejour" / "static"]
MEDIA_URL = "/media/"
_storage_backend = env.str("SEJOUR_STORAGE", default="local")
if _storage_backend == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("SEJOUR_S3_BUCKET"),
            "endpoint_url": env.str("SEJOUR_S3_ENDPOINT_URL", default=None),
            "access_key": env.str("SEJOUR_S3_ACCESS_KEY"),
            "secret_key": env.str("SEJOUR_S3_SECRET_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
elif _storage_backend == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("SEJOUR_STORAGE must be local or s3.")
# Static files are collected with hashed names (and the browser suite collects them so too).
SEJOUR_COLLECTED_STATICFILES_BACKEND = "whitenoise.storage.CompressedManifestStaticFilesStorage"
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            SEJOUR_COLLECTED_STATICFILES_BACKEND
            if SEJOUR_ENV != "test"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = SEJOUR_ENV == "test"

# Accounts.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sejour.accounts.backends.IdentifierBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if SEJOUR_ENV == "test":
    # Hashing is not under test in most tests; the Argon2 test sets it back.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

# Sessions end after this much inactivity.
SESSION_COOKIE_AGE = env.int("SEJOUR_SESSION_SECONDS", default=30 * 60)
# A session in use is written at most once a minute (sejour.accounts.middleware).
SEJOUR_SESSION_REFRESH_SECONDS = env.int("SEJOUR_SESSION_REFRESH_SECONDS", default=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# The client's address (sejour.core.http.client_ip): the number of reverse proxies in front
# of the web processes, each appending to X-Forwarded-For; 0 reads REMOTE_ADDR. Production
# must say it (a `check --deploy` error otherwise): behind a proxy, REMOTE_ADDR is the proxy's
# address for everyone, and every brake by address would then hold all people together.
SEJOUR_TRUSTED_PROXY_HOPS: int | None = (
    env.int("SEJOUR_TRUSTED_PROXY_HOPS")
    if "SEJOUR_TRUSTED_PROXY_HOPS" in os.environ
    else (None if PRODUCTION else 0)
)

# Failed logins: about ten tries for one account from one address, then fifteen minutes' wait
# for that pair only, so that nobody can lock another person's account from their own address.
AXES_FAILURE_LIMIT = env.int("SEJOUR_LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("SEJOUR_LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "sejour.accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "sejour.accounts.views.lockout"
AXES_CLIENT_IP_CALLABLE = "sejour.core.http.client_ip"
AXES_VERBOSE = False
# An address with this many failed logins (any accounts) in the window is slowed, never
# locked: one try per SEJOUR_LOGIN_ADDRESS_PACE_SECONDS, so a guesser crawls and a person
# sharing the address (an office, a mobile operator) waits seconds at most.
SEJOUR_LOGIN_ADDRESS_FAILURES = env.int("SEJOUR_LOGIN_ADDRESS_FAILURES", default=30)
SEJOUR_LOGIN_ADDRESS_WINDOW_SECONDS = env.int("SEJOUR_LOGIN_ADDRESS_WINDOW_SECONDS", default=900)
SEJOUR_LOGIN_ADDRESS_PACE_SECONDS = env.int("SEJOUR_LOGIN_ADDRESS_PACE_SECONDS", default=10)

# Verification codes and links.
SEJOUR_CODE_TTL_MINUTES = env.int("SEJOUR_CODE_TTL_MINUTES", default=30)
# How long a new staff account (or one whose second factor an administrator reset) may enrol its
# first authenticator with the password alone; after that an administrator opens it again.
SEJOUR_SECOND_FACTOR_ENROL_HOURS = env.int("SEJOUR_SECOND_FACTOR_ENROL_HOURS", default=72)
SEJOUR_CODE_MAX_ATTEMPTS = env.int("SEJOUR_CODE_MAX_ATTEMPTS", default=5)
# Codes sent (e-mail and SMS), counted per hour in the shared cache: per client address and
# per destination; SMS also per country calling code and overall, so that sign-ups cannot be
# used to pump paid SMS to premium numbers. SMS go only to numbers of the regions listed
# (ISO 3166 codes: metropolitan France and the overseas departments and collectivities).
SEJOUR_CODES_PER_ADDRESS = env.int("SEJOUR_CODES_PER_ADDRESS", default=10)
SEJOUR_CODES_PER_DESTINATION = env.int("SEJOUR_CODES_PER_DESTINATION", default=5)
SEJOUR_SMS_PER_COUNTRY_CODE = env.int("SEJOUR_SMS_PER_COUNTRY_CODE", default=500)
SEJOUR_SMS_PER_HOUR = env.int("SEJOUR_SMS_PER_HOUR", default=2000)
SEJOUR_SMS_REGIONS = env.list(
    "SEJOUR_SMS_REGIONS",
    default=["FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC"],
)
# Accounts opened per client address and per hour.
SEJOUR_SIGNUPS_PER_ADDRESS = env.int("SEJOUR_SIGNUPS_PER_ADDRESS", default=5)

# Second factor for staff.
OTP_TOTP_ISSUER = "Séjour"

PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DEFAULT_FORMAT = "E164"

# Messages leave through backends: the console by default, SMTP and an SMS operator by settings.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Séjour <ne-pas-repondre@sejour.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_BACKEND = env.str("SMS_BACKEND", default="sms.backends.console.SmsBackend")
DEFAULT_FROM_SMS = env.str("DEFAULT_FROM_SMS", default="SEJOUR")
# Operator credentials, read by the operator's backend (e.g. sms.backends.twilio.SmsBackend).
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
MESSAGEBIRD_ACCESS_KEY = env.str("MESSAGEBIRD_ACCESS_KEY", default="")
if SEJOUR_ENV == "test":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    SMS_BACKEND = "sms.backends.locmem.SmsBackend"

# Tasks: a database-backed queue; the worker is `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "SEJOUR_TASKS_BACKEND",
            default=(
                "django_tasks.backends.immediate.ImmediateBackend"
                if SEJOUR_ENV == "test"
                else "django_tasks_db.DatabaseBackend"
            ),
        ),
    }
}
# How old the worker's heartbeat may be before /readyz says the worker is down.
SEJOUR_WORKER_HEARTBEAT_MAX_AGE_SECONDS = env.int("SEJOUR_WORKER_HEARTBEAT_MAX_AGE", default=180)
# A secret the monitoring sends (X-Probe-Token) to read which part /readyz finds down; without
# it, /readyz says only ready or not, and the details go to the log.
SEJOUR_PROBE_TOKEN = env.str("SEJOUR_PROBE_TOKEN", default="")

# Languages: French first; English and Arabic (right to left) complete.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "sejour" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Paris"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Security. In production every check of `manage.py check --deploy` passes.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "sejour.web.views.csrf_failure"
# Content-Security-Policy, enforced on every page (sejour.core.csp): scripts by nonce only
# (the admin's also from this origin), styles and everything else from this origin, no
# inline style; the design system's icons are data: images. The inline display of an
# uploaded document sets a stricter policy of its own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SEJOUR_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env.int("SEJOUR_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env.str("SEJOUR_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

ADMIN_URL = env.str("SEJOUR_ADMIN_URL", default="admin/")
SEJOUR_SERVICE_NAME = _("Séjour")

# Periodic tasks: (task path, crontab in Europe/Paris), enqueued by `manage.py scheduler`.
SEJOUR_SCHEDULE = [
    ("sejour.core.tasks.worker_heartbeat", "* * * * *"),
    # Messages planned for the day go out from 8:00 to 20:00, never at night.
    ("sejour.notifications.sweeps.reminders_sweep", "10 8-20 * * *"),
    # Attestations due are issued every hour; a worker back from an outage catches up at once.
    ("sejour.dossiers.tasks.cover_sweep", "5 * * * *"),
    ("sejour.dossiers.tasks.continuity_check", "30 6 * * *"),
    # The journal's head, signed and kept outside the database, once a day.
    ("sejour.audit.tasks.journal_checkpoint", "15 0 * * *"),
    # A report left without an answer past its deadline goes to the prefecture by itself.
    ("sejour.support.tasks.reports_escalate_overdue", "*/15 * * * *"),
    # Appointments: proposals and waiting-list offers left unanswered pass on; missed visits.
    ("sejour.appointments.tasks.appointments_sweep", "*/5 * * * *"),
    # Reminders of appointments 48 hours ahead, sent in the day only.
    ("sejour.appointments.tasks.reminders_sweep", "0 8-20 * * *"),
]

# Support: hours within which a report gets its first answer, per category ("category=hours,
# ..." in SEJOUR_SUPPORT_DEADLINE_HOURS overrides some); then the prefecture's, once passed on.
SEJOUR_SUPPORT_DEADLINE_HOURS = {
    "cannot_file": 24,
    "no_attestation": 24,
    "account_access": 24,
    "cannot_upload": 48,
    "appointment": 72,
    "wrong_information": 120,
    "other": 120,
    **{
        category: int(hours)
        for category, hours in env.dict("SEJOUR_SUPPORT_DEADLINE_HOURS", default={}).items()
    },
}
SEJOUR_SUPPORT_PREFECTURE_HOURS = env.int("SEJOUR_SUPPORT_PREFECTURE_HOURS", default=72)
# Call-backs: the time windows offered (start-end hours, Paris time, weekdays), the languages
# the contact centre speaks (language codes), and how many days ahead a call can be asked.
SEJOUR_SUPPORT_CALL_WINDOWS = env.list("SEJOUR_SUPPORT_CALL_WINDOWS", default=["09-12", "14-17"])
SEJOUR_SUPPORT_CALL_LANGUAGES = env.list(
    "SEJOUR_SUPPORT_CALL_LANGUAGES", default=["fr", "en", "ar", "es", "ru", "tr", "zh-hans"]
)
SEJOUR_SUPPORT_CALL_DAYS = env.int("SEJOUR_SUPPORT_CALL_DAYS", default=10)

# Appointments (sejour.appointments). A change or a cancellation is possible until this many
# hours before (RDV Service Public's 4 hours); a reminder goes this many hours before (48).
SEJOUR_APPOINTMENT_CHANGE_LIMIT_HOURS = env.float(
    "SEJOUR_APPOINTMENT_CHANGE_LIMIT_HOURS", default=4
)
SEJOUR_APPOINTMENT_REMINDER_HOURS = env.int("SEJOUR_APPOINTMENT_REMINDER_HOURS", default=48)
# A proposed appointment is kept this long for the applicant to confirm; a freed slot offered
# from the waiting list, this many minutes; the earliest slot proposed is this far ahead.
SEJOUR_APPOINTMENT_CONFIRM_HOURS = env.int("SEJOUR_APPOINTMENT_CONFIRM_HOURS", default=72)
SEJOUR_APPOINTMENT_OFFER_MINUTES = env.int("SEJOUR_APPOINTMENT_OFFER_MINUTES", default=120)
SEJOUR_APPOINTMENT_NOTICE_HOURS = env.int("SEJOUR_APPOINTMENT_NOTICE_HOURS", default=24)
# A visit nobody checked in this many minutes after its slot ended is recorded as missed.
SEJOUR_APPOINTMENT_NO_SHOW_MINUTES = env.int("SEJOUR_APPOINTMENT_NO_SHOW_MINUTES", default=60)
# Procedures whose filing calls for fingerprints and a photo at the counter.
SEJOUR_APPOINTMENT_BIOMETRICS_PROCEDURES = env.list(
    "SEJOUR_APPOINTMENT_BIOMETRICS_PROCEDURES", default=["first", "change_of_status", "duplicate"]
)
# Booking requests allowed per account and per address in each window (the cache counts them).
SEJOUR_APPOINTMENT_RATE_PER_ACCOUNT = env.int("SEJOUR_APPOINTMENT_RATE_PER_ACCOUNT", default=20)
SEJOUR_APPOINTMENT_RATE_PER_ADDRESS = env.int("SEJOUR_APPOINTMENT_RATE_PER_ADDRESS", default=200)
SEJOUR_APPOINTMENT_RATE_WINDOW_SECONDS = env.int(
    "SEJOUR_APPOINTMENT_RATE_WINDOW_SECONDS", default=600
)

# Signing of the documents the system issues (sejour.attestations.signing). SEJOUR_SIGNING_KEY
# is an Ed25519 private key, PEM (newlines may be written \n) or the base64 of its 32 raw bytes;
# generate one with: python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"
# To rotate, put the old key's public half (PEM or base64) in SEJOUR_SIGNING_OLD_PUBLIC_KEYS
# (comma-separated): documents it signed still verify. Outside production, a fixed and public
# key is used, the base64 of sha256(b"sejour insecure development signing key").
_INSECURE_DEVELOPMENT_SIGNING_KEY = "hrzok64yx4hocTFH0T9c5gxVKFDzVYtynDFLw/HgQNk="
SEJOUR_SIGNING_KEY = env.str(
    "SEJOUR_SIGNING_KEY",
    multiline=True,
    default="" if PRODUCTION else _INSECURE_DEVELOPMENT_SIGNING_KEY,
)
if PRODUCTION and not SEJOUR_SIGNING_KEY:
    raise ImproperlyConfigured("SEJOUR_SIGNING_KEY is required in production.")
if PRODUCTION and SEJOUR_SIGNING_KEY == _INSECURE_DEVELOPMENT_SIGNING_KEY:
    raise ImproperlyConfigured("SEJOUR_SIGNING_KEY cannot be the public development key.")
SEJOUR_SIGNING_OLD_PUBLIC_KEYS = [
    key.replace("\\n", "\n") for key in env.list("SEJOUR_SIGNING_OLD_PUBLIC_KEYS", default=[])
]

# The audit journal (sejour.audit). SEJOUR_AUDIT_KEY keys its hash chain (HMAC-SHA256): held
# outside the database, it keeps anyone who can write there from rewriting entries and the
# links after them. At least 32 random characters; generate one with:
# python -c "import secrets; print(secrets.token_urlsafe(48))". Outside production, a fixed
# and public key is used; `check --deploy` refuses it, and refuses an empty one.
AUDIT_INSECURE_DEVELOPMENT_KEY = (
    "sejour insecure development audit key, public, never in production"
)
SEJOUR_AUDIT_KEY = env.str(
    "SEJOUR_AUDIT_KEY", default="" if PRODUCTION else AUDIT_INSECURE_DEVELOPMENT_KEY
)
# Where the daily signed checkpoints of the journal's head are written (sejour.audit.checkpoints):
# a directory on other storage than the database, ideally write-once, that `audit_verify` reads.
# Required by `check --deploy`; none by default in tests, each test that needs one gives its own.
SEJOUR_AUDIT_CHECKPOINT_DIR = env.str(
    "SEJOUR_AUDIT_CHECKPOINT_DIR",
    default=str(BASE_DIR / "var" / "audit-checkpoints") if SEJOUR_ENV == "local" else "",
)

# Uploaded documents (sejour.dossiers.uploads and .antivirus): size and pixel limits, and the
# ClamAV daemon that scans each file. An empty socket path means no antivirus is configured.
SEJOUR_UPLOAD_MAX_BYTES = env.int("SEJOUR_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
SEJOUR_UPLOAD_MAX_PIXELS = env.int("SEJOUR_UPLOAD_MAX_PIXELS", default=40_000_000)
SEJOUR_CLAMAV_SOCKET = env.str("SEJOUR_CLAMAV_SOCKET", default="")
SEJOUR_CLAMAV_TIMEOUT = env.float("SEJOUR_CLAMAV_TIMEOUT", default=30.0)
