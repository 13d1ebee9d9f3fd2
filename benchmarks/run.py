"""Benchmark of the checker: per case states, transitions, states/s, bytes/state, wall and CPU
seconds, the speed-up of 2 workers over 1; a loss x dup scaling table; the stale suite; the
commands `tcpverify verify`, `prove` and `report --check` whole.

    python benchmarks/run.py [--repeat N] [--skip-default] [--skip-large] [--workers 1,2]
                             [--scaling] [--budget SECONDS] [--huge] [--commands] [--json FILE]
                             [--include FILE ...] [--write]

Each measurement runs in a fresh subprocess, so that its peak memory (ru_maxrss) is its own;
with W workers the wall time ends with the result, as one worker's does (a forked worker's
exit, the kernel freeing its pages, is reaped in a thread, as one worker's own exit is not
counted either), the CPU seconds include the forked workers' (RUSAGE_CHILDREN, once reaped)
and the memory is rank 0's, which gathers the whole graph at the end. The machine is shared
and its speed drifts: each case runs N rounds, a round running it with each worker count in
turn; per count the run of least wall time is kept, the speed-up is the median of the rounds'
ratios (with their range), and the load average is printed with the figures; with more than
one worker a round starts by measuring how much two busy cores slow each other
(contention), and a round of the large case ends by running its one-worker search twice at
once (2 at once). The figures go to stdout; benchmarks/results.md is rewritten only
with --write.
--include adds the figures an earlier run wrote with --json (a long case measured alone, when
the machine was quiet) to the tables.
benchmarks/baseline.json holds the figures measured before the first optimizations.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from itertools import zip_longest
from pathlib import Path
from statistics import median

HERE = Path(__file__).resolve().parent
C_BAR = 400_000  # states/s of a reference checker written in C on this kind of machine
# About 0.7 million states, 5 million transitions, VERIFIED.
LARGE = {"scenario": "half-close", "loss": 2, "retries": 3, "dup": 3, "reorder": True, "capacity": 7}
# The scaling table: LARGE's scenario and bounds, loss 0..3 x dup 0..3.
SCALING = {"scenario": "half-close", "retries": 3, "reorder": True, "capacity": 7}
# Run only with --huge: 17,096,400 states, searched exactly (a block at a time: checker.levels).
HUGE = {"scenario": "half-close", "loss": 3, "retries": 3, "dup": 5, "reorder": True, "capacity": 9}
# Run only with --commands, whole, start-up included (verify writes its reports to a scratch
# folder; report checks the committed ones).
COMMANDS = (("verify", "--quiet"), ("prove",), ("report", "--check", "--quiet"))
_CLI = "import sys\nfrom tcpverify.spec.cli import main\nsys.exit(main(sys.argv[1:]))"


def cases() -> list[tuple[str, list[tuple[str, dict]]]]:
    """(case name, [(scenario, Config keyword arguments)]): the default configurations, every
    scenario summed (the stale one is the stale suite), then the large case."""
    from dataclasses import asdict

    from tcpverify.spec.world.config import DEFAULT_CONFIGS, SCENARIOS

    out = [(f"all scenarios, {c.name}", [(s, asdict(c)) for s in SCENARIOS]) for c in DEFAULT_CONFIGS]
    large = dict(LARGE)
    out.append(("large: half-close, loss 2, dup 3, reorder, retries 3, capacity 7",
                [(large.pop("scenario"), large)]))
    return out


def name_of(config: dict) -> str:
    c = dict(config)
    parts = [c.pop("scenario")] + [k if v is True else f"{k} {v}" for k, v in c.items()]
    return ", ".join(parts)


def child(job: dict) -> None:
    """Run one measurement in this process and print its figures as JSON."""
    from tcpverify.checker.comm import workers_ended
    from tcpverify.spec.suite.run import check_scenario
    from tcpverify.spec.world.config import SCENARIOS, Config

    states = transitions = 0
    statuses = set()
    phases: list[dict[str, float]] = []  # per rank of a partitioned search, summed over the runs
    slowest = 0  # of a partitioned search: per run and depth, the states of the rank with most
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # the interpreter, imports done
    wall = time.perf_counter()
    cpu = time.process_time()
    for scenario, config in job["runs"]:
        o = check_scenario(SCENARIOS[scenario], Config(**config), workers=job["workers"], all_edges=False)
        stats = o.result.exploration.stats
        states += stats.states
        transitions += stats.transitions
        statuses.add(o.status)
        phases = phases or [{} for _ in stats.phases]
        for total, rank in zip(phases, stats.phases):
            for phase, seconds in rank.items():
                total[phase] = total.get(phase, 0.0) + seconds
        slowest += sum(map(max, zip_longest(*stats.levels, fillvalue=0)))
    wall = time.perf_counter() - wall
    workers_ended()  # (the workers' CPU, once they are reaped)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = time.process_time() - cpu
    cpu = own + kids.ru_utime + kids.ru_stime
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    figures = {"states": states, "transitions": transitions, "wall": wall, "cpu": cpu,
               "peak_mib": peak / 2**20, "bytes_per_state": peak / max(states, 1),
               "start_mib": start / 2**20, "searched_bytes_per_state": (peak - start) / max(states, 1),
               "statuses": sorted(statuses)}
    if phases:
        figures.update(critical_path(phases, own, cpu - own))
        # the speed-up the levels' split allows, the ranks waiting for each other at each level
        figures["level_bound"] = states / max(slowest, 1)
    print(json.dumps(figures))


def critical_path(phases: list[dict[str, float]], rank0: float, others: float) -> dict:
    """A partitioned search's CPU seconds per rank and phase, and what predicts its wall time
    on an idle machine: each phase's longest rank (the ranks wait for each other between
    phases), plus the longer of what is outside the search loop: the other ranks' (the mean
    of their CPU outside it: forking, the final gather, rank 1's liveness) and rank 0's
    (setting up, placing the gathered states, joining the edges, traces), done at once (rank 1
    decides liveness while rank 0 gathers: checker.partitioned_levels)."""
    inside = [sum(rank.values()) for rank in phases]
    tails = {"rank 0": rank0 - inside[0],
             "other ranks": (others - sum(inside[1:])) / max(len(phases) - 1, 1)}
    slowest = {p: max(rank.get(p, 0.0) for rank in phases) for p in phases[0]}
    return {"phases": phases, "outside_loop": tails,
            "critical_cpu": sum(slowest.values()) + max(tails.values())}


def child_argv(runs: list, workers: int) -> list[str]:
    """The command that measures runs on workers in a fresh process (child)."""
    return [sys.executable, __file__, "--child", json.dumps({"runs": runs, "workers": workers})]


def run_once(runs: list, workers: int, budget: float | None = None) -> dict | None:
    """The figures of one run in a fresh process; None when it exceeds the budget."""
    try:
        proc = subprocess.run(child_argv(runs, workers), capture_output=True, text=True, check=True, timeout=budget)
    except subprocess.TimeoutExpired:
        return None
    fig = json.loads(proc.stdout)
    fig["states_per_second"] = fig["states"] / fig["wall"]
    fig["load"] = os.getloadavg()[0]
    return fig


def measure(runs: list, workers: int, repeat: int, budget: float | None = None) -> dict | None:
    """The figures of the run of least wall time; None when one exceeds the budget."""
    return measure_rounds(runs, [workers], repeat, budget)[workers]


def command_once(argv: list[str], workers: int, budget: float | None = None) -> dict:
    """The wall and CPU seconds of `tcpverify ARGV --workers W` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        reports = {"verify": ["--reports", scratch], "report": ["--reports", str(HERE.parent / "reports")]}.get(argv[0], [])
        subprocess.run([sys.executable, "-c", _CLI, *argv, *reports, "--workers", str(workers)],
                       check=True, stdout=subprocess.DEVNULL, timeout=budget)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"wall": wall, "cpu": cpu, "load": os.getloadavg()[0]}


def measure_rounds(runs: list, workers: list[int], repeat: int, budget: float | None = None,
                   once=None, together: bool = False) -> dict:
    """Per worker count, the figures of its run of least wall time (None past the budget), with
    the wall time of each round (``walls``) and, with more than one worker, the cores'
    contention before each round (``contention``). A round runs every count once, one after the
    other: this machine's speed drifts by tens of percent from minute to minute, and a speed-up
    read from runs minutes apart measures the drift as much as the workers (speed_up). ``once``
    measures one run (run_once: a search; command_once: a command). ``together``: also, at the
    end of each round, the one-worker search twice at once (``together``: at_once)."""
    once = once or run_once
    walls: dict[int, list[float]] = {w: [] for w in workers}
    best: dict[int, dict | None] = {w: None for w in workers}
    contended: list[float] = []
    slowed: list[float] = []
    for _ in range(repeat):
        if max(workers) > 1:
            contended.append(contention())
        for w in workers:
            fig = once(runs, w, budget)
            if fig is None:
                return {w: None for w in workers}
            walls[w].append(fig["wall"])
            if best[w] is None or fig["wall"] < best[w]["wall"]:
                best[w] = fig
        if together and 1 in workers:
            slowed.append(at_once(runs) / walls[1][-1])
    more = {"contention": contended} if contended else {}
    more.update({"together": slowed} if slowed else {})
    return {w: dict(best[w], walls=walls[w], **more) for w in workers}


def at_once(runs: list) -> float:
    """The wall time of the one-worker search of runs while another runs beside it, each in a
    fresh process (the mean of the two): over its time alone, the search's own contention,
    where a fixed loop's (contention) misses what the cores share besides themselves, their
    cache and the memory's bandwidth (the large case 3% to 8% slower, the loop 0 to 5%)."""
    pair = [subprocess.Popen(child_argv(runs, 1), stdout=subprocess.PIPE, text=True) for _ in range(2)]
    return sum(json.loads(p.communicate()[0])["wall"] for p in pair) / 2


# CPU seconds of a fixed loop of Python additions, printed by a process that runs it
_LOOP = "import time\nt = time.process_time()\nn = 0\nfor i in range(10**7):\n    n += i\nprint(time.process_time() - t)"


def contention() -> float:
    """The CPU time of a fixed loop run in two processes at once over the same loop run alone
    just before and after: 1.0 where the machine's two cores do not slow each other, and 2
    workers cannot be faster than 2 / contention times one. Here a benchmark's rounds gave a
    median of about 1.06, single rounds 0.93 to 1.84 (the host shares the cores, and the loop
    alone is not steady either: read the median)."""
    def start():
        return subprocess.Popen([sys.executable, "-c", _LOOP], stdout=subprocess.PIPE, text=True)

    before = float(start().communicate()[0])
    pair = [start(), start()]
    at_once = sum(float(p.communicate()[0]) for p in pair) / 2
    return at_once / ((before + float(start().communicate()[0])) / 2)  # (alone: before and after)


def spread(values: list[float], unit: str = "") -> str:
    """The median of values, with their range and number where there are several."""
    if len(values) < 2:
        return f"{values[0]:.2f}{unit}" if values else ""
    v = sorted(values)
    return f"{median(v):.2f}{unit} ({v[0]:.2f}-{v[-1]:.2f}, {len(v)} rounds)"


def speed_up(one: dict, many: dict) -> str:
    """many's speed-up over one: the median of the rounds' ratios of wall time, with their
    range, where both were measured in the same rounds (measure_rounds); else the ratio of the
    best runs (figures an earlier --json wrote)."""
    pairs = list(zip(one.get("walls", []), many.get("walls", [])))
    if len(pairs) < 2:
        return f"{one['wall'] / many['wall']:.2f}x"
    return spread([a / b for a, b in pairs], "x")


def speed_ups(figures: list[dict], key: str) -> list[str]:
    """Each figure's speed-up over the one-worker figure of the same ``key`` listed before it
    ("" for one worker's)."""
    one, out = {}, []
    for f in figures:
        if f["workers"] == 1:
            one[f[key]] = f
        base = one.get(f[key])
        out.append(speed_up(base, f) if base and f["workers"] > 1 else "")
    return out


def case_rows(figures: list[dict], before: dict[str, dict]) -> list[str]:
    rows = ["| case | workers | verdicts | states | transitions | states/s (wall) | states/CPU s | vs C "
            "| bytes/state | above start-up | peak MiB | wall s | CPU s | speed-up | contention | 2 at once | load "
            "| states/s before |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for f, speedup in zip(figures, speed_ups(figures, "case")):
        b = before.get(f["case"]) if f["workers"] == 1 else None
        then = f"{b['states_per_second']:,.0f}" if b else ""
        above = f"{f['searched_bytes_per_state']:,.0f}" if "searched_bytes_per_state" in f else ""
        rows.append(
            f"| {f['case']} | {f['workers']} | {', '.join(f['statuses'])} | {f['states']:,} "
            f"| {f['transitions']:,} | {f['states_per_second']:,.0f} | {f['states'] / f['cpu']:,.0f} "
            f"| {f['states_per_second'] / C_BAR:.2f} "
            f"| {f['bytes_per_state']:,.0f} | {above} | {f['peak_mib']:,.0f} | {f['wall']:.2f} | {f['cpu']:.2f} "
            f"| {speedup} | {spread(f.get('contention', []))} | {spread(f.get('together', []))} | {f['load']:.1f} "
            f"| {then} |")
    return rows


def command_rows(figures: list[dict]) -> list[str]:
    rows = ["| command | workers | wall s | CPU s | speed-up | contention | load |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for f, speedup in zip(figures, speed_ups(figures, "command")):
        rows.append(f"| `tcpverify {f['command']}` | {f['workers']} | {f['wall']:.2f} | {f['cpu']:.2f} "
                    f"| {speedup} | {spread(f.get('contention', []))} | {f['load']:.1f} |")
    return rows


def scaling(budget: float, repeat: int) -> list[dict]:
    """loss 0..3 x dup 0..3; a cell past the budget stops its row and the rows below it there."""
    cells, given_up = [], set()
    for loss in range(4):
        for dup in range(4):
            config = dict(SCALING, loss=loss, dup=dup)
            if any(l <= loss and d <= dup for l, d in given_up):
                fig = None
            else:
                print(f"scaling: {name_of(config)} ...", file=sys.stderr, flush=True)
                scenario = config.pop("scenario")
                fig = measure([(scenario, config)], 1, repeat, budget)
                if fig is None:
                    given_up.add((loss, dup))
            cells.append({"loss": loss, "dup": dup, "figures": fig, "budget": budget})
    return cells


def scaling_rows(cells: list[dict]) -> list[str]:
    rows = [f"| loss \\ dup | {' | '.join(str(d) for d in range(4))} |", "|---|" + "---:|" * 4]
    for loss in range(4):
        text = []
        for c in cells[loss * 4:loss * 4 + 4]:
            f = c["figures"]
            text.append(f"{f['states']:,} st, {f['wall']:.1f} s wall, {f['cpu']:.1f} s CPU, "
                        f"{f['peak_mib']:,.0f} MiB, load {f['load']:.1f}" if f
                        else f"> {c['budget']:.0f} s wall")
        rows.append(f"| {loss} | {' | '.join(text)} |")
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3, help="rounds per default case (each worker count once a round); the best run is kept")
    p.add_argument("--repeat-large", type=int, default=1, help="rounds of the large case, runs of the scaling cells")
    p.add_argument("--skip-default", action="store_true", help="not the default configurations")
    p.add_argument("--skip-large", action="store_true", help="not the large case")
    p.add_argument("--workers", default="1,2", help="worker counts to measure each case with")
    p.add_argument("--scaling", action="store_true", help="also the loss x dup scaling table")
    p.add_argument("--budget", type=float, default=300.0, help="seconds a scaling cell may take")
    p.add_argument("--huge", action="store_true", help=f"also the >= 10^7-state run, once with each worker count: {name_of(HUGE)}")
    p.add_argument("--commands", action="store_true",
                   help="also `tcpverify verify`, `prove` and `report --check` whole (COMMANDS), each "
                        "worker count once a round")
    p.add_argument("--json", type=Path, help="also write the figures as JSON here")
    p.add_argument("--include", type=Path, nargs="*", default=[],
                   help="add the figures of earlier --json runs to the tables")
    p.add_argument("--write", action="store_true", help="rewrite benchmarks/results.md")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child is not None:
        child(json.loads(args.child))
        return 0
    workers = [int(w) for w in args.workers.split(",")]
    all_cases = [] if args.skip_default else cases()[:-1]
    all_cases += [] if args.skip_large else cases()[-1:]
    figures = []
    for name, runs in all_cases:
        large = name == cases()[-1][0]
        print(f"{name}, {'/'.join(map(str, workers))} worker(s) ...", file=sys.stderr, flush=True)
        for w, fig in measure_rounds(runs, workers, args.repeat_large if large else args.repeat,
                                     together=large).items():
            figures.append(dict(fig, case=name, workers=w))
    if args.huge:
        huge = dict(HUGE)
        scenario = huge.pop("scenario")
        print(f"huge: {name_of(HUGE)}, {'/'.join(map(str, workers))} worker(s) ...", file=sys.stderr, flush=True)
        for w, fig in measure_rounds([(scenario, huge)], workers, 1).items():
            figures.append(dict(fig, case=name_of(HUGE), workers=w))
    commands = []
    for argv in COMMANDS if args.commands else ():
        print(f"tcpverify {' '.join(argv)}, {'/'.join(map(str, workers))} worker(s) ...", file=sys.stderr, flush=True)
        for w, fig in measure_rounds(list(argv), workers, args.repeat, once=command_once).items():
            commands.append(dict(fig, command=" ".join(argv), workers=w))
    baseline = HERE / "baseline.json"
    before = {f["case"]: f for f in json.loads(baseline.read_text(encoding="utf-8"))} if baseline.exists() else {}
    out = {"cases": figures, "commands": commands}
    if args.scaling:
        out["scaling"] = scaling(args.budget, args.repeat_large)
    for earlier in args.include:
        more = json.loads(earlier.read_text(encoding="utf-8"))
        out["cases"] = out["cases"] + more["cases"]
        out["scaling"] = out.get("scaling") or more.get("scaling")
        out["commands"] = out["commands"] + more.get("commands", [])
    rows = case_rows(out["cases"], before)
    if out.get("scaling"):
        rows += ["", f"Scaling: {name_of(dict(SCALING, loss='L', dup='D'))}", ""] + scaling_rows(out["scaling"])
    if out["commands"]:
        rows += ["", "Commands, whole (start-up included):", ""] + command_rows(out["commands"])
    print("\n".join(rows))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    if args.write:
        notes = HERE / "notes.md"
        text = ["# Benchmark results", "",
                f"Written by `python benchmarks/run.py {' '.join(sys.argv[1:])}` on a 2-core machine "
                f"shared with other people's jobs (the load column is the 1-minute load average when "
                f"each case ended; contention, the CPU time of a fixed loop run twice at once over the "
                f"same loop alone, before each round; 2 at once, for the large case, the one-worker "
                f"search's wall time while a second runs beside it over its time alone, after each "
                f"round: 2 workers cannot gain more than 2 / either). states/s = states / wall seconds of the check in a fresh process; "
                f"CPU s includes forked workers; bytes/state = peak RSS of rank 0 / states, and "
                f"above start-up the same less the RSS of the interpreter with tcpverify imported "
                f"(numpy and networkx; Z3 is loaded where a search first asks it) before the first search; 'vs C' is "
                f"the ratio to a C checker's {C_BAR:,} states/s; 'before' is benchmarks/baseline.json.",
                "", *rows, ""]
        if notes.exists():
            text += [notes.read_text(encoding="utf-8")]
        (HERE / "results.md").write_text("\n".join(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
