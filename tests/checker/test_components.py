"""The liveness check's own strongly-connected-components routine, its search for a stuck
state or a loop, and the array passes before them agree with networkx or a plain queue."""

from collections import deque
from unittest import mock

import networkx as nx
import numpy as np
from hypothesis import given, settings, strategies as st

from tcpverify.checker import liveness
from tcpverify.checker.explore import EdgeList, explore
from tcpverify.checker.liveness import _bad_tree, _components, _on_or_after_cycles, _search_tree, check_eventually
from tcpverify.checker.properties import Eventually

graphs = st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
    st.sets(st.integers(0, n - 1))))


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_components_match_networkx(graph):
    n, arcs, nodes = graph
    edges = EdgeList.of(tuple(("step", j) for i, j in arcs if i == k) for k in range(n))
    h = nx.DiGraph()
    h.add_nodes_from(range(n))
    h.add_edges_from(arcs)
    expected = sorted(sorted(c) for c in nx.strongly_connected_components(h.subgraph(nodes)))
    assert sorted(_components(edges, nodes)) == expected


def test_components_of_a_long_chain_do_not_recurse():
    n = 50_000
    edges = EdgeList.of(((("step", i + 1),) if i + 1 < n else (("step", 0),)) for i in range(n))
    assert _components(edges, set(range(n))) == [list(range(n))]


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_without_fairness_a_lasso_is_found_exactly_when_networkx_sees_a_stuck_state_or_a_cycle(graph):
    """State 0 is initial; the goal states are those not in ``nodes``."""
    n, arcs, nodes = graph
    prop = Eventually(name="p", description="", goal=lambda s: s not in nodes, fairness=lambda label: None)
    g = explore(_Arcs(arcs), [prop]).graph
    h = nx.DiGraph()
    h.add_nodes_from(range(n))
    h.add_edges_from(arcs)
    bad = h.subgraph(nodes)
    reached = nx.descendants(bad, 0) | {0} if 0 in nodes else set()
    stuck = any(h.out_degree(i) == 0 for i in reached)
    cyclic = not nx.is_directed_acyclic_graph(bad.subgraph(reached))
    lasso = check_eventually(g, prop)
    assert (lasso is not None) == (stuck or cyclic)
    if lasso is not None and lasso.loop:
        assert lasso.loop[-1][1] == lasso.stem[-1][1]


class _Arcs:
    """The graph as a model: state 0 initial, each state's successors its arcs in the order listed."""

    def __init__(self, arcs: list):
        self.arcs = arcs

    def init_states(self) -> list[int]:
        return [0]

    def successors(self, state: int) -> list:
        return [("step", j) for i, j in self.arcs if i == state]

    def limits_hit(self) -> list[str]:
        return []


def _arrays(n: int, arcs: list) -> tuple[np.ndarray, np.ndarray]:
    """(first, targets) of the graph's edges, each state's in the order listed, as
    check_eventually reads them from its EdgeList."""
    edges = EdgeList.of(tuple(("step", j) for i, j in arcs if i == k) for k in range(n))
    return np.frombuffer(edges.first, np.int64), np.frombuffer(edges.targets, np.int32)


@settings(max_examples=300, deadline=None)
@given(graphs, st.integers(1, 3))
def test_the_bad_tree_and_what_is_left_after_peeling_match_a_plain_queue(graph, chunk):
    """State 0 is the root when bad; a chunk of 1 to 3 states makes a level many chunks."""
    n, arcs, nodes = graph
    first, targets = _arrays(n, arcs)
    bad = np.asarray([i in nodes for i in range(n)])
    parent, order = {0: -1} if 0 in nodes else {}, [0] if 0 in nodes else []
    queue = deque(order)
    while queue:  # each bad state's parent: the first in queue order with an edge to it
        i = queue.popleft()
        for j in targets[first[i]:first[i + 1]].tolist():
            if bad[j] and j not in parent:
                parent[j] = i
                order.append(j)
                queue.append(j)
    left = set(order)
    while True:  # peeled: the states no edge from a state left enters
        entered = {j for i in left for j in targets[first[i]:first[i + 1]].tolist() if bad[j]}
        if left <= entered:
            break
        left &= entered
    with mock.patch.object(liveness, "_CHUNK", chunk):
        got_parent, got_order, entering = _bad_tree(first, targets, bad, np.asarray(order[:1], np.int64))
        got_left = list(_on_or_after_cycles(first, targets, bad, got_order, entering))
    assert got_order.tolist() == order
    assert {i: int(got_parent[i]) for i in order} == parent
    assert got_left == [i for i in order if i in left]


@settings(max_examples=300, deadline=None)
@given(graphs, st.integers(1, 3))
def test_the_bad_tree_read_off_the_search_is_the_breadth_first_one_wherever_it_is_taken(graph, chunk):
    """On a searched graph (states numbered in the order met), _search_tree gives _bad_tree's
    parents, order and counts of entering edges where every bad state is initial or has a bad
    parent, and declines (None) exactly where one has a goal parent."""
    n, arcs, nodes = graph
    g = explore(_Arcs(arcs), []).graph
    bad = np.asarray([s in nodes for s in g.states])
    first, targets = np.frombuffer(g.edges.first, np.int64), np.frombuffer(g.edges.targets, np.int32)
    tree = np.frombuffer(g.parent, np.int32)
    with mock.patch.object(liveness, "_CHUNK", chunk):
        got = _search_tree(first, targets, bad, tree)
        parent, order, entering = _bad_tree(first, targets, bad, np.flatnonzero((tree == -1) & bad))
    assert (got is None) == any(bad[i] and tree[i] >= 0 and not bad[tree[i]] for i in range(len(bad)))
    if got is not None:
        assert got[1].tolist() == order.tolist()
        assert got[0][order].tolist() == parent[order].tolist()
        assert got[2].tolist() == entering.tolist()
