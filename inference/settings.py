"""One typed settings object for the whole platform. Every field can be set from the
environment with the `YOGI_` prefix (e.g. `YOGI_ACCEPT_THRESHOLD=0.95`)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_MAX_MEGAPIXELS = 60.0  # also the default of a bare `load_pages` call
DEFAULT_PDF_DPI = 200
# A timetable is a page or a few; a long document is refused before anything is rendered.
DEFAULT_MAX_PAGES = 20

# The names `inference.ocr.ENGINES` and `inference.tiers.tier_names()` register (a test holds
# them equal: settings sit below both registries, so they cannot import them).
OcrEngineName = Literal["rapid", "tesseract", "model"]
TierName = Literal["auto", "classical", "document"]
# The names `inference.runtimes.RUNTIMES` registers (held equal by the same test).
OnnxRuntimeName = Literal["auto", "openvino", "onnxruntime"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YOGI_", extra="ignore")

    # Where local state lives (SQLite database, stored originals, generated data sets).
    data_dir: Path = PROJECT_ROOT / ".yogi"

    # Input guard.
    max_megapixels: float = DEFAULT_MAX_MEGAPIXELS
    max_upload_mb: float = 50.0
    pdf_dpi: int = DEFAULT_PDF_DPI
    max_pages: int = Field(DEFAULT_MAX_PAGES, ge=1)

    # Pipeline. `auto` reads pages with the document model when the registry has a champion
    # (models:/yogi-document@champion) and with the classical rules otherwise.
    # `model` reads with the registry's OCR champion (models:/yogi-ocr@champion): the shipped
    # recogniser until a fine-tune beats it on real pages (`yogi train ocr-gate`).
    ocr_engine: OcrEngineName = "model"
    ocr_alias: str = "champion"  # registry alias the `model` engine loads (e.g. challenger)
    ocr_rec_batch: int = Field(1, ge=1)  # line crops per recogniser call (see inference/ocr.py)
    # The recogniser's input is padded to at least this many pixels wide (48 high); the
    # PP-OCR default is 320, which the fine-tune was trained at.
    ocr_rec_min_width: int = Field(320, ge=16)
    # Threads per model (OCR detection, classifier, recogniser; the document
    # model's graph). None: this process's share of the cores (`model_threads`).
    onnx_threads: int | None = Field(None, ge=1)
    # What runs those ONNX graphs (`inference/runtimes.py`): `auto` is OpenVINO on a CPU that
    # computes bfloat16 (about half onnxruntime's time there), onnxruntime elsewhere.
    onnx_runtime: OnnxRuntimeName = "auto"
    tier: TierName = "auto"
    document_alias: str = "champion"  # registry alias the document tier loads (e.g. challenger)

    # Cascade routing (issue 7): accept >= accept_threshold, ask Claude between, review below.
    accept_threshold: float = Field(0.98, ge=0.0, le=1.01)
    review_threshold: float = Field(0.80, ge=0.0, le=1.01)
    # A block below this (calibrated) confidence is flagged for a reviewer (the queue counts
    # them); a document whose every block clears it is accepted (issue 18). Chosen by `yogi
    # calibrate --blocks --threshold-on real` (signals calibrator, document v1) so that the
    # unflagged blocks of the real pages fitted on are ≥ 98.5 % right, cross-fitted; 1.01
    # flags every block.
    block_accept_threshold: float = Field(0.9418, ge=0.0, le=1.01)
    # How long a reviewer's claim on a document lasts (POST /documents/{id}/claim renews it).
    review_lease_s: float = Field(900.0, gt=0)
    # Calibrators (`yogi calibrate`), one JSON per tier, versioned with the models they fit.
    calibration_dir: Path = PROJECT_ROOT / "models" / "calibration"

    # MLflow: a local SQLite store (runs, registry) with artefacts under mlruns/ unless a server
    # is named; MLflow 3 no longer accepts a bare file store by default.
    mlflow_tracking_uri: str = f"sqlite:///{PROJECT_ROOT / 'mlruns' / 'mlflow.db'}"

    # Persistence and serving (issue 6).
    database_url: str | None = None
    s3_bucket: str | None = None
    api_token: str | None = None
    s3_input_buckets: list[str] = Field(default_factory=list)  # more buckets POST /extract reads
    # AWS: an S3 upload starts this state machine (infra/statemachine/processing.asl.json)
    # instead of being extracted by the upload function itself.
    processing_state_machine_arn: str | None = None
    # The API Gateway authorizer (serving/authorizer.py) also accepts JWTs from this issuer for
    # this audience: HS256 signed with `jwt_secret`, or RS256/ES256 with a key from `jwt_jwks_url`
    # (default: the issuer's /.well-known/jwks.json). No issuer: the API token only.
    jwt_issuer: str | None = None
    jwt_audience: str = "yogi"
    jwt_secret: str | None = None
    jwt_jwks_url: str | None = None
    serve_workers: int = Field(1, ge=1)  # service processes (one extraction at a time each)
    # Reads (GET /documents, /corrections) take the API token like writes; /metrics takes its
    # own token when one is set (a scraper need not hold the API's), else the API token.
    metrics_token: str | None = None

    # Reliability (issue 22): every wait bounded, overload refused early.
    # Documents waiting for a worker's extraction slot beyond the one it runs; more → 503.
    queue_limit: int = Field(4, ge=0)
    # A duplicate upload waits this long for the first one's answer, then gets 202.
    duplicate_wait_s: float = Field(30.0, ge=0)
    # A `processing` claim is renewed every third of this while its worker lives; one not
    # renewed for this long is a dead worker's, and the document is taken over.
    claim_lease_s: float = Field(60.0, gt=0)
    # One deadline for a document's whole Claude step, retries and Retry-After waits included.
    claude_deadline_s: float = Field(60.0, gt=0)
    # The database: a connection attempt and a statement give up after these.
    db_connect_timeout_s: float = Field(5.0, gt=0)
    db_statement_timeout_s: float = Field(30.0, gt=0)

    # Claude tier (issue 7). ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL are read by the SDK itself.
    claude_model: str = "claude-sonnet-4-6"
    claude_daily_budget_usd: float = 20.0
    claude_tracing: bool = True  # every Messages API call traced into MLflow (yogi-claude)

    # The learning loop (`yogi pipeline run`, training/pipeline/).
    silver_weight: float = Field(0.5, ge=0.0, le=1.0)  # a Claude answer's loss weight vs gold 1
    gate_share: float = Field(0.3, ge=0.0, lt=1.0)  # uploaders whose gold pages the gate keeps
    replay_pages: int = Field(40, ge=0)  # synthetic pages replayed so older layouts stay known
    train_budget_s: float = Field(300.0, gt=0)  # wall-time bound of a warm-start fine-tune
    # A warm start continues the champion: a few epochs at a low rate, or it forgets the
    # layouts it knew (measured: 8 epochs at 5e-4 on 14 new pages cost 0.12 strict F1 on dev).
    train_max_epochs: int = Field(3, ge=1)
    train_lr: float = Field(2e-4, gt=0)
    # Labelled real pages (images/, labels/) the gate also scores; never trained on.
    gate_real_dir: Path | None = PROJECT_ROOT.parent / "shared" / "dev"
    # The service starts `yogi pipeline run` after this many new gold labels (0: never).
    retrain_after_gold: int = Field(0, ge=0)
    registry_poll_s: float = Field(5.0, gt=0)  # how often the service checks the champion

    # Feature store (Feast, feature_repo/): SQLite online store and parquet offline store under
    # the data dir, unless a Redis URL is named (redis://host:port/db, rediss:// for TLS); a
    # deployment names its own yaml (feature_repo/feature_store.production.yaml).
    redis_url: str | None = None
    feast_config: Path | None = None
    feast_offline_uri: str | None = None  # where the offline parquet files live (s3://… too)
    # Redis socket timeout: a slow or absent store costs a document this much, never a failure.
    feature_timeout_s: float = Field(0.05, gt=0)

    @property
    def pipeline_dir(self) -> Path:
        """Each pipeline run's working folder (`<pipeline_dir>/<run id>/`)."""
        return self.data_dir / "pipeline"

    @property
    def feast_dir(self) -> Path:
        """The local feature store: registry, SQLite online store, offline parquet files."""
        return self.data_dir / "feast"

    @property
    def model_threads(self) -> int:
        """Threads each model runs with: `onnx_threads`, else the cores this process may use
        shared among the service's workers. One extraction runs at a time per process, so the
        CLI and a lone worker use every core (a page's recognition 1.46x faster on two), and
        two workers one core each, rather than four threads fighting over two cores."""
        if self.onnx_threads is not None:
            return self.onnx_threads
        return max(1, len(os.sched_getaffinity(0)) // self.serve_workers)

    @property
    def model_cache_dir(self) -> Path:
        """Where registry artefacts are downloaded once (`inference/model_store.py`)."""
        return self.data_dir / "models"

    @property
    def compiled_cache_dir(self) -> Path:
        """Where a runtime keeps the graphs it compiled (OpenVINO's model cache), so a new
        process loads them instead of compiling them again."""
        return self.model_cache_dir / "compiled"


@lru_cache
def get_settings() -> Settings:
    return Settings()
