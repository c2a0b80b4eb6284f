"""Settings of the chat example.

Everything that differs between a laptop demo and a deployment comes from the environment;
the defaults are demo values and must be replaced in production (see README.md).
"""
import os
import sys
from pathlib import Path

from .database_url import parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "demo-only-django-secret-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "chat_project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "chat_project.wsgi.application"

# SQLite by default; PostgreSQL with DATABASE_URL=postgres://user:pass@host:5432/chat.
DATABASES = {
    "default": parse_database_url(
        os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3"), base_dir=BASE_DIR
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Serve collected static files from Django itself (demo under gunicorn, no nginx in front).
SERVE_STATIC = env_bool("DJANGO_SERVE_STATIC", False)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "room_list"
LOGOUT_REDIRECT_URL = "login"

# --- Real-time server (Gyre, or Centrifugo: same HTTP API, tokens and client protocol) ---
# Base URL of the server's HTTP API as seen from Django (the seed's CENTRIFUGO_HOST).
CENTRIFUGO_HOST = os.environ.get("CENTRIFUGO_HOST", "http://127.0.0.1:8000")
# http_api.key of the server.
CENTRIFUGO_API_KEY = os.environ.get("CENTRIFUGO_API_KEY", "demo-api-key")
# client.token.hmac_secret_key of the server: Django signs connection and subscription JWTs with it.
CENTRIFUGO_TOKEN_HMAC_SECRET_KEY = os.environ.get(
    "CENTRIFUGO_TOKEN_HMAC_SECRET_KEY", "demo-token-hmac-secret-key"
)
# WebSocket URL the browser connects to. Empty: same origin as the page (behind nginx),
# i.e. ws(s)://<page host>/connection/websocket.
CENTRIFUGO_WS_URL = os.environ.get("CENTRIFUGO_WS_URL", "")
# Seconds: (connect, read) timeout of one publish call, and lifetime of issued tokens.
CENTRIFUGO_PUBLISH_TIMEOUT = float(os.environ.get("CENTRIFUGO_PUBLISH_TIMEOUT", "2"))
CENTRIFUGO_CONNECTION_TOKEN_TTL = int(os.environ.get("CENTRIFUGO_CONNECTION_TOKEN_TTL", "600"))
CENTRIFUGO_SUBSCRIPTION_TOKEN_TTL = int(os.environ.get("CENTRIFUGO_SUBSCRIPTION_TOKEN_TTL", "600"))
# How many recent messages a room page loads from the database.
CHAT_RECENT_MESSAGES = int(os.environ.get("CHAT_RECENT_MESSAGES", "50"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"chat": {"handlers": ["console"], "level": os.environ.get("CHAT_LOG_LEVEL", "INFO")}},
}

if len(sys.argv) > 1 and sys.argv[1] == "test":
    # Unit tests create many users: a fast hasher keeps them quick (never used at run time).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
