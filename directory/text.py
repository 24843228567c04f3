"""Text helpers shared by name lookups and search: folding and slugs."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_SLUG = re.compile(r"[^a-z0-9]+")

# Letters that do not decompose into a base letter plus a mark (Nordic, Sami, others
# common in Latin-script languages), and script variants that readers type interchangeably.
_LETTERS = str.maketrans(
    {
        "æ": "ae",
        "ø": "o",
        "đ": "d",
        "ŋ": "n",
        "ŧ": "t",
        "ß": "ss",
        "ł": "l",
        "ı": "i",
        "œ": "oe",
        "þ": "th",
        "ð": "d",
        "ʼ": "",
        "’": "",
        "ي": "ی",  # Arabic yeh / Persian yeh
        "ى": "ی",
        "ك": "ک",  # Arabic kaf / Persian keheh
        "ة": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
    }
)
_KEEP_FORMAT = {"\t", "\n"}


def strip_controls(text: str) -> str:
    """Remove control and format characters (NUL, bidi marks, zero-width joiners)."""
    if text.isprintable():  # the common case, checked in C: nothing to remove
        return text
    return "".join(
        ch for ch in text if ch in _KEEP_FORMAT or unicodedata.category(ch) not in {"Cc", "Cf"}
    )


def fold(text: str) -> str:
    """Fold case, accents and special letters, so "tromso" matches "Tromsø".

    æ→ae, ø→o, å→a, á→a, č→c, đ→d, ŋ→n, š→s, ŧ→t, ž→z; Arabic and Persian letter
    variants are unified and vowel marks dropped; other scripts keep their letters.
    """
    if len(text) <= _SHORT:  # words and labels repeat (search terms, sheet values)
        return _fold_short(text)
    return _fold(text)


_SHORT = 40


@lru_cache(maxsize=8192)
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    text = strip_controls(text)
    if text.isascii():  # nothing to decompose or map: the same result, much faster
        return " ".join(text.casefold().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", bare.translate(_LETTERS)).split())


def slugify(text: str, max_length: int = 60) -> str:
    """A URL slug of plain ASCII letters, digits and dashes."""
    slug = _NON_SLUG.sub("-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "x"
