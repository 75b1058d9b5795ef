"""The one vocabulary of stored states: a document's status, a label's source, a crash's code.

A document's status follows from the cascade's final status (`inference.router.Status`): the
review queue stays `awaiting_review`, anything accepted is `done`.
"""

from __future__ import annotations

from typing import Literal

from inference.router import Status

DocumentStatus = Literal["processing", "done", "awaiting_review", "failed"]
PROCESSING: DocumentStatus = "processing"
DONE: DocumentStatus = "done"
AWAITING_REVIEW: DocumentStatus = "awaiting_review"
FAILED: DocumentStatus = "failed"

# Label sources: a reviewer's correction, or an accepted Claude answer.
LabelSource = Literal["gold", "silver"]
GOLD: LabelSource = "gold"
SILVER: LabelSource = "silver"
LABEL_SOURCES: tuple[LabelSource, ...] = (GOLD, SILVER)

# The error code of a crash (as opposed to a refused document, which is final).
INTERNAL_ERROR = "internal"
# Work that stopped for a reason other than the document: its client left while it queued.
CANCELLED = "cancelled"
# A document whose extraction took its worker down again and again (a crash, not a refusal).
ABANDONED = "abandoned"
# The codes whose document a later request may take over and extract again.
RETRYABLE_ERRORS = (INTERNAL_ERROR, CANCELLED)


def document_status(status: Status) -> DocumentStatus:
    """The document's status once the cascade ended with `status`."""
    return AWAITING_REVIEW if status == "awaiting_review" else DONE
