"""Declarative base, naming convention and the column types models share."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

from sqlalchemy import JSON, BigInteger, DateTime, Enum, Integer, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, mapped_column

# Stable constraint names, so Alembic can alter and drop them on PostgreSQL and SQLite alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL, but INTEGER on SQLite so that it stays an alias of the rowid.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> dt.datetime:
    """Return the current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Base class of every model; enums are stored by value, as short strings."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {
        enum.Enum: Enum(
            enum.Enum, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]
        ),
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


int_pk = Annotated[int, mapped_column(BigIntId, primary_key=True)]
created_at = Annotated[dt.datetime, mapped_column(default=utcnow, server_default=func.now())]
updated_at = Annotated[
    dt.datetime, mapped_column(default=utcnow, onupdate=utcnow, server_default=func.now())
]
str20 = Annotated[str, mapped_column(String(20))]
str200 = Annotated[str, mapped_column(String(200))]
str500 = Annotated[str, mapped_column(String(500))]
language_code = Annotated[str, mapped_column(String(12))]
municipality_number = Annotated[str, mapped_column(String(4))]


def configure_sqlite(engine: Any) -> None:
    """Make SQLite behave: enforce foreign keys, let readers and a writer work at once,
    and let SQLAlchemy control transactions (so SAVEPOINT works in tests)."""
    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")
