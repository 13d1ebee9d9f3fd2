"""Edge coverage: the default suite fires every edge of the graph but those whose reason the
spec gives (machine.NEVER_FIRES), and verify and check --coverage report it."""

from __future__ import annotations

import json

import pytest

from ci_suites import use_small_suite
from tcpverify.spec.cli import main
from tcpverify.spec.suite.coverage import coverage
from tcpverify.spec.suite.run import default_runs, run_all
from tcpverify.spec.tcp.machine import NEVER_FIRES, build_graph
from tcpverify.spec.world.config import SCENARIOS, Config

EDGES = {name for _, _, name in build_graph().edges(keys=True)}


@pytest.fixture(scope="module")
def suite_outcomes():
    return run_all(default_runs())


@pytest.mark.slow
def test_the_default_suite_fires_every_edge_the_spec_gives_no_reason_for(suite_outcomes):
    covered = coverage(suite_outcomes)
    assert covered.unexplained == []
    assert covered.as_dict()["edges_total"] == len(EDGES)


@pytest.mark.slow
def test_an_edge_said_never_to_fire_never_fires(suite_outcomes):
    fired = coverage(suite_outcomes).fired
    assert set(NEVER_FIRES) <= EDGES
    assert {e: fired[e] for e in NEVER_FIRES if fired[e]} == {}


def test_a_suite_without_a_scenario_leaves_its_edges_unexplained():
    """What makes CI fail: the only scenario that aborts in CLOSING and LAST-ACK left out."""
    runs = [(SCENARIOS[s], c, None) for s in ("normal", "simultaneous-close")
            for c in (Config(), Config(loss=1))]
    gaps = coverage(run_all(runs)).unexplained
    assert {"AbortInClosing", "AbortInLastAck", "GiveUpInClosing"} <= set(gaps)
    assert not set(gaps) & set(NEVER_FIRES)


@pytest.mark.slow
def test_verify_json_carries_the_coverage(capsys, monkeypatch, tmp_path):
    use_small_suite(monkeypatch)
    main(["verify", "--json", "--quiet", "--reports", str(tmp_path)])
    doc = json.loads(capsys.readouterr().out)
    cov = doc["coverage"]
    assert cov["edges_total"] == len(EDGES)
    unfired = {u["edge"]: u["reason"] for u in cov["unfired"]}
    assert cov["edges_fired"] == len(EDGES) - len(unfired)
    assert "RcvSynInListen" not in unfired and unfired["AbortInClosing"] == ""
    assert unfired["DropInListen"] == NEVER_FIRES["DropInListen"]


def test_check_coverage_counts_each_edge_of_one_run(capsys):
    assert main(["check", "normal", "--coverage", "--quiet"]) == 0
    out = capsys.readouterr().out
    counts = {line.split()[0]: int(line.split()[1]) for line in out.splitlines()
              if line.startswith("  ") and len(line.split()) == 2 and line.split()[0] in EDGES}
    assert counts["RcvSynInListen"] == 1 and counts["PassiveOpenInClosed"] == 1
    assert f"edge coverage: {len(counts)} of {len(EDGES)} edges fired" in out
    assert "  never fired: AbortInClosing: not in this run" in out
