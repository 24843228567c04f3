"""What curation records: every status change, every revision, every problem report."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db import Base, created_at, int_pk
from directory.i18n import _l
from directory.listings.models import ListingStatus

if TYPE_CHECKING:
    from directory.accounts.models import User
    from directory.listings.models import Listing


class StatusChange(Base):
    """One move of a listing from one status to another: who, when and why."""

    __tablename__ = "status_change"

    id: Mapped[int_pk]
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listing.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[ListingStatus | None]
    to_status: Mapped[ListingStatus]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]

    user: Mapped[User | None] = relationship()


class Revision(Base):
    """A saved state of a listing: what changed (old → new) and the whole state after."""

    __tablename__ = "revision"

    id: Mapped[int_pk]
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listing.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Who saved it when no person did: "import:<source>", "freshness", "restore".
    via: Mapped[str] = mapped_column(String(100), default="")
    version: Mapped[int]
    changes: Mapped[dict[str, Any]]
    snapshot: Mapped[dict[str, Any]]
    created_at: Mapped[created_at]

    user: Mapped[User | None] = relationship()
    listing: Mapped[Listing] = relationship()


class ReportReason(enum.Enum):
    """What a reader says is wrong with a listing."""

    WRONG_TIME = "wrong_time"
    CLOSED = "closed"
    WRONG_PLACE = "wrong_place"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The reason in the reader's language."""
        return str(REPORT_REASON_LABELS[self])


REPORT_REASON_LABELS = {
    ReportReason.WRONG_TIME: _l("Tiden er feil"),
    ReportReason.CLOSED: _l("Tilbudet er slutt"),
    ReportReason.WRONG_PLACE: _l("Stedet er feil"),
    ReportReason.OTHER: _l("Noe annet"),
}


class ProblemReport(Base):
    """A reader's note that a listing is wrong, waiting for the coordinator."""

    __tablename__ = "problem_report"

    id: Mapped[int_pk]
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listing.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[ReportReason]
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]
    resolved_at: Mapped[dt.datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    listing: Mapped[Listing] = relationship()
    resolved_by: Mapped[User | None] = relationship()
