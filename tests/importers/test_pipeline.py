"""The pipeline with hand-made records: upsert, unchanged, conflicts, archive, dry run."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.listings.models import Listing, ListingKind, ListingStatus
from directory.moderation.models import Revision
from directory.organizations.models import Organization
from directory.places.models import Venue
from importers.models import (
    ImportedRecord,
    ImportRun,
    ImportSource,
    PossibleDuplicate,
    RunStatus,
    SourceKind,
)
from importers.pipeline import run_import
from importers.records import OrganizationData, Record, RowError, ScheduleData, VenueData
from tests.factories import EMPTY_MUNICIPALITY, make_listing, make_organization


@pytest.fixture
def source(app: Flask, db_session: Session) -> ImportSource:
    org = make_organization(db_session, name="Biblioteket")
    found = ImportSource(
        name="biblioteket",
        kind=SourceKind.CSV,
        municipality_number=EMPTY_MUNICIPALITY,
        organization_id=org.id,
    )
    db_session.add(found)
    db_session.flush()
    return found


def cafe(**changes: object) -> Record:
    fields = {"title": "Språkkafé", "summary": "Prat norsk over en kopp kaffe.", "is_free": True}
    fields.update(changes.pop("fields", {}))  # type: ignore[arg-type]
    record = Record(
        external_id="1",
        where="Linje 2",
        fields=fields,
        categories=["Språkkafé"],
        languages=["nb", "uk"],
        schedules=[
            ScheduleData(
                dtstart=dt.date(2026, 1, 6),
                opens_at=dt.time(18),
                closes_at=dt.time(20),
                rrule="FREQ=WEEKLY;BYDAY=TU",
            )
        ],
        venue=VenueData(name="Biblioteket", street_address="Storgata 1"),
    )
    for name, value in changes.items():
        setattr(record, name, value)
    return record


def listings(session: Session, source: ImportSource) -> list[Listing]:
    stmt = select(Listing).where(Listing.origin == source.origin).order_by(Listing.external_id)
    return list(session.scalars(stmt))


def test_create_then_the_same_import_changes_nothing(
    app: Flask, db_session: Session, source: ImportSource
) -> None:
    with app.test_request_context():
        first = run_import(db_session, source, [cafe()])
        second = run_import(db_session, source, [cafe()])
    assert (first.run.created, first.run.failed) == (1, 0)
    assert (second.run.created, second.run.updated, second.run.unchanged) == (0, 0, 1)
    [listing] = listings(db_session, source)
    assert listing.status is ListingStatus.PENDING  # an untrusted source goes to review
    assert listing.venue is not None
    assert listing.venue.name == "Biblioteket"
    assert listing.primary_category.slug == "language-cafe"
    assert listing.language_codes == ["nb", "uk"]
    assert listing.schedules[0].rrule == "FREQ=WEEKLY;BYDAY=TU"
    revisions = db_session.scalars(select(Revision).where(Revision.listing_id == listing.id)).all()
    assert [r.via for r in revisions] == ["import:biblioteket"]


def test_bad_rows_are_reported_and_good_ones_taken(
    app: Flask, db_session: Session, source: ImportSource
) -> None:
    items = [
        RowError("Linje 3", "«tirsdager kl 18x» – fant ikke klokkeslettet."),
        cafe(external_id="2", where="Linje 4", categories=["Strikking"]),
        cafe(external_id="3", where="Linje 5", kind=ListingKind.EVENT, schedules=[]),
        cafe(external_id="4", where="Linje 6", fields={"title": "Leksehjelp"}),
        cafe(external_id="4", where="Linje 7"),
    ]
    with app.test_request_context():
        outcome = run_import(db_session, source, items)
    run = outcome.run
    assert (run.created, run.failed) == (1, 4)
    messages = {e.where: e.message for e in run.errors}
    assert "klokkeslettet" in messages["Linje 3"]
    assert "ukjent kategori «Strikking»" in messages["Linje 4"]
    assert "Språktrening, Leksehjelp" in messages["Linje 4"]  # the choices are named
    assert "minst én dato" in messages["Linje 5"]
    assert "samme id" in messages["Linje 7"]
    assert [item.title for item in listings(db_session, source)] == ["Leksehjelp"]


def test_a_batch_the_database_refuses_is_written_one_by_one(
    app: Flask, db_session: Session, source: ImportSource
) -> None:
    # A listing that already carries this source's origin and id 2, made some other way:
    # the batch INSERT breaks the unique (origin, external id), so the run writes its
    # records one by one and only that one is reported.
    make_listing(db_session, title="Laget for hånd", origin=source.origin, external_id="2")
    items = [cafe(external_id=str(n), where=f"Linje {n + 1}") for n in (1, 2, 3)]
    with app.test_request_context():
        outcome = run_import(db_session, source, items)
    run = outcome.run
    assert (run.created, run.failed) == (2, 1)
    [error] = run.errors
    assert error.where == "Linje 3"
    assert error.message.startswith("kunne ikke lagres")
    titles = {(item.external_id, item.title) for item in listings(db_session, source)}
    assert titles == {("1", "Språkkafé"), ("2", "Laget for hånd"), ("3", "Språkkafé")}
    revisions = db_session.scalars(
        select(Revision.listing_id).where(Revision.via == "import:biblioteket")
    ).all()
    assert len(revisions) == 2  # nothing of the refused batch attempt was kept


def test_local_edits_survive_and_real_conflicts_are_kept(
    app: Flask, db_session: Session, source: ImportSource
) -> None:
    with app.test_request_context():
        run_import(db_session, source, [cafe()])
        [listing] = listings(db_session, source)
        listing.registration_info = "Ring Kari"  # a field the source does not carry
        listing.summary = "Lokal tekst fra koordinatoren"  # a field it does carry
        db_session.flush()
        changed = cafe(
            fields={"title": "Språkkafé på biblioteket", "summary": "Ny tekst fra kilden"}
        )
        outcome = run_import(db_session, source, [changed])
    db_session.refresh(listing)
    assert listing.title == "Språkkafé på biblioteket"  # the source changed it, nobody else
    assert listing.registration_info == "Ring Kari"
    assert listing.summary == "Lokal tekst fra koordinatoren"  # not overwritten …
    record = db_session.scalars(select(ImportedRecord)).one()
    assert record.conflicts["summary"] == {  # … but shown as a conflict
        "local": "Lokal tekst fra koordinatoren",
        "source": "Ny tekst fra kilden",
    }
    assert outcome.run.conflicts == 1
    assert outcome.run.updated == 1


def test_vanished_and_cancelled_records_are_archived_not_deleted(
    app: Flask, db_session: Session, source: ImportSource
) -> None:
    with app.test_request_context():
        run_import(
            db_session, source, [cafe(), cafe(external_id="2", fields={"title": "Kvinnegruppe"})]
        )
        outcome = run_import(db_session, source, [cafe(cancelled=True)])
    assert outcome.run.archived == 2
    assert {item.status for item in listings(db_session, source)} == {ListingStatus.ARCHIVED}


def test_an_update_is_one_save_one_version_one_revision(
    app: Flask, db_session: Session, source: ImportSource
) -> None:
    with app.test_request_context():
        run_import(db_session, source, [cafe()])
        [listing] = listings(db_session, source)
        assert listing.version == 1
        changed = cafe(fields={"title": "Språkkafé hver tirsdag"}, languages=["nb", "ar"])
        outcome = run_import(db_session, source, [changed])
    assert outcome.run.updated == 1
    db_session.refresh(listing)
    assert (listing.title, listing.version) == ("Språkkafé hver tirsdag", 2)
    revisions = db_session.scalars(
        select(Revision).where(Revision.listing_id == listing.id).order_by(Revision.id)
    ).all()
    assert [r.version for r in revisions] == [1, 2]
    assert revisions[1].changes["title"] == ["Språkkafé", "Språkkafé hver tirsdag"]


def test_a_rejected_listing_that_vanishes_stays_rejected(
    app: Flask, db_session: Session, source: ImportSource
) -> None:
    with app.test_request_context():
        run_import(db_session, source, [cafe()])
        [listing] = listings(db_session, source)
        listing.status = ListingStatus.REJECTED  # a coordinator turned it down
        db_session.flush()
        outcome = run_import(db_session, source, [])
        cancelled = run_import(db_session, source, [cafe(cancelled=True)])
    assert (outcome.run.status, outcome.run.archived, outcome.run.unchanged) == (
        RunStatus.FINISHED,
        0,
        1,
    )
    assert cancelled.run.status is RunStatus.FINISHED
    assert listing.status is ListingStatus.REJECTED


def test_a_bad_record_leaves_no_organization_or_venue_behind(
    app: Flask, db_session: Session, source: ImportSource
) -> None:
    bad = cafe(
        target_groups=["marsboere"],
        organization=OrganizationData(name="Helt ny forening"),
        venue=VenueData(name="Helt nytt hus"),
    )
    with app.test_request_context():
        outcome = run_import(db_session, source, [bad])
    assert (outcome.run.created, outcome.run.failed) == (0, 1)
    names = select(Organization.name).union_all(select(Venue.name))
    assert {"Helt ny forening", "Helt nytt hus"}.isdisjoint(db_session.scalars(names))


def test_a_fault_mid_run_keeps_nothing_and_marks_the_run_failed(
    app: Flask, db_session: Session, source: ImportSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr("importers.pipeline.insert_new", broken)
    with app.test_request_context(), pytest.raises(RuntimeError):
        run_import(db_session, source, [cafe()])
    run = db_session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()
    assert run is not None
    assert run.status is RunStatus.FAILED
    assert run.message == "Importen stoppet på grunn av en feil hos oss. Ingenting ble lagret."
    assert listings(db_session, source) == []


def test_a_dry_run_keeps_nothing_but_its_report(
    app: Flask, db_session: Session, source: ImportSource
) -> None:
    with app.test_request_context():
        outcome = run_import(
            db_session, source, [cafe(), RowError("Linje 9", "feil")], dry_run=True
        )
    assert (outcome.run.created, outcome.run.failed) == (1, 1)
    assert [c.action for c in outcome.changes] == ["create"]
    assert listings(db_session, source) == []
    run = db_session.get(ImportRun, outcome.run.id)
    assert run is not None
    assert run.dry_run
    assert [e.where for e in run.errors] == ["Linje 9"]


def test_a_trusted_source_publishes_and_names_new_organizations(
    app: Flask, db_session: Session, source: ImportSource
) -> None:
    source.trusted = True
    record = cafe(organization=OrganizationData(name="Røde Kors Kautokeino"))
    with app.test_request_context():
        run_import(db_session, source, [record])
    [listing] = listings(db_session, source)
    assert listing.status is ListingStatus.PUBLISHED
    assert listing.verified_at is not None
    assert listing.organization.name == "Røde Kors Kautokeino"


def test_a_look_alike_from_another_source_is_flagged_not_merged(
    app: Flask, db_session: Session, source: ImportSource
) -> None:
    with app.test_request_context():
        run_import(db_session, source, [cafe()])
        [first] = listings(db_session, source)
        other = ImportSource(
            name="frivilligsentralen",
            kind=SourceKind.ICS,
            municipality_number=EMPTY_MUNICIPALITY,
            organization_id=source.organization_id,
        )
        db_session.add(other)
        db_session.flush()
        run_import(db_session, other, [cafe(external_id="x", fields={"title": "Språkkafe"})])
    flagged = db_session.scalars(select(PossibleDuplicate)).one()
    assert flagged.other_id == first.id
    assert len(listings(db_session, source)) == 1
    assert len(listings(db_session, other)) == 1
