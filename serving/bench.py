"""`yogi bench serve`: load on POST /extract at several concurrency levels.

Identical bytes are deduplicated by content hash (one extraction, then cached answers), so by
default every request sends a unique copy of the page: the same pixels with a PNG `tEXt` chunk
(a JPEG comment, a PDF trailing comment) carrying a nonce. Then every request is a real
extraction. `--same-bytes` measures the cached path instead.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def unique_copy(data: bytes, n: int, nonce: str) -> bytes:
    """`data` with a harmless marker added, so its sha256 differs per (n, nonce)."""
    mark = f"{nonce}-{n}".encode()
    if data.startswith(PNG_SIGNATURE):
        payload = b"yogi-bench\x00" + mark
        chunk = (struct.pack(">I", len(payload)) + b"tEXt" + payload
                 + struct.pack(">I", zlib.crc32(b"tEXt" + payload)))
        ihdr_end = 8 + 8 + 13 + 4  # signature, IHDR length+type, IHDR data, CRC
        return data[:ihdr_end] + chunk + data[ihdr_end:]
    if data.startswith(b"\xff\xd8"):
        segment = b"\xff\xfe" + struct.pack(">H", len(mark) + 2) + mark
        return data[:2] + segment + data[2:]
    if b"%PDF-" in data[:1024]:
        return data + b"\n%" + mark + b"\n"
    raise ValueError("unique copies are made for PNG, JPEG and PDF only; use --same-bytes")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_rss_mb(pid: int) -> float:
    import psutil

    try:
        process = psutil.Process(pid)
        processes = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for proc in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total / 1024 / 1024


class ManagedServer:
    """`yogi serve` on a free port with a throw-away data directory (or, to restart a server
    that was stopped with `remove=False`, on its port and directory)."""

    def __init__(self, extra_env: dict[str, str] | None = None, *, port: int | None = None,
                 tmp: Path | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp = tmp or Path(tempfile.mkdtemp(prefix="yogi-bench-"))
        env = {**os.environ, "YOGI_DATA_DIR": str(self.tmp / "data"),
               "BENTOML_HOME": str(self.tmp / "bentoml"), "BENTOML_DO_NOT_TRACK": "True",
               **(extra_env or {})}
        yogi = Path(sys.executable).with_name("yogi")
        self.log = open(self.tmp / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [str(yogi), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_ready(self, timeout: float = 180.0) -> float:
        deadline = time.perf_counter() + timeout
        with httpx.Client(timeout=2.0) as client:
            while time.perf_counter() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the server exited; see {self.tmp / 'server.log'}")
                try:
                    if client.get(f"{self.url}/readyz").status_code == 200:
                        return time.perf_counter() - self.started
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise TimeoutError(f"not ready after {timeout:g} s; see {self.tmp / 'server.log'}")

    def stop(self, *, remove: bool = True) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
        if remove:
            shutil.rmtree(self.tmp, ignore_errors=True)


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, tree_rss_mb(self.pid))
            self._stop_event.wait(self.every)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak


def _percentile(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 3) if values else 0.0


def run_level(url: str, bodies: list[tuple[str, bytes]], clients: int) -> dict:
    """`bodies` ((file name, bytes) each) posted by `clients` clients at once."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def one(body: tuple[str, bytes]) -> None:
        start = time.perf_counter()
        try:
            with httpx.Client(timeout=900.0) as client:
                response = client.post(f"{url}/extract", files={"file": body})
            status = str(response.status_code)
        except httpx.HTTPError as error:
            status = type(error).__name__
        elapsed = time.perf_counter() - start
        with lock:
            statuses[status] = statuses.get(status, 0) + 1
            if status == "200":
                latencies.append(elapsed)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, bodies))
    wall = time.perf_counter() - start
    return {
        "clients": clients,
        "requests": len(bodies),
        "statuses": statuses,
        "wallSeconds": round(wall, 3),
        "throughputPerSecond": round(len(latencies) / wall, 4) if wall else 0.0,
        "latencySeconds": {"p50": _percentile(latencies, 50), "p95": _percentile(latencies, 95),
                           "max": round(max(latencies), 3) if latencies else 0.0},
    }


class BenchRefused(Exception):
    """The benchmark cannot run as asked (one line for the CLI)."""


def check_reachable(url: str) -> None:
    try:
        response = httpx.get(f"{url.rstrip('/')}/readyz", timeout=10.0)
    except httpx.HTTPError as error:
        raise BenchRefused(f"{url}: no service answers ({type(error).__name__})") from None
    if response.status_code != 200:
        raise BenchRefused(f"{url}: /readyz answers {response.status_code}, not ready")


def load_average() -> dict[str, float]:
    one, five, fifteen = os.getloadavg()
    return {"1m": round(one, 2), "5m": round(five, 2), "15m": round(fifteen, 2)}


def restart(server: ManagedServer) -> dict:
    """The server stopped and started again on its data directory: a restart finds the models
    downloaded and compiled, the feature store applied and the schema migrated, which a first
    start (`startupToReadySeconds`, a throw-away directory) does not."""
    server.stop(remove=False)
    again = ManagedServer(port=server.port, tmp=server.tmp)
    try:
        return {"restartToReadySeconds": round(again.wait_ready(), 3),
                "rssMBAtRestart": round(tree_rss_mb(again.process.pid), 1)}
    finally:
        again.stop(remove=False)


def bench_serve(pages: list[tuple[Path, bytes]], *, url: str | None, levels: list[int],
                requests: int, unique: bool) -> dict:
    """The report: per level, statuses, wall time, throughput and latency percentiles; with a
    server of its own, start-up to ready and the server's memory (RSS of its process tree).
    The requests send the pages in turn: one page sent over and over reads the same text
    each time, which flatters whatever the service remembers between requests. The machine
    may be shared: the load average before and after says how busy it was."""
    nonce = uuid.uuid4().hex[:12]
    if unique:
        for file, data in pages:
            try:
                unique_copy(data, 0, nonce)
            except ValueError as error:
                raise BenchRefused(f"{file}: {error}") from None
    if url is not None:
        url = url.rstrip("/")
        check_reachable(url)
    report: dict = {
        "benchmark": "serve", "files": [str(file) for file, _ in pages],
        "bytes": [len(data) for _, data in pages], "uniqueBytes": unique,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "loadAverageBefore": load_average()},
        "levels": [],
    }
    server = None if url else ManagedServer()
    sampler = RssSampler(server.process.pid) if server is not None else None
    if sampler is not None:
        sampler.start()
    try:
        if server is not None:
            report["startupToReadySeconds"] = round(server.wait_ready(), 3)
            report["rssMBAtReady"] = round(tree_rss_mb(server.process.pid), 1)
            url = server.url
        assert url is not None
        report["url"] = url
        counter = 0

        def body() -> tuple[str, bytes]:
            nonlocal counter
            file, data = pages[counter % len(pages)]
            counter += 1
            return file.name, unique_copy(data, counter, nonce) if unique else data

        # One request outside the measurement: first-request effects (lazy imports, caches).
        run_level(url, [body()], 1)
        for clients in levels:
            bodies = [body() for _ in range(max(requests, clients))]
            report["levels"].append(run_level(url, bodies, clients))
        if server is not None:
            report.update(restart(server))
    finally:
        if sampler is not None:
            # The sampler reads every half second: the reading at ready may fall between.
            report["rssMBPeak"] = round(max(sampler.stop(), report.get("rssMBAtReady", 0.0)), 1)
        if server is not None:
            server.stop()
    report["machine"]["loadAverageAfter"] = load_average()
    return report
