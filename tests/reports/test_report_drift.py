"""tcpverify report [--check]: every registered report is regenerated, and drift is named."""

import pytest
from ci_suites import change_spec, use_small_suite

from tcpverify.spec.cli import main
from tcpverify.spec.reports import build as report


@pytest.mark.slow
def test_report_writes_every_registered_file_and_check_passes(tmp_path, monkeypatch, capsys):
    use_small_suite(monkeypatch)
    folder = tmp_path / "reports"
    assert main(["report", "--reports", str(folder)]) == 0
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert written == sorted(report.render_reports([], "VERIFIED"))
    assert {"verification.md", "verification.json", "state-diagram.svg", "teaching.md"} < set(written)
    assert main(["report", "--check", "--reports", str(folder)]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_check_names_each_drifted_missing_and_extra_file(tmp_path, monkeypatch, capsys):
    use_small_suite(monkeypatch)
    folder = tmp_path / "reports"
    main(["report", "--reports", str(folder)])
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    (folder / "verification.json").unlink()
    (folder / "old.md").write_text("no report makes this\n", encoding="utf-8")
    change_spec(monkeypatch, "no-time-wait")
    capsys.readouterr()
    assert main(["report", "--check", "--reports", str(folder)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].endswith("has drifted from the spec: run tcpverify report, and commit the result")
    assert lines == sorted(lines[:-1]) + lines[-1:]
    # the teaching pictures are runs of the spec too, so they drift with it
    assert {f"{folder}/old.md: extra (no report makes it)",
            f"{folder}/verification.json: missing (the spec gives it)",
            f"{folder}/verification.md: differs from what the spec gives now",
            f"{folder}/teaching.md: differs from what the spec gives now"} <= set(lines)
    assert (folder / "verification.md").read_bytes() == before["verification.md"]  # wrote nothing


@pytest.mark.slow
def test_verify_writes_the_reports_of_its_runs(tmp_path, monkeypatch):
    use_small_suite(monkeypatch)
    folder = tmp_path / "reports"
    main(["verify", "--quiet", "--reports", str(folder)])
    assert sorted(p.name for p in folder.iterdir()) == sorted(report.FROM_RUNS)


@pytest.mark.slow
def test_a_registered_report_is_written_by_report_and_checked(tmp_path, monkeypatch, capsys):
    use_small_suite(monkeypatch)
    monkeypatch.setitem(report.REPORTS, "runs.txt",
                        lambda outcomes, status: "".join(f"{o.key}\n" for o in outcomes))
    monkeypatch.setitem(report.REPORTS, "per-scenario/",
                        lambda outcomes, status: {f"{o.scenario.name}.txt": status for o in outcomes})
    folder = tmp_path / "reports"
    main(["report", "--quiet", "--reports", str(folder)])
    assert (folder / "runs.txt").read_text(encoding="utf-8").count("\n") == 4
    # abort's time-wait-role is VACUOUS, a departure departures.tsv expects: the overall status is VERIFIED
    assert (folder / "per-scenario" / "abort.txt").read_text(encoding="utf-8") == "VERIFIED"
    assert main(["report", "--check", "--reports", str(folder)]) == 0
    (folder / "per-scenario" / "abort.txt").write_text("edited by hand", encoding="utf-8")
    capsys.readouterr()
    assert main(["report", "--check", "--reports", str(folder)]) == 1
    assert f"{folder}/per-scenario/abort.txt: differs" in capsys.readouterr().err
