"""The explicit checker with concrete ISNs explores the same graph as with symbolic ISNs."""

import networkx as nx
import pytest
from hypothesis import given, settings, strategies as st

from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.seq import HALF, MOD
from tcpverify.spec.world.config import SCENARIOS, Config

CASES = [("normal", Config(loss=1)), ("simultaneous-open", Config()),
         ("half-close", Config(loss=1))]


def labelled_graph(outcome) -> nx.MultiDiGraph:
    g = outcome.result.exploration.graph
    out = nx.MultiDiGraph()
    for i, w in enumerate(g.states):
        out.add_node(i, control=(w.a.state, w.b.state, len(w.ab), len(w.ba)))
    for i, edges in enumerate(g.edges):
        for label, j in edges:
            out.add_edge(i, j, label=(label.actor, label.name))
    return out


def same_labels(e1, e2):
    return sorted(d["label"] for d in e1.values()) == sorted(d["label"] for d in e2.values())


def assert_isomorphic(scenario, config, isn_a, isn_b):
    symbolic = check_scenario(SCENARIOS[scenario], config)
    concrete = check_scenario(SCENARIOS[scenario], config, isns={"A": (isn_a,), "B": (isn_b,)})
    g1, g2 = labelled_graph(symbolic), labelled_graph(concrete)
    assert g1.number_of_nodes() == g2.number_of_nodes()
    assert nx.is_isomorphic(g1, g2, node_match=lambda a, b: a["control"] == b["control"],
                            edge_match=same_labels)
    assert [(v.property, v.status, v.length) for v in symbolic.result.verdicts] == \
        [(v.property, v.status, v.length) for v in concrete.result.verdicts]


@pytest.mark.parametrize("scenario,config", CASES)
@pytest.mark.parametrize("isns", [(0, MOD - 1), (HALF - 1, 0), (MOD - 1, MOD - 2)])
def test_concrete_isns_give_the_symbolic_graph(scenario, config, isns):
    assert_isomorphic(scenario, config, *isns)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, MOD - 1), st.integers(0, MOD - 1))
def test_random_isns_give_the_symbolic_graph(isn_a, isn_b):
    assert_isomorphic("normal", Config(loss=1), isn_a, isn_b)


def test_concrete_isns_appear_in_the_run():
    o = check_scenario(SCENARIOS["normal"], Config(), isns={"A": (MOD - 1,), "B": (0,)})
    isss = {str(w.a.iss) for w in o.result.exploration.graph.states}
    assert str(MOD - 1) in isss
    ends = {str(w.a.snd_nxt) for w in o.result.exploration.graph.states}
    assert "1" in ends  # ISS_A + 2 wrapped past 2^32
