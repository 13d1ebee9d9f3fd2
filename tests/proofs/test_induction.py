"""The symbolic transition relation covers what the explicit checker executes, and the
inductive invariants hold on every state it explores."""

from functools import cache

import pytest
import z3

from tcpverify.checker.proofs import Obligation, prove
from tcpverify.checker.status import Status
from tcpverify.spec.proofs import induction
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.firing import segments
from tcpverify.spec.tcp.symbolic import literal
from tcpverify.spec.world.config import SCENARIOS, Config
from tiers import sampled

CONFIGS = {"loss 1": Config(loss=1), "stale 1": Config(stale=1)}


@pytest.fixture(scope="module")
def outcomes():
    """label -> every scenario's outcome under that configuration, searched when first asked."""
    @cache
    def of(label: str) -> list:
        return [check_scenario(SCENARIOS[name], CONFIGS[label]) for name in SCENARIOS]
    return of


@pytest.mark.slow
def test_every_edge_the_checker_fires_is_in_the_symbolic_relation(outcomes):
    symbolic = {(t.pre.state, t.edge) for t in induction.transitions()}
    fired = set()
    for o in (o for label in CONFIGS for o in outcomes(label)):
        g = o.result.exploration.graph
        if g.edges is None:  # a run with no liveness property to check keeps no edges
            continue
        for i, out in enumerate(g.edges):
            for step, _ in out:
                if step.actor in ("A", "B"):
                    fired.add((g.states[i].tcb(step.actor).state, step.name))
    assert len(fired) > 60
    assert fired <= symbolic


# (the old duplicates' 940 TCBs and path conditions take 8 s: the whole suite proves them)
@pytest.mark.parametrize("label", sampled(CONFIGS, lambda label: label == "loss 1"))
def test_every_explored_tcb_satisfies_the_invariant(outcomes, label):
    checked = set()
    for o in outcomes(label):
        for w in o.result.exploration.graph.states:
            for t in (w.a, w.b):
                if t.state == "CLOSED" or (t, w.pc) in checked:
                    continue
                checked.add((t, w.pc))
                claim = z3.Implies(z3.And(*(literal(x) for x in w.pc)), induction.inv(t))
                assert prove(Obligation("explored", "", lambda: claim)).status == Status.PROVED, t
    assert len(checked) > 50


@pytest.mark.slow
def test_fin_accounting_is_not_inductive_when_the_fin_takes_no_number():
    r = prove(Obligation("variant", "", lambda: induction.inductive(
        induction.fin_accounting, 0, "fin-takes-no-sequence-number")))
    assert r.status == Status.REFUTED
    step = induction.breaking_step(induction.fin_accounting, 0, "fin-takes-no-sequence-number")
    assert step.edge.startswith("CloseIn") and step.post.snd_nxt == step.post.fin_seq
    assert induction.breaking_step(induction.fin_accounting) is None


def test_segments_cover_every_class_of_table_6():
    t = induction.pre_states()[-1]
    offsets = {s.seq.off for s, _ in segments(t, induction.SEQ_OFFSETS) if s.seq.base == "RCV.NXT"}
    assert offsets == set(range(-3, 6))
    assert any(s.seq.base == "SEG.SEQ" for s, _ in segments(t, induction.SEQ_OFFSETS))


@pytest.mark.slow
def test_a_retransmission_resends_exactly_the_queue_for_any_isn():
    """Fired on symbolic TCBs, RetransmitIn* resends [SND.UNA, SND.NXT) with SYN exactly when
    SND.UNA = ISS: the symbolic relation has the explicit checker's segments, not stand-ins."""
    feasible = set()
    for t in induction.transitions():
        if not t.edge.startswith("Retransmit"):
            continue
        (seg,) = t.sent
        pre = t.pre
        before = z3.And(induction.inv(pre), t.precondition, *(literal(g) for g in t.guard))
        exact = z3.And(seg.seq.term() == pre.snd_una.term(),
                       z3.BitVecVal(seg.length(), 32) == pre.snd_nxt.term() - pre.snd_una.term(),
                       z3.BoolVal(seg.syn) == (pre.snd_una.term() == pre.iss.term()))
        s = z3.Solver()
        s.add(before)
        if s.check() == z3.unsat:
            continue
        feasible.add((pre.state, seg.flags, seg.data))
        s.add(z3.Not(exact))
        assert s.check() == z3.unsat, (t.edge, str(seg))
    assert ("SYN-SENT", "SYN", 0) in feasible and ("SYN-RECEIVED", "SYN,ACK", 0) in feasible
    assert ("FIN-WAIT-1", "FIN,ACK", 1) in feasible  # an octet and the FIN after it


def test_no_empty_retransmission_when_a_second_isn_equals_the_first():
    """abort under loss, duplication and reordering: B's second ISN may equal its first, and A's
    ACK of the first then acknowledges B's new SYN (SND.UNA=ISS_B+1, SND.NXT=ISS_B2+1, equal by
    the path condition). Nothing is then unacknowledged, and no timer resends an empty segment."""
    from collections import Counter
    o = check_scenario(SCENARIOS["abort"], Config(loss=1, dup=1, reorder=True))
    g = o.result.exploration.graph
    cross_base, resent = 0, 0
    for i, out in enumerate(g.edges):
        w = g.states[i]
        cross_base += any(t.snd_una is not None and t.snd_una.base != t.snd_nxt.base for t in (w.a, w.b))
        for step, j in out:
            if step.name.startswith("Retransmit"):
                resent += 1
                channel = g.states[j].channel_to("B" if step.actor == "A" else "A")
                (seg,) = Counter(channel) - Counter(w.channel_to("B" if step.actor == "A" else "A"))
                assert seg.length() > 0, (w.tcb(step.actor).describe(), str(seg))
    assert cross_base > 0 and resent > 0
