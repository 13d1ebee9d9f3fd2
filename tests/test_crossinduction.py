"""The two-endpoint invariants: proved by Z3, and each off-by-one mutant refuted at a step."""

import pytest
import z3

from tcpverify.checker.proofs import PROVED, REFUTED, prove
from tcpverify.spec import crossinduction, obligations


@pytest.mark.parametrize("build", obligations.CROSS, ids=lambda b: b.__name__)
def test_cross_invariant_proved_and_its_mutant_refuted(build):
    assert prove(build()).status == PROVED
    assert prove(build(1)).status == REFUTED


def test_the_ack_mutant_breaks_at_a_step_and_the_invariant_at_none():
    assert crossinduction.breaking_step(crossinduction.ack_in_flight, 1) is not None
    assert crossinduction.breaking_step(crossinduction.synchronization) is None


def test_every_world_of_init_satisfies_the_invariant():
    for w in crossinduction.init_worlds():
        s = z3.Solver()
        s.add(z3.Not(crossinduction.cross_inv(w)))
        assert s.check() == z3.unsat
