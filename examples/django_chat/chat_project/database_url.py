"""Turns a DATABASE_URL into a Django DATABASES entry.

Supported forms:
  sqlite:///relative/or/absolute/path.sqlite3   (sqlite:////abs/path also works)
  sqlite://:memory:
  postgres://user:password@host:5432/dbname?sslmode=require   (also postgresql://, pgsql://)
Query parameters other than `conn_max_age` are passed to the driver as OPTIONS.
"""
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

_POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


def parse_database_url(url, base_dir=None):
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        if url in ("sqlite://:memory:", "sqlite:///:memory:"):
            return {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
        # urlsplit("sqlite:///db.sqlite3").path == "/db.sqlite3": one leading slash
        # is the separator, a second one means an absolute path.
        raw = unquote(parts.path)
        path = raw[1:] if raw.startswith("/") else raw
        if not path:
            raise ValueError("sqlite DATABASE_URL needs a file path: sqlite:///db.sqlite3")
        name = Path(path)
        if not name.is_absolute() and base_dir is not None:
            name = Path(base_dir) / name
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(name)}
    if scheme in _POSTGRES_SCHEMES:
        options = dict(parse_qsl(parts.query))
        conn_max_age = int(options.pop("conn_max_age", "0"))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": conn_max_age,
            "OPTIONS": options,
        }
    raise ValueError(f"unsupported DATABASE_URL scheme {scheme!r} (use sqlite:// or postgres://)")
