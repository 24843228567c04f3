"""Locale selection, gettext shortcuts and text direction."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import g, has_request_context, request
from flask_babel import gettext, lazy_gettext
from flask_babel import ngettext as _ngettext

_l = lazy_gettext


def _(string: str, **variables: Any) -> str:
    """Translate a message into the reader's language (typed wrapper of gettext)."""
    return str(gettext(string, **variables))


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """Translate a message with a plural form chosen by ``num``."""
    return str(_ngettext(singular, plural, num, **variables))


__all__ = ["DEFAULT_LOCALE", "UI_LOCALES", "_", "_l", "direction", "ngettext", "select_locale"]

DEFAULT_LOCALE = "nb"

# Interface languages with a complete catalog in locales/ (nb is the source language).
UI_LOCALES: tuple[str, ...] = (
    "nb",
    "nn",
    "en",
    "uk",
    "ru",
    "ar",
    "fa",
    "so",
    "ti",
    "pl",
    "lt",
    "ur",
    "tr",
    "th",
    "se",
    "ku",
)

LOCALE_COOKIE = "locale"


@dataclass(frozen=True)
class LanguageInfo:
    """A language as a reader sees it: its code, own name and writing direction."""

    code: str
    native_name: str
    direction: str


# Languages spoken in Norway that CLDR has no locale data for.
EXTRA_LANGUAGES = {"prs": LanguageInfo("prs", "دری", "rtl")}
# ISO 639-3 codes that CLDR names under another code (Dari is Persian of Afghanistan).
CLDR_NAME_ALIASES = {"prs": "fa_AF"}


@cache
def language_info(code: str) -> LanguageInfo:
    """Describe a language code (ISO 639) by its own name and direction, via CLDR data."""
    if code in EXTRA_LANGUAGES:
        return EXTRA_LANGUAGES[code]
    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError, TypeError):
        return LanguageInfo(code, code, "ltr")
    name = locale.get_display_name(locale) or code
    return LanguageInfo(code, name[:1].upper() + name[1:], locale.text_direction)


def direction(code: str) -> str:
    """Return "rtl" or "ltr" for a language code."""
    return language_info(code).direction


def select_locale() -> str:
    """Pick the request's locale: URL prefix, then cookie, then Accept-Language, then nb."""
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = g.get("locale")
    if chosen in UI_LOCALES:
        return str(chosen)
    return preferred_locale()


def preferred_locale() -> str:
    """The reader's preferred interface language when the URL does not say."""
    remembered = request.cookies.get(LOCALE_COOKIE)
    if remembered in UI_LOCALES:
        return str(remembered)
    return request.accept_languages.best_match(UI_LOCALES) or DEFAULT_LOCALE


def language_name(code: str, in_locale: str) -> str:
    """Name a spoken language (ISO 639 code) in the reader's interface language."""
    try:
        name = Locale.parse(in_locale).languages.get(CLDR_NAME_ALIASES.get(code, code))
    except (UnknownLocaleError, ValueError, TypeError):
        name = None
    if not name:
        name = language_info(code).native_name
    return name[:1].upper() + name[1:]
