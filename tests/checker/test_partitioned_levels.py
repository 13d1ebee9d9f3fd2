"""The partitioned search a level of numpy rows at a time (checker.partitioned_levels) where a
state's ids outgrow a 63-bit key on some rank: every rank stops at that level, and the
verdict is one worker's INCOMPLETE with the same message. (Its graphs are pinned with 2 and
3 workers in tests/suite/test_graph_digest.py.) The edges kept without all_edges, when a
target only a goal state leads to is sent before one liveness reads. Forked ranks made at the
first level of SPLIT_AT states, or never; a rank that fails after the fork. Rank 0's gather
placing every rank's states by their numbers."""

from __future__ import annotations

import numpy as np
import pytest

from tcpverify.checker import partitioned_levels
from tcpverify.checker.comm import WorkerFailed
from tcpverify.checker.properties import Eventually, Invariant
from tcpverify.checker.status import Status
from tcpverify.checker.verdict import check

pytestmark = pytest.mark.usefixtures("forked_at_once")  # (levels of a few states)


class Chain:
    """(x, ..., x) stepping to (x + 1, ..., x + 1) up to x = 100, in 14 columns whose ids are
    the values (dense, as a compact model's): from x = 16 on a row needs 14 * 5 bits."""

    width, labels = 14, ["step"]

    def init_states(self):
        return [(0,) * self.width]

    def expand(self, rows):
        rows = np.asarray(rows, np.int64)
        go = np.nonzero(rows[:, 0] < 100)[0]
        return go, np.zeros(len(go), np.int64), rows[go] + 1

    def decode(self, state):
        return state

    @staticmethod
    def columns(fields):
        return (0,)

    def stable(self, state):  # the owner: x's parity with 2 workers
        return state[0]

    def part(self, j, i):
        return i

    def intern(self, j, values):
        return list(values)

    def limits_hit(self):
        return []


@pytest.mark.parametrize("workers", [2, 3])
def test_ids_outgrowing_a_key_on_a_rank_stop_every_rank_incomplete_as_one_worker(workers):
    prop = Invariant(name="small", description="", check=lambda s: None, reads=("x",))
    (one,) = check(Chain(), [prop]).verdicts
    (many,) = check(Chain(), [prop], workers=workers).verdicts
    assert one.status == many.status == Status.INCOMPLETE
    assert "63 at most" in many.message and many.message == one.message


class Fan(Chain):
    """2 (a goal) and 4 step to 1 and 3, which step to themselves: with 2 workers, rank 0 owns
    2 and 4 and sends rank 1 both 1 and 3, of which it asks the number of 3 only (liveness
    reads no goal state's edges), though 1 sorts first."""

    width = 1
    steps = {2: 1, 4: 3, 1: 1, 3: 3}

    def init_states(self):
        return [(2,), (4,)]

    def expand(self, rows):
        rows = np.asarray(rows, np.int64)
        targets = np.asarray([[self.steps[x]] for x in rows[:, 0].tolist()], np.int64).reshape(-1, 1)
        return np.arange(len(rows)), np.zeros(len(rows), np.int64), targets


@pytest.mark.parametrize("workers", [2, 3])
def test_without_all_edges_a_rank_asks_the_targets_of_the_edges_kept_only(workers):
    prop = Eventually(name="low", description="", goal=lambda s: s[0] < 3, reads=("x",),
                      fairness=lambda label: None)
    one = check(Fan(), [prop], all_edges=False)
    many = check(Fan(), [prop], workers=workers, all_edges=False)
    (v,) = many.verdicts
    assert (v.status, v.trace, v.loop_start) == (Status.VIOLATED, [(None, 1), ("step", 3), ("step", 3)], 1)
    assert [(w.status, w.trace, w.loop_start) for w in one.verdicts] == [(v.status, v.trace, v.loop_start)]
    e = many.exploration.graph.edges
    assert e.partial and [e[i] for i in range(4)] == [[], [("step", 3)], [], [("step", 3)]]
    # decided on rank 1 from every rank's edges and goal flags (rank 0 owns 4, the bad root)
    assert one.exploration.lassos == {} and list(many.exploration.lassos) == ["low"]


class CutFan(Fan):
    """Fan, whose model meets a limit where it expands 4 (on rank 0 with 2 workers)."""

    cut = False

    def expand(self, rows):
        self.cut = self.cut or bool((np.asarray(rows)[:, 0] == 4).any())
        return super().expand(rows)

    def limits_hit(self):
        return ["a bound met at 4"] if self.cut else []


def test_a_limit_met_on_any_rank_leaves_liveness_undecided_as_on_one_worker():
    """Rank 1 decides no lasso on a graph a limit cut short, though its own model met none."""
    prop = Eventually(name="low", description="", goal=lambda s: s[0] < 3, reads=("x",),
                      fairness=lambda label: None)
    one, many = check(CutFan(), [prop], all_edges=False), check(CutFan(), [prop], workers=2, all_edges=False)
    assert [(v.status, v.message) for v in many.verdicts] == [(v.status, v.message) for v in one.verdicts] \
        == [(Status.INCOMPLETE, "a bound met at 4")]
    assert many.exploration.lassos == {}


class Tree(Chain):
    """x steps to 2x + 1 and 2x + 2 up to the leaves, 511 .. 1022: level d has 2^d states."""

    width = 1

    def expand(self, rows):
        rows = np.asarray(rows, np.int64)
        go = np.repeat(np.nonzero(rows[:, 0] < 511)[0], 2)
        return go, np.zeros(len(go), np.int64), 2 * rows[go] + 1 + np.arange(len(go)).reshape(-1, 1) % 2


@pytest.mark.parametrize("split, ranks", [(64, 2), (2, 2), (1024, 1)])
def test_forked_ranks_start_at_the_first_level_of_split_at_states_with_the_same_graph(split, ranks, split_at):
    """Before that level rank 0 searches alone; a search whose levels stay smaller (the largest
    has 512 states) forks nothing: one rank's CPU phases."""
    prop = Eventually(name="leaf", description="", goal=lambda s: s[0] >= 511, reads=("x",),
                      fairness=lambda label: None)

    def graph(result):
        g = result.exploration.graph
        return (list(g.states), list(g.parent), list(g.parent_label), list(g.depth), list(g.edges),
                g.terminal, [(v.status, v.trace) for v in result.verdicts])
    one = check(Tree(), [prop])
    split_at(split)
    many = check(Tree(), [prop], workers=2)
    assert graph(many) == graph(one) and one.verdicts[0].status == Status.VERIFIED
    assert len(many.exploration.stats.phases) == ranks
    levels = many.exploration.stats.levels  # rank 0's with the levels it searched alone
    sizes = [2 ** d for d in range(10)]
    assert [sum(rank[d] for rank in levels if d < len(rank)) for d in range(10)] == sizes
    alone = min(split.bit_length() - 1, 10)  # the levels of fewer than split states
    assert len(levels) == ranks and levels[0][:alone] == sizes[:alone]


class Failing(Tree):
    """Tree, whose expand fails at x = at."""

    def __init__(self, at):
        self.at = at

    def expand(self, rows):
        if (np.asarray(rows)[:, 0] == self.at).any():
            raise RuntimeError("boom")
        return super().expand(rows)


@pytest.mark.parametrize("at", [100, 101])  # (level 6, after the fork: rank 0's, rank 1's)
def test_a_rank_that_fails_after_the_fork_stops_the_search_with_its_error(at, split_at, capfd):
    split_at(8)
    prop = Invariant(name="any", description="", check=lambda s: None, reads=("x",))
    with pytest.raises((WorkerFailed, RuntimeError), match="boom" if at % 2 == 0 else "worker 1 failed"):
        check(Failing(at), [prop], workers=2)
    err = capfd.readouterr().err
    assert ("RuntimeError: boom" in err) == (at % 2 == 1)  # the failing copy's own traceback
    assert "WorkerFailed" not in err  # (a peer of a failed rank stops quietly)


def test_the_gather_places_each_ranks_states_by_their_numbers_as_keys_or_as_tuples_past_a_key(monkeypatch):
    """_placed, a state at a time (BLOCK 1): the states in the order of their numbers, the
    index finding each; rows whose ids need more than 63 bits (3 columns of 31) as tuples,
    with the limit that makes the verdict INCOMPLETE."""
    monkeypatch.setattr(partitioned_levels, "BLOCK", 1)
    rows = [np.asarray(r, np.int32) for r in ([[5, 1, 0], [3, 0, 0]], [[4, 7, 2]])]
    met, index, limit = partitioned_levels._placed([(np.asarray([2, 0]), rows[0]), (np.asarray([1]), rows[1])], 3, 3)
    assert [met[i] for i in range(3)] == [(3, 0, 0), (4, 7, 2), (5, 1, 0)] and limit == ""
    assert [index.get(s) for s in ((3, 0, 0), (4, 7, 2), (5, 1, 0), (5, 1, 1))] == [0, 1, 2, None]
    wide = np.asarray([[2 ** 30] * 3], np.int32)
    met, index, limit = partitioned_levels._placed([(np.asarray([1]), wide), (np.asarray([0]), rows[1][:1])], 2, 3)
    assert met == [(4, 7, 2), (2 ** 30,) * 3] and index[(2 ** 30,) * 3] == 1 and "63 at most" in limit
