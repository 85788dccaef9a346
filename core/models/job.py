"""Job history: one row per run of a declared job (per company), with its progress and error."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow

#: the states of a run, in the order they are usually reached
JOB_STATES = ("queued", "running", "retrying", "done", "failed")


class JobRun(Base):
    """A run of a job (``job_code``) for one company (``None``: an instance-wide job).

    Periodic runs carry a ``period_key`` (the period they are for, e.g. ``2026-11``);
    ``(job_code, company_id, period_key)`` is unique (and ``(job_code,
    period_key)`` among instance-wide runs, whose company is NULL), so a period
    runs once per company however many workers or hands start it. ``attempts`` counts the
    tries; ``progress_done``/``progress_total``/``progress_message`` are what
    the job last reported; ``error`` the last failure's text. Times are UTC.
    """

    __tablename__ = "core_job_run"
    __table_args__ = (
        UniqueConstraint("job_code", "company_id", "period_key"),
        # NULLs are distinct in a unique constraint: instance-wide runs (no company) need their own
        Index("uq_core_job_run_instance_period", "job_code", "period_key", unique=True,
              sqlite_where=text("company_id IS NULL"), postgresql_where=text("company_id IS NULL")),
        Index("ix_core_job_run_recent", "company_id", "queued_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_code: Mapped[str] = mapped_column(String(128))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_company.id", ondelete="CASCADE"), nullable=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"), nullable=True)
    period_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[str] = mapped_column(Text, default="{}")
    progress_done: Mapped[int | None] = mapped_column(Integer, nullable=True)
    progress_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    progress_message: Mapped[str | None] = mapped_column(String(255), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    queued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
