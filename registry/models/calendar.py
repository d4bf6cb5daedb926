"""Working-day overrides (调休安排) for years the chinesecalendar package does not know, or corrects."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.database import Base, UTCDateTime, utcnow


class CalendarYear(Base):
    """A year whose holidays and make-up workdays an administrator loaded, with the notice."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    notice: Mapped[str] = mapped_column(sa.String(500))
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    loaded_by: Mapped[str] = mapped_column(sa.String(200))

    # Declared so the unit of work inserts a year before its days (and deletes them with it).
    days: Mapped[list[CalendarDay]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="CalendarDay.day"
    )


class CalendarDay(Base):
    """One day that is not what its weekday says: a holiday on a weekday, a workday at a weekend."""

    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.ForeignKey("calendar_years.year", ondelete="CASCADE"), index=True)
    is_workday: Mapped[bool]
    name: Mapped[str | None] = mapped_column(sa.String(100))
