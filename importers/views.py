"""/<locale>/import/…: the spreadsheet template, in the reader's language."""

from __future__ import annotations

from flask import Blueprint, Response, g

from directory.schedules.recurrence import today_in_oslo
from importers.spreadsheet import XLSX_MIMETYPE
from importers.spreadsheet import template_csv as build_csv
from importers.spreadsheet import template_xlsx as build_xlsx

bp = Blueprint("imports", __name__, url_prefix="/<locale>/import")

# The template comes in Norwegian and English only: its headers are what the reader reads.
NORWEGIAN_LOCALES = {"nb", "nn"}


def _english() -> bool:
    return g.get("locale", "nb") not in NORWEGIAN_LOCALES


def _attachment(body: bytes, mimetype: str, extension: str) -> Response:
    name = "lokaltilbud-template" if _english() else "lokaltilbud-mal"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


@bp.get("/template.csv")
def template_csv() -> Response:
    """The import template as CSV (semicolons, UTF-8 with BOM: Excel in Norway opens it)."""
    return _attachment(build_csv(_english(), today_in_oslo()), "text/csv", "csv")


@bp.get("/template.xlsx")
def template_xlsx() -> Response:
    """The import template as an Excel workbook, with a sheet explaining each column."""
    return _attachment(build_xlsx(_english(), today_in_oslo()), XLSX_MIMETYPE, "xlsx")
