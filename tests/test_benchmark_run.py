"""benchmarks/run.py: the speed-up of W workers is read from runs measured in the same rounds."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("benchmark_run", ROOT / "benchmarks" / "run.py")
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


def test_the_speed_up_is_the_median_of_the_rounds_ratios_with_their_range():
    # the machine slowed down in the third round: the best runs' ratio (6/4) would read 1.50x
    one = {"wall": 6.0, "walls": [6.0, 6.6, 9.0]}
    two = {"wall": 4.0, "walls": [5.0, 5.0, 4.0]}
    assert run.speed_up(one, two) == "1.32x (1.20-2.25, 3 rounds)"


def test_the_contention_column_gives_the_median_and_range_of_the_rounds():
    assert run.spread([1.4, 1.0, 1.1]) == "1.10 (1.00-1.40, 3 rounds)"
    assert run.spread([1.4]) == "1.40" and run.spread([]) == ""


def test_the_critical_path_is_each_phases_slowest_rank_and_the_longer_tail_outside_the_loop():
    # rank 0 places the gathered states while rank 1 decides liveness: their tails overlap
    phases = [{"expand": 1.0, "send": 2.0}, {"expand": 2.0, "send": 1.0}]
    path = run.critical_path(phases, rank0=3.5, others=3.25)
    assert path["outside_loop"] == {"rank 0": 0.5, "other ranks": 0.25}
    assert path["critical_cpu"] == 4.5


def test_figures_without_rounds_give_the_ratio_of_the_best_runs():
    assert run.speed_up({"wall": 6.0}, {"wall": 4.0}) == "1.50x"
    assert run.speed_up({"wall": 6.0, "walls": [6.0]}, {"wall": 4.0, "walls": [4.0]}) == "1.50x"


def test_each_round_runs_every_worker_count_in_turn(monkeypatch):
    calls = []

    def fake(runs, workers, budget=None):
        calls.append(workers)
        return {"wall": 10.0 / workers + sum(c != "contention" for c in calls), "states": 1}

    monkeypatch.setattr(run, "run_once", fake)
    monkeypatch.setattr(run, "contention", lambda: calls.append("contention") or 1.25)
    figures = run.measure_rounds([], [1, 2], 3)
    assert calls == ["contention", 1, 2] * 3
    assert figures[1]["walls"] == [11.0, 13.0, 15.0] and figures[1]["wall"] == 11.0
    assert figures[2]["walls"] == [7.0, 9.0, 11.0] and figures[2]["wall"] == 7.0
    assert figures[2]["contention"] == [1.25] * 3
    calls.clear()
    assert "contention" not in run.measure([], 1, 2) and calls == [1, 1]  # one worker: none measured


def test_contention_is_the_loops_cpu_time_two_at_once_over_alone_before_and_after(monkeypatch):
    seconds = iter(["2.0", "3.0", "2.5", "2.4"])  # alone, the pair, alone

    class Loop:
        def __init__(self, *args, **kwargs):
            self.out = next(seconds)

        def communicate(self):
            return self.out, None

    monkeypatch.setattr(run.subprocess, "Popen", Loop)
    assert run.contention() == 1.25  # (3.0 + 2.5) / 2 over (2.0 + 2.4) / 2


def test_the_large_cases_rounds_end_with_its_one_worker_search_twice_at_once(monkeypatch):
    calls = []
    monkeypatch.setattr(run, "run_once", lambda runs, workers, budget=None: calls.append(workers) or
                        {"wall": 4.0 / workers, "states": 1})
    monkeypatch.setattr(run, "contention", lambda: 1.0)
    monkeypatch.setattr(run, "at_once", lambda runs: calls.append("pair") or 4.4)
    figures = run.measure_rounds([], [1, 2], 2, together=True)
    assert calls == [1, 2, "pair"] * 2
    assert figures[1]["together"] == figures[2]["together"] == [4.4 / 4.0] * 2
    calls.clear()
    assert "together" not in run.measure_rounds([], [1, 2], 1)[2] and "pair" not in calls


def test_two_at_once_is_the_mean_wall_time_of_two_searches_run_together(monkeypatch):
    started = []

    class Search:
        def __init__(self, argv, **kwargs):
            started.append(argv)
            self.out = '{"wall": %s}' % (2.0 + len(started))

        def communicate(self):
            return self.out, None

    monkeypatch.setattr(run.subprocess, "Popen", Search)
    assert run.at_once([["normal", {}]]) == 3.5  # (3.0 + 4.0) / 2
    assert len(started) == 2 and all('"workers": 1' in argv[-1] for argv in started)


def test_a_run_past_the_budget_gives_no_figures(monkeypatch):
    monkeypatch.setattr(run, "run_once", lambda runs, workers, budget=None: None)
    assert run.measure([], 1, 2, budget=1.0) is None


def test_a_command_runs_whole_with_its_workers_and_verify_writes_to_a_scratch_folder(monkeypatch):
    ran = []
    monkeypatch.setattr(run.subprocess, "run", lambda argv, **kw: ran.append(argv[3:]))
    for argv in run.COMMANDS:
        assert set(run.command_once(list(argv), 2)) == {"wall", "cpu", "load"}
    (verify, prove, report) = ran
    assert verify[:2] == ["verify", "--quiet"] and verify[2] == "--reports" and verify[4:] == ["--workers", "2"]
    assert prove == ["prove", "--workers", "2"]
    assert report == ["report", "--check", "--quiet", "--reports", str(ROOT / "reports"), "--workers", "2"]


def test_the_commands_table_gives_each_commands_speed_up_over_one_worker():
    figures = [dict(command="prove", workers=1, wall=9.0, cpu=9.0, load=0.5, walls=[9.0, 9.9]),
               dict(command="prove", workers=2, wall=6.0, cpu=12.0, load=0.6, walls=[6.0, 6.0],
                    contention=[1.0, 1.02])]
    assert run.command_rows(figures)[2:] == [
        "| `tcpverify prove` | 1 | 9.00 | 9.00 |  |  | 0.5 |",
        "| `tcpverify prove` | 2 | 6.00 | 12.00 | 1.58x (1.50-1.65, 2 rounds) | 1.01 (1.00-1.02, 2 rounds) | 0.6 |"]
