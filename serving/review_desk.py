"""The reviewers' requests: the review queue, claims on documents, a document's page as an
image, and how a correction's `If-Match` is judged.

The HTTP routes (`serving/http.py`) and the review page (`serving/review/`, served at
`GET /review`) are its callers; every one needs the API token. A claim is a lease of
`YOGI_REVIEW_LEASE_S` seconds: the same reviewer claiming again extends it, anyone else gets
409 `claimed` naming who holds it until when. The page image is the page as the pipeline read
it (flattened and deskewed, `inference.preprocess.clean_page`), because the blocks'
`sourceBox` is in those coordinates; a page the pipeline also turned a quarter is shown
unturned (the turn is not stored), so its boxes do not line up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from inference.settings import Settings
from inference.store.intake import clean_text
from inference.store.objects import ObjectStore
from inference.store.repository import DocumentView, Store
from inference.store.review import QueueCursor, ReviewClaim, live_claim
from inference.store.status import AWAITING_REVIEW
from inference.store.tables import utcnow
from serving.errors import ServingError, refusal_error
from serving.timestamps import iso
from serving.views import claim_body, queue_page

MAX_PAGE_LIMIT = 200


def reviewer_name(value: str | None) -> str:
    """The `X-Reviewer` header as stored (printable, at most 200 characters); 422 if none."""
    name = clean_text(value, 200)
    if not name:
        raise ServingError(422, "missing_reviewer",
                           "Name the reviewer in the `X-Reviewer` header.")
    return name


def claimed_error(reviewer: str, expires_at: datetime) -> ServingError:
    return ServingError(409, "claimed", f"{reviewer} is reviewing this document until "
                        f"{iso(expires_at)}; pick another or wait.")


def if_match(header: str | None) -> Callable[[str | None], bool] | None:
    """`If-Match` (RFC 9110: `*`, or a list of entity tags; ours are strong, and a `W/` tag
    is taken as the tag it names) as a test of the document's current version; None when the
    header is absent."""
    if header is None or not header.strip():
        return None
    tags = {tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")}
    return lambda current: current is not None and ("*" in tags or current in tags)


def etag(version: str | None) -> dict[str, str]:
    """The ETag header for a version (none for a document without an answer)."""
    return {"ETag": f'"{version}"'} if version else {}


class ReviewDesk:
    """Queue, claims and page images over the service's store and originals."""

    def __init__(self, settings: Settings, store: Store, objects: ObjectStore) -> None:
        self.settings = settings
        self.store = store
        self.objects = objects

    def queue(self, *, status: str = AWAITING_REVIEW, after: str | None = None,
              limit: int = 50, unclaimed: bool = False, reviewer: str | None = None) -> dict:
        """GET /documents?status=awaiting_review: most uncertain first, paged by `after`."""
        if status != AWAITING_REVIEW:
            raise ServingError(422, "invalid_status", "Only `status=awaiting_review` lists "
                               "documents (the review queue).")
        if not 1 <= limit <= MAX_PAGE_LIMIT:
            raise ServingError(422, "invalid_limit",
                               f"`limit` is between 1 and {MAX_PAGE_LIMIT}.")
        try:
            cursor = QueueCursor.decode(after) if after else None
        except ValueError:
            raise ServingError(422, "invalid_after", "`after` is the `nextAfter` of the "
                               "previous page.") from None
        entries = self.store.review_queue(limit=limit, after=cursor, only_free=unclaimed,
                                          free_for=clean_text(reviewer, 200))
        return queue_page(entries, limit=limit, now=utcnow(),
                          block_threshold=self.settings.block_accept_threshold)

    def claim(self, view: DocumentView, reviewer: str) -> dict:
        """POST /documents/{id}/claim: take or extend the reviewer's lease."""
        claim = self.store.claim_review(view.document.id, reviewer_name(reviewer),
                                        lease_s=self.settings.review_lease_s)
        if not claim.granted and claim.reviewer and claim.expires_at:
            raise claimed_error(claim.reviewer, claim.expires_at)
        return claim_body(view.document.id, claim)

    def release(self, view: DocumentView, reviewer: str) -> dict:
        """DELETE /documents/{id}/claim: end the reviewer's own lease; says who holds it now."""
        self.store.release_review(view.document.id, reviewer_name(reviewer))
        row = self.store.get_document_row(view.document.id)
        assert row is not None  # documents are never deleted
        holder, until = live_claim(row, utcnow())
        return claim_body(view.document.id, ReviewClaim(holder, until, granted=False))

    def page_png(self, view: DocumentView, page: int) -> bytes:
        """GET /documents/{id}/page/{n}.png: page `n` (1-based) as the pipeline read it."""
        import cv2

        from inference.errors import InputRefused
        from inference.loading import load_pages, page_limits
        from inference.preprocess import clean_page

        data = self.objects.get(view.document.object_key)
        try:
            pages = load_pages(data, **page_limits(self.settings))
        except InputRefused as error:  # the original was refused at upload too
            raise refusal_error(error) from None
        if not 1 <= page <= len(pages):
            raise ServingError(404, "page_not_found",
                               f"The document has {len(pages)} page(s); ask for 1 to "
                               f"{len(pages)}.")
        image, _ = clean_page(pages[page - 1].image)
        ok, encoded = cv2.imencode(".png", image)
        if not ok:  # pragma: no cover - a decoded page always encodes
            raise ServingError(500, "page_render_failed", "The page could not be drawn.")
        return encoded.tobytes()
