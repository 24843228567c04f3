"""Text helpers shared by lookups and search: folding and slugs."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_NON_WORD = re.compile(r"[^a-z0-9]+")


def strip_controls(text: str) -> str:
    """Remove control and format characters (NUL, bidi marks, zero-width spaces)."""
    return "".join(
        ch for ch in text if ch in "\t\n" or unicodedata.category(ch) not in {"Cc", "Cf"}
    )


def fold(text: str) -> str:
    """Fold case, accents and Nordic/Sami letters, so "Tromso" matches "Tromsø".

    æ→ae, ø→o, å→a, á→a, č→c, đ→d, ŋ→ng, š→s, ŧ→t, ž→z; other scripts are transliterated.
    """
    normalized = unicodedata.normalize("NFKC", strip_controls(text)).casefold()
    return " ".join(anyascii(normalized).lower().split())


def slugify(text: str, max_length: int = 60) -> str:
    """A URL slug of plain ASCII letters, digits and dashes."""
    slug = _NON_WORD.sub("-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "x"
