"""`flask translations …`: coverage, exchange files for agencies, machine drafts."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from directory.extensions import db
from directory.i18n import DEFAULT_LOCALE, UI_LOCALES
from directory.translations.exchange import (
    ExchangeFileError,
    read_exchange_file,
    to_po,
    to_xliff,
)
from directory.translations.glossary import glossary
from directory.translations.services import (
    MachineTranslationError,
    TranslationState,
    apply_units,
    coverage,
    libretranslate,
    machine_drafts,
    municipality_records,
    units_of,
)

MUNICIPALITY = click.option("--municipality", required=True, help="Municipality number, e.g. 4601.")


def _language(value: str) -> str:
    if value not in UI_LOCALES or value == DEFAULT_LOCALE:
        raise click.BadParameter(f"choose one of {', '.join(UI_LOCALES[1:])}")
    return value


def register_cli(app: Flask) -> None:
    """Attach the translations command group."""
    group = AppGroup("translations", help="Content translations.")

    @group.command("coverage")
    @MUNICIPALITY
    def coverage_command(municipality: str) -> None:
        """How much of a municipality's content each language has, and what is missing."""
        languages = [code for code in UI_LOCALES if code != DEFAULT_LOCALE]
        report = coverage(db.session(), municipality, languages)
        click.echo("language  current  machine  outdated  missing  of")
        for language, entry in report.items():
            counts = entry.counts
            click.echo(
                f"{language:<9} {counts[TranslationState.CURRENT]:>7}  "
                f"{counts[TranslationState.MACHINE]:>7}  {counts[TranslationState.OUTDATED]:>8}  "
                f"{counts[TranslationState.MISSING]:>7}  {entry.total}"
            )

    @group.command("export")
    @MUNICIPALITY
    @click.option("--language", required=True, callback=lambda _c, _p, v: _language(v))
    @click.option("--format", "form", type=click.Choice(["xliff", "po"]), default="xliff")
    @click.option("--all", "everything", is_flag=True, help="Also fields already up to date.")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
    def export_command(
        municipality: str, language: str, form: str, everything: bool, output: Path | None
    ) -> None:
        """Write the fields that need translating to an XLIFF 2.0 or PO file."""
        units = [
            unit
            for unit in units_of(municipality_records(db.session(), municipality), language)
            if everything or unit.state is not TranslationState.CURRENT
        ]
        notes = {entry.term: entry.explanation for entry in glossary(language)}
        data = to_xliff(units, language, notes) if form == "xliff" else to_po(units, language)
        if output is None:
            sys.stdout.buffer.write(data)
        else:
            output.write_bytes(data)
            click.echo(f"{len(units)} fields written to {output}.", err=True)

    @group.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def import_command(path: Path) -> None:
        """Read a translated XLIFF or PO file back; refuse units whose source changed."""
        try:
            language, units = read_exchange_file(path.read_bytes())
            _language(language)
        except (ExchangeFileError, click.BadParameter) as error:
            raise click.ClickException(str(error)) from error
        report = apply_units(db.session(), language, units)
        db.session.commit()
        click.echo(
            f"{len(report.applied)} translations saved, {len(report.unchanged)} unchanged, "
            f"{len(report.empty)} empty, {len(report.rejected)} refused."
        )
        for key, reason in report.rejected:
            click.echo(f"  refused {key}: {reason}")

    @group.command("machine")
    @MUNICIPALITY
    @click.option("--language", required=True, callback=lambda _c, _p, v: _language(v))
    def machine_command(municipality: str, language: str) -> None:
        """Request machine drafts for missing fields (marked until a translator approves)."""
        url = current_app.config.get("TRANSLATE_URL") or ""
        if not url:
            raise click.ClickException("No machine translation service: set TRANSLATE_URL.")
        translate = libretranslate(url, current_app.config.get("TRANSLATE_API_KEY") or "")
        try:
            done = machine_drafts(db.session(), municipality, language, translate)
        except MachineTranslationError as error:
            db.session.rollback()
            raise click.ClickException(f"Nothing saved: {error}") from error
        db.session.commit()
        click.echo(f"{len(done)} machine drafts saved for {language}.")

    app.cli.add_command(group)
