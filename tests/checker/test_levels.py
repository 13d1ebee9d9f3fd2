"""The search a block at a time (checker.levels) builds the graph the state-at-a-time search
(checker.explore) builds: the same states in the same order, parents, labels, depths, edges,
ends, violations with their messages, witnesses, liveness flags, and the model's tallies."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from tiers import sampled

from tcpverify.checker import levels, rows as rows_module
from tcpverify.checker.explore import explore, is_run
from tcpverify.checker.liveness import check_eventually
from tcpverify.checker.hashed import HashIndex
from tcpverify.checker.comm import run_forked
from tcpverify.checker.levels import explore_levels
from tcpverify.checker.partitioned import explore_partitioned
from tcpverify.checker.partitioned_levels import explore_partitioned_levels
from tcpverify.checker.properties import Invariant
from tcpverify.checker.reach import path_through
from tcpverify.checker.rows import KeyIndex, Packing, TooWide, column_max, firsts, put, take
from tcpverify.checker.status import Status
from tcpverify.checker.verdict import check
from tcpverify.spec.suite.run import check_scenario, machine_for
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.world.config import SCENARIOS, Config
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.world.properties import suite
from tcpverify.spec.world.system import TcpSystem

RUNS = {  # reordering and duplicates; old duplicates (Z3 branches); states whose successors are
    # renumbered (TcpSystem.direct: half-close under stale, abort under dup);
    # fair loss; a violated variant (invariants and liveness); a forged RST; half-close's calls
    "half-close, loss 1, dup 1, reorder": ("half-close", Config(loss=1, dup=1, reorder=True), None),
    "simultaneous-close, stale 1": ("simultaneous-close", Config(stale=1), None),
    "half-close, stale 1": ("half-close", Config(stale=1), None),
    "abort, loss 1, dup 1, reorder": ("abort", Config(loss=1, dup=1, reorder=True), None),
    "normal, loss inf": ("normal", Config(loss=-1, retries=None), None),
    "normal, loss 1, dup 1, reorder, no-time-wait": ("normal", Config(loss=1, dup=1, reorder=True), "no-time-wait"),
    "abort, forge 1": ("abort", Config(forge=1), None),
    "normal, loss 2, capacity 1": ("normal", Config(loss=2, retries=3, capacity=1), None),
}


def searched(name: str, search, runs: dict = RUNS):
    scenario, config, variant = runs[name]
    system = TcpSystem(machine_for(variant and VARIANTS[variant]), SCENARIOS[scenario], config, Decider())
    props, _ = suite(system.decider, SCENARIOS[scenario], config)
    return system, search(system.compact, props)


def everything(system, ex) -> tuple:
    g = ex.graph
    return (list(g.states), list(g.parent), list(g.parent_label), list(g.depth), list(g.edges), g.terminal,
            {k: bytes(v) for k, v in g.bad.items()}, ex.violations, ex.witnesses, ex.limits,
            ex.stats.states, ex.stats.transitions, ex.stats.depth, system.fired, system.lost)


@pytest.mark.parametrize("name", sampled(RUNS, lambda name: not name.startswith("half-close, loss 1")))
def test_a_block_at_a_time_gives_the_graph_one_state_at_a_time_gives(name, monkeypatch):
    monkeypatch.setattr(levels, "BLOCK", 97)  # many blocks per level: numbering across blocks
    one = everything(*searched(name, lambda m, props: explore(m, props)))
    blocks = everything(*searched(name, lambda m, props: explore_levels(m, props)))
    assert blocks == one
    if "no-time-wait" in name:
        assert one[7], "a violation, its state and message, compared"


@pytest.mark.parametrize("limit", [40, 700, 5000, 11_659, 11_660])
def test_a_state_limit_stops_the_block_searches_where_the_partitioned_state_at_a_time_one_does(limit, split_at,
                                                                                              monkeypatch):
    """Past the limit they stop at the end of the level that took the states met past it, its
    states met and checked, not expanded: the same graph, tallies and limit on one worker
    (checker.levels) and on 1 (rank 0 alone, never forked), 2 and 3 (checker.partitioned_levels).
    11,660 states in all: the last limit is not hit."""
    name = "half-close, loss 1, dup 1, reorder"

    def on(workers, search):
        system, ex = searched(name, lambda m, props: run_forked(workers, lambda comm: search(
            comm, m, props, keep_edges=True, max_states=limit)))
        return everything(system, ex), ex.lassos
    split_at(0)
    objects, _ = on(2, explore_partitioned)
    assert objects[9] == ([] if limit == 11_660 else [f"state limit {limit} reached"])
    assert objects[10] > limit if limit < 11_660 else objects[10] == limit  # (states met)
    for workers, split in ((1, 0), (2, 0), (3, 300)):
        split_at(split)
        blocks, lassos = on(workers, explore_partitioned_levels)
        assert blocks == objects
        if workers > 1:  # (liveness, which an incomplete graph does not decide, not computed)
            assert (lassos == {}) == (limit < 11_660)
    monkeypatch.setattr(levels, "BLOCK", 97)  # (a level's many blocks: the limit is looked at between levels)
    assert everything(*searched(name, lambda m, props: explore_levels(m, props, max_states=limit))) == objects


LIVENESS = {  # close-completion violated by a fair loop, by a stuck run; held under fair loss
    "normal, loss inf, no-fin-wait-2": ("normal", Config(loss=-1, retries=None), "no-fin-wait-2"),
    "normal, loss 1, no-retransmission": ("normal", Config(loss=1), "no-retransmission"),
    "half-close, loss inf": ("half-close", Config(loss=-1, retries=None), None),
}


@pytest.mark.parametrize("name", LIVENESS)
def test_without_all_edges_the_search_keeps_the_edges_liveness_reads_and_finds_the_same(name, split_at):
    """EdgeList.partial: the edges of the states that are not some Eventually goal, and none
    of the others; the same verdicts, traces and loops; the same on 2 and 3 workers, whose
    ranks keep those edges as they expand (checker.partitioned_levels._Edges)."""
    full = searched(name, lambda m, props: check(m, props), LIVENESS)[1]
    lean = searched(name, lambda m, props: check(m, props, all_edges=False), LIVENESS)[1]

    def found(result):
        return [(v.property, v.status, v.message, v.trace, v.loop_start) for v in result.verdicts]
    assert found(lean) == found(full)
    closing = next(v for v in lean.verdicts if v.property == "close-completion")
    assert (closing.status, closing.loop_start is None) == {
        "normal, loss inf, no-fin-wait-2": (Status.VIOLATED, False),
        "normal, loss 1, no-retransmission": (Status.VIOLATED, True),
        "half-close, loss inf": (Status.VERIFIED, True)}[name]
    g, f = lean.exploration.graph, full.exploration.graph
    read = np.zeros(len(g.parent), bool)
    for bad in g.bad.values():
        read |= np.frombuffer(bad, np.uint8) != 0
    assert g.edges.partial and not f.edges.partial and 0 < read.sum() < len(read)
    assert [g.edges[i] for i in range(len(read))] == [f.edges[i] if r else [] for i, r in enumerate(read)]
    with pytest.raises(ValueError, match="all_edges"):
        list(g.edges)
    for workers, split in ((2, 0), (3, 3)):  # forked at once; from a level of 3 states
        split_at(split)
        many = searched(name, lambda m, props: check(m, props, workers=workers, all_edges=False), LIVENESS)[1]
        t = many.exploration.graph  # the partitioned search gathers the same edges (and labels)
        assert found(many) == found(full)
        assert t.edges.partial
        assert [t.edges[i] for i in range(len(read))] == [g.edges[i] for i in range(len(read))]
        assert list(t.parent_label) == list(f.parent_label)
    with pytest.raises(ValueError, match="all its edges"):
        path_through(g, [])


def test_the_graph_of_the_block_search_finds_a_state_by_its_compact_form():
    system, ex = searched("half-close, loss 1, dup 1, reorder", explore_levels)
    g = ex.graph
    for i in (0, 1, len(g.states) // 2, len(g.states) - 1):
        assert g.index.get(system.compacted(g.states[i])) == i
    assert g.index.get((10 ** 6,) * 6) is None
    assert g.index.get((0, 0, 0, 0, 0, 10 ** 6)) is None


@pytest.mark.parametrize("name", ["half-close, loss 1, dup 1, reorder", "normal, loss 1, dup 1, reorder, no-time-wait"])
def test_hash_compaction_a_block_at_a_time_keeps_the_exact_graph_and_rebuilds_its_states(name):
    """64-bit fingerprints in the index where the exact search has packed ids: the same graph
    (no two of these states share a fingerprint), its states rebuilt by replaying their paths,
    found by their compact form; what holds is INCOMPLETE, a violation found is the exact one."""
    system, exact = searched(name, explore_levels)
    hashed_system, hashed = searched(name, lambda m, props: explore_levels(m, props, fingerprint=64))

    def graph(ex):
        g = ex.graph
        return (list(g.parent), list(g.parent_label), list(g.depth), list(g.edges), g.terminal,
                {k: bytes(v) for k, v in g.bad.items()}, ex.violations, ex.witnesses, ex.limits,
                ex.stats.states, ex.stats.transitions, ex.stats.depth)
    assert graph(hashed) == graph(exact) and hashed.graph.compaction == 64 and exact.graph.compaction is None
    g, n = hashed.graph, exact.stats.states
    for i in (0, 1, 2, n // 3, n // 2, n - 1):
        assert g.states[i] == exact.graph.states[i]
        assert g.index.get(hashed_system.compacted(g.states[i])) == i
    assert g.index.get((10 ** 6,) * 6) is None and g.index.get((-1, 0, 0, 0, 0, 0)) is None
    # (the steps replayed are not counted again: the losses explored are the exact search's)
    assert (hashed_system.fired, hashed_system.lost) == (system.fired, system.lost)
    scenario, config, variant = RUNS[name]
    verdicts = {fp: {v.property: (v.status, v.trace) for v in check_scenario(
        SCENARIOS[scenario], config, variant and VARIANTS[variant], fingerprint=fp).result.verdicts}
        for fp in (None, 64)}
    for prop, (status, trace) in verdicts[None].items():
        hashed_status = verdicts[64][prop][0]
        assert (hashed_status, verdicts[64][prop][1]) == (status, trace) if status == Status.VIOLATED \
            else hashed_status == Status.INCOMPLETE  # (VACUOUS too: that it holds is only probable)
    assert (Status.VIOLATED in {s for s, _ in verdicts[None].values()}) == ("no-time-wait" in name)


def test_under_hash_compaction_a_run_through_merged_states_is_incomplete_and_a_real_one_violated():
    """16 bits merge states of a run whose liveness holds: the graph then has a lasso that no
    run takes (an edge leads to the state first met under its target's fingerprint), which is
    replayed, found not to be a run, and said INCOMPLETE, never VIOLATED; the lassos of real
    violations, a loop and a stuck run, replay and stay VIOLATED with the exact search's trace."""
    def closing(scenario, config, variant, fingerprint):
        outcome = check_scenario(SCENARIOS[scenario], config, variant and VARIANTS[variant], fingerprint=fingerprint)
        return outcome, next(v for v in outcome.result.verdicts if v.property == "close-completion")
    scenario, config, _ = RUNS["half-close, loss 1, dup 1, reorder"]
    merged, verdict = closing(scenario, config, None, 16)
    g = merged.result.exploration.graph
    prop = next(p for p in suite(Decider(), SCENARIOS[scenario], config)[0] if p.name == "close-completion")
    lasso = check_eventually(g, prop)
    assert lasso is not None and not is_run(g, lasso.stem + lasso.loop)
    assert verdict.status == Status.INCOMPLETE and verdict.message.endswith("and no run takes it")
    assert closing(scenario, config, None, None)[1].status == Status.VERIFIED
    for name in ("normal, loss inf, no-fin-wait-2", "normal, loss 1, no-retransmission"):
        exact, hashed = (closing(*LIVENESS[name], fp)[1] for fp in (None, 64))
        assert (hashed.status, hashed.trace, hashed.loop_start) == (Status.VIOLATED, exact.trace, exact.loop_start)


def test_few_fingerprint_bits_merge_states_alike_under_any_hash_seed():
    """16 bits for 11,660 states: some share one and are taken for one, the same ones in every
    process (the stable hashes of the parts, not Python's salted ones)."""
    code = ("from tcpverify.spec.suite.run import check_scenario; from tcpverify.spec.world.config import "
            "SCENARIOS, Config; o = check_scenario(SCENARIOS['half-close'], Config(loss=1, dup=1, reorder=True), "
            "fingerprint=16); print(o.result.exploration.stats.states, o.result.exploration.stats.transitions)")
    counts = {subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed},
                             capture_output=True, text=True, check=True).stdout for seed in ("0", "1", "4242")}
    (only,) = counts
    states, _ = map(int, only.split())
    assert 5000 < states < 11660  # (10,345)


def test_packed_keys_keep_their_order_when_the_columns_widen():
    p = Packing(2)
    rows = np.asarray([[0, 1], [1, 0], [1, 1]])
    p.fit(rows)
    keys = p.pack(rows)
    assert list(np.argsort(keys)) == [0, 1, 2]
    wide = np.asarray([[0, 300]])
    old = p.fit(wide)
    assert old == [1, 1] and p.bits == [1, 9]
    assert list(p.unpack(p.repack(keys, old)).tolist()) == rows.tolist()
    assert p.pack(wide)[0] > p.repack(keys, old)[0] and p.pack(wide)[0] < p.repack(keys, old)[1]


@pytest.mark.parametrize("n, values", [(0, 1), (1, 1), (7, 2), (1000, 3), (1000, 900)])
def test_firsts_gives_what_np_unique_gives_from_one_unstable_sort(n, values):
    """Where each distinct value first occurs (the least position: keys that tie must not
    let the sort pick another) and each element's distinct value."""
    key = np.random.default_rng(n + values).integers(0, values, n).astype(np.int64) * 2**40
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    got_first, got_inverse = firsts(key)
    assert got_first.tolist() == first.tolist() and got_inverse.tolist() == inverse.reshape(-1).tolist()


@pytest.mark.parametrize("n, width, dtype", [(0, 6, np.int32), (1, 1, np.int64), (500, 6, np.int32),
                                             (500, 12, np.int32), (500, 12, np.int64)])
def test_column_max_is_numpys_max_over_axis_0(n, width, dtype):
    """A column at a time or over axis 0 (rows of more than 48 bytes): the same maxima, and
    initial where a column has nothing larger or rows are none."""
    rows = np.random.default_rng(n + width).integers(0, 1000, (n, width)).astype(dtype)
    rows[:, 0] = 0
    for initial in (-1, 0):
        assert column_max(rows, initial) == rows.max(axis=0, initial=initial).tolist()


@pytest.mark.parametrize("n, width, dtype", [(0, 6, np.int32), (1, 1, np.int64), (500, 6, np.int32),
                                             (500, 12, np.int64)])
def test_whole_rows_taken_and_put_are_numpys_fancy_indexing(n, width, dtype):
    """take and put move whole rows (np.take, np.compress, one item of bytes a row): what
    rows[at], rows[mask] and rows[at] = values do, for numbers in any order and masks."""
    rng = np.random.default_rng(n + width)
    rows = rng.integers(0, 1 << 30, (n, width)).astype(dtype)
    at, mask = rng.permutation(n)[: n // 2], rng.random(n) < 0.5
    assert take(rows, at).tolist() == rows[at].tolist() and take(rows, mask).tolist() == rows[mask].tolist()
    values = rng.integers(0, 1 << 30, (len(at), width))  # (another dtype: put converts)
    expected = rows.copy()
    expected[at] = values
    put(rows, at, values)
    assert rows.tolist() == expected.tolist()


@pytest.mark.parametrize("width", [1, 2, 3])
def test_a_hash_index_numbers_rows_as_a_key_index_does(width):
    """The same numbers, the same rows made, as the columns widen (every key hashed anew) and
    the table grows (every key moved), whatever collides."""
    rng = np.random.default_rng(width)
    sorted_keys, hashed = KeyIndex(width), HashIndex(width)
    made: dict = {id(sorted_keys): [], id(hashed): []}

    def numbers(index, rows):
        def make(first):
            made[id(index)].extend(first.tolist())
            return np.arange(len(made[id(index)]) - len(first), len(made[id(index)]))
        return index.numbers(rows, make).tolist()

    for step in range(60):
        high = [2, 50, 1000, 1 << 18][step % 4] if step % 5 == 0 else 50
        rows = rng.integers(0, high, (int(rng.integers(0, 400)), width))
        assert numbers(hashed, rows) == numbers(sorted_keys, rows)
    assert made[id(hashed)] == made[id(sorted_keys)] and hashed.count == len(made[id(hashed)]) > 1000
    assert not hasattr(hashed, "keys")  # (unordered: KeyIndex alone gives its keys, sorted)


def test_a_key_index_finds_what_was_added_under_any_width():
    index = KeyIndex(3)
    rows = np.asarray([[2, 0, 1], [0, 5, 1], [1, 1, 1]])
    index.fit(rows)
    index.add(index.packing.pack(rows), np.asarray([10, 11, 12]))
    more = np.asarray([[0, 70000, 0], [0, 5, 1]])
    assert index.look_up(more).tolist() == [-1, 11]
    assert index.look_up(rows).tolist() == [10, 11, 12]


def test_a_key_index_merged_a_few_keys_at_a_time_keeps_every_key_sorted_with_its_number(monkeypatch):
    """Its small part is merged into the large one a block of _REPACKED keys at a time, from
    the end: blocks of 5 here, many per merge, small keys below, between and above them."""
    monkeypatch.setattr(rows_module, "_REPACKED", 5)
    rng = np.random.default_rng(7)
    index, added = KeyIndex(1), {}
    for step in range(40):
        keys = np.setdiff1d(rng.integers(0, 5000, int(rng.integers(1, 30))), list(added))
        rng.shuffle(keys)
        values = np.arange(len(added), len(added) + len(keys))
        index.fit(keys.reshape(-1, 1))
        index.add(keys, values)
        added.update(zip(keys.tolist(), values.tolist()))
        assert index.keys.tolist() == sorted(added)
        assert index.values.tolist() == [added[k] for k in sorted(added)]
    probe = rng.integers(0, 5000, 300)
    assert index.found(probe).tolist() == [added.get(k, -1) for k in probe.tolist()]


def _tracer(*_):
    return _tracer


@pytest.mark.parametrize("hook, current", [(sys.setprofile, sys.getprofile), (sys.settrace, sys.gettrace)])
def test_a_search_under_a_profiler_or_a_tracer_finds_what_it_finds_without_one(hook, current):
    """KeyIndex grows its keys in place (realloc), which numpy refuses while something else
    holds them: a profiler's or a tracer's hook does (cProfile, coverage, pdb); the index
    then grows by a copy."""
    config = Config(loss=1, dup=1, reorder=True)
    plain = check_scenario(SCENARIOS["normal"], config)
    before = current()  # (a coverage tracer, say: put back, not switched off)
    hook(_tracer)
    try:
        profiled = check_scenario(SCENARIOS["normal"], config)
    finally:
        hook(before)
    assert profiled.result.exploration.stats.states == plain.result.exploration.stats.states > 1000
    assert [(v.property, v.status, v.trace) for v in profiled.result.verdicts] == \
        [(v.property, v.status, v.trace) for v in plain.result.verdicts]


class Wide:
    """Rows (x, y) stepping to (x + 1, y * 2 + 1): y's ids outgrow a 63-bit key."""

    width, labels = 2, ["step"]

    def init_states(self):
        return [(0, 1)]

    def expand(self, rows):
        rows = np.asarray(rows, np.int64)  # (they come as int32: checker.model.Batched)
        go = np.nonzero(rows[:, 0] < 70)[0]
        return go, np.zeros(len(go), np.int64), np.column_stack((rows[go, 0] + 1, rows[go, 1] * 2 + 1))

    def successors(self, s):
        return [("step", (s[0] + 1, s[1] * 2 + 1))] if s[0] < 70 else []

    def decode(self, s):
        return s

    @staticmethod
    def columns(fields):
        return (0,)

    def limits_hit(self):
        return []


def test_a_search_whose_ids_outgrow_a_key_is_incomplete_not_verified():
    prop = Invariant(name="small", description="", check=lambda s: None, reads=("x",))
    result = check(Wide(), [prop])
    (v,) = result.verdicts
    assert v.status == Status.INCOMPLETE
    assert "63 at most" in v.message and "--fingerprint 64" in v.message
    with pytest.raises(TooWide):
        Packing(2).fit(np.asarray([[1 << 40, 1 << 40]]))

