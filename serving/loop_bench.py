"""`yogi bench loop`: the learning loop measured end to end, through the running service.

In a throw-away data folder and registry (the committed releases registered as champions):
1. generate `uploads + heldout` pages of one data-engine family (`yogi data synth --family`);
2. score the champion on the held-out pages and on the dev pages (`yogi eval`);
3. start `yogi serve` with the retraining trigger at `uploads` gold labels, upload each page
   (POST /extract) and correct it with its gold label (PUT /documents/{id}/timetable);
4. the last correction starts `yogi pipeline run` from the service; wait for it to end;
5. if it promoted a model, ask the running service until an answer names the new version
   (the wall time from the last correction to that answer is the loop's latency);
6. score the champion again on the same pages, and the alignment agreement of the uploads
   (`yogi train align-check`: targets from the contract label alone vs the layout labels).
The training side is driven through the `yogi` command line, as a user would.

`silver=True` is the same loop with Claude's answers instead of a reviewer's: every page is
routed to Claude (thresholds 1.01 / 0), the local Messages-API stand-in answers each page's
gold, the service keeps the answers as silver labels, and the pipeline is run by hand (the
automatic trigger counts reviewers' corrections only).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from serving.bench import ManagedServer, unique_copy
from serving.claude_standin import StandIn

TOKEN = "loop-bench-token"


def _yogi(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(Path(sys.executable).with_name("yogi")), *args],
                          env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"yogi {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def _score(env: dict[str, str], images: Path, labels: Path, out: Path) -> dict:
    _yogi(env, "eval", str(images), str(labels), "--json", str(out))
    micro = json.loads(out.read_text())
    return {"micro": micro["micro"], "meanStrictF1": micro["meanStrictF1"],
            "documents": {k: v["strictF1"] for k, v in micro["documents"].items()}}


def _split(generated: Path, uploads: int, work: Path) -> tuple[list[str], Path]:
    """The first `uploads` documents are uploaded; the rest form the held-out set."""
    ids = sorted(p.stem for p in (generated / "labels").glob("*.json"))
    heldout = work / "heldout"
    for folder in ("pages", "labels"):
        (heldout / folder).mkdir(parents=True, exist_ok=True)
    for doc in ids[uploads:]:
        shutil.copy2(generated / "pages" / f"{doc}.png", heldout / "pages" / f"{doc}.png")
        shutil.copy2(generated / "labels" / f"{doc}.json", heldout / "labels" / f"{doc}.json")
    return ids[:uploads], heldout


def _pipeline_result(state: Path, timeout_s: float) -> dict:
    """Wait for the run the service triggered to end; its last JSON line."""
    from inference.run_lock import alive

    deadline = time.monotonic() + timeout_s
    mark, logs = state / "pipeline" / "trigger.json", state / "pipeline" / "logs"
    while not mark.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the service never started a pipeline run")
        time.sleep(1)
    pid = json.loads(mark.read_text())["pid"]
    while alive(pid):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the pipeline run (pid {pid}) did not end in {timeout_s:g} s")
        time.sleep(2)
    log = max(logs.glob("triggered-*.log"), key=lambda p: p.stat().st_mtime)
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


def _champion(env: dict[str, str], name: str) -> str:
    rows = json.loads(_yogi(env, "models", "list", "--json"))
    return next(r["version"] for r in rows if r["name"] == name and "champion" in r["aliases"])


def run_loop_bench(family: str, uploads: int, heldout: int, seed: int, budget_s: float,
                   replay_pages: int, dev: Path | None, out: Path,
                   timeout_s: float = 3600.0, measure: bool = True,
                   work: Path | None = None, silver: bool = False) -> dict:
    """The loop as the module says; `measure=False` keeps only what the loop itself does
    (upload, correct, train, promote or not, serve), without the scores around it."""
    work = work or Path(tempfile.mkdtemp(prefix="yogi-loop-"))
    state = work / "state"
    env = {"YOGI_DATA_DIR": str(state),
           "YOGI_MLFLOW_TRACKING_URI": f"sqlite:///{work / 'mlflow.db'}",
           "YOGI_REPLAY_PAGES": str(replay_pages), "YOGI_TRAIN_BUDGET_S": str(budget_s),
           "YOGI_GATE_REAL_DIR": str(dev or work / "no-dev")}
    report: dict = {"family": family, "labels": "silver" if silver else "gold",
                    "uploads": uploads, "heldout": heldout, "seed": seed,
                    "budgetS": budget_s, "replayPages": replay_pages, "work": str(work)}
    _yogi(env, "models", "register")
    generated = work / "generated"
    _yogi(env, "data", "synth", "--n", str(uploads + heldout), "--seed", str(seed),
          "--family", family, "--out", str(generated), "--no-mlflow")
    uploaded, held = _split(generated, uploads, work)
    if measure:
        report["before"] = _score(env, held / "pages", held / "labels", work / "before.json")
    if dev and measure:
        report["devBefore"] = _score(env, dev / "images", dev / "labels",
                                     work / "dev-before.json")

    claude = StandIn("good").start() if silver else None
    routing = ({"ANTHROPIC_BASE_URL": claude.url, "ANTHROPIC_API_KEY": "sk-standin",
                "YOGI_ACCEPT_THRESHOLD": "1.01", "YOGI_REVIEW_THRESHOLD": "0"} if claude
               else {"YOGI_RETRAIN_AFTER_GOLD": str(uploads)})
    server = ManagedServer({**env, **routing, "YOGI_API_TOKEN": TOKEN,
                            "YOGI_REGISTRY_POLL_S": "2"})
    try:
        server.wait_ready()
        auth = {"Authorization": f"Bearer {TOKEN}", "X-Reviewer": "loop-bench"}
        with httpx.Client(base_url=server.url, timeout=600) as client:
            for doc in uploaded:
                page = generated / "pages" / f"{doc}.png"
                label = (generated / "labels" / f"{doc}.json").read_text()
                if claude:
                    claude.answer = json.loads(label)
                answer = client.post("/extract", files={"file": (page.name, page.read_bytes(),
                                                                 "image/png")})
                answer.raise_for_status()
                if not claude:
                    client.put(f"/documents/{answer.json()['documentId']}/timetable",
                               content=label,
                               headers={**auth, "Content-Type": "application/json"}
                               ).raise_for_status()
            last_correction = time.monotonic()
            if claude:
                lines = _yogi(env, "pipeline", "run", "--trigger", "silver-labels")
                result = json.loads(lines.strip().splitlines()[-1])
            else:
                result = _pipeline_result(state, timeout_s)
            report["pipeline"] = result
            report["pipelineS"] = round(time.monotonic() - last_correction, 1)
            served = _champion(env, "yogi-document")
            report["documentPromoted"] = served != "1"  # the committed release is v1
            if report["documentPromoted"]:
                wanted = served
                probe = (held / "pages" / sorted(os.listdir(held / "pages"))[0]).read_bytes()
                for n in itertools.count():
                    answer = client.post("/extract", files={"file": (
                        "probe.png", unique_copy(probe, n, "loop"), "image/png")})
                    versions = answer.json().get("result", {}).get("modelVersions", {})
                    if versions.get("document") == wanted:
                        break
                    if time.monotonic() - last_correction > timeout_s:
                        raise TimeoutError("the service never answered with the new model")
                    time.sleep(1)
                report["correctionToServedS"] = round(time.monotonic() - last_correction, 1)
    finally:
        server.stop()
        if claude:
            claude.stop()

    report["registry"] = json.loads(_yogi(env, "models", "list", "--json"))
    if measure:
        _measure_after(report, env, work, generated, uploaded, held, dev)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    return report


def _measure_after(report: dict, env: dict[str, str], work: Path, generated: Path,
                   uploaded: list[str], held: Path, dev: Path | None) -> None:
    report["after"] = _score(env, held / "pages", held / "labels", work / "after.json")
    if dev:
        report["devAfter"] = _score(env, dev / "images", dev / "labels",
                                    work / "dev-after.json")
    uploads_set = work / "uploaded"
    for folder in ("pages", "labels", "layout"):
        (uploads_set / folder).mkdir(parents=True, exist_ok=True)
        for doc in uploaded:
            for path in (generated / folder).glob(f"{doc}.*"):
                if path.suffix != ".pdf":
                    shutil.copy2(path, uploads_set / folder / path.name)
    _yogi(env, "train", "document-prepare", "--data", str(uploads_set), "--workers", "1")
    _yogi(env, "train", "align-check", "--data", str(uploads_set), "--out",
          str(work / "align.json"))
    report["alignment"] = json.loads((work / "align.json").read_text())
