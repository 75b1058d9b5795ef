"""The review page in a real browser: Playwright drives Debian's chromium against `yogi serve`
started as a process. A reviewer signs in; the most uncertain document opens (claimed) with
its first flagged block selected; they fix its name and submit with Ctrl+Enter; the next
document opens and they walk it with the keyboard, accept, delete and add a block, fix the
teacher and submit. The gold labels, read back through `GET /corrections`, hold exactly those
changes. Screenshots go to bench/screenshots/review/
(git-ignored) for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serving_support import TOKEN, sample_bytes, small_page

from serving.bench import ManagedServer

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "bench" / "screenshots" / "review"
AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Reviewer": "api"}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[dict]]]:
    """The service with every answer sent to review (blocks flagged below 1.0), two pages
    uploaded; their queue items."""
    service = ManagedServer({"YOGI_API_TOKEN": TOKEN, "YOGI_ACCEPT_THRESHOLD": "1.01",
                             "YOGI_REVIEW_THRESHOLD": "1.01",
                             "YOGI_BLOCK_ACCEPT_THRESHOLD": "1.0"})
    try:
        service.wait_ready()
        with httpx.Client(base_url=service.url, timeout=300.0) as client:
            for name, data in [("timetable.png", sample_bytes()),
                               ("small.png", small_page("review-page"))]:
                response = client.post("/extract", files={"file": (name, data, "image/png")})
                assert response.status_code == 200, response.text
            queue = client.get("/documents?status=awaiting_review", headers=AUTH).json()
        assert queue["count"] == 2
        yield service.url, queue["documents"]
    finally:
        service.stop()


@pytest.fixture
def page(server: tuple[str, list[dict]]) -> Iterator:  # type: ignore[type-arg]
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        # --no-sandbox: chromium refuses its sandbox when run as root (CI containers).
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1500, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        browser.close()
        assert errors == [], errors  # no uncaught script error on the way


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def selected_key(page) -> int:  # type: ignore[no-untyped-def]
    """The selected block's index in the model's answer (a model block's `data-key`)."""
    return int(page.locator("#blocks .block.selected").get_attribute("data-key"))


def opened(page, item: dict) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f"#queue li.current[data-id='{item['documentId']}']")
    page.wait_for_function("document.getElementById('page').naturalWidth > 0")


def test_a_reviewer_works_through_the_queue_with_the_keyboard(
    server: tuple[str, list[dict]], page  # type: ignore[no-untyped-def]
) -> None:
    url, queue = server
    first, second = queue  # most uncertain first
    with httpx.Client(base_url=url, timeout=60.0) as client:
        models = [client.get(f"/documents/{item['documentId']}", headers=AUTH).json()["result"]
                  for item in queue]

    page.goto(f"{url}/review")
    page.fill("#sign-in [name=token]", "wrong")
    page.fill("#sign-in [name=reviewer]", "ann")
    page.press("#sign-in [name=reviewer]", "Enter")
    page.wait_for_selector("#sign-in-error:has-text('token')")
    page.fill("#sign-in [name=token]", TOKEN)
    page.press("#sign-in [name=token]", "Enter")

    # The most uncertain document opens, claimed by ann, with its first flagged block selected
    # and outlined on the page.
    opened(page, first)
    model = models[0]
    blocks = page.locator("#blocks .block")
    assert blocks.count() == len(model["timeblocks"])
    assert page.locator("#blocks .block.flagged, #blocks .block.low").count() == (
        first["flaggedBlocks"]) > 0
    with httpx.Client(base_url=url, timeout=60.0) as client:
        listed = client.get("/documents?status=awaiting_review", headers=AUTH).json()
    assert listed["documents"][0]["claimedBy"] == "ann"
    wrong = model["timeblocks"][selected_key(page)]
    assert wrong["confidence"] < listed["blockAcceptThreshold"]
    assert page.locator("#box").is_visible()
    assert page.evaluate("parseFloat(document.getElementById('box').style.left)") == (
        wrong["sourceBox"]["x0"])
    shot(page, "1-opened")

    # Enter edits the flagged block; its name is fixed; Enter saves; Ctrl+Enter submits.
    page.keyboard.press("Enter")
    name = page.locator("#blocks .block.editing [name=name]")
    assert name.evaluate("element => element === document.activeElement")
    name.fill(f"{wrong['name']} (fixed)")
    shot(page, "2-editing")
    page.keyboard.press("Enter")
    assert page.locator("#blocks .block.edited .bname").inner_text() == (
        f"{wrong['name']} (fixed)")
    page.keyboard.press("Control+Enter")

    # The next document opens: walk it with j/k, zoom onto a block, accept, delete, add one,
    # fix the teacher, submit.
    opened(page, second)
    page.wait_for_selector("#message:has-text('Saved label')")
    model = models[1]
    shot(page, "3-next-document")
    where = ("[...document.querySelectorAll('#blocks .block')]"
             ".findIndex(row => row.classList.contains('selected'))")
    for _ in range(len(model["timeblocks"])):
        page.keyboard.press("k")
    assert page.evaluate(where) == 0  # the first block of the week
    page.keyboard.press("j")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(where) == min(2, len(model["timeblocks"]) - 1)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("k")
    assert page.evaluate(where) == 0
    for _ in range(4):
        page.keyboard.press("+")
    shot(page, "4-block-zoomed")
    page.keyboard.press("a")  # accepted; the next block is selected
    assert page.locator("#blocks .block.accepted").count() == 1
    doomed = model["timeblocks"][selected_key(page)]
    page.keyboard.press("Delete")
    assert blocks.count() == len(model["timeblocks"]) - 1
    page.keyboard.press("n")  # a new block after the selected one's day
    editing = page.locator("#blocks .block.editing")
    editing.locator("[name=day]").select_option("Friday")
    editing.locator("[name=startTime]").fill("15:30")
    editing.locator("[name=endTime]").fill("16:15")
    editing.locator("[name=name]").fill("Chess Club")
    editing.locator("[name=name]").press("Enter")
    assert page.locator("#blocks .block.added .bname").inner_text() == "Chess Club"
    page.fill("#header [name=teacher]", "Mr. A. Joynes")
    page.press("#header [name=teacher]", "Enter")
    page.keyboard.press("0")
    shot(page, "5-before-submit")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#message:has-text('queue is empty')")
    shot(page, "6-queue-empty")

    with httpx.Client(base_url=url, timeout=60.0) as client:
        labels = client.get("/corrections", params={"source": "gold"}, headers=AUTH).json()
        documents = [client.get(f"/documents/{item['documentId']}", headers=AUTH).json()
                     for item in queue]
    assert [c["documentId"] for c in labels["corrections"]] == [first["documentId"],
                                                                second["documentId"]]
    assert {c["author"] for c in labels["corrections"]} == {"ann"}
    for document, label in zip(documents, labels["corrections"], strict=True):
        assert document["status"] == "done" and document["version"] == f"l{label['labelId']}"
        assert label["timetable"]["tier"] == "human"
    fixed, reworked = (c["diff"] for c in labels["corrections"])
    assert fixed["counts"] == {"added": 0, "removed": 0, "changed": 1, "header": 0,
                               "unchanged": len(models[0]["timeblocks"]) - 1}
    assert fixed["changed"][0]["changes"] == {
        "name": {"from": wrong["name"], "to": f"{wrong['name']} (fixed)"}}
    assert reworked["counts"] == {"added": 1, "removed": 1, "changed": 0, "header": 1,
                                  "unchanged": len(model["timeblocks"]) - 1}
    assert reworked["removed"][0]["name"] == doomed["name"]
    assert reworked["added"] == [{"day": "Friday", "name": "Chess Club", "startTime": "15:30",
                                  "endTime": "16:15", "notes": None}]
    assert reworked["header"] == {"teacher": {"from": model["teacher"], "to": "Mr. A. Joynes"}}
    gold = labels["corrections"][1]["timetable"]
    assert gold["teacher"] == "Mr. A. Joynes"
    assert len(gold["timeblocks"]) == len(model["timeblocks"])
