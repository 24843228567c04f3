"""A municipality page with 50 offers stays within 60 KB of HTML and CSS."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import EMPTY_MUNICIPALITY, make_listing

CATEGORIES = [
    "language-cafe",
    "homework-help",
    "womens-groups",
    "swimming",
    "letter-help",
    "open-kindergarten",
    "job-help",
    "health-drop-in",
    "library",
    "food",
]
BUDGET = 60 * 1024
SUMMARY = "Gratis og åpent for alle. Du møter andre, snakker norsk og får hjelp av frivillige."


def test_fifty_offers_fit_in_60_kb(client: FlaskClient, db_session: Session) -> None:
    for n in range(50):
        make_listing(
            db_session,
            title=f"Et typisk tilbud med et ganske langt navn nummer {n}",
            summary=SUMMARY,
            category=CATEGORIES[n % len(CATEGORIES)],
            languages=("nb", "en", "uk", "ar"),
            childcare=n % 3 == 0,
        )
    html = client.get(f"/nb/municipality/{EMPTY_MUNICIPALITY}").get_data()
    css = (Path(__file__).resolve().parent.parent / "static" / "style.css").read_bytes()
    assert html.count(b'class="card"') >= 50 or b"Se alle" in html
    assert len(html) + len(css) <= BUDGET, f"{len(html)} B HTML + {len(css)} B CSS"


def test_whole_group_fits_when_filtered(client: FlaskClient, db_session: Session) -> None:
    for n in range(50):
        make_listing(
            db_session, title=f"Kafé {n}", category="language-cafe", languages=("nb", "uk")
        )
    html = client.get(f"/nb/municipality/{EMPTY_MUNICIPALITY}?category=language").get_data()
    assert html.count(b'class="card"') == 20
    assert len(html) <= BUDGET
