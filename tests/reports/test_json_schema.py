"""check --json and verify --json: one versioned document, every field documented in docs/json.md."""

import json
from pathlib import Path

from tcpverify.spec.cli import main
from tcpverify.spec.reports.build import SCHEMA

DOC = (Path(__file__).parents[2] / "docs" / "json.md").read_text(encoding="utf-8")


def keys(x) -> set[str]:
    if isinstance(x, dict):
        return set(x) | {k for v in x.values() for k in keys(v)}
    if isinstance(x, list):
        return {k for v in x for k in keys(v)}
    return set()


def check_json(capsys, *args) -> dict:
    main(["check", *args, "--json"])
    return json.loads(capsys.readouterr().out)


def test_check_json_is_the_versioned_document_with_one_run(capsys):
    doc = check_json(capsys, "normal", "--loss", "1", "--variant", "no-time-wait")
    assert doc["schema"] == SCHEMA and doc["status"] == "VIOLATED"
    (run,) = doc["runs"]
    assert (run["scenario"], run["configuration"], run["variant"]) == ("normal", "loss 1", "no-time-wait")
    steps = next(p for p in run["properties"] if p["name"] == "graceful")["counterexample"]["steps"]
    assert all(set(s) == set(steps[0]) for s in steps)  # every step has every field


def test_every_field_is_documented(capsys):
    # a finite counterexample, a lasso (loop_start), an n/a property, losses explored
    docs = [check_json(capsys, "normal", "--loss", "1", "--variant", "no-time-wait"),
            check_json(capsys, "simultaneous-close", "--loss", "inf", "--retries", "inf",
                       "--variant", "no-simultaneous-close"),
            check_json(capsys, "abort", "--loss", "1")]
    assert any(p.get("counterexample", {}).get("loop_start") is not None
               for d in docs for p in d["runs"][0]["properties"])
    fields = set().union(*map(keys, docs)) - {"A->B", "B->A"}
    fields -= set().union(*(d["runs"][0]["losses_explored"] for d in docs))
    fields -= set().union(*(d["runs"][0]["skipped"] for d in docs))
    assert f"`{SCHEMA}`" in DOC.splitlines()[0]  # the page documents this version
    assert {f for f in fields if f"`{f}`" not in DOC} == set()
