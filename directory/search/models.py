"""The search outbox: listing ids whose index documents must be rewritten."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from directory.db import Base, BigIntId, created_at


class SearchOutbox(Base):
    """A change to a listing or to something it shows, written in the same transaction.

    Rows are never consumed: each app server applies them to its own local index and
    remembers how far it got; old rows are pruned by age.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    listing_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    created_at: Mapped[created_at] = mapped_column(index=True)
