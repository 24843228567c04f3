"""`flask import file …` and `flask import run …`: the contract cron and scripts rely on.

Exit 0 when the file was read (even with row errors), 1 with a one-line reason when the
file itself could not be read, 2 for wrong arguments.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from directory.extensions import db
from importers.models import ImportSource, SourceKind
from importers.pipeline import Outcome
from importers.records import FileError


def _report(outcome: Outcome, as_json: bool) -> None:
    summary = outcome.summary()
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    verb = "would be" if summary["dry_run"] else "were"
    click.echo(
        f"{summary['source']}: {summary['created']} created, {summary['updated']} updated, "
        f"{summary['unchanged']} unchanged, {summary['archived']} archived, "
        f"{summary['failed']} failed, {summary['conflicts']} with conflicts ({verb} changed)."
    )
    for error in summary["errors"]:
        click.echo(f"  {error['where']}: {error['message']}")
    if summary["dry_run"]:
        for change in summary["changes"]:
            fields = f" ({', '.join(change['fields'])})" if change["fields"] else ""
            click.echo(f"  would {change['action']}: {change['title']}{fields}")


def _progress(count: int) -> None:
    click.echo(f"… {count} records", err=True)


def _fail(reason: str, as_json: bool, code: int = 1) -> None:
    if as_json:
        click.echo(json.dumps({"error": reason}, ensure_ascii=False))
    else:
        click.echo(f"Error: {reason}", err=True)
    sys.exit(code)


def register_cli(app: Flask) -> None:
    """Attach the import command group."""
    group = AppGroup("import", help="Import listings from spreadsheets, calendars and HSDS.")

    @group.command("file")
    @click.argument("path", type=click.Path(path_type=Path))
    @click.option(
        "--kind",
        required=True,
        type=click.Choice([k.value for k in SourceKind if k.value != "hsds-api"]),
    )
    @click.option("--municipality", required=True, help="Four-digit municipality number.")
    @click.option("--organization", type=int, help="Default organization id.")
    @click.option(
        "--category",
        "categories",
        multiple=True,
        help="Default category slug for records whose categories are unknown here (repeat).",
    )
    @click.option("--source", "source_name", help="Source name (default: the file's name).")
    @click.option("--dry-run", is_flag=True, help="Show what would change; keep nothing.")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
    def file_command(
        path: Path,
        kind: str,
        municipality: str,
        organization: int | None,
        categories: tuple[str, ...],
        source_name: str | None,
        dry_run: bool,
        as_json: bool,
    ) -> None:
        """Import one file into a municipality."""
        from importers.service import import_data, source_for_file

        session = db.session()
        source_kind = SourceKind(kind)
        name = source_name or f"file:{path.stem}"
        with app.test_request_context(base_url=app.config["PUBLIC_URL"]):
            try:
                source = source_for_file(session, name, source_kind, municipality, organization)
                if categories:
                    source.category_slugs = list(categories)
                outcome = import_data(
                    session,
                    source,
                    path,
                    kind=source_kind,
                    dry_run=dry_run,
                    progress=None if as_json else _progress,
                )
            except FileError as error:
                session.rollback()
                _fail(str(error), as_json)
                return
            session.commit()
            _report(outcome, as_json)

    @group.command("run")
    @click.argument("name", required=False)
    @click.option("--all", "run_all", is_flag=True, help="Every active configured source.")
    @click.option("--dry-run", is_flag=True)
    @click.option("--json", "as_json", is_flag=True)
    def run_command(name: str | None, run_all: bool, dry_run: bool, as_json: bool) -> None:
        """Fetch and import configured sources (from their URL)."""
        from importers.service import import_configured

        session = db.session()
        if run_all == bool(name):
            _fail("name one source or give --all", as_json, code=2)
        stmt = select(ImportSource).where(ImportSource.url.is_not(None))
        stmt = (
            stmt.where(ImportSource.active.is_(True))
            if run_all
            else stmt.where(ImportSource.name == name)
        )
        sources = list(session.scalars(stmt))
        if not sources:
            _fail(
                f"no configured source named {name}" if name else "no configured sources",
                as_json,
                2,
            )
        failures = 0
        with app.test_request_context(base_url=app.config["PUBLIC_URL"]):
            for source in sources:
                try:
                    outcome = import_configured(session, source, dry_run=dry_run)
                except FileError as error:
                    session.rollback()
                    failures += 1
                    click.echo(f"Error: {source.name}: {error}", err=True)
                    continue
                session.commit()
                if outcome is None:
                    click.echo(f"{source.name}: not changed since the last run.")
                else:
                    _report(outcome, as_json)
        if failures and not run_all:
            sys.exit(1)

    app.cli.add_command(group)
