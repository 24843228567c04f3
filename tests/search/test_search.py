"""Search finds the right listings, in any language, with filters, facets and distance."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.extensions import db
from directory.listings.models import Listing, ListingStatus
from directory.search.engine import Origin, SearchEngine, SearchRequest
from directory.search.index import SearchIndex
from directory.search.models import SearchOutbox
from directory.search.vocabulary import vocabulary
from tests.factories import EMPTY_MUNICIPALITY, make_event, make_listing, make_venue, weekly

HERE = {"municipality": EMPTY_MUNICIPALITY}


def ids(index: SearchIndex, locale: str = "nb", **args: str) -> list[int]:
    vocab = vocabulary(db.session())
    results = SearchEngine(index).search(SearchRequest.from_args(args), locale, vocab)
    return [hit.listing_id for hit in results.hits]


def test_stemming_matches_kurs_and_kursene(index: SearchIndex, db_session: Session) -> None:
    plural = make_listing(db_session, title="Kursene for foreldre")
    singular = make_listing(db_session, title="Kurs i sykling")
    index.apply_pending(db_session)
    assert plural.id in ids(index, q="kurs", **HERE)
    assert singular.id in ids(index, q="kursene", **HERE)


def test_typo_tolerance_without_drowning_exact_hits(
    index: SearchIndex, db_session: Session
) -> None:
    exact = make_listing(db_session, title="Leksehjelp for alle", category="homework-help")
    index.apply_pending(db_session)
    assert exact.id in ids(index, q="leksehjep", **HERE)
    assert ids(index, q="leksehjelp", **HERE)[0] == exact.id


def test_folding_of_ae_oe_aa(index: SearchIndex, db_session: Session) -> None:
    listing = make_listing(db_session, title="Svømming på Ørnes bad, åpen for alle")
    index.apply_pending(db_session)
    assert listing.id in ids(index, q="svomming ornes", **HERE)
    assert listing.id in ids(index, q="SVØMMING Åpen", **HERE)


@pytest.mark.parametrize(
    ("locale", "query"),
    [
        ("en", "homework help"),
        ("uk", "допомога з домашнім завданням"),
        ("ar", "مساعدة في الواجبات المدرسية"),
        ("fa", "کمک در تکالیف مدرسه"),
    ],
)
def test_cross_language_queries_find_norwegian_only_listings(
    index: SearchIndex, db_session: Session, locale: str, query: str
) -> None:
    listing = make_listing(
        db_session,
        title="Gratis hjelp etter skolen",
        summary="Frivillige hjelper barna.",
        category="homework-help",
    )
    assert listing.translations == []
    index.apply_pending(db_session)
    assert listing.id in ids(index, locale, q=query, **HERE)


def test_synonyms_find_categories(index: SearchIndex, db_session: Session) -> None:
    cafe = make_listing(db_session, title="Torsdagstreff", category="language-cafe")
    index.apply_pending(db_session)
    assert cafe.id in ids(index, "uk", q="мовне кафе", **HERE)
    assert cafe.id in ids(index, "nb", q="språkkafe", **HERE)


def test_phrase_and_prefix(index: SearchIndex, db_session: Session) -> None:
    kindergarten = make_listing(db_session, title="Åpen barnehage på biblioteket")
    other = make_listing(db_session, title="Barnehage er åpen for søsken")
    index.apply_pending(db_session)
    assert ids(index, q='"åpen barnehage"', **HERE) == [kindergarten.id]
    assert {kindergarten.id, other.id} <= set(ids(index, q="barneh", **HERE))


@pytest.fixture
def varied(index: SearchIndex, db_session: Session) -> dict[str, Listing]:
    listings = {
        "cafe": make_listing(
            db_session,
            title="Kafé",
            category="language-cafe",
            languages=("nb", "uk"),
            schedules=[weekly("TU", "18:00", "20:00")],
        ),
        "swim": make_listing(
            db_session,
            title="Svøm",
            category="swimming",
            targets=("women",),
            childcare=True,
            is_free=False,
            registration_required=True,
            registration_info="SMS",
            languages=("ar",),
            schedules=[weekly("SA", "11:00", "12:00")],
        ),
        "help": make_listing(
            db_session,
            title="Hjelp",
            category="homework-help",
            targets=("children",),
            languages=("nb", "so"),
            schedules=[weekly("MO", "15:00", "17:00")],
        ),
        "draft": make_listing(db_session, title="Utkast", status=ListingStatus.DRAFT),
    }
    listings["evening"] = make_event(
        db_session,
        dt.datetime.now(dt.UTC).replace(hour=17, minute=0, second=0, microsecond=0)
        + dt.timedelta(days=2),
        title="Temakveld",
        category="information-meetings",
    )
    index.apply_pending(db_session)
    return listings


def titles(index: SearchIndex, db_session: Session, **args: str) -> set[str]:
    found = ids(index, **HERE, **args)
    return set(db_session.scalars(select(Listing.title).where(Listing.id.in_(found))))


def test_each_filter_narrows(
    varied: dict[str, Listing], index: SearchIndex, db_session: Session
) -> None:
    assert titles(index, db_session) == {"Kafé", "Svøm", "Hjelp", "Temakveld"}
    assert titles(index, db_session, category="sports-outdoor") == {"Svøm"}
    assert titles(index, db_session, target="children") == {"Hjelp"}
    assert titles(index, db_session, language="uk") == {"Kafé"}
    assert titles(index, db_session, free="1") == {"Kafé", "Hjelp", "Temakveld"}
    assert titles(index, db_session, dropin="1") == {"Kafé", "Hjelp", "Temakveld"}
    assert titles(index, db_session, childcare="1") == {"Svøm"}
    assert titles(index, db_session, women="1") == {"Svøm"}
    assert titles(index, db_session, day="mo") == {"Hjelp"}
    assert titles(index, db_session, time="weekend") == {"Svøm"}
    assert titles(index, db_session, time="evening") >= {"Kafé"}
    assert titles(index, db_session, kind="event") == {"Temakveld"}
    soon = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert "Temakveld" in titles(index, db_session, kind="event", **{"from": soon, "to": soon})
    far = (dt.date.today() + dt.timedelta(days=200)).isoformat()
    assert titles(index, db_session, kind="event", **{"from": far}) == set()
    assert titles(index, db_session, county="56") >= {"Kafé", "Svøm"}


def test_facet_counts_reflect_the_other_filters(
    varied: dict[str, Listing], index: SearchIndex
) -> None:
    results = SearchEngine(index).search(
        SearchRequest.from_args({**HERE, "free": "1", "kind": "offer"}), "nb"
    )
    assert results.total == 2
    # Counts for "kind" ignore the kind filter itself but respect "free".
    assert results.facets["kind"] == {"offer": 2, "event": 1}
    # Counts for "free" ignore the free filter but respect kind=offer.
    assert results.facets["free"] == {"1": 2}
    assert results.facets["childcare"] == {"1": 0}
    assert results.facets["category"]["language"] == 1
    assert results.facets["language"] == {"nb": 2, "uk": 1, "so": 1}
    assert results.facets["target"] == {"everyone": 1, "children": 1}
    assert results.facets["day"] == {"tu": 1, "mo": 1}
    assert results.facets["time"] == {"evening": 1, "daytime": 1}
    # A category filter narrows the other facets but keeps its own counts whole.
    narrowed = SearchEngine(index).search(
        SearchRequest.from_args({**HERE, "category": "swimming"}), "nb"
    )
    assert narrowed.total == 1
    assert narrowed.facets["kind"] == {"offer": 1}
    assert narrowed.facets["category"]["homework-help"] == 1


def test_sort_by_next_date(varied: dict[str, Listing], index: SearchIndex) -> None:
    results = SearchEngine(index).search(SearchRequest.from_args({**HERE, "sort": "date"}), "nb")
    nexts = [hit.next for hit in results.hits]
    assert len(nexts) == 4
    assert nexts == sorted(nexts)


def test_distance_order_and_radius(
    index: SearchIndex, db_session: Session, client: FlaskClient
) -> None:
    near = make_listing(
        db_session, title="Nærmest", venue=make_venue(db_session, latitude=69.01, longitude=23.04)
    )
    middle = make_listing(
        db_session, title="Midt", venue=make_venue(db_session, latitude=69.15, longitude=23.3)
    )
    far = make_listing(
        db_session, title="Langt unna", venue=make_venue(db_session, latitude=69.9, longitude=25.0)
    )
    index.apply_pending(db_session)
    origin = {"lat": "69.0", "lon": "23.0", "sort": "distance"}
    page = client.get("/nb/search", query_string=origin).get_data(as_text=True)
    assert page.index("Nærmest") < page.index("Midt")
    assert "Langt unna" not in page  # outside the default radius
    assert "2,0 km" in page
    assert "20,6 km" in page
    here = Origin(69.0, 23.0, "")
    found = SearchEngine(index).search(SearchRequest.from_args({}, here), "nb").hits
    assert {near.id, middle.id} <= {hit.listing_id for hit in found}
    assert far.id not in {hit.listing_id for hit in found}


def test_near_a_municipality_by_name(index: SearchIndex, client: FlaskClient) -> None:
    page = client.get("/nb/search", query_string={"near": "Bergen", "sort": "distance"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "nær Bergen" in text
    assert " km" in text


def test_search_page_shows_highlights_and_facets(index: SearchIndex, client: FlaskClient) -> None:
    page = client.get("/nb/search?q=leksehjelp").get_data(as_text=True)
    assert "<mark>Leksehjelp</mark>" in page
    assert "treff" in page
    assert 'name="category"' in page


def test_empty_result_suggests_and_offers_nearby(index: SearchIndex, client: FlaskClient) -> None:
    page = client.get("/nb/search?q=leksehjelpp&municipality=4626&free=1").get_data(as_text=True)
    assert "Prøv uten filtre" in page or "treff" in page
    empty = client.get("/nb/search?q=qqqqzzzz&municipality=4626").get_data(as_text=True)
    assert "Vi fant ingen tilbud" in empty
    assert "Bergen" in empty  # a nearby municipality
    suggestion = client.get("/nb/search?q=leksehjep").get_data(as_text=True)
    assert "Mente du" in suggestion
    assert ">leksehjelp</a>" in suggestion
    assert "Mente du" not in client.get("/nb/search?q=leksehjelp").get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "AND OR NOT",
        "title:foo",
        "(((",
        "*",
        "?",
        "~2",
        "leks~",
        "a" * 3000,
        "<script>alert(1)</script>",
        "\u200f\u202eمرحبا",
        "'; DROP TABLE listing; --",
        "[1 TO 5]",
        "{}",
        "^^",
        "\\",
        "%",
        "😀",
    ],
)
def test_hostile_queries_are_plain_text(
    index: SearchIndex, client: FlaskClient, query: str
) -> None:
    response = client.get("/nb/search", query_string={"q": query, "page": "x", "from": "bad"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


def test_outbox_written_in_the_same_transaction(index: SearchIndex, db_session: Session) -> None:
    before = db_session.scalar(select(func.max(SearchOutbox.id))) or 0
    listing = make_listing(db_session, title="Ny aktivitet")
    rows = db_session.scalars(select(SearchOutbox.listing_id).where(SearchOutbox.id > before)).all()
    assert listing.id in rows
    assert listing.id not in ids(index, q="aktivitet", **HERE)
    index.apply_pending(db_session)
    assert listing.id in ids(index, q="aktivitet", **HERE)
    listing.organization.name = "Kautokeino svømmeklubb"
    db_session.flush()
    index.apply_pending(db_session)
    assert listing.id in ids(index, q="svømmeklubb", **HERE)
    listing.status = ListingStatus.ARCHIVED
    db_session.flush()
    index.apply_pending(db_session)
    assert listing.id not in ids(index, q="aktivitet", **HERE)


def test_verify_reports_and_repairs_drift(index: SearchIndex, db_session: Session) -> None:
    assert index.verify(db_session).ok
    hidden = make_listing(db_session, title="Ikke i indeksen")
    report = index.verify(db_session)
    assert report.missing == [hidden.id]
    assert index.verify(db_session, repair=True).missing == [hidden.id]
    assert index.verify(db_session).ok


# whoosh leaves a file handle open when it fails to read a damaged table of contents.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_missing_or_corrupt_index_answers_with_a_message(
    index: SearchIndex, client: FlaskClient, db_session: Session
) -> None:
    current = index.folder / (index.folder / "CURRENT").read_text()
    for segment in current.glob("*.seg"):
        segment.write_bytes(b"garbage")
    for toc in current.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    assert index.status() in {"corrupt", "rebuilding"}
    response = client.get("/nb/search?q=leksehjelp")
    assert response.status_code == 503
    assert "bygget opp på nytt" in response.get_data(as_text=True)
    assert index.rebuild(db_session) > 0
    assert index.status() == "ok"
    assert client.get("/nb/search?q=leksehjelp").status_code == 200


def test_highlight_escapes_user_text() -> None:
    from directory.search.views import highlight

    marked = str(highlight("<script>alert(1)</script> Leksehjelp & mer", {"leksehjelp"}))
    assert "<script>" not in marked
    assert "&lt;script&gt;" in marked
    assert "<mark>Leksehjelp</mark>" in marked
    assert "&amp; mer" in marked
