"""`yogi serve` and `yogi bench serve` refuse bad input with one line on stderr and exit 2
(the CLI run as a real process)."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from serving.bench import free_port


def yogi(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("yogi")), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def assert_refused(run: subprocess.CompletedProcess[str], message: str) -> None:
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("error: "), run.stderr
    assert message in run.stderr
    assert run.stdout == ""


def test_serve_refuses_an_address_it_cannot_listen_on() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert_refused(yogi("serve", "--host", "127.0.0.1", "--port", str(port)),
                       f"cannot listen on 127.0.0.1:{port}")
    assert_refused(yogi("serve", "--host", "no-such-host.invalid", "--port", "3000"),
                   "cannot listen on no-such-host.invalid:3000")


def _webp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "WEBP")
    return buffer.getvalue()


@pytest.mark.parametrize("case", ["clients", "zero-clients", "missing", "not-a-document",
                                  "no-unique-copy", "no-service"])
def test_bench_serve_refuses_bad_input(case: str, tmp_path: Path) -> None:
    text, webp = tmp_path / "notes.txt", tmp_path / "page.webp"
    text.write_text("not a timetable")
    webp.write_bytes(_webp())
    args, message = {
        "clients": (["--clients", "1,x"], "--clients '1,x'"),
        "zero-clients": (["--clients", "0"], "--clients '0'"),
        "missing": (["--file", str(tmp_path / "nope.png")], "no such file"),
        "not-a-document": (["--file", str(text)], "not a supported document"),
        "no-unique-copy": (["--file", str(webp)], "unique copies are made for PNG, JPEG and PDF"),
        "no-service": (["--url", f"http://127.0.0.1:{free_port()}"], "no service answers"),
    }[case]
    assert_refused(yogi("bench", "serve", *args, "--out", str(tmp_path / "b.json")), message)
    assert not (tmp_path / "b.json").exists()
