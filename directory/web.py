"""Request plumbing: locale URL prefix, security headers, error pages, template helpers."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, g, render_template, request
from flask_babel import refresh
from werkzeug.exceptions import HTTPException

from directory.i18n import (
    DEFAULT_LOCALE,
    LOCALE_COOKIE,
    UI_LOCALES,
    _,
    direction,
    language_info,
    language_name,
    select_locale,
)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(self)",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Wire locale handling, headers, error pages and template globals into the app."""

    @app.url_value_preprocessor
    def pull_locale(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values is None or "locale" not in values:
            return
        locale = values.pop("locale")
        if locale not in UI_LOCALES:
            abort(404)
        g.locale = locale
        # Flask-Babel remembers the locale on the app context; one context can serve
        # several requests (tests, CLI calls), so make it ask again.
        refresh()

    @app.url_defaults
    def add_locale(endpoint: str, values: dict[str, Any]) -> None:
        if "locale" not in values and app.url_map.is_endpoint_expecting(endpoint, "locale"):
            values["locale"] = g.get("locale", DEFAULT_LOCALE)

    @app.before_request
    def refuse_nul_bytes() -> None:
        # No database accepts NUL in text; such a request is malformed, never a 500.
        if b"%00" in request.query_string or "\x00" in request.path:
            abort(400)

    @app.after_request
    def secure_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if "locale" in g and request.cookies.get(LOCALE_COOKIE) != g.locale:
            response.set_cookie(
                LOCALE_COOKIE, g.locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
            )
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Language", g.get("locale", DEFAULT_LOCALE))
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_error(error.code or 500), error.code or 500

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        app.logger.exception("Unhandled error on %s", request.path)
        return render_error(500), 500

    from babel.dates import get_day_names

    from directory.schedules.describe import describe_break, describe_schedule, relative_day

    def weekday_name(index: int) -> str:
        return str(get_day_names("wide", locale=g.get("locale", DEFAULT_LOCALE))[index])

    from flask_babel import format_decimal

    from directory.markup import render_description, web_link

    app.jinja_env.globals.update(
        format_decimal=format_decimal,
        describe_schedule=describe_schedule,
        describe_break=describe_break,
        relative_day=relative_day,
        render_description=render_description,
        web_link=web_link,
        weekday_name=weekday_name,
        UI_LOCALES=UI_LOCALES,
        language_info=language_info,
        language_name=language_name,
        text_direction=direction,
        current_locale=lambda: g.get("locale", DEFAULT_LOCALE),
        # Pages without a locale in the URL (the back office) speak what Flask-Babel chose.
        page_locale=select_locale,
        locale_url=locale_url,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def render_error(code: int) -> str:
    """An error page in the reader's language, never a traceback."""
    titles = {
        400: _("Noe var galt med forespørselen"),
        404: _("Vi fant ikke siden"),
        405: _("Det går ikke an å gjøre det her"),
        413: _("Filen er for stor"),
        429: _("For mange forespørsler. Vent litt og prøv igjen."),
        500: _("Noe gikk galt hos oss. Prøv igjen om litt."),
        503: _("Tjenesten er midlertidig utilgjengelig"),
    }
    title = titles.get(code) or _("Noe gikk galt")
    return render_template("error.html", code=code, title=title)


def locale_url(locale: str) -> str:
    """The current page in another interface language (same endpoint and arguments)."""
    from flask import url_for

    if request.endpoint and request.url_rule and "locale" in request.url_rule.arguments:
        args = dict(request.view_args or {})
        args["locale"] = locale
        query = request.query_string.decode()
        url = url_for(request.endpoint, **args)
        return f"{url}?{query}" if query else url
    return url_for("places.home", locale=locale)
