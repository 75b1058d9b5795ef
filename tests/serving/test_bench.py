"""`yogi bench serve`: unique copies of a page, and short runs against the service (one
already running, and one the benchmark starts itself)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image
from serving_support import SAMPLE, Service, sample_bytes, sha256, small_page

from inference.loading import sniff_format
from serving.bench import unique_copy

SAMPLE_PDF = SAMPLE.with_name("timetable-pdf.pdf")


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_unique_copies_are_new_documents_with_the_same_content() -> None:
    png = sample_bytes()
    buffer = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(buffer, "JPEG")
    jpeg = buffer.getvalue()
    for original in (png, jpeg):
        copies = [unique_copy(original, n, "nonce") for n in (1, 2)]
        assert len({sha256(original), *map(sha256, copies)}) == 3
        assert unique_copy(original, 1, "nonce") == copies[0]  # deterministic
        for copy in copies:
            assert sniff_format(copy) == sniff_format(original)
            assert np.array_equal(pixels(copy), pixels(original))
    pdf = SAMPLE_PDF.read_bytes()
    copy = unique_copy(pdf, 1, "nonce")
    assert sha256(copy) != sha256(pdf)
    assert len(pdfium.PdfDocument(copy)) == len(pdfium.PdfDocument(pdf))
    with pytest.raises(ValueError):
        unique_copy(b"BM" + bytes(64), 1, "nonce")


def bench(*args: str, out: Path) -> dict:
    command = [str(Path(sys.executable).with_name("yogi")), "bench", "serve", *args,
               "--out", str(out)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(out.read_text())


def test_bench_against_a_running_service(service: Service, uploaded: dict,
                                         tmp_path: Path) -> None:
    """The cached path (the sample was extracted already): fast, and every number present."""
    if service.backend != "sqlite-local":
        pytest.skip("one backend is enough for the benchmark's mechanics")
    report = bench("--url", service.url, "--clients", "1,2", "--requests", "3",
                   "--same-bytes", out=tmp_path / "serve.json")
    assert report["files"] == [str(SAMPLE)]
    assert [level["clients"] for level in report["levels"]] == [1, 2]
    for level in report["levels"]:
        assert level["statuses"] == {"200": 3}
        assert level["throughputPerSecond"] > 0
        latency = level["latencySeconds"]
        assert 0 < latency["p50"] <= latency["p95"] <= latency["max"]
    assert set(report["machine"]["loadAverageBefore"]) == {"1m", "5m", "15m"}
    assert set(report["machine"]["loadAverageAfter"]) == {"1m", "5m", "15m"}
    assert "startupToReadySeconds" not in report  # it did not start this server


def test_bench_starts_its_own_server(tmp_path: Path) -> None:
    """Start-up to ready, a restart to ready and the server's memory; one real extraction (the
    warm-up request) of a small page."""
    page, other = tmp_path / "page.png", tmp_path / "other.png"
    page.write_bytes(small_page("bench"))
    other.write_bytes(small_page("bench-other"))
    # Two pages sent in turn: the warm-up request reads one, the measured one the other.
    report = bench("--file", str(page), "--file", str(other), "--clients", "1", "--requests",
                   "1", "--same-bytes", out=tmp_path / "serve.json")
    assert report["files"] == [str(page), str(other)]
    assert report["startupToReadySeconds"] > 0
    assert report["rssMBPeak"] >= report["rssMBAtReady"] > 100
    # Then stopped and started again on the same data directory.
    assert report["restartToReadySeconds"] > 0 and report["rssMBAtRestart"] > 100
    assert report["levels"][0]["statuses"] == {"200": 1}
