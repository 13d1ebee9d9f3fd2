"""The partitioned search and hash compaction on hand-made models: the same graph, verdicts
and counterexamples as the sequential search, for any number of workers."""

from __future__ import annotations

import mmap
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tcpverify.checker import comm, resources
from tcpverify.checker.comm import WorkerFailed, run_forked
from tcpverify.checker.explore import explore, omission_probability
from tcpverify.checker.fingerprint import Fingerprints
from tcpverify.checker.properties import EndState, Eventually, Invariant
from tcpverify.checker.status import Status
from tcpverify.checker.verdict import check

INCOMPLETE, VERIFIED, VIOLATED = Status.INCOMPLETE, Status.VERIFIED, Status.VIOLATED


class Lattice:
    """(x, y, note) with x, y < n: steps right, up, and a jump back to the origin from the
    diagonal; a tuple state with a string, None and a frozenset, like the TCP world's."""

    def __init__(self, n=9):
        self.n = n

    def init_states(self):
        return [(0, 0, None, frozenset())]

    def successors(self, s):
        x, y, _, seen = s
        out = []
        if x + 1 < self.n:
            out.append(("right", (x + 1, y, "r", seen | {x % 3})))
        if y + 1 < self.n:
            out.append(("up", (x, y + 1, None, seen)))
        if x == y and x:
            out.append(("back", (0, 0, None, frozenset())))
        return out

    def limits_hit(self):
        return []


def properties(bad=None):
    return [Invariant(name="never", description="", check=lambda s: "bad" if s[:2] == bad else None),
            EndState(name="corner", description="", check=lambda s: None if s[0] == s[1] else "off the diagonal"),
            # the diagonal once a step is taken: the origin, where every run starts, would make it VACUOUS
            Eventually(name="origin-or-corner", description="", goal=lambda s: s[0] == s[1] and s[0] > 0,
                       fairness=lambda label: label if label == "back" else None)]


def graph(result):
    g = result.exploration.graph
    return (list(g.states), list(g.parent), g.parent_label, list(g.depth), list(g.edges),
            g.terminal, result.exploration.stats.states, result.exploration.stats.transitions,
            [(v.property, v.status, v.message, v.trace, v.loop_start) for v in result.verdicts])


@pytest.mark.parametrize("workers", [2, 3, 4])
@pytest.mark.parametrize("bad", [None, (5, 2)])
def test_any_number_of_workers_gives_the_sequential_graph_verdicts_and_traces(workers, bad):
    one = check(Lattice(), properties(bad))
    many = check(Lattice(), properties(bad), workers=workers)
    assert graph(many) == graph(one)
    assert {v.status for v in one.verdicts} >= ({VIOLATED} if bad else {VERIFIED})


def test_a_partitioned_search_tells_each_ranks_cpu_time_by_phase():
    """What benchmarks/run.py adds up into the critical path of a partitioned search."""
    phases = check(Lattice(), properties(), workers=3).exploration.stats.phases
    assert [sorted(rank) for rank in phases] == [["expand", "learn", "number", "receive", "send", "visit"]] * 3
    assert all(seconds >= 0 for rank in phases for seconds in rank.values())
    assert check(Lattice(), properties()).exploration.stats.phases == []


def test_a_partitioned_search_tells_the_states_each_rank_owned_at_each_depth():
    """What benchmarks/run.py's level_bound reads: the ranks' counts add up to each level."""
    one = check(Lattice(), properties()).exploration
    levels = check(Lattice(), properties(), workers=3).exploration.stats.levels
    sizes = [list(one.graph.depth).count(d) for d in range(one.stats.depth + 1)]
    assert len(levels) == 3 and all(rank for rank in levels)
    assert [sum(rank[d] for rank in levels if d < len(rank)) for d in range(len(sizes))] == sizes
    assert one.stats.levels == []


def test_a_state_limit_stops_the_state_at_a_time_searches_at_the_end_of_a_level():
    """The levels end at 13 and 21 states: 17 falls within one. One worker stops where the
    workers do (checker.explore, checker.partitioned: a model without ``expand``)."""
    result = check(Lattice(), properties(), max_states=17, workers=2)
    g = result.exploration.graph
    assert {v.status for v in result.verdicts} == {INCOMPLETE}
    last = max(g.depth)
    assert len(g.states) == 21 and sum(d < last for d in g.depth) == 13  # the level that went past 17
    assert len(g.edges) == 13  # ... is not expanded
    one = check(Lattice(), properties(), max_states=17).exploration.graph
    assert (one.states, list(one.parent), list(one.edges)) == (g.states, list(g.parent), list(g.edges))


class Exploding(Lattice):
    def successors(self, s):
        if s[:2] == (3, 3):
            raise RuntimeError("boom")
        return super().successors(s)


def test_a_worker_that_fails_stops_the_search_with_an_error():
    with pytest.raises((WorkerFailed, RuntimeError)):
        check(Exploding(), properties(), workers=2)


@pytest.mark.parametrize("soft, ranks", [(64, 6), (256, 15), (1024, 32)])
def test_most_ranks_is_the_most_whose_pipes_fit_the_open_files_allowed(monkeypatch, soft, ranks):
    """ranks * (ranks - 1) pipe ends, beside the files open (10 here) and 16 spare."""
    monkeypatch.setattr(resources.resource, "getrlimit", lambda which: (soft, soft))
    monkeypatch.setattr(comm.os, "listdir", lambda path: range(10))
    assert comm.most_ranks() == ranks
    assert ranks * (ranks - 1) <= soft - 26 < (ranks + 1) * ranks


def test_no_limit_on_open_files_sets_none_on_ranks(monkeypatch):
    unlimited = resources.resource.RLIM_INFINITY
    monkeypatch.setattr(resources.resource, "getrlimit", lambda which: (unlimited, unlimited))
    assert comm.most_ranks() == resources.open_files_allowed() == sys.maxsize


@pytest.mark.parametrize("shared", [True, False])
def test_forked_collectives_deliver_every_message_in_rank_order(shared, monkeypatch):
    """Messages of more than a pipe holds, every rank sending before it receives: in shared
    memory (the pipe carries a few bytes) or from a thread; a deadlock fails it at 30 s."""
    if shared and not comm._SHARED:
        pytest.skip("no memfd_create on this platform")
    monkeypatch.setattr(comm, "_SHARED", shared)

    def work(comm):
        assert (comm.Get_rank(), comm.Get_size(), comm.alltoall(["alone"])) == (0, 1, ["alone"])
        comm.fork()
        r, n = comm.Get_rank(), comm.Get_size()
        got = comm.alltoall([(r, j, "x" * (4 << 20)) for j in range(n)])  # (no buffer: pickled whole)
        assert [g[:2] for g in got] == [(j, r) for j in range(n)]
        return comm.gather(comm.bcast(r * 10 if r == 0 else None) + comm.scatter(list(range(n)) if r == 0 else None))

    def deadlocked(signum, frame):
        raise TimeoutError("the ranks wait for each other")
    before = signal.signal(signal.SIGALRM, deadlocked)
    signal.alarm(30)
    try:
        assert run_forked(3, work) == [0, 1, 2]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)


def _ends(how):
    """run_forked's work for 3 ranks, whose last ends as how says before the gather."""
    def work(comm):
        comm.fork()
        if comm.Get_rank() == 2:
            if how == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
            raise {"memory": MemoryError, "error": ValueError}[how]()
        return comm.gather(comm.Get_rank())
    return work


@pytest.mark.parametrize("how, said, out_of_memory", [
    ("memory", "worker 2 ran out of memory", True),
    ("killed", "worker 2 was killed (SIGKILL, as the kernel kills a process when memory runs out)", True),
    ("error", "worker 2 failed (exit status 1; its error is above)", False),
])
def test_rank_0_says_how_the_worker_that_stopped_ended(how, said, out_of_memory, capfd):
    """Rank 0 waits for its forked workers' ends, and names the one that stopped first: for
    want of memory (its exit status, or SIGKILL), or an error of its own, not worker 1, which
    had done its part."""
    with pytest.raises(WorkerFailed) as failed:
        run_forked(3, _ends(how))
    assert (str(failed.value), failed.value.out_of_memory) == (said, out_of_memory)
    assert ("ValueError" in capfd.readouterr().err) == (how == "error")  # (the failing worker's own traceback)


def test_rank_0_returns_before_its_workers_end_and_reaps_them_as_they_do():
    """close() does not wait for a worker still ending; workers_ended() waits until each is
    reaped (its exit status kept: no zombie left, its CPU counted in RUSAGE_CHILDREN)."""
    local = comm.LocalComm(3)
    local.fork()
    if local.Get_rank():
        local.gather(None)
        time.sleep(1.5 * local.Get_rank())  # (the kernel freeing a large worker's pages, drawn out)
        os._exit(0)
    local.gather(None)
    local.close()
    assert not local.ended  # (both still ending)
    comm.workers_ended()
    assert sorted(local.ended) == sorted(local.children) and set(local.ended.values()) == {0}
    for pid in local.children:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def _exchange_arrays(comm):
    """Each rank sends every other an array of 2 MiB and a small one; returns what rank 0
    got from rank 1, and whether its large array is a view of shared memory."""
    comm.fork()
    r, n = comm.Get_rank(), comm.Get_size()
    got = comm.alltoall([(np.arange(1 << 18, dtype=np.int64) * (r + 1), np.arange(3) + r) for _ in range(n)])
    large, small = got[1 - r]
    memory = large
    while isinstance(memory, np.ndarray) and memory.base is not None:  # (past the views over it)
        memory = memory.base
    return comm.gather((large, small, isinstance(memory, memoryview) and isinstance(memory.obj, mmap.mmap)))


@pytest.mark.skipif(not comm._SHARED, reason="no memfd_create on this platform")
def test_large_arrays_travel_between_ranks_in_shared_memory():
    got = run_forked(2, _exchange_arrays)
    large, small, shared = got[0]
    assert (large == np.arange(1 << 18) * 2).all() and (small == [1, 2, 3]).all() and shared
    large, small, _ = got[1]  # (gathered by rank 0: through shared memory too)
    assert (large == np.arange(1 << 18)).all() and (small == [0, 1, 2]).all()


def test_without_shared_memory_large_arrays_travel_in_the_pipe(monkeypatch):
    monkeypatch.setattr(comm, "_SHARED", False)
    large, small, shared = run_forked(2, _exchange_arrays)[0]
    assert (large == np.arange(1 << 18) * 2).all() and (small == [1, 2, 3]).all() and not shared


# ------------------------------------------------------------------ hash compaction

def test_hash_compaction_keeps_the_graph_rebuilds_states_and_never_says_verified():
    exact = check(Lattice(), properties())
    compact = check(Lattice(), properties(), fingerprint=64)
    g = compact.exploration.graph
    assert (list(g.parent), g.parent_label, list(g.edges)) == (
        list(exact.exploration.graph.parent), exact.exploration.graph.parent_label,
        list(exact.exploration.graph.edges))
    assert list(g.states) == exact.exploration.graph.states  # replayed from the fingerprints
    assert [v.status for v in exact.verdicts] == [VERIFIED] * 3
    assert [v.status for v in compact.verdicts] == [INCOMPLETE] * 3
    n = compact.exploration.stats.states
    assert compact.verdicts[0].message.endswith(f"probability <= {n * n / 2 ** 65:.2g}")


def test_a_violation_found_under_hash_compaction_is_real_and_its_trace_replays():
    compact = check(Lattice(), properties((5, 2)), fingerprint=32)
    v = next(v for v in compact.verdicts if v.property == "never")
    assert v.status == VIOLATED
    assert compact.exploration.graph.states[v.trace[-1][1]][:2] == (5, 2)


def test_few_bits_merge_states_and_the_probability_says_so():
    tiny = explore(Lattice(30), properties(), fingerprint=8)  # 900 states in 256 fingerprints
    assert tiny.stats.states <= 256
    assert omission_probability(900, 8) == 1.0
    assert omission_probability(10**6, 64) < 3e-8


def test_fingerprints_do_not_depend_on_the_hash_seed_or_the_process():
    code = ("from tcpverify.checker.fingerprint import Fingerprints; "
            "print(Fingerprints()((1, None, 'SYN', frozenset({('lt', 'ISS_A', 3), ('eq', 'x', 0)}), (True, -1))))")
    seen = {subprocess.run([sys.executable, "-c", code], env={"PYTHONHASHSEED": seed},
                           capture_output=True, text=True, check=True).stdout for seed in ("0", "1", "random")}
    assert len(seen) == 1
    assert int(seen.pop()) == Fingerprints()((1, None, "SYN", frozenset({("eq", "x", 0), ("lt", "ISS_A", 3)}), (True, -1)))


def test_the_collector_is_paused_during_the_search_only():
    import gc

    seen = []

    class Watched(Lattice):
        def successors(self, s):
            seen.append(gc.isenabled())
            return super().successors(s)
    assert gc.isenabled()
    check(Watched(), properties())
    assert seen and not any(seen) and gc.isenabled()
