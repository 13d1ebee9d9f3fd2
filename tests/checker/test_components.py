"""The liveness check's own strongly-connected-components routine agrees with networkx."""

import networkx as nx
from hypothesis import given, settings, strategies as st

from tcpverify.checker.explore import EdgeList, StateGraph
from tcpverify.checker.liveness import _components

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
