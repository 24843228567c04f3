"""`flask search …`: rebuild, verify, sync and status of the local index."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup

from directory.extensions import db
from directory.search.service import search_index


def register_cli(app: Flask) -> None:
    """Attach the search command group."""
    group = AppGroup("search", help="The local search index.")

    @group.command("rebuild")
    @click.option("--if-missing", is_flag=True, help="Only when there is no usable index.")
    def rebuild(if_missing: bool) -> None:
        """Build a fresh index from the database and swap it in."""
        index = search_index()
        if if_missing and index.status() == "ok":
            click.echo("Search index present.")
            return
        with click.progressbar(length=1, label="Indexing listings") as bar:

            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            count = index.rebuild(db.session(), progress=progress)
        click.echo(f"Indexed {count} listings.")

    @group.command("verify")
    @click.option("--repair", is_flag=True, help="Rewrite the documents that differ.")
    def verify(repair: bool) -> None:
        """Compare the index with the database and report (or repair) drift."""
        index = search_index()
        if index.status() != "ok":
            click.echo(f"Index {index.status()}: rebuilding.")
            index.rebuild(db.session())
            return
        report = index.verify(db.session(), repair=repair)
        if report.ok:
            click.echo("Index and database agree.")
            return
        click.echo(
            f"Missing {len(report.missing)}, extra {len(report.extra)}, "
            f"outdated {len(report.stale)}." + (" Repaired." if repair else "")
        )
        if not repair:
            raise SystemExit(1)

    @group.command("sync")
    @click.option("--follow", is_flag=True, help="Keep applying new changes until stopped.")
    @click.option("--interval", default=0.5, show_default=True, help="Seconds between polls.")
    def sync(follow: bool, interval: float) -> None:
        """Apply outbox changes to this server's local index."""
        index = search_index()
        if index.status() in {"missing", "corrupt"}:
            click.echo("No usable index: rebuilding first.")
            index.rebuild(db.session())
        while True:
            applied = index.apply_pending(db.session(), wait=True)
            db.session.rollback()
            if applied or not follow:
                click.echo(f"Applied changes to {applied} listings.")
            if not follow:
                return
            time.sleep(interval)

    @group.command("status")
    def status() -> None:
        """Say whether the index is usable."""
        click.echo(search_index().status())

    app.cli.add_command(group)
