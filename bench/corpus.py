"""A national-scale synthetic directory for benchmarks, written straight into the database.

Text comes from real Norwegian prose (any plain-text files, e.g. public reports on
integration work): titles, summaries and descriptions are sentences and word runs taken
from it, so the index sees a realistic vocabulary and term distribution. Each listing
gets two translations: English and one of the newcomer languages. There is no parallel
corpus to draw them from, so a translation is the category's real label in that language
followed by the Norwegian words transliterated into the language's script: the term
counts and posting sizes are what matter to the engines, and they match the source.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from directory.listings.models import (
    Eligibility,
    Listing,
    ListingKind,
    ListingLanguage,
    ListingStatus,
    ListingTranslation,
    listing_category,
    listing_target_group,
)
from directory.organizations.models import Organization, OrganizationKind
from directory.places.models import Municipality, Venue
from directory.schedules.models import Schedule
from directory.taxonomy.models import Category, TargetGroup
from directory.translations.models import TranslationStatus, source_hash

SENTENCE = re.compile(r"[^.!?\n]{40,220}[.!?]")
WORD = re.compile(r"[A-Za-zÆØÅæøåÉéÜü]{3,}")
SECOND_LANGUAGES = ("uk", "ar", "so", "pl", "fa", "ru", "ti", "tr")
PROVIDERS = (
    ("Røde Kors {}", OrganizationKind.RED_CROSS),
    ("{} frivilligsentral", OrganizationKind.VOLUNTEER_CENTRE),
    ("{} folkebibliotek", OrganizationKind.LIBRARY),
    ("{} kommune, flyktningtjenesten", OrganizationKind.MUNICIPAL),
    ("Kirkens Bymisjon {}", OrganizationKind.NGO),
    ("{} menighet", OrganizationKind.FAITH),
    ("Innvandrerforeningen i {}", OrganizationKind.IMMIGRANT_ASSOCIATION),
    ("{} idrettslag", OrganizationKind.SPORTS_CLUB),
)
VENUE_NAMES = ("bibliotek", "kulturhus", "frivilligsentral", "skole", "kirke", "bydelshus")
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyzæøå"
CYRILLIC = str.maketrans(LATIN_LETTERS, "абцдефгхийклмнопкрстуввксизео")
ARABIC = str.maketrans(LATIN_LETTERS, "ابتدعفغهيجكلمنوپقرستووخيزاوای")
ETHIOPIC = str.maketrans(LATIN_LETTERS, "አበከደአፈገሀኢጀከለመነኦፐቀረሰተኡቨወከየዘአኦኣ")
# Latin-script languages get their own letter substitutions, so their words are not the
# Norwegian ones again (real translations share few words with the source).
ENGLISH = str.maketrans(LATIN_LETTERS, "ebcdifghojklmnupqrstyvwxzaeuo")
SOMALI = str.maketrans(LATIN_LETTERS, "aabdeefghiijklmnooqrstuuwxyae")
POLISH = str.maketrans(LATIN_LETTERS, "ąbcdęfghijkłmnóprśtuwwxyżzeoa")
TURKISH = str.maketrans(
    {
        "a": "e",
        "b": "p",
        "c": "ç",
        "d": "t",
        "e": "a",
        "g": "k",
        "i": "ı",
        "o": "ö",
        "s": "ş",
        "u": "ü",
        "æ": "e",
        "ø": "ö",
        "å": "o",
    }
)
SCRIPTS = {
    "uk": CYRILLIC,
    "ru": CYRILLIC,
    "ar": ARABIC,
    "fa": ARABIC,
    "ti": ETHIOPIC,
    "en": ENGLISH,
    "so": SOMALI,
    "pl": POLISH,
    "tr": TURKISH,
}


@dataclass
class TextSource:
    """Sentences and words of a corpus."""

    sentences: list[str]
    words: list[str]

    @classmethod
    def from_files(cls, paths: list[Path]) -> TextSource:
        """Read plain-text files (UTF-8)."""
        text = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in paths)
        text = re.sub(r"\s+", " ", text)
        sentences = [s.strip() for s in SENTENCE.findall(text) if WORD.search(s)]
        words = [w.lower() for w in WORD.findall(text)]
        if len(sentences) < 1000:
            raise SystemExit("The corpus is too small: give at least a few hundred KB of prose.")
        return cls(sentences, words)


@dataclass
class GeneratedListing:
    """What the comparison engines index for one listing (the same texts whoosh gets)."""

    id: int
    municipality: str
    latitude: float
    longitude: float
    title: str
    body: str


@dataclass
class Generated:
    """The listings written, for building the comparison indexes."""

    listings: list[GeneratedListing] = field(default_factory=list)


def transliterate(text: str, language: str) -> str:
    """Norwegian words in another script (a stand-in for a translation's vocabulary)."""
    table = SCRIPTS[language]
    return text.lower().translate(table)


def _weights(numbers: list[str], rng: random.Random) -> list[float]:
    # A few large towns hold most listings, as in life; Oslo and Bergen the most.
    weights = [rng.paretovariate(1.2) for _ in numbers]
    for big in ("0301", "4601", "5001", "1103"):
        if big in numbers:
            weights[numbers.index(big)] = max(weights) * 2
    return weights


def generate(session: Session, count: int, source: TextSource, seed: int = 7) -> Generated:
    """Write ``count`` published listings over all municipalities; return their texts."""
    rng = random.Random(seed)
    places = list(session.scalars(select(Municipality).order_by(Municipality.number)))
    numbers = [p.number for p in places]
    by_number = {p.number: p for p in places}
    categories = [c for c in session.scalars(select(Category)) if c.parent_id is not None]
    labels = {
        c.id: {"nb": c.label, **{t.language: t.text for t in c.translations}} for c in categories
    }
    groups = list(session.scalars(select(TargetGroup)))
    connection = session.connection()

    orgs: dict[str, list[int]] = {}
    for place in places:
        rows = [
            {"name": pattern.format(place.name), "kind": kind, "municipality_number": place.number}
            for pattern, kind in PROVIDERS
        ]
        result = connection.execute(
            insert(Organization.__table__).returning(Organization.__table__.c.id), rows
        )
        orgs[place.number] = list(result.scalars())

    venues: dict[str, list[tuple[int, float, float]]] = {}
    for place in places:
        rows = []
        for name in VENUE_NAMES:
            lat = place.latitude + rng.uniform(-0.06, 0.06)
            lon = place.longitude + rng.uniform(-0.1, 0.1)
            rows.append(
                {
                    "name": f"{place.name} {name}",
                    "street_address": f"{rng.choice(source.words).title()}veien 1",
                    "postal_code": f"{rng.randint(1, 9999):04d}",
                    "postal_place": place.name,
                    "municipality_number": place.number,
                    "latitude": lat,
                    "longitude": lon,
                }
            )
        result = connection.execute(insert(Venue.__table__).returning(Venue.__table__.c.id), rows)
        venues[place.number] = [
            (vid, r["latitude"], r["longitude"])
            for vid, r in zip(result.scalars(), rows, strict=True)
        ]

    generated = Generated()
    weights = _weights(numbers, rng)
    today = dt.date.today()
    next_id = (session.scalar(select(Listing.id).order_by(Listing.id.desc()).limit(1)) or 0) + 1
    for chunk in _chunks(count, 5000):
        listing_rows, category_rows, target_rows, language_rows = [], [], [], []
        schedule_rows, translation_rows = [], []
        for _ in range(chunk):
            listing_id = next_id
            next_id += 1
            number = rng.choices(numbers, weights)[0]
            category = rng.choice(categories)
            venue_id, lat, lon = rng.choice(venues[number])
            words = [rng.choice(source.words) for _ in range(rng.randint(2, 4))]
            title = f"{category.label} – {' '.join(words)}"[:200]
            summary = rng.choice(source.sentences)[:200]
            description = " ".join(rng.choice(source.sentences) for _ in range(rng.randint(2, 4)))
            kind = ListingKind.EVENT if rng.random() < 0.2 else ListingKind.OFFER
            days = sorted(rng.sample(range(7), rng.choice((1, 1, 1, 2))))
            opens = dt.time(rng.choice((10, 11, 12, 17, 18, 19)), rng.choice((0, 30)))
            evening = opens >= dt.time(16, 30)
            listing_rows.append(
                {
                    "id": listing_id,
                    "kind": kind,
                    "organization_id": rng.choice(orgs[number]),
                    "municipality_number": number,
                    "venue_id": venue_id,
                    "title": title,
                    "summary": summary,
                    "description": description,
                    "primary_category_id": category.id,
                    "is_free": rng.random() < 0.8,
                    "registration_required": rng.random() < 0.3,
                    "childcare": rng.random() < 0.15,
                    "no_documents": rng.random() < 0.5,
                    "eligibility": Eligibility.OPEN
                    if rng.random() < 0.85
                    else Eligibility.RESTRICTED,
                    "status": ListingStatus.PUBLISHED,
                    "weekday_mask": sum(1 << d for d in days),
                    "daytime": not evening,
                    "evening": evening,
                    "origin": "bench",
                    "external_id": str(listing_id),
                    "source_language": "nb",
                }
            )
            category_rows.append({"listing_id": listing_id, "category_id": category.id})
            for group in rng.sample(groups, rng.choice((1, 1, 2))):
                target_rows.append({"listing_id": listing_id, "target_group_id": group.id})
            for position, code in enumerate(
                ["nb", *rng.sample(("en", "uk", "ar", "so", "pl", "fa"), rng.randint(0, 2))]
            ):
                language_rows.append({"listing_id": listing_id, "code": code, "position": position})
            if kind is ListingKind.EVENT:
                start = today + dt.timedelta(days=rng.randint(0, 90))
                rule = None
            else:
                start = today - dt.timedelta(days=rng.randint(0, 300))
                rule = "FREQ=WEEKLY;BYDAY=" + ",".join(
                    ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[d] for d in days
                )
            schedule_rows.append(
                {
                    "listing_id": listing_id,
                    "dtstart": start,
                    "opens_at": opens,
                    "closes_at": dt.time(min(opens.hour + 2, 23), opens.minute),
                    "rrule": rule,
                    "rdates": [],
                    "exdates": [],
                }
            )
            texts = [title]
            bodies = [summary, description]
            for language in ("en", rng.choice(SECOND_LANGUAGES)):
                label = labels[category.id].get(language, category.label)
                for name, text in (
                    ("title", title),
                    ("summary", summary),
                    ("description", description),
                ):
                    translated = f"{label} {transliterate(text, language)}"
                    translation_rows.append(
                        {
                            "record_id": listing_id,
                            "language": language,
                            "field": name,
                            "text": translated,
                            "status": TranslationStatus.CURRENT,
                            "source_hash": source_hash(text),
                        }
                    )
                    (texts if name == "title" else bodies).append(translated)
            place = by_number[number]
            generated.listings.append(
                GeneratedListing(
                    listing_id,
                    number,
                    lat if venue_id else place.latitude,
                    lon if venue_id else place.longitude,
                    " ".join(texts),
                    " ".join(bodies),
                )
            )
        connection.execute(insert(Listing.__table__), listing_rows)
        connection.execute(insert(listing_category), category_rows)
        connection.execute(insert(listing_target_group), target_rows)
        connection.execute(insert(ListingLanguage.__table__), language_rows)
        connection.execute(insert(Schedule.__table__), schedule_rows)
        connection.execute(insert(ListingTranslation.__table__), translation_rows)
    return generated


def _chunks(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size
