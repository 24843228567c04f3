"""The category tree and the target groups offers are filtered by."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db import Base, int_pk, str200
from directory.translations.models import Translatable, TranslationMixin


class Category(Translatable, Base):
    """A kind of offer (HSDS taxonomy_term), with an icon and a parent."""

    __tablename__ = "category"
    __translatable__ = ("label",)

    id: Mapped[int_pk]
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str200]
    icon: Mapped[str] = mapped_column(String(40), default="other")
    position: Mapped[int] = mapped_column(default=0)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    synonyms: Mapped[list[str]] = mapped_column(default=list)

    parent: Mapped[Category | None] = relationship(
        remote_side="Category.id", back_populates="children"
    )
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", order_by="Category.position"
    )
    translations: Mapped[list[CategoryTranslation]] = relationship(
        cascade="all, delete-orphan", back_populates="record", lazy="selectin"
    )

    @property
    def root(self) -> Category:
        """The top-level category this one belongs to."""
        node = self
        while node.parent is not None:
            node = node.parent
        return node


class CategoryTranslation(TranslationMixin, Base):
    """A translated category label."""

    __tablename__ = "category_translation"

    record_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"))
    record: Mapped[Category] = relationship(back_populates="translations")


class TargetGroup(Translatable, Base):
    """Who an activity is for: everyone, women only, youth, parents …"""

    __tablename__ = "target_group"
    __translatable__ = ("label",)

    id: Mapped[int_pk]
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str200]
    position: Mapped[int] = mapped_column(default=0)

    translations: Mapped[list[TargetGroupTranslation]] = relationship(
        cascade="all, delete-orphan", back_populates="record", lazy="selectin"
    )


class TargetGroupTranslation(TranslationMixin, Base):
    """A translated target-group label."""

    __tablename__ = "target_group_translation"

    record_id: Mapped[int] = mapped_column(ForeignKey("target_group.id", ondelete="CASCADE"))
    record: Mapped[TargetGroup] = relationship(back_populates="translations")
