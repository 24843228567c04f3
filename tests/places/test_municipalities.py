"""All municipalities are loaded and findable by any official name."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.places.models import County, Municipality
from directory.places.services import (
    find_municipalities,
    load_municipalities,
    read_municipality_rows,
)


def test_all_357_municipalities_in_15_counties(db_session: Session) -> None:
    assert db_session.scalar(select(func.count()).select_from(Municipality)) == 357
    assert db_session.scalar(select(func.count()).select_from(County)) == 15
    oslo = db_session.get(Municipality, "0301")
    assert oslo is not None
    assert oslo.name == "Oslo"
    assert oslo.county.name == "Oslo"


def test_sami_names_and_area_flag(db_session: Session) -> None:
    kautokeino = db_session.get(Municipality, "5612")
    assert kautokeino is not None
    assert kautokeino.other_names == ["Guovdageaidnu"]
    assert kautokeino.sami_area is True
    assert db_session.get(Municipality, "0301").sami_area is False  # type: ignore[union-attr]


def test_loading_twice_changes_nothing(db_session: Session) -> None:
    assert load_municipalities(db_session, read_municipality_rows()) == 357
    assert db_session.scalar(select(func.count()).select_from(Municipality)) == 357


def test_lookup_by_sami_name_accent_and_case_insensitive(db_session: Session) -> None:
    assert [m.name for m in find_municipalities("Guovdageaidnu")] == ["Kautokeino"]
    assert [m.name for m in find_municipalities("guovdageaidnu")] == ["Kautokeino"]
    assert [m.name for m in find_municipalities("KARASJOHKA")] == ["Karasjok"]
    assert "Tromsø" in [m.name for m in find_municipalities("tromso")]
    assert [m.name for m in find_municipalities("Ålesund")] == ["Ålesund"]
    assert [m.name for m in find_municipalities("alesund")] == ["Ålesund"]


def test_lookup_puts_prefix_matches_first(db_session: Session) -> None:
    names = [m.name for m in find_municipalities("lund")]
    assert names[0] == "Lund"
    assert "Marker" not in names
    assert len(names) > 1


def test_lookup_with_wildcards_is_literal(db_session: Session) -> None:
    assert find_municipalities("%") == []
    assert find_municipalities("_") == []


def test_municipality_search_page(client: FlaskClient) -> None:
    page = client.get("/nb/municipalities?q=Guovdageaidnu").get_data(as_text=True)
    assert "Kautokeino – Guovdageaidnu" in page
    assert "/nb/municipality/5612/kautokeino" in page
    empty = client.get("/nb/municipalities?q=Atlantis").get_data(as_text=True)
    assert "0 kommuner passer" in empty


def test_home_lists_every_municipality_by_county(client: FlaskClient) -> None:
    page = client.get("/nb/").get_data(as_text=True)
    assert page.count('href="/nb/municipality/') == 357
    assert "Guovdageaidnu" in page
    assert "Vestland" in page


def test_type_ahead_json(client: FlaskClient) -> None:
    data = client.get("/nb/municipalities.json?q=guovda").get_json()
    assert data == [
        {"name": "Kautokeino – Guovdageaidnu", "url": "/nb/municipality/5612/kautokeino"}
    ]


def test_county_page_counts_listings(client: FlaskClient) -> None:
    page = client.get("/nb/county/56").get_data(as_text=True)
    assert "Finnmark" in page
    assert "Alta" in page
    assert client.get("/nb/county/99").status_code == 404
