"""The root redirect and /healthz."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse

from directory.extensions import db
from directory.i18n import preferred_locale
from directory.search.service import search_index

bp = Blueprint("core", __name__)


@bp.get("/")
def root() -> BaseResponse:
    """Send the reader to the home page in their language."""
    response = redirect(url_for("places.home", locale=preferred_locale()))
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Report whether the database answers; 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        database = "unavailable"
    ok = database == "ok"
    body = {
        "status": "ok" if ok else "unavailable",
        "database": database,
        "search_index": search_index().status(),
    }
    return jsonify(body), 200 if ok else 503
