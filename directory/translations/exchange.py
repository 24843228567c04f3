"""Translation files for agencies: XLIFF 2.0 and gettext PO, out and back in.

Each unit carries its key (``listing:12:title``), the source text and the current target.
On the way back the source text is compared with the database: a unit whose source changed
meanwhile is refused and reported, never applied to text it was not made from. Files from
outside are parsed with defusedxml (no entity expansion, no external references).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from xml.etree.ElementTree import Element, SubElement, tostring

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from defusedxml import ElementTree as SafeElementTree

from directory.translations.services import (
    IncomingUnit,
    TranslationState,
    TranslationUnit,
)

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
MAX_FILE_BYTES = 20 * 1024 * 1024
# XLIFF segment states for our translation states.
XLIFF_STATES = {
    TranslationState.CURRENT: "final",
    TranslationState.OUTDATED: "translated",
    TranslationState.MACHINE: "translated",
    TranslationState.MISSING: "initial",
}


class ExchangeFileError(ValueError):
    """The file is not something we can read; the message says why, in plain words."""


def to_xliff(
    units: Iterable[TranslationUnit], target_language: str, glossary: dict[str, str] | None = None
) -> bytes:
    """An XLIFF 2.0 document with one unit per field; glossary notes where terms occur."""
    units = list(units)
    source_language = units[0].source_language if units else "nb"
    root = Element(
        "xliff",
        {
            "xmlns": XLIFF_NS,
            "version": "2.0",
            "srcLang": source_language,
            "trgLang": target_language,
        },
    )
    file = SubElement(root, "file", {"id": "lokaltilbud"})
    for unit in units:
        element = SubElement(file, "unit", {"id": unit.key})
        notes = SubElement(element, "notes")
        SubElement(notes, "note", {"category": "state"}).text = unit.state.value
        for term, explanation in (glossary or {}).items():
            if term.casefold() in unit.source.casefold():
                SubElement(notes, "note", {"category": "glossary"}).text = f"{term}: {explanation}"
        segment = SubElement(element, "segment", {"state": XLIFF_STATES[unit.state]})
        source = SubElement(segment, "source")
        source.text = unit.source
        target = SubElement(segment, "target")
        target.text = unit.target
        for part in (source, target):
            part.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def from_xliff(data: bytes) -> tuple[str, list[IncomingUnit]]:
    """The target language and the units of an XLIFF 2.0 document."""
    if len(data) > MAX_FILE_BYTES:
        raise ExchangeFileError("The file is larger than 20 MB.")
    try:
        root = SafeElementTree.fromstring(data)
    except Exception as error:  # defusedxml and expat raise several kinds
        raise ExchangeFileError(f"This is not a readable XLIFF file ({error}).") from error
    if root.tag != f"{{{XLIFF_NS}}}xliff" or root.get("version") != "2.0":
        raise ExchangeFileError("This is not an XLIFF 2.0 file.")
    language = root.get("trgLang") or ""
    if not language:
        raise ExchangeFileError("The file does not say which language it is in (trgLang).")
    units = []
    for unit in root.iter(f"{{{XLIFF_NS}}}unit"):
        sources = unit.findall(f".//{{{XLIFF_NS}}}source")
        targets = unit.findall(f".//{{{XLIFF_NS}}}target")
        units.append(
            IncomingUnit(
                key=unit.get("id") or "",
                source="".join("".join(s.itertext()) for s in sources),
                target="".join("".join(t.itertext()) for t in targets),
            )
        )
    return language, units


def to_po(units: Iterable[TranslationUnit], target_language: str) -> bytes:
    """A gettext PO file: the unit key as msgctxt, the source as msgid."""
    catalog = Catalog(locale=target_language, project="Lokaltilbud", fuzzy=False)
    for unit in units:
        catalog.add(
            unit.source,
            unit.target,
            context=unit.key,
            auto_comments=[f"state: {unit.state.value}"],
            flags=("fuzzy",) if unit.state is TranslationState.OUTDATED else (),
        )
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False)
    return buffer.getvalue()


def from_po(data: bytes) -> tuple[str, list[IncomingUnit]]:
    """The language and the units of a PO file written by ``to_po``."""
    if len(data) > MAX_FILE_BYTES:
        raise ExchangeFileError("The file is larger than 20 MB.")
    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except Exception as error:  # Babel raises PoFileError and others
        raise ExchangeFileError(f"This is not a readable PO file ({error}).") from error
    language = str(catalog.locale) if catalog.locale else ""
    if not language:
        raise ExchangeFileError("The file does not say which language it is in (Language:).")
    units = [
        IncomingUnit(key=str(m.context or ""), source=str(m.id), target=str(m.string or ""))
        for m in catalog
        if m.id and isinstance(m.id, str)
    ]
    return language, units


def read_exchange_file(data: bytes) -> tuple[str, list[IncomingUnit]]:
    """Read an XLIFF or PO file, whichever it is."""
    if data.lstrip()[:5] in (b"<?xml", b"<xlif"):
        return from_xliff(data)
    return from_po(data)
