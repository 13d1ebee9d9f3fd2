"""The relations behind the proofs include every environment action and every edge the explicit
search can fire (or say why not); taking one out of a relation makes these tests fail."""

from itertools import product

import pytest

from tcpverify.spec.proofs import bmc, bmc_relation, crossinduction, induction
from tcpverify.spec.proofs import relation_coverage as rc
from tcpverify.spec.tcp.machine import SEGMENT
from tcpverify.spec.world.config import DEFAULT_CONFIGS, SCENARIOS, Config
from tcpverify.spec.world.environment import BY_NAME, NAMES

from tiers import sampled

RELATIONS = tuple(rc.ABSENT)
SYMBOLIC = ("induction", "crossinduction")  # the relations of the inductive obligations
EDGES = sorted(rc.graph_edges())
FLAGS = ("SYN", "FIN", "RST", "ACK", "data")


def covered(relation: str) -> bool:
    """The relation includes every action (or says why not) and, but for BMC, every edge."""
    return not rc.action_gaps(relation) and (relation == "bmc" or rc.edges(relation) >= rc.graph_edges())


@pytest.mark.parametrize("relation", RELATIONS)
def test_every_relation_includes_every_action_and_edge_or_says_why(relation):
    assert rc.action_gaps(relation) == {}
    assert set(rc.ABSENT[relation]) <= set(NAMES) and all(rc.ABSENT[relation].values())
    assert covered(relation)


def test_one_endpoint_lets_every_class_of_segment_arrive_in_every_state():
    assert rc.arrival_gaps() == []


def without(steps, drop):
    return lambda *a, **k: tuple(s for s in steps(*a, **k) if not drop(s))


def remove(monkeypatch, relation: str, drop) -> None:
    """Take out of the relation every step for which drop(transition) holds."""
    if relation == "induction":
        monkeypatch.setattr(induction, "transitions", without(induction.transitions, drop))
    else:
        monkeypatch.setattr(crossinduction, "_steps", without(crossinduction._steps, lambda s: drop(s[0])))


@pytest.mark.parametrize("relation, action", [(r, a) for r in RELATIONS for a in NAMES if a not in rc.ABSENT[r]])
def test_an_action_taken_out_of_a_relation_is_missed(monkeypatch, relation, action):
    if relation == "bmc":
        monkeypatch.delitem(bmc.ENCODED, action)
    elif BY_NAME[action].events:
        remove(monkeypatch, relation, lambda t: t.event in BY_NAME[action].events)
    else:
        remove(monkeypatch, relation, lambda t: t.event == crossinduction.NETWORK and t.edge == action)
    assert rc.action_gaps(relation).get(action) == "missing"
    assert not covered(relation)


@pytest.mark.parametrize("relation", RELATIONS)
def test_a_reason_for_an_action_the_relation_has_is_stale(monkeypatch, relation):
    action = next(a for a in NAMES if a not in rc.ABSENT[relation])
    monkeypatch.setitem(rc.ABSENT, relation, {**rc.ABSENT[relation], action: "a reason"})
    assert rc.action_gaps(relation) == {action: "stale reason"}


@pytest.mark.parametrize("relation, edge", [(r, e) for r in SYMBOLIC for e in EDGES])
def test_an_edge_taken_out_of_a_relation_is_missed(monkeypatch, relation, edge):
    remove(monkeypatch, relation, lambda t: t.edge == edge)
    assert rc.edges(relation) == rc.graph_edges() - {edge}
    assert not covered(relation)


@pytest.mark.parametrize("flag", FLAGS)
def test_a_relation_without_segments_of_one_kind_misses_them(monkeypatch, flag):
    """The issue's weakening: dropping data segments from the relation (or SYNs, FINs, ...)."""
    i = FLAGS.index(flag)
    stimuli = induction.stimuli

    def fewer(t):
        return [(e, s, c) for e, s, c in stimuli(t) if e != SEGMENT
                or not (s.syn, s.fin, s.rst, s.ack is not None, bool(s.data))[i]]
    monkeypatch.setattr(induction, "stimuli", fewer)
    gaps = rc.arrival_gaps()
    assert gaps and all(flags[i] for _, flags, _ in gaps)


def test_a_relation_without_segments_outside_the_window_misses_them(monkeypatch):
    stimuli = induction.stimuli
    monkeypatch.setattr(induction, "stimuli", lambda t: [
        (e, s, c) for e, s, c in stimuli(t) if s is None or rc._seq_class(t, s) != "elsewhere"])
    assert {c for _, _, c in rc.arrival_gaps()} == {"elsewhere"}


# BMC fires its relation from the skeletons a run reaches: each run BMC encodes, checked against
# the explicit search of the same run (about 30 s for all; the loss-free ones in the fast tier).
BMC_RUNS = [(s, c) for c in DEFAULT_CONFIGS for s in SCENARIOS if not bmc.unencoded(c)]


@pytest.mark.parametrize("scenario, config", sampled(BMC_RUNS, lambda run: run[1] == Config()),
                         ids=lambda x: x if isinstance(x, str) else x.name)
def test_bmc_relation_takes_every_edge_the_explicit_search_takes(scenario, config):
    assert rc.bmc_gaps(SCENARIOS[scenario], config) == set()


def fired_in(scenario: str, config: Config) -> list[str]:
    return sorted({edge for _, _, edge in rc.taken(SCENARIOS[scenario], config)})


def test_the_bmc_runs_fire_the_edges_the_removal_test_takes_out():
    assert {"RcvSynAckInSynSent", "RcvFinInFinWait2"} <= set(fired_in("normal", Config()))


@pytest.mark.parametrize("edge", [pytest.param("RcvSynAckInSynSent"), pytest.param(
    "every edge of the normal run", marks=pytest.mark.slow)])
def test_an_edge_taken_out_of_bmc_relation_is_missed(monkeypatch, edge):
    edges = fired_in("normal", Config()) if edge.startswith("every") else [edge]
    fired = bmc_relation.fired
    for e in edges:
        with monkeypatch.context() as m:
            m.setattr(bmc_relation, "fired", lambda *a, e=e: (f for f in fired(*a) if f[0] != e))
            assert {edge for _, _, edge in rc.bmc_gaps(SCENARIOS["normal"], Config())} == {e}
