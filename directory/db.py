"""Declarative base, naming convention and the column types models share."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from typing import Annotated, Any

import orjson
from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Enum,
    Integer,
    MetaData,
    String,
    Table,
    func,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column

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


def json_dumps(value: Any) -> str:
    """JSON columns as text (orjson: several times faster than ``json``; keys that are not
    strings become strings, as ``json`` does)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def fingerprint(value: Any) -> str:
    """A SHA-256 of ``value`` as canonical JSON: sorted keys; dataclasses as their fields,
    dates and times in ISO 8601, enums as their values."""
    data = orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.sha256(data).hexdigest()


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


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """Primary keys for ``count`` rows about to be inserted into ``table`` (bulk writes
    that must know a row's id before its children are written).

    PostgreSQL draws them from the column's sequence, so concurrent writers never collide.
    SQLite has no sequences: the ids follow the table's largest, which is safe because a
    SQLite transaction that has written holds the database's only write lock; call this
    only after the transaction has written something.
    """
    if count <= 0:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        ).scalar_one()
        return list(
            connection.execute(
                text("SELECT nextval(:sequence) FROM generate_series(1, :count)"),
                {"sequence": sequence, "count": count},
            ).scalars()
        )
    start = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(start + 1, start + 1 + count))
