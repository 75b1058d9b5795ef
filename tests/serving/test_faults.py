"""Fault injection against the running service (issue 22): each failure a hostile QA engineer
found, done for real, and the behaviour that must hold instead. Every wait here is bounded.

- documents far over the page limit are refused within a second at bounded memory;
- `kill -9` of `yogi serve` takes its worker down, and a restart on the same port works at once;
- a crash mid-extraction is finished by the next server (the claim goes stale, recovery runs);
- a full queue answers 503 with Retry-After;
- a hanging or throttling Claude is cut at the document's deadline while another document is
  served;
- a PostgreSQL that stops answering (a TCP proxy that goes silent) gives 503 within the
  timeout, /readyz 503, and no original is kept without its row; a wrong database URL at
  start-up is named.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest
from serving_support import (
    PG_URL,
    TOKEN,
    create_pg_database,
    drop_pg_database,
    sha256,
    small_page,
    unique_sample,
)

from serving.bench import ManagedServer, free_port
from serving.claude_standin import StandIn

AUTH = {"Authorization": f"Bearer {TOKEN}"}
pytestmark = pytest.mark.slow  # six `yogi serve` start-ups and real extractions: minutes


def client(server: ManagedServer, timeout: float = 120.0) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=timeout, headers=AUTH)


def upload(server: ManagedServer, data: bytes, timeout: float = 120.0) -> httpx.Response:
    with client(server, timeout) as http:
        return http.post("/extract", files={"file": ("page.png", data, "image/png")})


@pytest.fixture
def started() -> Iterator[list[ManagedServer]]:
    """Servers a test starts; all stopped (and their folders removed) at the end."""
    servers: list[ManagedServer] = []
    yield servers
    for server in servers:
        server.stop()


def start(servers: list[ManagedServer], env: dict[str, str] | None = None, **kwargs
          ) -> ManagedServer:
    server = ManagedServer({"YOGI_API_TOKEN": TOKEN, **(env or {})}, **kwargs)
    servers.append(server)
    server.wait_ready()
    return server


@pytest.fixture(scope="module")
def shared() -> Iterator[ManagedServer]:
    """One server for the tests that only send it requests (limits, reprocess, a full queue),
    started once: its queue holds one document, which six uploads at once overflow and
    requests sent one after another never notice."""
    servers: list[ManagedServer] = []
    try:
        yield start(servers, {"YOGI_QUEUE_LIMIT": "1"})
    finally:
        for server in servers:
            server.stop()


def worker_pids(server: ManagedServer) -> list[int]:
    return [child.pid for child in psutil.Process(server.process.pid).children(recursive=True)]


# --- limits ------------------------------------------------------------------------------------


def long_tiff(frames: int) -> bytes:
    from PIL import Image

    pages = [Image.new("L", (64, 64), k % 256) for k in range(frames)]
    out = io.BytesIO()
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:])
    return out.getvalue()


def long_pdf(pages: int) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(200, 200)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_long_documents_are_refused_within_a_second(shared: ManagedServer) -> None:
    server = shared
    assert upload(server, small_page("first")).status_code == 200  # first-request costs aside
    before = max(psutil.Process(pid).memory_info().rss for pid in worker_pids(server))
    for data, kind in [(long_tiff(500), "image/tiff"), (long_pdf(10_000), "application/pdf")]:
        began = time.perf_counter()
        with client(server) as http:
            response = http.post("/extract", files={"file": ("long", data, kind)})
        seconds = time.perf_counter() - began
        assert response.status_code == 413 and response.json()["error"] == "too_many_pages"
        assert seconds < 1.0, seconds
    after = max(psutil.Process(pid).memory_info().rss for pid in worker_pids(server))
    assert after - before < 200 * 1024 * 1024  # nothing was rendered


# --- process supervision and crash recovery ----------------------------------------------------


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def gone(pids: list[int], within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if not any(alive(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


def test_kill_9_of_the_server_ends_its_worker_and_a_crashed_document_is_finished(
    started: list[ManagedServer],
) -> None:
    env = {"YOGI_CLAIM_LEASE_S": "3"}
    first = start(started, env)
    workers = worker_pids(first)
    assert workers
    page = unique_sample("crash")  # a full page: seconds of reading to interrupt
    document_id = sha256(page)
    # Upload, and kill the server (SIGKILL, the parent only) while the page is being read.
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(upload, first, page)
        with client(first) as http:
            deadline = time.monotonic() + 30
            status = None
            while time.monotonic() < deadline and status != "processing":
                response = http.get(f"/documents/{document_id}")
                status = response.json()["status"] if response.status_code == 200 else None
                time.sleep(0.05)
        assert status == "processing"
        os.kill(first.process.pid, signal.SIGKILL)
        with pytest.raises(httpx.HTTPError):
            pending.result()
    first.process.wait()
    assert gone(workers, within_s=5), "the worker outlived its server"

    # The same port and data at once: the document left `processing` is finished.
    first.log.close()
    second = start(started, env, port=first.port, tmp=first.tmp)
    started.remove(first)
    with client(second) as http:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            document = http.get(f"/documents/{document_id}").json()
            if document["status"] != "processing":
                break
            time.sleep(0.2)
    assert document["status"] in ("done", "awaiting_review"), document
    assert document["result"]["timeblocks"]


def test_reprocess_extracts_a_stored_document_again(shared: ManagedServer) -> None:
    server = shared
    page = small_page("again")
    first = upload(server, page).json()
    with client(server) as http:
        path = f"/documents/{first['documentId']}/reprocess"
        assert httpx.post(server.url + path).status_code == 401
        again = http.post(path)
        assert again.status_code == 200 and again.json()["cached"] is False
        extractions = http.get(f"/documents/{first['documentId']}").json()["extractions"]
        assert len(extractions) == 2
        missing = http.post("/documents/" + "0" * 64 + "/reprocess")
        assert missing.status_code == 404


# --- back-pressure -----------------------------------------------------------------------------


def test_a_full_queue_answers_503_with_retry_after(shared: ManagedServer) -> None:
    server = shared  # YOGI_QUEUE_LIMIT=1
    pages = [small_page(f"queue-{k}") for k in range(6)]
    with ThreadPoolExecutor(len(pages)) as pool:
        responses = list(pool.map(lambda data: upload(server, data), pages))
    statuses = sorted(r.status_code for r in responses)
    refused = [r for r in responses if r.status_code == 503]
    assert statuses.count(200) >= 2 and refused, statuses
    for response in refused:
        assert response.json()["error"] == "overloaded"
        assert int(response.headers["retry-after"]) >= 1
    # Refused before any reading: the document is kept, and the next upload extracts it.
    with client(server) as http:
        for response, data in zip(responses, pages, strict=True):
            if response.status_code == 503:
                document = http.get(f"/documents/{sha256(data)}").json()
                assert document["status"] == "failed"
                assert upload(server, data).json()["status"] in ("done", "awaiting_review")


# --- Claude ----------------------------------------------------------------------------------


CLAUDE_DEADLINE_S = 10.0


@pytest.fixture(scope="module")
def with_claude() -> Iterator[tuple[ManagedServer, StandIn]]:
    """A server that sends every page to Claude, whose stand-in each test scripts (`mode`):
    one server for both misbehaviours, started once."""
    servers: list[ManagedServer] = []
    with StandIn("hang", hang_s=120.0, retry_after_ms=100_000) as claude:
        try:
            yield start(servers, {
                "ANTHROPIC_API_KEY": "sk-ant-test-dummy", "ANTHROPIC_BASE_URL": claude.url,
                # All to Claude: no document, nor every block of one, is sure enough to accept.
                "YOGI_ACCEPT_THRESHOLD": "1.01", "YOGI_BLOCK_ACCEPT_THRESHOLD": "1.01",
                "YOGI_REVIEW_THRESHOLD": "0",
                "YOGI_CLAUDE_DEADLINE_S": str(CLAUDE_DEADLINE_S), "YOGI_CLAUDE_TRACING": "false",
            }), claude
        finally:
            for server in servers:
                server.stop()


@pytest.mark.parametrize("mode", ["hang", "rate-limited"])
def test_claude_is_cut_at_the_deadline_while_another_document_is_served(
    with_claude: tuple[ManagedServer, StandIn], mode: str
) -> None:
    deadline_s = CLAUDE_DEADLINE_S
    server, claude = with_claude
    claude.mode = mode
    pages = [small_page(f"claude-{mode}-{k}") for k in range(2)]
    finished: dict[int, float] = {}

    def send(k: int) -> httpx.Response:
        response = upload(server, pages[k])
        finished[k] = time.monotonic()
        return response

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(send, 0)
        time.sleep(0.5)
        second = pool.submit(send, 1)
        answers = [first.result(), second.result()]
    with client(server) as http:
        documents = [http.get(f"/documents/{sha256(page)}").json() for page in pages]
    for answer, document in zip(answers, documents, strict=True):
        assert answer.status_code == 200 and answer.json()["status"] == "awaiting_review"
        assert answer.json()["result"]["timeblocks"]  # the tier's answer, kept for review
        assert document["routeReason"] == "claude_failed:deadline"
        assert document["timings"]["claude"] < deadline_s + 1.0
    # The second document was read while the first waited on Claude: had the first held the
    # worker through its Claude step, the second would end a whole deadline after it.
    assert finished[1] - finished[0] < deadline_s, finished


# --- the database --------------------------------------------------------------------------


class SilentProxy:
    """A TCP proxy to PostgreSQL that can go silent: it keeps accepting and holding
    connections but forwards nothing, like a database host that hangs."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.silent = threading.Event()
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self._sockets.append(conn)
            if self.silent.is_set():
                continue  # accepted, never answered
            upstream = socket.create_connection(self.target)
            self._sockets.append(upstream)
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            while self.silent.is_set():
                time.sleep(0.05)  # hold it: a hung server
            try:
                sink.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self._server.close()
        for sock in self._sockets:
            sock.close()


def test_a_database_that_stops_answering_gives_503_within_the_timeout(
    started: list[ManagedServer], postgres: str
) -> None:
    name = create_pg_database()
    proxy = SilentProxy(("127.0.0.1", 5432))
    try:
        url = PG_URL.format(name=name).replace(":5432/", f":{proxy.port}/")
        server = start(started, {"YOGI_DATABASE_URL": url, "YOGI_DB_CONNECT_TIMEOUT_S": "2"})
        stored = upload(server, small_page("db-before")).json()
        proxy.silent.set()
        page = small_page("db-silent")
        with client(server, timeout=30) as http:
            for request in (lambda: http.get(f"/documents/{stored['documentId']}"),
                            lambda: http.post("/extract", files={"file": ("p.png", page)})):
                began = time.perf_counter()
                response = request()
                assert time.perf_counter() - began < 5.0
                assert response.status_code == 503, response.text
                assert response.json()["error"] == "database_unavailable"
                assert response.headers["retry-after"]
            began = time.perf_counter()
            ready = http.get("/readyz")
            assert ready.status_code == 503 and ready.json()["error"] == "not_ready"
            assert time.perf_counter() - began < 5.0
        objects = server.tmp / "data" / "objects" / "originals" / sha256(page)[:2]
        assert not (objects / sha256(page)).exists()  # no original without its row
        proxy.silent.clear()
        with client(server) as http:
            assert http.get(f"/documents/{stored['documentId']}").status_code == 200
    finally:
        proxy.close()
        drop_pg_database(name)


def test_a_wrong_database_url_is_named(started: list[ManagedServer]) -> None:
    port = free_port()  # nothing listens there
    server = ManagedServer({"YOGI_API_TOKEN": TOKEN, "YOGI_DATABASE_URL":
                            f"postgresql+psycopg://postgres@127.0.0.1:{port}/none"})
    started.append(server)
    with httpx.Client(base_url=server.url, timeout=5, headers=AUTH) as http:
        deadline = time.monotonic() + 60
        detail = ""
        while time.monotonic() < deadline and "OperationalError" not in detail:
            time.sleep(0.5)
            try:
                detail = http.get("/documents/" + "0" * 64).json().get("detail", "")
            except httpx.TransportError:
                continue
    assert "cannot start" in detail and "OperationalError" in detail, detail
    assert Path(server.tmp).exists()
