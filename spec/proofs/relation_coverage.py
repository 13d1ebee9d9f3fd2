"""What the symbolic relations behind the proofs hold of the explicit search's Next: every
environment action (spec/world/environment.py) and every edge of the state graph.

Read off the relations, never listed: a relation includes an action that fires the graph when
its steps fire each of the action's events the graph has, a network action when it has steps of that name
(crossinduction's NETWORK_STEPS, BMC's ENCODED), and an edge when a step takes it; BMC's
relation, fired from the skeletons a run reaches, takes at each skeleton of an explicit run the
edges the explicit search takes there. What a relation does without, ABSENT says, with why; a
gap without a reason, or a reason without a gap, fails tests/proofs/test_relation_coverage.py.
A relation that drops a kind of segment, a timer or an edge, and so proves less than it says,
is caught there.
"""

from __future__ import annotations

from itertools import product

from tcpverify.checker.explore import explore

from ..suite.run import machine_for
from ..tcp.firing import seq_offsets
from ..tcp.machine import SEGMENT
from ..tcp.tcb import Tcb
from ..world.config import Config, Scenario
from ..world.environment import DUPLICATE, ENVIRONMENT, FORGE, LOSE, OLD
from ..world.system import TcpSystem
from . import crossinduction, induction
from .bmc import ENCODED, NOT_ENCODED, Encoding
from .bmc_relation import skeleton

ADVERSARY = ("one endpoint, no network: every class of segment arrives in every state "
             "(arrival_gaps), so what the network loses, copies or injects adds no step")
ABSENT = {
    "induction": {LOSE: ADVERSARY, DUPLICATE: ADVERSARY, OLD: ADVERSARY, FORGE: ADVERSARY},
    "crossinduction": {},
    "bmc": NOT_ENCODED,
}


def graph_edges() -> set[str]:
    """Every edge of the RFC 9293 state graph: what the explicit search can fire."""
    return {name for _, _, name in machine_for(None).graph.edges(keys=True)}


def _firing(events: set[str]) -> set[str]:
    """The actions that fire the graph, each of whose events the graph has an edge for (not
    Linux's FIN-WAIT-2 timeout) among these."""
    graph = {e for _, _, e in machine_for(None).graph.edges(data="event")}
    return {a.name for a in ENVIRONMENT if a.events and set(a.events) & graph <= events}


def actions(relation: str) -> set[str]:
    """The environment actions the relation's steps include."""
    if relation == "induction":
        return _firing({t.event for t in induction.transitions()})
    if relation == "crossinduction":
        steps = [t for t, _, _ in crossinduction._steps(None)]
        return _firing({t.event for t in steps if t.event != crossinduction.NETWORK}) \
            | {t.edge for t in steps if t.event == crossinduction.NETWORK}
    return set(ENCODED)


def edges(relation: str) -> set[str]:
    """The graph edges the relation's steps take (BMC's, per run: bmc_gaps)."""
    if relation == "induction":
        return {t.edge for t in induction.transitions()}
    return {t.edge for t, _, _ in crossinduction._steps(None) if t.event != crossinduction.NETWORK}


def action_gaps(relation: str) -> dict[str, str]:
    """Each action the relation lacks without a reason ("missing"), or has despite one ("stale
    reason")."""
    have, absent = actions(relation), ABSENT[relation]
    out = {a.name: "missing" for a in ENVIRONMENT if a.name not in have and a.name not in absent}
    out.update({name: "stale reason" for name in absent if name in have})
    return out


def _seq_class(template, seg) -> int | str:
    """SEG.SEQ - RCV.NXT, or "elsewhere" for a free SEG.SEQ (spec.tcp.firing)."""
    rcv = template.rcv_nxt
    return seg.seq.off - rcv.off if rcv is not None and seg.seq.base == rcv.base else "elsewhere"


def arrival_gaps() -> list[tuple[str, tuple, int | str]]:
    """(state, flags, SEQ class) for each segment the one-endpoint relation does not let arrive:
    every combination of SYN, FIN, RST, ACK and data, at each SEG.SEQ - RCV.NXT that Table 6
    (RFC 9293 3.10.7.4) tells apart and elsewhere, in every state that receives segments."""
    machine = machine_for(None)
    out = []
    for t in induction.pre_states():
        if not machine.handles(t.state, SEGMENT):
            continue
        classes = list(seq_offsets(Config.window)) + ["elsewhere"] if t.rcv_nxt is not None \
            else ["elsewhere"]
        arriving = {((s.syn, s.fin, s.rst, s.ack is not None, bool(s.data)), _seq_class(t, s))
                    for e, s, _ in induction.stimuli(t) if e == SEGMENT}
        out += [(t.state, flags, c) for flags in product((False, True), repeat=5) for c in classes
                if (flags, c) not in arriving]
    return out


def taken(scenario: Scenario, config: Config) -> set[tuple[str, Tcb, str]]:
    """(endpoint, skeleton, edge) for each edge the explicit search fires in this run, at the
    skeleton (spec.proofs.bmc_relation.skeleton) of the endpoint that fires it."""
    g = explore(TcpSystem(machine_for(None), scenario, config), [], keep_edges=True).graph
    return {(step.actor, skeleton(g.states[i].tcb(step.actor))[0], step.name)
            for i, out in enumerate(g.edges) for step, _ in out if step.actor != "net"}


def bmc_gaps(scenario: Scenario, config: Config) -> set[tuple[str, str, str]]:
    """(endpoint, state, edge) for each edge the explicit search fires in this run that BMC's
    relation lacks at the same skeleton, its segment shapes learnt from its own moves as
    Encoding.reach learns them."""
    steps = sorted(taken(scenario, config), key=repr)
    rel = Encoding(machine_for(None), scenario, config).rel
    known = None
    while known != rel.shapes:
        known = set(rel.shapes)
        for x, t, _ in steps:
            rel.learn(rel.moves(x, t))
    return {(x, t.state, edge) for x, t, edge in steps if edge not in {m.edge for m in rel.moves(x, t)}}
