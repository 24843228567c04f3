"""`flask users …`: accounts for administrators to hand out."""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import AppGroup

from directory.accounts.models import Role
from directory.accounts.services import AccountError, create_user, find_user, grant
from directory.extensions import db


def register_cli(app: Flask) -> None:
    """Attach the users command group."""
    group = AppGroup("users", help="Contributor accounts.")

    @group.command("create")
    @click.argument("email")
    @click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
    @click.option("--municipality", help="Municipality number (coordinators).")
    @click.option("--organization", type=int, help="Organization id (volunteers, editors).")
    @click.option("--language", help="Language code (translators).")
    @click.option("--name", default="")
    def create(
        email: str,
        role: str,
        municipality: str | None,
        organization: int | None,
        language: str | None,
        name: str,
    ) -> None:
        """Create a confirmed account (or add a role to an existing one).

        The password is read from LOKALTILBUD_PASSWORD or asked for without echo.
        """
        session = db.session()
        try:
            user = find_user(session, email)
            if user is None:
                password = os.environ.get("LOKALTILBUD_PASSWORD") or click.prompt(
                    "Password", hide_input=True, confirmation_prompt=True
                )
                user = create_user(session, email, password, name, confirmed=True)
            grant(session, user, Role(role), municipality, organization, language)
        except AccountError as error:
            session.rollback()
            raise click.ClickException(str(error)) from error
        session.commit()
        click.echo(f"{user.email}: {role}")

    app.cli.add_command(group)
