"""Check the shipped catalogs: complete, nothing fuzzy, compiled and up to date.

Run as ``python -m directory.i18n_check``; exits non-zero with a list of problems.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from directory.i18n import DEFAULT_LOCALE, UI_LOCALES

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"


def extracted_ids() -> set[str]:
    """Message ids in the code and templates right now."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        subprocess.run(  # noqa: S603 - our own pybabel, fixed arguments
            [
                str(Path(sys.executable).parent / "pybabel"),
                "-q",
                "extract",
                "-F",
                str(ROOT / "babel.cfg"),
                "-k",
                "_l",
                "-k",
                "lazy_gettext",
                "-o",
                str(pot),
                str(ROOT),
            ],
            check=True,
            cwd=ROOT,
        )
        with pot.open("rb") as handle:
            return {
                str(m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(handle) if m.id
            }


def catalog_problems(locale: str, wanted: set[str]) -> list[str]:
    """Everything wrong with one locale's catalog."""
    po_path = LOCALES / locale / "LC_MESSAGES" / "messages.po"
    mo_path = po_path.with_suffix(".mo")
    if not po_path.exists():
        return [f"{locale}: no catalog at {po_path.relative_to(ROOT)}"]
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    problems = []
    have: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        key = str(message.id if isinstance(message.id, str) else message.id[0])
        have.add(key)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"{locale}: fuzzy: {key!r}")
        elif not all(strings):
            problems.append(f"{locale}: untranslated: {key!r}")
    problems += [
        f"{locale}: missing (run make translations-update): {k!r}" for k in sorted(wanted - have)
    ]
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    if not mo_path.exists() or mo_path.read_bytes() != compiled.getvalue():
        problems.append(f"{locale}: compiled catalog is stale (run make translations-compile)")
    return problems


def main() -> int:
    """Report catalog problems for every interface language but the source."""
    wanted = extracted_ids()
    problems = [
        p
        for locale in UI_LOCALES
        if locale != DEFAULT_LOCALE
        for p in catalog_problems(locale, wanted)
    ]
    for problem in problems:
        print(problem)
    if not problems:
        print(f"Catalogs complete: {', '.join(UI_LOCALES)} ({len(wanted)} messages).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
