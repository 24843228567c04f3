"""Command-line entry points: loading reference data and demo listings."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from directory.extensions import db


def register_cli(app: Flask) -> None:
    """Attach the project's command groups to ``flask``."""
    data = AppGroup("data", help="Reference data: municipalities, taxonomy, demo listings.")

    @data.command("municipalities")
    def load_municipalities_command() -> None:
        """Load or update all municipalities and counties from the packaged list."""
        from directory.places.services import load_municipalities, read_municipality_rows

        count = load_municipalities(db.session(), read_municipality_rows())
        db.session.commit()
        click.echo(f"{count} municipalities loaded.")

    @data.command("taxonomy")
    def load_taxonomy_command() -> None:
        """Load or update categories and target groups."""
        from directory.taxonomy.services import load_taxonomy

        categories, groups = load_taxonomy(db.session())
        db.session.commit()
        click.echo(f"{categories} categories and {groups} target groups loaded.")

    @data.command("demo")
    @click.option("--if-empty", is_flag=True, help="Only when there are no listings yet.")
    def load_demo_command(if_empty: bool) -> None:
        """Load the example listings (marked as examples), dated from today."""
        from directory.demo.loader import load_demo
        from directory.listings.models import Listing

        if if_empty and db.session.scalar(select(func.count()).select_from(Listing)):
            click.echo("Listings exist; demo data not loaded.")
            return
        counts = load_demo(db.session())
        db.session.commit()
        click.echo(
            f"Demo data: {counts['organizations']} organizations, {counts['venues']} venues, "
            f"{counts['offers']} offers, {counts['events']} events."
        )

    @data.command("refresh-demo")
    def refresh_demo_command() -> None:
        """Move past demo events forward so the coming weeks always have some."""
        from directory.demo.loader import refresh_demo_events

        moved = refresh_demo_events(db.session())
        db.session.commit()
        click.echo(f"{moved} demo events moved forward.")

    @data.command("bootstrap")
    @click.pass_context
    def bootstrap_command(ctx: click.Context) -> None:
        """Everything a fresh database needs: municipalities, taxonomy, demo if empty."""
        ctx.invoke(load_municipalities_command)
        ctx.invoke(load_taxonomy_command)
        ctx.invoke(load_demo_command, if_empty=True)
        ctx.invoke(refresh_demo_command)

    app.cli.add_command(data)

    from directory.search.cli import register_cli as register_search_cli

    register_search_cli(app)

    from directory.translations.cli import register_cli as register_translations_cli

    register_translations_cli(app)

    from directory.accounts.cli import register_cli as register_users_cli

    register_users_cli(app)

    from directory.moderation.freshness import register_cli as register_freshness_cli

    register_freshness_cli(app)
    from importers.cli import register_cli as register_import_cli

    register_import_cli(app)
