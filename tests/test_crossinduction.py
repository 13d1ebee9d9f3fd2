"""The two-endpoint invariants: proved by Z3, and each off-by-one mutant refuted at a step."""

import pytest
import z3

from tcpverify.checker.proofs import PROVED, REFUTED, Obligation, prove
from tcpverify.spec import crossinduction, obligations
from tcpverify.spec.config import SCENARIOS, Config
from tcpverify.spec.run import check_scenario
from tcpverify.spec.symbolic import literal


@pytest.mark.parametrize("build", obligations.CROSS, ids=lambda b: b.__name__)
def test_cross_invariant_proved_and_its_mutant_refuted(build):
    assert prove(build()).status == PROVED
    assert prove(build(1)).status == REFUTED


@pytest.mark.parametrize("component", [crossinduction.ack_in_flight,
                                       crossinduction.synchronization])
def test_a_syn_ack_that_acks_too_far_breaks_the_cross_invariants_where_it_is_sent(component):
    variant = "syn-ack-acks-too-far"
    r = prove(Obligation("variant", "", lambda: crossinduction.inductive(component, 0, variant)))
    assert r.status == REFUTED
    step = crossinduction.breaking_step(component, 0, variant)
    assert step.edge == "RcvSynInListen" and step.post.rcv_nxt == step.segment.seq + 2


def test_every_world_of_init_satisfies_the_invariant():
    for w in crossinduction.init_worlds():
        s = z3.Solver()
        s.add(z3.Not(crossinduction.cross_inv(w)))
        assert s.check() == z3.unsat


def test_every_explored_world_within_the_abstraction_satisfies_the_invariant():
    """Loss and duplication in every scenario (and reordering where a passive endpoint
    synchronizes twice): each explored state whose endpoints chose one ISN each and with no old
    duplicate in flight satisfies the two-endpoint invariant."""
    checked, outside = set(), 0
    solver = z3.Solver()
    runs = [(name, Config(loss=1, dup=1)) for name in sorted(SCENARIOS)]
    for name, config in runs + [("abort", Config(loss=1, dup=1, reorder=True))]:
        o = check_scenario(SCENARIOS[name], config)
        for w in o.result.exploration.graph.states:
            if max(w.a.incarnations, w.b.incarnations) > 1 or any(s.old for s in w.ab + w.ba):
                outside += 1
                continue
            world = crossinduction.World(w.a, w.a.incarnations == 0, w.b, w.b.incarnations == 0,
                                         w.ab, w.ba)
            if world in checked:
                continue
            checked.add(world)
            solver.push()
            solver.add(*(literal(x) for x in w.pc), z3.Not(crossinduction.cross_inv(world)))
            assert solver.check() == z3.unsat, world
            solver.pop()
    assert len(checked) > 200
    assert outside > 0  # a passive endpoint that went back to LISTEN synchronizes again
