"""The whole learning loop, small: pages uploaded to the running service and corrected through
PUT /documents/{id}/timetable start the training pipeline from the service; it trains, gates
and registers a new version as champion (then the service answers with it) or as challenger
with the gate's reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from serving.loop_bench import run_loop_bench


@pytest.mark.slow
def test_corrections_through_the_service_end_in_a_gated_registered_model(tmp_path: Path
                                                                         ) -> None:
    report = run_loop_bench("mixed", uploads=2, heldout=1, seed=11, budget_s=5,
                            replay_pages=2, dev=None, out=tmp_path / "loop.json",
                            timeout_s=900, measure=False,
                            work=tmp_path / "work")
    result = report["pipeline"]
    assert set(result) == {"promoted", "reason", "versions"} and result["reason"]
    new = [row for row in report["registry"] if row["name"] == "yogi-document"
           and row["version"] == result["versions"]["document"]]
    assert new and new[0]["version"] == "2" and new[0]["reason"] in result["reason"]
    # Each tier's new version is champion or challenger on its own gate's verdict; the run
    # "promoted" when any tier was.
    assert new[0]["aliases"] == (["champion"] if report["documentPromoted"] else ["challenger"])
    champions = [row for row in report["registry"] if "champion" in row["aliases"]
                 and row["source"] == "pipeline"]
    assert result["promoted"] == bool(champions)
    if report["documentPromoted"]:
        assert report["correctionToServedS"] > 0  # the running service answered with it
