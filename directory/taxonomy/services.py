"""Loading the category and target-group taxonomy with its labels."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.taxonomy.models import Category, TargetGroup


def read_taxonomy() -> dict[str, Any]:
    """The packaged taxonomy (categories and target groups with labels)."""
    source = resources.files("directory.taxonomy").joinpath("data", "taxonomy.toml")
    return tomllib.loads(source.read_text(encoding="utf-8"))


def _apply_labels(record: Category | TargetGroup, item: dict[str, Any]) -> None:
    record.label = item["label"]
    record.source_language = "nb"
    for language, text in item.get("labels", {}).items():
        record.set_translation("label", language, text)


def load_taxonomy(session: Session, data: dict[str, Any] | None = None) -> tuple[int, int]:
    """Insert or update categories and target groups by slug; return their counts."""
    data = data or read_taxonomy()
    categories = {c.slug: c for c in session.scalars(select(Category))}
    for position, item in enumerate(data["categories"]):
        category = categories.get(item["slug"]) or Category(slug=item["slug"])
        category.icon = item.get("icon", "other")
        category.position = position
        category.synonyms = list(item.get("synonyms", []))
        category.parent = categories[item["parent"]] if item.get("parent") else None
        _apply_labels(category, item)
        session.add(category)
        categories[category.slug] = category
    groups = {g.slug: g for g in session.scalars(select(TargetGroup))}
    for position, item in enumerate(data["target_groups"]):
        group = groups.get(item["slug"]) or TargetGroup(slug=item["slug"])
        group.position = position
        _apply_labels(group, item)
        session.add(group)
    session.flush()
    from directory.listings.services import forget_filter_choices

    forget_filter_choices()
    return len(data["categories"]), len(data["target_groups"])
