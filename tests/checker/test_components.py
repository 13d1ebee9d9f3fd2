"""The liveness check's own strongly-connected-components routine, and its search for a stuck
state or a loop, agree with networkx."""

from array import array

import networkx as nx
from hypothesis import given, settings, strategies as st

from tcpverify.checker.explore import EdgeList, StateGraph
from tcpverify.checker.liveness import _components, check_eventually
from tcpverify.checker.properties import Eventually

graphs = st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
    st.sets(st.integers(0, n - 1))))


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_components_match_networkx(graph):
    n, arcs, nodes = graph
    g = StateGraph(states=list(range(n)), edges=EdgeList.of(tuple(("step", j) for i, j in arcs if i == k)
                                                            for k in range(n)))
    h = nx.DiGraph()
    h.add_nodes_from(range(n))
    h.add_edges_from(arcs)
    expected = sorted(sorted(c) for c in nx.strongly_connected_components(h.subgraph(nodes)))
    assert sorted(_components(g, nodes)) == expected


def test_components_of_a_long_chain_do_not_recurse():
    n = 50_000
    g = StateGraph(states=list(range(n)), edges=EdgeList.of(((("step", i + 1),) if i + 1 < n else (("step", 0),))
                                                            for i in range(n)))
    assert _components(g, set(range(n))) == [list(range(n))]


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_without_fairness_a_lasso_is_found_exactly_when_networkx_sees_a_stuck_state_or_a_cycle(graph):
    """State 0 is initial; the goal states are those not in ``nodes``."""
    n, arcs, nodes = graph
    g = StateGraph(states=list(range(n)), parent=array("i", [-1] + [0] * (n - 1)),
                   edges=EdgeList.of(tuple(("step", j) for i, j in arcs if i == k) for k in range(n)))
    prop = Eventually(name="p", description="", goal=lambda s: s not in nodes, fairness=lambda label: None)
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
