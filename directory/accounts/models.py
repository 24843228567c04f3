"""Users and what they may do: one grant per role and scope (municipality, organization,
language), and the mail kept when no SMTP server is configured."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db import Base, created_at, int_pk, utcnow
from directory.i18n import _l


class Role(enum.Enum):
    """What a grant lets a user do; the scope column that matters is named per role."""

    VOLUNTEER = "volunteer"  # organization
    ORGANIZATION_EDITOR = "organization_editor"  # organization
    COORDINATOR = "coordinator"  # municipality
    TRANSLATOR = "translator"  # language
    ADMINISTRATOR = "administrator"  # everything

    @property
    def label(self) -> str:
        """The role in the reader's language."""
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.VOLUNTEER: _l("Frivillig"),
    Role.ORGANIZATION_EDITOR: _l("Redaktør for organisasjonen"),
    Role.COORDINATOR: _l("Koordinator i kommunen"),
    Role.TRANSLATOR: _l("Oversetter"),
    Role.ADMINISTRATOR: _l("Administrator"),
}


class User(Base):
    """A contributor account; newcomers never need one."""

    __tablename__ = "user_account"

    id: Mapped[int_pk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200), default="")
    email_confirmed_at: Mapped[dt.datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    last_login_at: Mapped[dt.datetime | None]
    # Two-step login (TOTP, RFC 6238): required for coordinators and administrators.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[dt.datetime | None]
    totp_last_step: Mapped[int] = mapped_column(default=0, server_default="0")

    grants: Mapped[list[RoleGrant]] = relationship(
        cascade="all, delete-orphan", back_populates="user", lazy="selectin"
    )

    # Flask-Login
    @property
    def is_authenticated(self) -> bool:
        """Always true for a loaded user."""
        return True

    @property
    def is_active(self) -> bool:
        """Confirmed and not switched off."""
        return self.active and self.email_confirmed_at is not None

    @property
    def is_anonymous(self) -> bool:
        """Never: anonymous visitors have no User."""
        return False

    def get_id(self) -> str:
        """Session identifier: the id plus a fingerprint, so a password change logs out."""
        return f"{self.id}:{self.password_hash[-12:]}"

    def has_role(self, role: Role) -> bool:
        """Whether any grant gives this role (administrators have every role)."""
        return any(g.role in (role, Role.ADMINISTRATOR) for g in self.grants)

    @property
    def needs_two_step(self) -> bool:
        """Coordinators and administrators must log in with a one-time code."""
        return any(g.role in (Role.COORDINATOR, Role.ADMINISTRATOR) for g in self.grants)

    @property
    def two_step_on(self) -> bool:
        """Whether two-step login is set up."""
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    @property
    def is_admin(self) -> bool:
        """Site administrator."""
        return any(g.role is Role.ADMINISTRATOR for g in self.grants)


class RoleGrant(Base):
    """One role for one user, in one scope."""

    __tablename__ = "role_grant"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "municipality_number", "organization_id", "language"),
    )

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[Role]
    municipality_number: Mapped[str | None] = mapped_column(
        String(4), ForeignKey("municipality.number")
    )
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    language: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship(back_populates="grants")


class RecoveryCode(Base):
    """A one-time code for when the phone with the authenticator app is lost (hashed)."""

    __tablename__ = "recovery_code"

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None]


class OutgoingMail(Base):
    """Mail sent (or, without SMTP, kept here for development and tests)."""

    __tablename__ = "outgoing_mail"

    id: Mapped[int_pk]
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
