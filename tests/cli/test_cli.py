"""The command line, through spec.cli.main and through the installed console script."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from ci_suites import use_small_suite

from tcpverify.spec.cli import main
from tcpverify.spec.reports.build import FROM_RUNS
from tcpverify.spec.tcp.machine import build_graph
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.world.config import DEFAULT_CONFIGS, GAP_SCENARIOS, SCENARIOS
from tcpverify.spec.world.environment import NAMES
from tcpverify.spec.world.properties import OLD_SYN_REFUSES, PROPERTY_NAMES


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def script():
    """The tcpverify console script of the environment running the tests."""
    found = shutil.which("tcpverify", path=os.path.dirname(sys.executable)) or shutil.which("tcpverify")
    assert found, "the tcpverify console script is not installed"
    return found


# ------------------------------------------------------------------ exit codes

def test_a_verified_check_exits_0(capsys):
    code, out, err = cli(capsys, "check", "normal", "--loss", "1")
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "scenario normal (loss 1): VERIFIED"
    unforged = {"blind-reset-resistance": "no forged segments (--forge 0)",
                "old-duplicates-harmless": "no old duplicates (--stale 0)",
                "no-rst-for-rst": "no old or forged segments (--stale 0, --forge 0)",
                "challenge-ack": "no forged segments (--forge 0)", "abort-reset": "no application aborts"}
    for p in PROPERTY_NAMES:
        if p in unforged:
            assert f"n/a        {p}: {unforged[p]}" in out
        else:
            assert re.search(rf"^  VERIFIED +{p}\b", out, re.M), p
    assert "losses explored" in out and "final ACK" in out


def test_a_property_whose_witness_is_never_reached_is_vacuous_and_says_which_states(capsys):
    code, out, _ = cli(capsys, "check", "abort")  # both reset: neither reaches TIME-WAIT
    assert "  VACUOUS    time-wait-role: never reached: an endpoint in TIME-WAIT" in out
    assert out.splitlines()[0] == "scenario abort (loss 0): VACUOUS" and code == 3


def test_a_violation_exits_1_and_prints_the_counterexample_as_numbered_steps(capsys):
    code, out, err = cli(capsys, "check", "normal", "--loss", "1", "--variant", "no-time-wait")
    assert code == 1 and err == ""
    assert out.splitlines()[0] == "scenario normal (loss 1, variant no-time-wait): VIOLATED"
    assert re.search(r"^  VIOLATED +graceful: A sent <SEQ=ISS_A\+2><CTL=RST> "
                     r"\(counterexample of 12 steps\)$", out, re.M)
    trace = out[out.index("Counterexample for graceful"):].splitlines()[1:]
    steps = [line for line in trace if re.match(r"^ *\d+\. ", line)]
    assert [int(s.split(".")[0]) for s in steps] == list(range(13))
    assert steps[0].strip() == "0. initial state"
    assert steps[1].strip() == "1. A: ActiveOpenInClosed  on OPEN (active)  sends <SEQ=ISS_A><CTL=SYN>"
    assert "net: Lose A->B <SEQ=ISS_A+2><ACK=ISS_B+2><CTL=ACK>" in steps[10]
    assert steps[12].strip() == ("12. A: RcvSegmentInClosed  receives <SEQ=ISS_B+1><ACK=ISS_A+2>"
                                 "<CTL=FIN,ACK>  sends <SEQ=ISS_A+2><CTL=RST>")
    # each step is followed by both TCBs
    for k, line in enumerate(trace[:39]):
        if k % 3 == 1:
            assert line.lstrip().startswith("A "), line
        elif k % 3 == 2:
            assert line.lstrip().startswith("B "), line
    assert trace[trace.index(steps[12]) + 2].split() == [
        "B", "LAST-ACK", "ISS=ISS_B", "IRS=ISS_A", "SND.UNA=ISS_B+1", "SND.NXT=ISS_B+2",
        "RCV.NXT=ISS_A+2"]


def test_a_lasso_says_where_its_loop_starts(capsys):
    code, out, _ = cli(capsys, "check", "simultaneous-close", "--loss", "inf", "--retries", "inf",
                       "--variant", "no-simultaneous-close")
    assert code == 1
    assert "  7. A: RcvFinInFinWait1" in out and "<- the loop starts here" in out
    assert "... and back to step 7, for ever" in out


def test_a_state_limit_exits_3_and_is_never_verified(capsys):
    code, out, _ = cli(capsys, "check", "normal", "--loss", "1", "--max-states", "10")
    assert code == 3
    assert out.splitlines()[0] == "scenario normal (loss 1): INCOMPLETE"
    assert "limit hit: state limit 10 reached" in out
    assert "VERIFIED" not in out


def test_a_channel_capacity_limit_exits_3(capsys):
    code, out, _ = cli(capsys, "check", "half-close", "--loss", "1", "--dup", "1", "--reorder",
                       "--capacity", "1")
    assert code == 3 and "limit hit: channel capacity 1 exceeded" in out


# ------------------------------------------------------------------ JSON

def test_check_json_parses_and_carries_the_verdicts(capsys):
    code, out, _ = cli(capsys, "check", "normal", "--stale", "1", "--variant", "two-way-handshake",
                       "--json")
    assert code == 1
    top = json.loads(out)
    assert (top["schema"], top["status"]) == ("tcpverify/verification/2", "VIOLATED")
    (doc,) = top["runs"]
    assert (doc["scenario"], doc["configuration"], doc["variant"], doc["status"]) == \
        ("normal", "loss 0, stale 1", "two-way-handshake", "VIOLATED")
    props = {p["name"]: p for p in doc["properties"]}
    assert set(props) == set(PROPERTY_NAMES) - set(doc["skipped"])
    assert doc["skipped"] == {
        "graceful": OLD_SYN_REFUSES,
        "blind-reset-resistance": "no forged segments (--forge 0)",
        "bounded-retransmission": "no segment is lost and the timers wait for a quiet network: the "
                                  "bound is met through losses",
        "challenge-ack": "no forged segments (--forge 0)",
        "abort-reset": "no application aborts"}
    sync = props["synchronization"]
    assert sync["status"] == "VIOLATED" and sync["counterexample"]["length"] == 2
    steps = sync["counterexample"]["steps"]
    assert [s["action"] for s in steps] == ["Init", "OldDuplicateArrives(SYN)", "RcvSynInListen"]
    assert steps[2]["b"]["state"] == "ESTABLISHED" and steps[2]["b"]["irs"] == "OLDSEQ1"
    loop = props["close-completion"]["counterexample"]
    assert (loop["length"], loop["loop_start"]) == (8, 6)
    assert props["ack-validity"]["status"] == "VERIFIED" and "counterexample" not in props["ack-validity"]


def test_check_json_of_a_verified_run(capsys):
    code, out, _ = cli(capsys, "check", "normal", "--loss", "1", "--json")
    (doc,) = json.loads(out)["runs"]
    assert code == 0 and doc["status"] == "VERIFIED" and doc["limits"] == []
    assert all(p["status"] == "VERIFIED" for p in doc["properties"])
    assert {"SYN", "SYN-ACK", "third ACK", "FIN", "final ACK"} <= set(doc["losses_explored"])


def test_check_judges_graceful_where_the_network_duplicates_and_reorders(capsys):
    """A RST that answers a late segment is allowed (spec/world/late.py), so graceful is checked
    there: VERIFIED on the RFC model, VIOLATED by the variant without TIME-WAIT."""
    flags = ("--loss", "1", "--dup", "1", "--reorder")
    code, out, _ = cli(capsys, "check", "normal", *flags)
    assert code == 0 and "  VERIFIED   graceful  (witness: both endpoints closed" in out
    code, out, _ = cli(capsys, "check", "normal", *flags, "--variant", "no-time-wait")
    assert code == 1
    assert "  VIOLATED   graceful: A sent <SEQ=ISS_A+2><CTL=RST> (counterexample of 9 steps)" in out

@pytest.mark.slow
def test_verify_exits_3_when_a_state_limit_is_hit(capsys, tmp_path):
    code, out, _ = cli(capsys, "verify", "--max-states", "20", "--reports", str(tmp_path))
    assert code == 3
    assert "overall: INCOMPLETE" in out
    doc = json.loads((tmp_path / "verification.json").read_text(encoding="utf-8"))
    assert doc["status"] == "INCOMPLETE"
    # the runs within 20 states end complete: connect-to-closed-port's is VACUOUS, graceful
    # under early rto VIOLATED (both departures.tsv expects)
    assert {r["status"] for r in doc["runs"]} == {"VERIFIED", "INCOMPLETE", "VACUOUS", "VIOLATED"}


@pytest.mark.slow
def test_verify_writes_reports_where_asked_and_with_json_only_when_asked(capsys, tmp_path, monkeypatch):
    use_small_suite(monkeypatch)
    monkeypatch.chdir(tmp_path)
    # abort's time-wait-role is VACUOUS, as spec/suite/departures.tsv expects: exit 0, VERIFIED
    assert main(["verify", "--json", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "VERIFIED"
    assert list(tmp_path.iterdir()) == []  # no ./reports/ unasked
    assert main(["verify", "--json", "--quiet", "--reports", "elsewhere"]) == 0
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == sorted(FROM_RUNS)
    assert main(["verify", "--quiet"]) == 0  # the default: ./reports/, and the table says so
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == sorted(FROM_RUNS)
    assert "written to reports/verification.md and reports/verification.json" in capsys.readouterr().out


# ------------------------------------------------------------------ graph and list

def every_edge():
    return list(build_graph().edges(keys=True))


def test_graph_json_lists_every_edge(capsys):
    code, out, _ = cli(capsys, "graph", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert sorted((e["source"], e["target"], e["name"]) for e in doc["edges"]) == sorted(every_edge())
    assert all(e["event"] and e["rfc"] and e["action"] for e in doc["edges"])
    assert len(doc["states"]) == 11


def test_graph_dot_is_well_formed_and_lists_every_edge(capsys):
    code, out, _ = cli(capsys, "graph", "--format", "dot")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "digraph tcp {" and lines[-1] == "}"
    assert out.count("{") == out.count("}") and out.count('"') % 2 == 0
    drawn = set(re.findall(r'^  "([^"]+)" -> "([^"]+)" \[label="(\w+)\\n', out, re.M))
    stays = {(s, s, k) for s, names in re.findall(r"^  // (\S+) stays \1 on: (.*)$", out, re.M)
             for k in names.split(", ")}
    assert drawn | stays == set(every_edge()) and not drawn & stays
    assert all(line.endswith(";") or line.startswith("  //") for line in lines[1:-1])


def test_graph_mermaid_is_well_formed_and_lists_every_edge(capsys):
    code, out, _ = cli(capsys, "graph", "--format", "mermaid")
    lines = out.splitlines()
    assert code == 0 and lines[:2] == ["stateDiagram-v2", "    [*] --> CLOSED"]
    named = {(u, v, k) for u, v, names in re.findall(r"^    %% (\S+) -> (\S+): (.*)$", out, re.M)
             for k in names.split(", ")}
    stays = {(s, s, k) for s, names in re.findall(r"^    %% (\S+) stays \1 on: (.*)$", out, re.M)
             for k in names.split(", ")}
    assert named | stays == set(every_edge()) and not named & stays
    arcs = re.findall(r"^    (\w+) --> (\w+)(?:: (.+))?$", out, re.M)
    # two lines of head, the second CLOSED, the arcs, the note of the aborts, the comments
    assert len(lines) == 2 + 1 + len(arcs) + 1 + len(re.findall(r"^    %%", out, re.M))


def test_graph_of_a_variant_shows_its_change(capsys):
    _, plain, _ = cli(capsys, "graph", "--format", "json")
    _, variant, _ = cli(capsys, "graph", "--format", "json", "--variant", "no-time-wait")

    def target(doc, name):
        return next(e["target"] for e in json.loads(doc)["edges"] if e["name"] == name)

    assert target(plain, "RcvFinInFinWait2") == "TIME-WAIT"
    assert target(variant, "RcvFinInFinWait2") == "CLOSED"


def test_list_names_every_scenario_variant_property_and_configuration(capsys):
    code, out, _ = cli(capsys, "list")
    assert code == 0
    sections = re.split(r"^(\w[\w ()]*):$", out, flags=re.M)[1:]
    listed = {sections[k]: [line.split()[0] for line in sections[k + 1].strip("\n").splitlines()]
              for k in range(0, len(sections), 2)}
    assert listed["scenarios"] == list(SCENARIOS)
    assert listed["gap scenarios (outside the default suite)"] == list(GAP_SCENARIOS)
    assert listed["variants"] == list(VARIANTS)
    assert listed["properties"] == list(PROPERTY_NAMES)
    assert len(listed["configurations (the default suite)"]) == len(DEFAULT_CONFIGS)
    assert listed["environment actions (applications and timers and the network)"] == list(NAMES)
    assert listed["verdicts (exit code of a run that has it as its worst)"] == \
        ["VERIFIED", "VIOLATED", "INCOMPLETE", "VACUOUS"]
    assert re.search(r"^  VACUOUS +3: holds only because", out, re.M)
    for line in out.splitlines():
        if line.startswith("  "):
            assert len(line.split()) >= 2, f"no description: {line}"


# ------------------------------------------------------------------ reports are deterministic

@pytest.mark.slow
def test_verify_json_and_reports_are_the_same_bytes_whatever_the_hash_seed(tmp_path):
    seeds = ("1", "4242")
    runs = [subprocess.Popen([script(), "verify", "--json", "--reports", str(tmp_path / seed)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}) for seed in seeds]
    produced = []
    for seed, p in zip(seeds, runs):
        out, err = p.communicate(timeout=300)
        folder = tmp_path / seed
        assert p.returncode == 0, err
        assert out == (folder / "verification.json").read_text(encoding="utf-8")
        assert err == ""  # progress goes to a terminal only
        produced.append({name: (folder / name).read_bytes()
                         for name in ("verification.md", "verification.json")})
    assert produced[0] == produced[1]
    doc = json.loads(produced[0]["verification.json"])
    # every verdict but VERIFIED is a departure spec/suite/departures.tsv expects (exit 0)
    assert doc["status"] == "VERIFIED"
    assert [(r["scenario"], r["configuration"]) for r in doc["runs"]] == \
        [(s, c.name) for s in SCENARIOS for c in DEFAULT_CONFIGS]
    assert {r["status"] for r in doc["runs"]} == {"VERIFIED", "VACUOUS", "VIOLATED"}
    assert "| normal | loss 1 | VERIFIED |" in produced[0]["verification.md"].decode()


def test_verify_fail_fast_goes_past_a_departure_the_suite_expects():
    """departures.tsv expects graceful VIOLATED for normal when timers may expire early: a run
    plain verify accepts is not where --fail-fast stops."""
    from tcpverify.checker.status import Status
    from tcpverify.spec.cli.verify import unexcused
    from tcpverify.spec.suite.run import check_scenario
    (early,) = [c for c in DEFAULT_CONFIGS if c.early_rto]
    outcome = check_scenario(SCENARIOS["normal"], early)
    assert outcome.verdict("graceful").status == Status.VIOLATED
    assert unexcused(outcome) == (Status.VERIFIED, [])


def test_verify_fail_fast_stops_at_the_first_run_that_is_not_verified(capsys, monkeypatch):
    """A wrong model (here the variant ack-not-incremented, as if written into the graph) is
    judged on its first failing run; a search cut short is never VERIFIED either."""
    from tcpverify.spec.suite import run
    from tcpverify.spec.tcp.variants import VARIANTS
    (scenario, config, _), *rest = run.default_runs()
    code, out, _ = cli(capsys, "verify", "--fail-fast", "--quiet", "--max-states", "10")
    assert (code, out.startswith(f"{scenario.name} under {config.name}: INCOMPLETE (")) == (3, True)
    assert out.endswith(f"); run 1 of {len(rest) + 1}, the rest not checked\n")
    graph = run.build_graph
    monkeypatch.setattr(run, "build_graph", lambda: VARIANTS["ack-not-incremented"].apply(graph()))
    code, out, _ = cli(capsys, "verify", "--fail-fast", "--quiet")
    assert code == 1 and out.startswith(f"{scenario.name} under {config.name}: VIOLATED (")
