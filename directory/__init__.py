"""Lokaltilbud: low-threshold offers and events for newcomers in every Norwegian municipality."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the application: configuration, extensions, blueprints, CLI."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    from directory.config import load_config

    app.config.update(load_config(app.instance_path, config))
    from pathlib import Path

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from directory import web
    from directory.db import configure_sqlite
    from directory.extensions import babel, csrf, db, limiter, login_manager, migrate
    from directory.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from directory.accounts.views import load_user

    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "strong"
    _import_models()
    with app.app_context():
        configure_sqlite(db.engine)

    web.init_app(app)
    from directory.search import service as search_service

    search_service.init_app(app)
    from directory.translations.services import register as register_translation_rules

    register_translation_rules()
    from directory.places.services import init_geocoder

    init_geocoder(app)
    from directory.accounts.views import bp as accounts_bp
    from directory.contribute.views import bp as contribute_bp
    from directory.core.views import bp as core_bp
    from directory.listings.views import bp as listings_bp
    from directory.moderation.freshness_views import bp as freshness_bp
    from directory.organizations.views import bp as organizations_bp
    from directory.places.views import bp as places_bp
    from directory.search.views import bp as search_bp
    from directory.translations.views import bp as translations_bp
    from importers.views import bp as imports_bp

    blueprints = (
        core_bp,
        places_bp,
        listings_bp,
        organizations_bp,
        search_bp,
        accounts_bp,
        contribute_bp,
        freshness_bp,
        translations_bp,
        imports_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)

    from admin import init_admin

    init_admin(app)
    from directory.cli import register_cli

    register_cli(app)
    return app


def _import_models() -> None:
    """Import every model module so the metadata is complete (for Alembic too)."""
    from directory.accounts import models as _accounts  # noqa: F401
    from directory.listings import models as _listings  # noqa: F401
    from directory.moderation import models as _moderation  # noqa: F401
    from directory.organizations import models as _organizations  # noqa: F401
    from directory.places import models as _places  # noqa: F401
    from directory.schedules import models as _schedules  # noqa: F401
    from directory.search import models as _search  # noqa: F401
    from directory.taxonomy import models as _taxonomy  # noqa: F401
    from importers import models as _importers  # noqa: F401
