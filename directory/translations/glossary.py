"""Official terms (NAV, fastlege, introduksjonsprogram …) with plain-words explanations.

One packaged list (``data/glossary.toml``) serves three uses: translators see the entries
for the terms in a text beside it (and in exported files), translations are checked for
the agreed rendering, and readers get the explanation under a listing that uses the term.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from directory.text import fold


@dataclass(frozen=True)
class GlossaryEntry:
    """A term in one language: the Norwegian term, how it is written, what it means."""

    term: str
    language: str
    rendering: str
    explanation: str

    @property
    def heads(self) -> tuple[str, ...]:
        """Forms to look for in a text: the Norwegian term and the rendering before "("."""
        rendering = self.rendering.split("(")[0].strip()
        return tuple(dict.fromkeys(f for f in (fold(self.term), fold(rendering)) if f))


@cache
def _data() -> list[dict[str, Any]]:
    source = resources.files("directory.translations").joinpath("data", "glossary.toml")
    terms: list[dict[str, Any]] = tomllib.loads(source.read_text(encoding="utf-8"))["terms"]
    return terms


@cache
def glossary(language: str) -> tuple[GlossaryEntry, ...]:
    """Every term with its rendering and explanation in ``language`` (Norwegian if none)."""
    entries = []
    for item in _data():
        renderings: dict[str, str] = item["rendering"]
        explanations: dict[str, str] = item["explanation"]
        code = language if language in explanations else "nb"
        entries.append(
            GlossaryEntry(
                term=str(item["term"]),
                language=code,
                rendering=renderings.get(code, str(item["term"])),
                explanation=explanations[code],
            )
        )
    return tuple(entries)


@cache
def _pattern(head: str) -> re.Pattern[str]:
    # At the start of a word; Norwegian inflects at the end ("frivilligsentralen").
    return re.compile(r"(?<!\w)" + re.escape(head))


def terms_in(texts: list[str], language: str) -> list[GlossaryEntry]:
    """The entries whose term (or its rendering in ``language``) occurs in the texts."""
    folded = fold(" ".join(texts))
    found = [
        entry
        for entry in glossary(language)
        if any(_pattern(head).search(folded) for head in entry.heads)
    ]
    # "åpen barnehage" explains more than "barnehage": drop terms inside a longer one found.
    return [e for e in found if not any(o is not e and fold(e.term) in fold(o.term) for o in found)]


def check_translation(source: str, translation: str, language: str) -> list[GlossaryEntry]:
    """Terms in the source whose agreed rendering the translation does not use."""
    wanted = terms_in([source], "nb")
    by_term = {e.term: e for e in glossary(language)}
    folded = fold(translation)
    missing = []
    for entry in wanted:
        target = by_term[entry.term]
        if not any(_pattern(head).search(folded) for head in target.heads):
            missing.append(target)
    return missing
