"""The symbolic transition relation covers what the explicit checker executes, and the
inductive invariants hold on every state it explores."""

import pytest
import z3

from tcpverify.checker.proofs import REFUTED, PROVED, Obligation, prove
from tcpverify.spec import induction
from tcpverify.spec.config import SCENARIOS, Config
from tcpverify.spec.run import check_scenario
from tcpverify.spec.symbolic import literal

RUNS = [(name, config) for name in SCENARIOS for config in (Config(loss=1), Config(stale=1))]


@pytest.fixture(scope="module")
def outcomes():
    return [check_scenario(SCENARIOS[name], config) for name, config in RUNS]


def test_every_edge_the_checker_fires_is_in_the_symbolic_relation(outcomes):
    symbolic = {(t.pre.state, t.edge) for t in induction.transitions()}
    fired = set()
    for o in outcomes:
        g = o.result.exploration.graph
        for i, out in enumerate(g.edges):
            for step, _ in out:
                if step.actor in ("A", "B"):
                    fired.add((g.states[i].tcb(step.actor).state, step.name))
    assert len(fired) > 60
    assert fired <= symbolic


def test_every_explored_tcb_satisfies_the_invariant(outcomes):
    checked = set()
    for o in outcomes:
        for w in o.result.exploration.graph.states:
            for t in (w.a, w.b):
                if t.state == "CLOSED" or (t, w.pc) in checked:
                    continue
                checked.add((t, w.pc))
                claim = z3.Implies(z3.And(*(literal(x) for x in w.pc)), induction.inv(t))
                assert prove(Obligation("explored", "", lambda: claim)).status == PROVED, t
    assert len(checked) > 50


def test_fin_accounting_is_not_inductive_when_the_fin_takes_no_number():
    r = prove(Obligation("variant", "", lambda: induction.inductive(
        induction.fin_accounting, 0, "fin-takes-no-sequence-number")))
    assert r.status == REFUTED
    step = induction.breaking_step(induction.fin_accounting, 0, "fin-takes-no-sequence-number")
    assert step.edge.startswith("CloseIn") and step.post.snd_nxt == step.post.fin_seq
    assert induction.breaking_step(induction.fin_accounting) is None


def test_segments_cover_every_class_of_table_6():
    t = induction.pre_states()[-1]
    offsets = {s.seq.off for s, _ in induction.segments(t) if s.seq.base == "RCV.NXT"}
    assert offsets == set(range(-3, 6))
    assert any(s.seq.base == "SEG.SEQ" for s, _ in induction.segments(t))
