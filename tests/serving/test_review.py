"""The reviewers' routes over real HTTP (`yogi serve` as a process, real extraction): the queue's
order, paging and auth, claims (conflict, extension, expiry, `unclaimed`), `If-Match` on a
correction, the stored diff, the page image and the review page's files."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from serving_support import TOKEN, small_page
from test_http import assert_error

from serving.bench import ManagedServer

LEASE_S = 3.0
ANN = {"Authorization": f"Bearer {TOKEN}", "X-Reviewer": "ann"}
BOB = {**ANN, "X-Reviewer": "bob"}
QUEUE = "/documents?status=awaiting_review"


@dataclass
class Reviewing:
    client: httpx.Client
    documents: list[str]  # in upload order


@pytest.fixture(scope="module")
def reviewing() -> Iterator[Reviewing]:
    """A service whose every answer goes to review (thresholds above 1), blocks flagged below
    1.0, a short lease, and three uploaded pages awaiting review."""
    server = ManagedServer({"YOGI_API_TOKEN": TOKEN, "YOGI_ACCEPT_THRESHOLD": "1.01",
                            "YOGI_REVIEW_THRESHOLD": "1.01",
                            "YOGI_BLOCK_ACCEPT_THRESHOLD": "1.0",
                            "YOGI_REVIEW_LEASE_S": str(LEASE_S)})
    try:
        server.wait_ready()
        with httpx.Client(base_url=server.url, timeout=300.0) as client:
            documents = []
            for n in range(3):
                response = client.post("/extract", files={"file": (
                    f"page-{n}.png", small_page(f"review-{n}"), "image/png")})
                assert response.status_code == 200, response.text
                assert response.json()["status"] == "awaiting_review"
                documents.append(response.json()["documentId"])
            yield Reviewing(client, documents)
    finally:
        server.stop()


def test_the_queue_needs_the_token(reviewing: Reviewing) -> None:
    client, document_id = reviewing.client, reviewing.documents[0]
    for method, path in [("GET", QUEUE), ("POST", f"/documents/{document_id}/claim"),
                         ("DELETE", f"/documents/{document_id}/claim"),
                         ("GET", f"/documents/{document_id}/page/1.png")]:
        nobody = client.request(method, path, headers={"X-Reviewer": "ann"})
        assert_error(nobody, 401, "unauthorized")
        wrong = client.request(method, path, headers={**ANN, "Authorization": "Bearer nope"})
        assert_error(wrong, 401, "unauthorized")


def test_the_queue_is_most_uncertain_first_then_oldest_and_pages(reviewing: Reviewing) -> None:
    client = reviewing.client
    whole = client.get(QUEUE, headers=ANN).json()
    listed = whole["documents"]
    assert whole["blockAcceptThreshold"] == 1.0 and whole["nextAfter"] is None
    assert {d["documentId"] for d in listed} == set(reviewing.documents)
    assert [(d["confidence"], d["createdAt"]) for d in listed] == sorted(
        (d["confidence"], d["createdAt"]) for d in listed)
    # The same pixels give the same confidence: then the oldest upload comes first.
    assert [d["documentId"] for d in listed] == reviewing.documents
    for item in listed:
        document = client.get(f"/documents/{item['documentId']}", headers=ANN).json()
        blocks = document["result"]["timeblocks"]
        assert item["confidence"] == document["confidence"]
        assert item["blocks"] == len(blocks) and item["version"] == document["version"]
        assert item["flaggedBlocks"] == sum(b["confidence"] is None or b["confidence"] < 1.0
                                            for b in blocks)
    paged, after = [], None
    while True:
        page = client.get(QUEUE, params={"limit": 2, **({"after": after} if after else {})},
                          headers=ANN).json()
        paged += [d["documentId"] for d in page["documents"]]
        after = page["nextAfter"]
        if after is None:
            break
    assert paged == reviewing.documents
    assert_error(client.get(QUEUE, params={"after": "nonsense"}, headers=ANN), 422,
                 "invalid_after")
    assert_error(client.get("/documents?status=done", headers=ANN), 422, "invalid_status")
    assert_error(client.get(QUEUE, params={"limit": 0}, headers=ANN), 422, "invalid_request")


def test_claims_conflict_extend_show_in_the_queue_and_expire(reviewing: Reviewing) -> None:
    client, document_id = reviewing.client, reviewing.documents[0]
    path = f"/documents/{document_id}/claim"
    first = client.post(path, headers=ANN)
    assert first.status_code == 200, first.text
    assert first.json()["claimedBy"] == "ann"
    taken = client.post(path, headers=BOB)
    assert_error(taken, 409, "claimed")
    assert "ann" in taken.json()["detail"] and first.json()["expiresAt"] in taken.json()["detail"]
    time.sleep(0.05)
    again = client.post(path, headers=ANN)  # the holder again: the lease is extended
    assert again.status_code == 200 and again.json()["expiresAt"] > first.json()["expiresAt"]

    queue = client.get(QUEUE, headers=BOB).json()["documents"]
    assert queue[0]["claimedBy"] == "ann" and queue[0]["claimExpiresAt"]
    free_for_bob = client.get(QUEUE, params={"unclaimed": "true"}, headers=BOB).json()
    assert document_id not in [d["documentId"] for d in free_for_bob["documents"]]
    free_for_ann = client.get(QUEUE, params={"unclaimed": "true"}, headers=ANN).json()
    assert document_id in [d["documentId"] for d in free_for_ann["documents"]]

    assert_error(client.post(path, headers={"Authorization": ANN["Authorization"]}), 422,
                 "invalid_request")  # no X-Reviewer
    assert_error(client.post("/documents/" + "0" * 64 + "/claim", headers=ANN), 404,
                 "document_not_found")
    time.sleep(LEASE_S + 0.5)  # ann walks away; the lease runs out
    assert client.get(QUEUE, headers=BOB).json()["documents"][0]["claimedBy"] is None
    bobs = client.post(path, headers=BOB)
    assert bobs.status_code == 200 and bobs.json()["claimedBy"] == "bob"
    released = client.delete(path, headers=BOB)
    assert released.status_code == 200 and released.json()["claimedBy"] is None


def test_a_correction_checks_if_match_and_keeps_its_diff(reviewing: Reviewing) -> None:
    client, document_id = reviewing.client, reviewing.documents[1]
    opened = client.get(f"/documents/{document_id}", headers=ANN)
    etag = opened.headers["etag"]
    assert etag == f'"{opened.json()["version"]}"' and etag.startswith('"e')
    corrected = opened.json()["result"]
    before = corrected["timeblocks"][0]["name"]
    corrected["timeblocks"][0]["name"] = before + " (corrected)"
    corrected["teacher"] = "Mr Joynes"
    path = f"/documents/{document_id}/timetable"

    assert_error(client.put(path, json=corrected, headers={**ANN, "If-Match": '"e999999"'}),
                 409, "stale_version")
    assert client.post(f"/documents/{document_id}/claim", headers=BOB).status_code == 200
    assert_error(client.put(path, json=corrected, headers={**ANN, "If-Match": etag}), 409,
                 "claimed")
    assert client.delete(f"/documents/{document_id}/claim", headers=BOB).status_code == 200

    saved = client.put(path, json=corrected, headers={**ANN, "If-Match": etag})
    assert saved.status_code == 200, saved.text
    label = saved.json()
    assert saved.headers["etag"] == f'"l{label["labelId"]}"' == f'"{label["version"]}"'
    assert label["diff"]["changed"] == [{
        "block": {key: opened.json()["result"]["timeblocks"][0][key]
                  for key in ("day", "name", "startTime", "endTime", "notes")},
        "changes": {"name": {"from": before, "to": before + " (corrected)"}}}]
    assert label["diff"]["header"]["teacher"]["to"] == "Mr Joynes"
    # Bob still has the version from before: his correction is refused, not stored over ann's.
    assert_error(client.put(path, json=corrected, headers={**BOB, "If-Match": etag}), 409,
                 "stale_version")
    document = client.get(f"/documents/{document_id}", headers=ANN)
    assert document.json()["status"] == "done" and document.headers["etag"] == saved.headers[
        "etag"]
    assert document_id not in [d["documentId"] for d in client.get(QUEUE, headers=ANN).json()[
        "documents"]]
    stored = client.get("/corrections", params={"source": "gold"}, headers=ANN).json()
    mine = [c for c in stored["corrections"] if c["labelId"] == label["labelId"]]
    assert mine and mine[0]["diff"] == label["diff"]
    # Without If-Match a correction is taken as before (API clients that do not review).
    assert client.put(path, json=corrected, headers=ANN).status_code == 200


def test_the_page_image_and_the_review_page(reviewing: Reviewing) -> None:
    from PIL import Image

    client, document_id = reviewing.client, reviewing.documents[2]
    page = client.get(f"/documents/{document_id}/page/1.png", headers=ANN)
    assert page.status_code == 200 and page.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(page.content)).size == (640, 300)  # the drawn page
    assert_error(client.get(f"/documents/{document_id}/page/2.png", headers=ANN), 404,
                 "page_not_found")
    # A PDF's page is rendered as the pipeline renders it (YOGI_PDF_DPI, 200 by default).
    pdf = io.BytesIO()
    Image.open(io.BytesIO(small_page("review-pdf"))).convert("RGB").save(
        pdf, format="PDF", resolution=100)  # 640 x 300 pixels = 6.4 x 3 inches
    uploaded = client.post("/extract", files={"file": ("page.pdf", pdf.getvalue(),
                                                       "application/pdf")})
    assert uploaded.status_code == 200, uploaded.text
    rendered = client.get(f"/documents/{uploaded.json()['documentId']}/page/1.png", headers=ANN)
    assert rendered.status_code == 200
    width, height = Image.open(io.BytesIO(rendered.content)).size
    assert abs(width - 1280) <= 1 and abs(height - 600) <= 1
    html = client.get("/review")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert '<script src="/review/assets/review.js">' in html.text
    for asset, kind in [("review.js", "javascript"), ("review.css", "text/css")]:
        response = client.get(f"/review/assets/{asset}")
        assert response.status_code == 200 and kind in response.headers["content-type"]
