"""The real Redis on 127.0.0.1:6379 for the feature-store tests (started with the machine's
documented command when it is down), a database of the tests' own (one per pytest-xdist
worker: each flushes its own), and two faulty stand-ins: a port where nothing listens and a
server that accepts connections and never answers."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

# The tests' own database, flushed at session start: 14 in one process, 14, 13, ... for the
# workers gw0, gw1, ... (15 is `yogi bench features`' default; 0 the developer's).
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
REDIS_URL = f"redis://127.0.0.1:6379/{14 - _WORKER % 14}"
START_REDIS = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port",
               "6379", "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
               "--logfile", "/var/log/redis/ci.log"]


def _ping() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def start_redis() -> str | None:
    """None when Redis answers (started if it was down), else why not."""
    if _ping():
        return None
    try:
        subprocess.run(START_REDIS, capture_output=True, timeout=30, check=False)
    except OSError as error:
        return str(error)
    for _ in range(40):
        if _ping():
            return None
        time.sleep(0.25)
    return "redis-server did not answer after starting"


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    problem = start_redis()
    if problem is not None:
        pytest.skip(f"Redis on 127.0.0.1:6379 is down and cannot be started: {problem}")
    redis.Redis.from_url(REDIS_URL).flushdb()
    return REDIS_URL


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers (a hung Redis)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        server.close()
