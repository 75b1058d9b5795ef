"""The reviewers' HTTP routes (`serving/review_desk.py` does the work) and the review page.

    GET    /documents?status=awaiting_review&after=&limit=&unclaimed=   the queue (token)
    POST   /documents/{id}/claim            take or extend a lease (token, X-Reviewer)
    DELETE /documents/{id}/claim            give it up (token, X-Reviewer)
    GET    /documents/{id}/page/{n}.png     the page as the pipeline read it (token)
    GET    /review                          the review page (static; it asks for the token)

`serving/http.py` includes this router; the page's files are `serving/review/` (plain HTML,
one JS file, one CSS file, no build step).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from serving.http import App, DocumentId, _errors
from serving.review_desk import MAX_PAGE_LIMIT
from serving.views import ClaimResponse, QueuePage

PAGE_DIR = FilePath(__file__).resolve().parent / "review"
ASSETS = "/review/assets"

Reviewer = Annotated[str, Header(alias="X-Reviewer", min_length=1, max_length=200,
                                 pattern=r"[^\s]", description="The reviewer's name.")]


def review_router(require_token: Callable[..., Any]) -> APIRouter:
    """The routes, each behind `require_token` (`serving/http.py`'s bearer check)."""
    # Tagged: the reviewers' routes are the HTTP service's own (the Lambda API has none).
    router = APIRouter(dependencies=[Depends(require_token)], tags=["review"])

    @router.get(
        "/documents",
        summary="The review queue: documents awaiting review, most uncertain first",
        description="Ordered by the document confidence of the latest answer (lowest first), "
        "then oldest first. `flaggedBlocks` counts blocks below YOGI_BLOCK_ACCEPT_THRESHOLD. "
        "`unclaimed=true` leaves out documents another reviewer holds (the `X-Reviewer`'s "
        "own stay). Page on with `after=nextAfter`.",
        response_model=QueuePage,
        responses=_errors(401, 422),
    )
    async def queue(
        app: App,
        status: Annotated[str, Query(description="Only `awaiting_review`.")] = "awaiting_review",
        after: Annotated[str | None, Query(max_length=400, description="The previous page's "
                                           "`nextAfter`.")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = 50,
        unclaimed: Annotated[bool, Query(description="Skip documents others hold.")] = False,
        reviewer: Annotated[str | None, Header(alias="X-Reviewer", max_length=200)] = None,
    ) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(
            lambda: app.review.queue(status=status, after=after, limit=limit,
                                     unclaimed=unclaimed, reviewer=reviewer)))

    @router.post(
        "/documents/{document_id}/claim",
        summary="Claim a document for review (a lease; the same reviewer again extends it)",
        description="409 `claimed` while another reviewer holds it (the detail says who and "
        "until when). The lease is YOGI_REVIEW_LEASE_S seconds; a correction ends it.",
        response_model=ClaimResponse,
        responses=_errors(401, 404, 409, 422),
    )
    async def claim(document_id: DocumentId, app: App, reviewer: Reviewer
                    ) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(
            lambda: app.review.claim(app.view(document_id), reviewer)))

    @router.delete(
        "/documents/{document_id}/claim",
        summary="Give up one's claim on a document",
        response_model=ClaimResponse,
        responses=_errors(401, 404, 422),
    )
    async def release(document_id: DocumentId, app: App, reviewer: Reviewer
                      ) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(
            lambda: app.review.release(app.view(document_id), reviewer)))

    @router.get(
        "/documents/{document_id}/page/{page}.png",
        summary="A page of the document as the pipeline read it (PNG; blocks' sourceBox "
        "coordinates are in its pixels)",
        response_class=Response,
        responses={200: {"content": {"image/png": {}}}, **_errors(401, 404, 422)},
    )
    async def page_image(
        document_id: DocumentId, app: App,
        page: Annotated[int, Path(ge=1, le=1000, description="1-based page number.")],
    ) -> Response:
        png = await run_in_threadpool(lambda: app.review.page_png(app.view(document_id), page))
        return Response(png, media_type="image/png",
                        headers={"Cache-Control": "private, max-age=300"})

    return router


def mount_review_page(api: FastAPI) -> None:
    """`GET /review` (the page) and its files under /review/assets; no token: they hold no
    data (the page asks for the token and sends it with every call)."""

    @api.get("/review", include_in_schema=False)
    async def review_page() -> FileResponse:
        return FileResponse(PAGE_DIR / "index.html", media_type="text/html")

    api.mount(ASSETS, StaticFiles(directory=PAGE_DIR), name="review-assets")
