"""Settings: every knob is an environment variable with a safe default.

SQLite in the project folder unless DATABASE_URL says otherwise; DEBUG off unless
DEBUG=1. See README.md for the list.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_flag("AGORA_PRODUCTION"):
        raise ImproperlyConfigured("SECRET_KEY must be set when AGORA_PRODUCTION=1.")
    # A fixed development key: fine for the demo and tests, refused in production above.
    SECRET_KEY = "agora-insecure-development-key-set-SECRET_KEY-in-production"  # noqa: S105

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "huey.contrib.djhuey",
    "ninja",  # serves Swagger UI from our own static files, not a CDN
    "agora.accounts",
    "agora.rules",
    "agora.venues",
    "agora.notices",
    "agora.scheduling",
    "agora.audit",
    "agora.register",
    "agora.api",
    "agora.benchmarks",
    "agora.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "agora.middleware.RefuseNulCharacters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "agora.api.middleware.ApiErrorShape",
]

ROOT_URLCONF = "agora.urls"
WSGI_APPLICATION = "agora.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "agora" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'agora.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # a connection kept across requests is checked before use, so a database restart costs
        # a reconnect, not a 500
        conn_health_checks=True,
    )
}
# The same backends with one addition: a transaction's audit events are written in one batch
# just before it commits, so the audit head is taken last (agora/audit/db, docs/locking.md).
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.postgresql": "agora.audit.db.postgresql",
    "django.db.backends.sqlite3": "agora.audit.db.sqlite3",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
if DATABASES["default"]["ENGINE"] == "agora.audit.db.postgresql":
    # No JIT: every query here is short, and at 1,000,000 notices the planner's cost estimate
    # of the officer's queue (a correlated count) made PostgreSQL spend 257 of its 275 ms
    # compiling it (docs/plans.md). PostgreSQL's own advice for OLTP work.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c jit=off").strip()
if DATABASES["default"]["ENGINE"] == "agora.audit.db.sqlite3":
    # IMMEDIATE: every transaction takes SQLite's write lock when it begins, so writes are
    # serialised and a check-then-insert inside transaction.atomic() cannot race.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    # the tests' database in memory, named so: pytest-django's parallel workers (xdist) then
    # keep one each, as they do for Django's own engine (they cannot tell ours is SQLite)
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The register's covering index has non-key columns on PostgreSQL; SQLite just ignores them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_SIGNUP_FORM_CLASS = "agora.accounts.forms.OrganizerSignupForm"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Agora"
# Accept the code of the previous or next 30-second period too: clocks drift, people type slowly.
MFA_TOTP_TOLERANCE = 1
# Officers must confirm each session with TOTP (turn off only for local experiments).
AGORA_OFFICER_MFA = env_flag("AGORA_OFFICER_MFA", True)

# Background jobs: Huey, with SQLite storage beside the database unless REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if not REDIS_URL and env_flag("AGORA_PRODUCTION"):
    # With several workers, per-process counters multiply every limit by the number of
    # workers (measured: 360 of 500 calls through a limit of 120, 15 sign-in attempts instead
    # of 5, one TOTP code accepted twice). Production shares them through Redis.
    raise ImproperlyConfigured(
        "REDIS_URL must be set when AGORA_PRODUCTION=1: rate limits, the sign-in limit and used "
        "TOTP codes must be shared by all workers (e.g. REDIS_URL=redis://127.0.0.1:6379/0)."
    )
HUEY = {
    "name": "agora",
    # immediate: tasks run inline, in the calling process (the test suite does this)
    "immediate": env_flag("HUEY_IMMEDIATE", default="pytest" in sys.modules),
    "consumer": {"workers": int(os.environ.get("HUEY_WORKERS", "2")), "worker_type": "thread"},
}
# The cache holds rate-limit counters, used TOTP codes and cached statistics: shared by
# all workers through Redis in production; per process (fine for one process) otherwise.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if not REDIS_URL
    else {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update(
        {
            "huey_class": "huey.SqliteHuey",
            "filename": os.environ.get("HUEY_SQLITE", str(BASE_DIR / "huey.sqlite3")),
        }
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
# agora/locale: our own strings (makemessages); agora/locale_extra: kept by hand, the words of
# the libraries our pages show that their catalogs lack in Kazakh (allauth, Django's forms,
# month names), which makemessages would drop from ours.
LOCALE_PATHS = [BASE_DIR / "agora" / "locale", BASE_DIR / "agora" / "locale_extra"]
FORMAT_MODULE_PATH = ["agora.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Almaty")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# The nightly file of the whole register (agora/register/dump.py), served at /register-full.jsonl.gz
REGISTER_DUMP_DIR = Path(os.environ.get("AGORA_DUMP_DIR", BASE_DIR / "dumps"))
STATICFILES_DIRS = [BASE_DIR / "agora" / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the apps in the demo, without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if os.environ.get("EMAIL_FILE_PATH"):  # for the file-based backend: one file per message
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "agora@localhost")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if env_flag("HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # WeasyPrint warns on every letter that Debian 12 lacks HarfBuzz-Subset (it falls back to fontTools)
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# Where `agora load-rulebooks` looks by default: the rulebooks shipped with the package.
# The public address of this site, for links in letters and emails (QR codes point here).
AGORA_PUBLIC_URL = os.environ.get("AGORA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# Map tiles for venue pages ({s}, {z}, {x}, {y} as Leaflet takes them); empty: outline only.
AGORA_TILE_URL = os.environ.get("AGORA_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")

# Content Security Policy (django-csp): our own scripts and styles only, no inline code,
# images also from the map tile server, no framing, forms post only to us.
_TILES = urlsplit(AGORA_TILE_URL.replace("{s}", "a"))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([f"{_TILES.scheme}://{_TILES.netloc}"] if _TILES.netloc else [])],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# API rate limits ("count/s|m|h|d"): per client address without a token, per token with one.
AGORA_API_RATE_ANONYMOUS = os.environ.get("AGORA_API_RATE_ANONYMOUS", "120/m")
AGORA_API_RATE_TOKEN = os.environ.get("AGORA_API_RATE_TOKEN", "600/m")
# How many reverse proxies in front of us add X-Forwarded-For; 0 trusts only REMOTE_ADDR,
# so a client cannot dodge the per-address limit by sending the header itself.
NINJA_NUM_PROXIES = int(os.environ.get("AGORA_TRUSTED_PROXIES", "0"))

# Keys (issue 19, docs/signing.md). The log's Ed25519 key signs its checkpoints: AGORA_LOG_KEY
# (the base64 of its 32-byte seed) in production; elsewhere one is made in AGORA_KEY_DIR.
# Letters, receipts and certificates are PAdES-signed with AGORA_SIGNER_PKCS12 (and
# AGORA_SIGNER_PASSPHRASE); elsewhere a demonstration CA and key are made in AGORA_KEY_DIR.
AGORA_PRODUCTION = env_flag("AGORA_PRODUCTION")
# An organizer's personal data are erased this many days after their last assembly (and any
# appeal) is over: three years, the general limitation period of Kazakhstan's Civil Code
# (art. 178), within which a decision or a booking may still be disputed (docs/operations.md).
AGORA_RETENTION_DAYS = int(os.environ.get("AGORA_RETENTION_DAYS", str(3 * 365)))
AGORA_KEY_DIR = Path(os.environ.get("AGORA_KEY_DIR", BASE_DIR / "keys"))
AGORA_LOG_KEY = os.environ.get("AGORA_LOG_KEY", "")
AGORA_LOG_ORIGIN = os.environ.get("AGORA_LOG_ORIGIN", "") or urlsplit(AGORA_PUBLIC_URL).netloc + "/audit"
AGORA_SIGNER = os.environ.get("AGORA_SIGNER", "pkcs12")
AGORA_SIGNER_PKCS12 = os.environ.get("AGORA_SIGNER_PKCS12", "")
AGORA_SIGNER_PASSPHRASE = os.environ.get("AGORA_SIGNER_PASSPHRASE", "")
AGORA_SIGNER_PKCS11 = {
    "module": os.environ.get("AGORA_PKCS11_MODULE", ""),
    "token": os.environ.get("AGORA_PKCS11_TOKEN", ""),
    "key": os.environ.get("AGORA_PKCS11_KEY", ""),
    "pin": os.environ.get("AGORA_PKCS11_PIN", ""),
}
AGORA_RULEBOOK_DIR = Path(os.environ.get("AGORA_RULEBOOK_DIR", BASE_DIR / "agora" / "rules" / "rulebooks"))
