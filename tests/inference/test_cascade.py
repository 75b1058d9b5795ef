"""The cascade with the real anthropic SDK against the local Messages API stand-in
(serving/claude_standin.py). The tier is replaced by a fixed answer of a chosen
confidence (the tier itself is tested in test_pipeline.py), except in the CLI test at the end,
which runs everything for real on the sample."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from inference import cascade
from inference.calibration import (
    BlockCalibrator,
    BlockFittedOn,
    Calibrator,
    FittedOn,
    SignalsBlockCalibrator,
)
from inference.cascade import run_cascade
from inference.claude import ClaudeReader
from inference.document.signals import FEATURES, BlockSignals, SignalledTimetable
from inference.errors import InputRefused
from inference.schema import Box, OcrLine, TimeBlock, TimetableData
from inference.settings import Settings
from inference.spend import InMemoryLedger
from serving.claude_standin import USAGE, StandIn

MODEL = "claude-sonnet-4-6"
CALL_COST = (USAGE["input_tokens"] * 3.0 + USAGE["output_tokens"] * 15.0) / 1_000_000
YOGI = Path(sys.executable).with_name("yogi")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "yogi", claude_model=MODEL, claude_daily_budget_usd=5.0,
        accept_threshold=0.98, review_threshold=0.80, calibration_dir=tmp_path / "calibration",
        mlflow_tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
    )


@pytest.fixture
def png() -> bytes:
    image = np.full((200, 300, 3), 255, np.uint8)
    cv2.putText(image, "Mon Maths 9:30", (10, 100), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 2)
    return cv2.imencode(".png", image)[1].tobytes()


class FakeTier:
    """Stands in for `extract_pages`: one classical answer of a set raw confidence, one
    "Maths" block per entry of `block_confidences`."""

    def __init__(self) -> None:
        self.confidence = 0.9
        self.model_versions: dict[str, str] = {}
        self.block_confidences: list[float | None] = [None]
        # The document tier's: each block's name read with this OCR score (None: classical).
        self.name_scores: list[float] | None = None
        self.calls: list[dict] = []

    def __call__(self, pages, ocr=None, *, settings, **options):  # type: ignore[no-untyped-def]
        self.calls.append({"pages": len(pages), "ocr": ocr, **options})
        result = TimetableData(
            teacher="Miss Joynes", confidence=self.confidence, tier="classical",
            model_versions=dict(self.model_versions),
            timeblocks=[TimeBlock(day="Monday", name="Maths", start_time="09:30",
                                  end_time="10:00", confidence=c)
                        for c in self.block_confidences],
        )
        if self.name_scores is not None:
            result = SignalledTimetable.of(
                result.model_copy(update={"tier": "document-model"}),
                [BlockSignals.model_validate({**dict.fromkeys(BlockSignals.model_fields, 1),
                                              "ocr_name": s}) for s in self.name_scores])
        line = OcrLine(text="Mon Maths 9:30", box=Box(x0=10, y0=80, x1=200, y1=110))
        return result, [SimpleNamespace(lines=[line])]


@pytest.fixture
def tier(monkeypatch: pytest.MonkeyPatch) -> FakeTier:
    fake = FakeTier()
    monkeypatch.setattr(cascade, "extract_pages", fake)
    return fake


def reader(api: StandIn, settings: Settings, ledger: InMemoryLedger, **options) -> ClaudeReader:
    return ClaudeReader(settings, ledger=ledger, api_key="sk-ant-test-dummy", base_url=api.url,
                        tracing=False, **({"timeout_s": 2.0, "max_retries": 2} | options))


def test_uncertain_document_goes_to_claude_and_its_answer_is_silver(settings, png, tier):
    ledger = InMemoryLedger()
    with StandIn("good") as api:
        outcome = run_cascade(png, settings=settings, document_id="d1",
                              reader=reader(api, settings, ledger))
        request = api.requests[0]
    assert (outcome.status, outcome.reason, outcome.silver) == (
        "accepted_claude", "claude_answer", True)
    assert outcome.result.tier == "claude" and outcome.result.teacher == "Miss Joynes"
    assert [b.name for b in outcome.result.timeblocks] == ["Maths", "Break", "PHSE"]
    assert outcome.decision.action == "claude" and outcome.decision.confidence == 0.9
    # Its confidence: the tier's agreement with it (the tier read Maths only, not Break, PHSE).
    assert 0.0 < outcome.result.confidence < 1.0
    assert outcome.cost_usd == pytest.approx(CALL_COST)
    assert ledger.records[0].document_id == "d1"
    image, text = request["messages"][0]["content"]
    assert image["type"] == "image" and "Mon Maths 9:30" in text["text"]  # the OCR hint
    assert {"tier", "claude", "total"} <= outcome.timings.keys()


def test_garbage_goes_to_review_with_the_tier_answer_kept(settings, png, tier):
    ledger = InMemoryLedger()
    with StandIn("garbage") as api:
        outcome = run_cascade(png, settings=settings, reader=reader(api, settings, ledger))
        asked = api.count
    assert outcome.status == "awaiting_review" and not outcome.silver
    assert outcome.reason == "claude_failed:invalid_answer"
    assert outcome.result.tier == "classical" and outcome.result.timeblocks[0].name == "Maths"
    assert outcome.result.warnings[-1] == "awaiting review (claude_failed:invalid_answer)"
    assert asked == 2  # the answer, and the one retry with the validation error
    assert outcome.cost_usd == pytest.approx(2 * CALL_COST) == ledger.spent_today()


def test_throttling_is_retried(settings, png, tier):
    with StandIn("throttle") as api:
        outcome = run_cascade(png, settings=settings,
                              reader=reader(api, settings, InMemoryLedger()))
        asked = api.count
    assert outcome.status == "accepted_claude" and asked == 2


@pytest.mark.parametrize(
    ("mode", "options", "reason"),
    [
        ("fail", {"max_retries": 1}, "claude_failed:server_error"),
        ("hang", {"timeout_s": 0.3, "max_retries": 0}, "claude_failed:timeout"),
    ],
)
def test_an_outage_or_a_hang_goes_to_review(settings, png, tier, mode, options, reason):
    with StandIn(mode, hang_s=3.0) as api:
        outcome = run_cascade(png, settings=settings,
                              reader=reader(api, settings, InMemoryLedger(), **options))
    assert (outcome.status, outcome.reason) == ("awaiting_review", reason)
    assert outcome.result.tier == "classical" and outcome.cost_usd == 0.0


def test_a_spent_budget_goes_to_review_without_a_call(settings, png, tier):
    ledger = InMemoryLedger()
    ledger.record(model=MODEL, input_tokens=1, output_tokens=1,
                  cost_usd=settings.claude_daily_budget_usd, document_id="earlier")
    with StandIn("good") as api:
        outcome = run_cascade(png, settings=settings, reader=reader(api, settings, ledger))
        asked = api.count
    assert (outcome.status, outcome.reason) == ("awaiting_review",
                                                "claude_failed:budget_exhausted")
    assert asked == 0


def test_a_crashing_reader_still_keeps_the_document(settings, png, tier):
    class Exploding:
        def read(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("bug")

    outcome = run_cascade(png, settings=settings, reader=Exploding())  # type: ignore[arg-type]
    assert (outcome.status, outcome.reason) == ("awaiting_review", "claude_failed:api_error")
    assert outcome.result.tier == "classical"


@pytest.mark.parametrize(("confidence", "status", "reason"), [
    (0.99, "accepted", "high_confidence"),
    (0.5, "awaiting_review", "low_confidence"),
])
def test_confident_and_hopeless_documents_never_call_claude(
    settings, png, tier, confidence, status, reason
):
    tier.confidence = confidence
    with StandIn("good") as api:
        outcome = run_cascade(png, settings=settings,
                              reader=reader(api, settings, InMemoryLedger()))
        asked = api.count
    assert (outcome.status, outcome.reason, asked) == (status, reason, 0)
    assert outcome.result.tier == "classical" and outcome.cost_usd == 0.0
    assert "claude" not in outcome.timings


def _write_calibrator(settings: Settings, versions: dict[str, str]) -> None:
    # Raw 0.6 → 0.99: this tier's scores are shy; raw 0.9 → 0.999.
    calibrator = Calibrator(
        tier="classical", model_versions=versions, x=[0.2, 0.6, 0.9], y=[0.05, 0.99, 0.999],
        fitted_on=FittedOn(data="t", documents=100, fully_right=60, ids_sha256="0" * 64),
        created_at=datetime.now(UTC).isoformat(),
    )
    settings.calibration_dir.mkdir(parents=True, exist_ok=True)
    (settings.calibration_dir / "classical.json").write_text(calibrator.to_json())


def test_the_calibrated_confidence_routes_and_is_reported(settings, png, tier):
    _write_calibrator(settings, versions={})
    tier.confidence = 0.6  # raw: Claude's band; calibrated 0.99: accept
    outcome = run_cascade(png, settings=settings, reader=None)
    assert (outcome.status, outcome.calibration.source) == ("accepted", "calibrator")
    assert outcome.result.confidence == 0.99 and outcome.calibration.raw == 0.6


def test_a_calibrator_of_other_model_versions_is_not_applied(settings, png, tier):
    _write_calibrator(settings, versions={"ocr": "2"})
    tier.confidence, tier.model_versions = 0.6, {"ocr": "3"}
    outcome = run_cascade(png, settings=settings)
    assert outcome.calibration.source == "raw" and "model versions" in outcome.calibration.reason
    # Raw 0.6 is below the review threshold (calibrated it would have been accepted).
    assert (outcome.decision.confidence, outcome.status) == (0.6, "awaiting_review")


def test_a_calibrator_applies_whatever_models_it_does_not_name(settings, png, tier):
    """Fitted on document v1 results read by the unregistered base recogniser: it still applies
    once that recogniser is served from the registry."""
    _write_calibrator(settings, versions={"document": "1"})
    tier.confidence, tier.model_versions = 0.6, {"document": "1", "ocr": "2"}
    assert run_cascade(png, settings=settings).calibration.source == "calibrator"


def _write_block_calibrator(settings: Settings) -> None:
    # Raw block scores 0.5 → 0.6 and 0.95 → 0.99.
    calibrator = BlockCalibrator(
        tier="classical", model_versions={}, x=[0.5, 0.95], y=[0.6, 0.99],
        fitted_on=BlockFittedOn(data=["t"], documents=["d:0"], blocks=500, right=400),
        created_at=datetime.now(UTC).isoformat(),
    )
    settings.calibration_dir.mkdir(parents=True, exist_ok=True)
    (settings.calibration_dir / "classical-blocks.json").write_text(calibrator.to_json())


@pytest.mark.parametrize(("blocks", "status", "reason", "flagged"), [
    ([0.95, 0.96], "accepted", "blocks_confident", []),
    ([0.95, 0.5, 0.97], "awaiting_review", "low_confidence", [1]),
])
def test_a_document_is_accepted_when_every_calibrated_block_clears(
    settings, png, tier, blocks, status, reason, flagged
):
    _write_block_calibrator(settings)
    settings = settings.model_copy(update={"block_accept_threshold": 0.95})
    tier.confidence, tier.block_confidences = 0.5, blocks  # the document alone: review
    outcome = run_cascade(png, settings=settings, reader=None)
    assert (outcome.status, outcome.reason, outcome.flagged_blocks) == (status, reason, flagged)
    assert outcome.decision.block_accept_threshold == 0.95
    assert outcome.result.timeblocks[0].confidence == 0.99  # calibrated in the answer
    assert "claude" not in outcome.timings


def test_the_document_tiers_blocks_are_routed_by_their_signals(settings, png, tier):
    """A signals block calibrator (issue 18) reading the name's OCR score alone: two blocks of
    one raw confidence, the second's name read badly, are told apart."""
    calibrator = SignalsBlockCalibrator(
        tier="document-model", model_versions={"document": "1"}, features=list(FEATURES),
        mean=[0.0] * len(FEATURES), scale=[1.0] * len(FEATURES),
        coef=[float(name == "logit_ocr_name") for name in FEATURES], intercept=0.0,
        x=[0.0, 1.0], y=[0.0, 1.0],
        fitted_on=BlockFittedOn(data=["t"], documents=["d:0"], blocks=500, right=400),
        created_at=datetime.now(UTC).isoformat(),
    )
    settings.calibration_dir.mkdir(parents=True, exist_ok=True)
    (settings.calibration_dir / "document-blocks.json").write_text(calibrator.to_json())
    settings = settings.model_copy(update={"block_accept_threshold": 0.95})
    tier.confidence, tier.model_versions = 0.5, {"document": "1"}
    tier.block_confidences, tier.name_scores = [0.9, 0.9], [0.99, 0.6]
    outcome = run_cascade(png, settings=settings, reader=None)
    assert [b.confidence for b in outcome.result.timeblocks] == [0.99, 0.6]
    assert (outcome.status, outcome.flagged_blocks) == ("awaiting_review", [1])


def test_without_a_block_calibrator_blocks_do_not_route(settings, png, tier):
    settings = settings.model_copy(update={"block_accept_threshold": 0.5})
    tier.confidence, tier.block_confidences = 0.5, [0.95, 0.96]  # raw: not probabilities
    outcome = run_cascade(png, settings=settings, reader=None)
    assert (outcome.status, outcome.reason) == ("awaiting_review", "low_confidence")
    assert outcome.decision.block_accept_threshold is None and outcome.flagged_blocks == []


def test_tier_and_ocr_reach_the_pipeline(settings, png, tier):
    tier.confidence = 0.5
    run_cascade(png, settings=settings)
    run_cascade(png, settings=settings, tier="document", ocr="tesseract")
    assert tier.calls == [{"pages": 1, "ocr": None, "tier": None},
                          {"pages": 1, "ocr": "tesseract", "tier": "document"}]


def test_a_refused_document_raises_before_any_tier(settings, tier):
    with pytest.raises(InputRefused):
        run_cascade(b"not a document", settings=settings)
    assert tier.calls == []


# --- the command line, for real -----------------------------------------------------------------


def test_cli_sends_every_page_to_claude_and_keeps_the_answer_as_silver(tmp_path, sample_png):
    env = {
        **os.environ, "YOGI_ACCEPT_THRESHOLD": "1.01", "YOGI_BLOCK_ACCEPT_THRESHOLD": "1.01",
        "YOGI_REVIEW_THRESHOLD": "0", "YOGI_DATA_DIR": str(tmp_path / "state"),
        "YOGI_CLAUDE_TRACING": "false", "ANTHROPIC_API_KEY": "sk-ant-test-dummy",
    }
    env.pop("YOGI_DATABASE_URL", None)  # the store under YOGI_DATA_DIR
    with StandIn("good") as api:
        env["ANTHROPIC_BASE_URL"] = api.url
        extracted = subprocess.run([str(YOGI), "extract", str(sample_png), "--format", "json",
                                    "--tier", "classical"],
                                   capture_output=True, text=True, timeout=300, env=env)
    assert extracted.returncode == 0, extracted.stderr
    answer = TimetableData.model_validate(json.loads(extracted.stdout))
    assert answer.tier == "claude" and answer.model_versions == {"claude": MODEL}
    status = [json.loads(line) for line in extracted.stderr.splitlines()
              if line.startswith("{") and '"event": "cascade"' in line]
    assert len(status) == 1
    assert (status[0]["status"], status[0]["reason"]) == ("accepted_claude", "claude_answer")

    exported = subprocess.run([str(YOGI), "data", "labels", "--source", "silver", "--out",
                               str(tmp_path / "export")], capture_output=True, text=True,
                              timeout=120, env=env)
    assert exported.returncode == 0, exported.stderr
    manifest = json.loads((tmp_path / "export" / "manifest.json").read_text())
    [document] = manifest["documents"]
    assert (document["source"], document["author"]) == ("silver", MODEL)
    assert document["costUsd"] == pytest.approx(CALL_COST)
    label = json.loads((tmp_path / "export" / "labels" / f"{document['id']}.json").read_text())
    assert TimetableData.model_validate(label) == answer
    assert (tmp_path / "export" / document["page"]).read_bytes() == sample_png.read_bytes()
