"""The shape of content translations: one row per record, field and language.

Each translatable model keeps its source text in its own columns, records the source
language, and has a ``<Model>Translation`` table. A row stores the translated text, its
status and a hash of the source text it was made from, so that a changed source can mark
exactly the affected fields outdated while a minor edit leaves them current.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from directory.db import int_pk, language_code, updated_at
from directory.i18n import direction

if TYPE_CHECKING:
    from collections.abc import Sequence


class TranslationStatus(enum.Enum):
    """How far a stored translation can be trusted."""

    CURRENT = "current"
    OUTDATED = "outdated"
    MACHINE = "machine"


def source_hash(text: str) -> str:
    """Fingerprint of a source text, stored beside each translation made from it."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class TranslationMixin:
    """Columns of every ``<Model>Translation`` table; subclasses add ``record_id``."""

    id: Mapped[int_pk]
    language: Mapped[language_code]
    field: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[TranslationStatus] = mapped_column(default=TranslationStatus.CURRENT)
    source_hash: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[updated_at]

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("record_id", "language", "field"),)


@dataclass(frozen=True)
class LocalizedText:
    """A field's text in the best available language, and whether that is a fallback."""

    text: str
    language: str
    fallback: bool
    machine: bool = False

    @property
    def dir(self) -> str:
        """Writing direction of the text's language."""
        return direction(self.language)

    def __str__(self) -> str:
        return self.text


class Translatable:
    """Mixin for models whose text fields can be translated."""

    __translatable__: ClassVar[Sequence[str]] = ()
    source_language: Mapped[language_code] = mapped_column(default="nb")
    translations: Any

    def localized(self, field: str, locale: str) -> LocalizedText:
        """The field in ``locale`` if translated, else in the source language."""
        source = getattr(self, field) or ""
        if locale != self.source_language and source:
            for row in self.translations:
                if row.language == locale and row.field == field and row.text:
                    machine = row.status is TranslationStatus.MACHINE
                    return LocalizedText(row.text, locale, fallback=False, machine=machine)
            return LocalizedText(source, self.source_language, fallback=True)
        return LocalizedText(source, self.source_language, fallback=False)

    def set_translation(
        self,
        field: str,
        language: str,
        text: str,
        status: TranslationStatus = TranslationStatus.CURRENT,
    ) -> None:
        """Store a translation of one field made from the current source text."""
        if field not in self.__translatable__:
            raise ValueError(f"{type(self).__name__}.{field} is not translatable")
        digest = source_hash(getattr(self, field) or "")
        for row in self.translations:
            if row.language == language and row.field == field:
                row.text, row.status, row.source_hash = text, status, digest
                return
        model = type(self).__mapper__.relationships["translations"].mapper.class_  # type: ignore[attr-defined]
        self.translations.append(
            model(language=language, field=field, text=text, status=status, source_hash=digest)
        )
