"""Settings from environment variables, with safe development defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from directory.db import json_dumps


class ConfigError(RuntimeError):
    """The environment does not describe a runnable deployment."""


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the configuration from the environment and optional overrides."""
    env = os.environ.get("APP_ENV", "production")
    database_url = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "lokaltilbud.sqlite3")
    )
    # Heroku-style URLs name the old driver; we use psycopg 3.
    if database_url.startswith(("postgres://", "postgresql://")):
        database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
    config: dict[str, Any] = {
        "APP_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "json_serializer": json_dumps,
            "json_deserializer": orjson.loads,
        },
        "BABEL_DEFAULT_LOCALE": "nb",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Oslo",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "locales"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "PAGE_SIZE": 20,
        "GROUP_PREVIEW_SIZE": 6,
        "UPCOMING_DAYS": 14,
        # Search: where this server keeps its local index, and who applies the outbox to it
        # ("inline": this process after each commit; "external": `flask search sync --follow`).
        "SEARCH_INDEX_DIR": os.environ.get("SEARCH_INDEX_DIR")
        or str(Path(instance_path) / "search"),
        "SEARCH_SYNC": os.environ.get("SEARCH_SYNC", "inline"),
        # Address geocoding for "near": off unless a Nominatim server and user agent are set.
        "GEOCODER_URL": os.environ.get("GEOCODER_URL", ""),
        "GEOCODER_USER_AGENT": os.environ.get("GEOCODER_USER_AGENT", ""),
        "GEOCODER_MIN_DELAY": float(os.environ.get("GEOCODER_MIN_DELAY", "1.0")),
        # Machine-translated drafts: a LibreTranslate-compatible service; nothing is sent
        # anywhere unless this is set.
        "TRANSLATE_URL": os.environ.get("TRANSLATE_URL", ""),
        "TRANSLATE_API_KEY": os.environ.get("TRANSLATE_API_KEY", ""),
        # Accounts: mail through SMTP when MAIL_SERVER is set, else kept in the outbox table.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_STARTTLS": os.environ.get("MAIL_STARTTLS", "") == "1",
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "noreply@lokaltilbud.invalid"),
        # Rate limits (Flask-Limiter); shared between app servers through Redis.
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "REGISTER_RATE_LIMIT": os.environ.get("REGISTER_RATE_LIMIT", "5 per minute"),
        "POSTING_RATE_LIMIT": os.environ.get("POSTING_RATE_LIMIT", "30 per hour"),
        "REPORT_RATE_LIMIT": os.environ.get("REPORT_RATE_LIMIT", "5 per hour"),
        # Where links in mail sent outside a request (cron jobs) point.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        # Freshness: ask again after this many days without an answer; shown publicly as
        # "not confirmed since …" after this many days without a confirmation.
        "FRESHNESS_REMINDER_DAYS": int(os.environ.get("FRESHNESS_REMINDER_DAYS", "14")),
        "UNCONFIRMED_AFTER_DAYS": int(os.environ.get("UNCONFIRMED_AFTER_DAYS", "180")),
        # Import feeds on internal addresses (an intranet calendar) only when allowed.
        "IMPORT_ALLOW_PRIVATE_URLS": os.environ.get("IMPORT_ALLOW_PRIVATE_URLS", "") == "1",
    }
    if overrides:
        config.update(overrides)
    if not config["SECRET_KEY"]:
        if config["APP_ENV"] in {"development", "testing"}:
            config["SECRET_KEY"] = "development-only-not-secret"  # noqa: S105
        else:
            raise ConfigError(
                "SECRET_KEY must be set outside development (APP_ENV=development for local use)."
            )
    return config
