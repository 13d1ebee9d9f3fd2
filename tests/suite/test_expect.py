"""verify --expect / --write-expect: verdicts compared with a committed expectation file."""

import filecmp
from pathlib import Path

import pytest
from ci_suites import change_spec, use_small_suite

from tcpverify.checker.status import Status
from tcpverify.spec.cli import main
from tcpverify.spec.reports.build import FROM_RUNS
from tcpverify.spec.suite import expect
from tcpverify.spec.world.config import DEFAULT_CONFIGS, SCENARIOS, Config
from tcpverify.spec.world.properties import PROPERTY_NAMES

ROOT = Path(__file__).parents[2]
EXPECTED = ROOT / "tests" / "data" / "expected-verdicts.tsv"


def verify(tmp_path, *args) -> int:
    return main(["verify", "--quiet", "--reports", str(tmp_path / "reports"), *args])


@pytest.mark.slow
def test_the_committed_expectations_and_reports_hold(tmp_path, capsys):
    """The default suite and the variants' known verdicts (docs/findings.md)."""
    assert verify(tmp_path, "--expect", str(EXPECTED)) == 0
    assert "unexpected" not in capsys.readouterr().err
    rows = EXPECTED.read_text(encoding="utf-8").splitlines()
    assert "normal\tloss 1\tno-time-wait\tgraceful\tVIOLATED" in rows
    assert "normal\tloss 0, forge 1\tno-challenge-ack\tblind-reset-resistance\tVIOLATED" in rows
    assert "normal\tloss 0, forge 1\t-\tblind-reset-resistance\tVERIFIED" in rows
    assert "normal\tloss 0, stale 1\ttwo-way-handshake\tsynchronization\tVIOLATED" in rows
    assert "normal\tloss 1\t-\tgraceful\tVERIFIED" in rows
    for name in FROM_RUNS:
        assert filecmp.cmp(tmp_path / "reports" / name, ROOT / "reports" / name, shallow=False), name


@pytest.mark.slow
def test_a_changed_spec_fails_naming_each_difference(tmp_path, monkeypatch, capsys):
    use_small_suite(monkeypatch)
    expected = tmp_path / "expected.tsv"
    assert verify(tmp_path, "--write-expect", str(expected)) == 0
    assert verify(tmp_path, "--expect", str(expected)) == 0
    capsys.readouterr()
    change_spec(monkeypatch, "no-time-wait")
    assert verify(tmp_path, "--expect", str(expected)) == 1
    err = capsys.readouterr().err.splitlines()
    # Without TIME-WAIT a lost final ACK is answered by RST, and no state in TIME-WAIT
    # is reached, so time-wait-role holds vacuously.
    assert err == [
        "unexpected: normal | loss 0 | - | time-wait-role: expected VERIFIED, got VACUOUS",
        "unexpected: normal | loss 1 | - | graceful: expected VERIFIED, got VIOLATED",
        "unexpected: normal | loss 1 | - | time-wait-role: expected VERIFIED, got VACUOUS",
        f"3 verdict(s) differ from {expected}"]


@pytest.mark.slow
def test_missing_and_unlisted_runs_are_differences(tmp_path, monkeypatch, capsys):
    use_small_suite(monkeypatch)
    expected = tmp_path / "expected.tsv"
    verify(tmp_path, "--write-expect", str(expected), "--variant", "no-time-wait:loss 1")
    lines = expected.read_text(encoding="utf-8").splitlines()
    dropped = "normal\tloss 0\t-\tclose-completion\tVERIFIED"
    assert dropped in lines
    lines.remove(dropped)
    lines.append("normal\tloss 0\tno-such-variant\tgraceful\tVIOLATED")
    expected.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    # The variant runs the file names are checked too, without --variant.
    assert verify(tmp_path, "--expect", str(expected)) == 1
    assert capsys.readouterr().err.splitlines()[:-1] == [
        "unexpected: normal | loss 0 | - | close-completion: got VERIFIED, not in the expectation file",
        "unexpected: normal | loss 0 | no-such-variant | graceful: expected VIOLATED, not checked"]


def test_bad_expectation_input_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.tsv"
    bad.write_text("scenario\tconfiguration\tvariant\tproperty\tverdict\nnormal\tloss 0\t-\tgraceful\tOK\n", encoding="utf-8")
    for args in (["--expect", str(bad)], ["--expect", str(tmp_path / "none.tsv")],
                 ["--variant", "no-such"], ["--variant", "no-time-wait:loss nine"],
                 ["--variant", "no-time-wait:dup 1"]):
        assert verify(tmp_path, *args) == 2
        err = capsys.readouterr().err
        assert err.startswith("tcpverify: error: ") and err.count("\n") == 1, err


def test_configuration_names_read_back():
    for c in DEFAULT_CONFIGS + (Config(forge=1), Config(capacity=3, window=2, retries=0)):
        assert Config.parse(c.name) == c
    for bad in ("dup 1", "loss 1, reorder, dup 1", "loss 1, retries 2", "loss one", ""):
        with pytest.raises(ValueError):
            Config.parse(bad)


@pytest.mark.slow
def test_rows_beyond_the_default_suite_are_run(tmp_path, monkeypatch, capsys):
    """A forge run, of the RFC model and of a variant, named only by the expectation file."""
    use_small_suite(monkeypatch)
    expected = tmp_path / "expected.tsv"
    verify(tmp_path, "--write-expect", str(expected))
    rows = ["normal\tloss 0, forge 1\t-\tblind-reset-resistance\tVERIFIED",
            "normal\tloss 0, forge 1\tno-challenge-ack\tblind-reset-resistance\tVERIFIED"]
    expected.write_text(expected.read_text(encoding="utf-8") + "\n".join(rows) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert verify(tmp_path, "--expect", str(expected)) == 1
    err = capsys.readouterr().err.splitlines()
    assert "unexpected: normal | loss 0, forge 1 | no-challenge-ack | blind-reset-resistance: " \
           "expected VERIFIED, got VIOLATED" in err
    assert not any("| - | blind-reset-resistance" in line for line in err)


# ------------------------------------------------------------------ the default suite's departures

@pytest.mark.slow
def test_verify_passes_a_departure_only_where_departures_tsv_gives_its_reason(tmp_path, monkeypatch, capsys):
    """abort's time-wait-role is VACUOUS (A aborts: no TIME-WAIT): listed with its reason, verify
    exits 0 and says so; unlisted, a vacuous verdict is exit 3; a row the runs contradict, exit 1."""
    use_small_suite(monkeypatch)
    assert verify(tmp_path) == 0
    out = capsys.readouterr().out
    assert "    VACUOUS time-wait-role: never reached: an endpoint in TIME-WAIT (expected: A aborts" in out
    rows = tmp_path / "departures.tsv"
    rows.write_text("\t".join(expect.DEPARTURE_HEADER) + "\n", encoding="utf-8")
    monkeypatch.setattr(expect, "DEPARTURES", rows)
    assert verify(tmp_path) == 3
    rows.write_text("\t".join(expect.DEPARTURE_HEADER) + "\n"
                    "abort\t*\ttime-wait-role\tVACUOUS\tA aborts\n"
                    "normal\tloss 1\tgraceful\tVIOLATED\ta lost segment draws a reset\n", encoding="utf-8")
    capsys.readouterr()
    assert verify(tmp_path) == 1
    assert capsys.readouterr().err.splitlines() == [
        "unexpected: normal | loss 1 | graceful: departures.tsv expects VIOLATED "
        "(a lost segment draws a reset), got VERIFIED"]


def test_departures_tsv_agrees_with_the_committed_expected_verdicts():
    """Every row names a scenario, configuration and property of the default suite and the verdict
    expected-verdicts.tsv records there; every default-suite departure there has its row."""
    rows = expect.read_departures()
    defaults = [c.name for c in DEFAULT_CONFIGS]
    recorded = expect.read(EXPECTED)
    listed = set()
    for (scenario, config, prop), (verdict, _) in rows.items():
        assert scenario in SCENARIOS or scenario == expect.ANY
        assert config in defaults or config == expect.ANY
        assert prop in PROPERTY_NAMES and (scenario, config) != (expect.ANY, expect.ANY)
        scenarios = SCENARIOS if scenario == expect.ANY else [scenario]
        configs = defaults if config == expect.ANY else [config]
        got = {(s, c): recorded[(s, c, "-", prop)] for s in scenarios for c in configs}
        assert verdict in got.values(), (scenario, config, prop)  # a row explains something
        listed |= {(s, c, prop) for (s, c), v in got.items() if v == verdict}
    departing = {(s, c, p) for (s, c, v, p), verdict in recorded.items()
                 if v == "-" and c in defaults and verdict in (Status.VACUOUS, Status.VIOLATED)}
    assert departing == listed
