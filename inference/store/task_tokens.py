"""Task tokens of state-machine tasks that wait for a person: the processing state machine's
Review state (`infra/statemachine/processing.asl.json`, `.waitForTaskToken`) records its token
with the document and ends; the reviewer's correction later hands the token back, which
resumes the execution (Step Functions' SendTaskSuccess in AWS, the local run polling this table
here). A row is `waiting` until then, `sent` with the output it was resumed with, or `expired`
when Step Functions no longer knew the token (the task timed out). Schema: 0004_task_tokens.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from inference.store.repository import Store
from inference.store.tables import Base, JsonType, UTCDateTime, utcnow

TokenStatus = Literal["waiting", "sent", "expired"]
WAITING: TokenStatus = "waiting"
SENT: TokenStatus = "sent"
EXPIRED: TokenStatus = "expired"


class TaskToken(Base):
    __tablename__ = "task_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    token: Mapped[str] = mapped_column(Text)  # Step Functions tokens run to ~1 KB
    # `$$.Execution.Id`: an execution ARN in AWS, `local:<name>` for a local run.
    execution: Mapped[str] = mapped_column(String(2048))
    state: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), index=True)
    output: Mapped[dict | None] = mapped_column(JsonType)  # what the task was resumed with
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TaskTokens:
    """The task_tokens table of one store (one session per call, like `Store`)."""

    def __init__(self, store: Store) -> None:
        self._session = sessionmaker(store.engine, expire_on_commit=False)

    def wait(self, document_id: str, token: str, execution: str, state: str) -> TaskToken:
        """Record that `state` of `execution` waits for a person on `document_id`."""
        with self._session.begin() as session:
            row = TaskToken(document_id=document_id, token=token, execution=execution,
                            state=state, status=WAITING, created_at=utcnow())
            session.add(row)
        return row

    def pending(self, document_id: str) -> TaskToken | None:
        """The newest token still waiting on the document (a retried Review task leaves an
        older one behind, which Step Functions no longer accepts)."""
        with self._session() as session:
            return session.scalars(
                select(TaskToken)
                .where(TaskToken.document_id == document_id, TaskToken.status == WAITING)
                .order_by(TaskToken.id.desc())
                .limit(1)
            ).first()

    def find(self, token: str) -> TaskToken | None:
        with self._session() as session:
            return session.scalars(select(TaskToken).where(TaskToken.token == token)).first()

    def close(self, token_id: int, status: TokenStatus, output: dict | None = None) -> bool:
        """Move a waiting token to `status`; False when it was no longer waiting (a second
        correction, or another process, came first)."""
        with self._session.begin() as session:
            done = session.execute(
                update(TaskToken)
                .where(TaskToken.id == token_id, TaskToken.status == WAITING)
                .values(status=status, output=output, closed_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return done.rowcount == 1  # type: ignore[attr-defined]
