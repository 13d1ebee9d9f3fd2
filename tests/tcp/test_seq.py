"""Sequence-number arithmetic (RFC 9293 3.4, RFC 1982) and the Z3 decisions across ISN bases."""

from __future__ import annotations

import subprocess
import sys

import pytest
import z3
from hypothesis import given, settings, strategies as st

from tcpverify.spec.tcp.seq import (BITS, BITVEC, CONST, HALF, MOD, OFFSET_BOUND, SeqVal, concrete, distance,
                                    le, lt)
from tcpverify.spec.tcp.symbolic import FAR, Ctx, Decider, branches, context, literal, relevant_literals

EDGES = (0, 1, HALF - 1, HALF, HALF + 1, MOD - 2, MOD - 1)
u32 = st.one_of(st.sampled_from(EDGES), st.integers(0, MOD - 1))
A, B = SeqVal("ISS_A", 0), SeqVal("ISS_B", 0)
OLD = SeqVal("OLDSEQ1", 0)


def rfc1982_lt(a: int, b: int) -> bool:
    """RFC 1982 3.2, written out as the RFC states it."""
    return (a < b and b - a < HALF) or (a > b and a - b > HALF)


def on_bitvectors(formula) -> bool:
    value = z3.simplify(formula)
    assert z3.is_true(value) or z3.is_false(value)
    return z3.is_true(value)


def prove(claim) -> None:
    solver = z3.Solver()
    solver.add(z3.Not(claim))
    assert solver.check() == z3.unsat, solver.model()


# ------------------------------------------------------------ ints and bit-vectors


@settings(deadline=None)  # Z3's first call is slow to load
@given(u32, u32)
def test_int_and_bitvector_comparisons_agree_with_rfc1982(a, b):
    x, y = BITVEC.const(a), BITVEC.const(b)
    assert lt(a, b) == on_bitvectors(lt(x, y, BITVEC)) == rfc1982_lt(a, b)
    assert le(a, b) == on_bitvectors(le(x, y, BITVEC)) == (a == b or rfc1982_lt(a, b))


@given(u32, u32)
def test_irreflexive_antisymmetric_and_total_except_at_half(a, b):
    assert not lt(a, a) and le(a, a)
    assert not (lt(a, b) and lt(b, a))
    undefined = (b - a) % MOD == HALF  # RFC 1982 3.2: neither is less
    assert (lt(a, b) + lt(b, a) + (a == b) == 1) != undefined


@pytest.mark.parametrize("a, b, less", [
    (MOD - 1, 0, True),  # wrap-around: 2^32-1 < 0
    (MOD - 1, 1, True),
    (MOD - 2, MOD - 1, True),
    (0, MOD - 1, False),
    (0, HALF - 1, True),  # the farthest "after"
    (0, HALF, False),  # exactly half way: undefined, so not less
    (HALF, 0, False),
    (HALF + 1, 0, True),
    (HALF, MOD - 1, True),
    (HALF - 1, MOD - 1, False),  # half way again
])
def test_wrap_around(a, b, less):
    assert lt(a, b) == less
    assert on_bitvectors(lt(BITVEC.const(a), BITVEC.const(b), BITVEC)) == less


def test_same_base_lemma_for_every_base():
    """For every 32-bit base b and |i|, |j| < OFFSET_BOUND: b+i < b+j iff i < j, and
    b+i = b+j iff i = j. The checker compares values of one base by offset on this lemma."""
    b, i, j = z3.BitVecs("b i j", BITS)
    bound = z3.BitVecVal(OFFSET_BOUND, BITS)
    small = z3.And(-bound < i, i < bound, -bound < j, j < bound)  # signed
    prove(z3.Implies(small, lt(b + i, b + j, BITVEC) == (i < j)))
    prove(z3.Implies(small, (b + i == b + j) == (i == j)))


def test_same_base_lemma_needs_its_bound():
    b, i, j = z3.BitVecs("b i j", BITS)
    solver = z3.Solver()
    solver.add(z3.Not(lt(b + i, b + j, BITVEC) == (i < j)))
    assert solver.check() == z3.sat  # offsets HALF apart break it: the bound is not decoration


# ------------------------------------------------------------ SeqVal


def test_seqval_arithmetic_wraps_only_concretely():
    assert concrete(MOD - 1) + 1 == SeqVal(CONST, 0)
    assert concrete(-1) == concrete(MOD - 1)
    assert A + 3 == SeqVal("ISS_A", 3)
    assert (A + 3) + (-5) == SeqVal("ISS_A", -2)
    assert [str(v) for v in (concrete(7), A, A + 2, A + (-1))] == ["7", "ISS_A", "ISS_A+2", "ISS_A-1"]


@settings(deadline=None)  # Z3's first call is slow to load
@given(u32, st.integers(-OFFSET_BOUND + 1, OFFSET_BOUND - 1))
def test_value_and_term_agree(base, off):
    v = A + off
    assert v.value({"ISS_A": base}) == (base + off) % MOD
    term = z3.substitute(v.term(), (z3.BitVec("ISS_A", BITS), BITVEC.const(base)))
    assert z3.simplify(term).as_long() == v.value({"ISS_A": base})
    assert concrete(base + off).term().as_long() == (base + off) % MOD


@pytest.mark.parametrize("a, b, d", [
    (A + 1, A + 4, 3),
    (A + 4, A + 1, -3),
    (A, A, 0),
    (concrete(MOD - 1), concrete(1), 2),  # across the wrap
    (concrete(1), concrete(MOD - 1), -2),
    (concrete(0), concrete(HALF - 1), HALF - 1),
    (concrete(0), concrete(HALF), -HALF),
])
def test_distance(a, b, d):
    assert distance(a, b) == d


# ------------------------------------------------------------ Decider, Ctx, branches


def comparisons(*checks):
    """A fire function that makes the given comparisons in order and returns their outcomes."""
    return lambda ctx: tuple(getattr(ctx, rel)(x, y) for rel, x, y in checks)


def test_cross_base_comparison_branches_and_records_the_path_condition():
    out = list(branches(Decider(), frozenset(), comparisons(("lt", A, B))))
    assert out == [((True,), frozenset({("lt", A, B, True)})),
                   ((False,), frozenset({("lt", A, B, False)}))]


def test_path_condition_decides_later_comparisons():
    # Once ISS_A < ISS_B is assumed, ISS_B < ISS_A is decided (false) with no new branch.
    out = list(branches(Decider(), frozenset(), comparisons(("lt", A, B), ("lt", B, A))))
    assert [r for r, _ in out] == [(True, False), (False, True), (False, False)]
    assert out[2][1] == frozenset({("lt", A, B, False), ("lt", B, A, False)})  # equal, or 2^31 apart
    d = Decider()
    assert d.possible(frozenset({("lt", A, B, True)}), "lt", B, A) == (False, True)
    assert d.valid(frozenset({("lt", A, B, True)}), "lt", B, A) is False
    assert d.valid(frozenset({("eq", A, B, True)}), "eq", A + 1, B + 1) is True


def test_a_literal_already_in_the_path_condition_is_not_asked_again():
    d = Decider()
    pc = frozenset({("lt", A, B, True)})
    assert list(branches(d, pc, comparisons(("lt", A, B)))) == [((True,), pc)]
    assert d.queries == 0


def test_same_base_comparisons_do_not_call_z3():
    d = Decider()
    ctx = Ctx(d, frozenset(), ())
    assert ctx.lt(A + 1, A + 2) and not ctx.lt(A + 2, A + 1) and ctx.le(A, A) and ctx.eq(A, A)
    assert ctx.lt(concrete(MOD - 1), concrete(0))  # concrete values wrap
    assert d.valid(frozenset(), "lt", A + (-3), A) is True
    assert (d.queries, ctx.taken, ctx.assumed) == (0, [], [])


def test_answers_are_cached():
    d = Decider()
    assert d.possible(frozenset(), "eq", A, B) == (True, True)
    queries = d.queries
    assert d.possible(frozenset(), "eq", A, B) == (True, True)
    assert (d.queries, d.cache_hits) == (queries, 1)


@pytest.mark.parametrize("k", [0, 1, -1, FAR - 1, -(FAR - 1)])
def test_old_duplicate_numbers_are_far_from_every_isn(k):
    # RFC 9293 3.4.1: the ISN clock and the quiet time keep an old incarnation's numbers
    # at least FAR from the current ISNs.
    d = Decider()
    assert d.possible(frozenset(), "eq", OLD, A + k) == (False, True)
    assert d.possible(frozenset(), "lt", A, OLD) == (True, True)  # but on either side


def test_far_is_exactly_the_axiom():
    d = Decider()
    assert d.possible(frozenset(), "eq", OLD, A + FAR) == (True, True)
    assert d.possible(frozenset(), "eq", OLD, A + (-FAR)) == (True, True)
    assert d.possible(frozenset(), "eq", OLD, SeqVal("OLDACK1", 0)) == (True, True)  # no axiom between old values
    assert d.possible(frozenset(), "eq", A, B) == (True, True)  # nor between ISNs


def test_fixed_isn_values_decide_comparisons():
    d = Decider({"ISS_A": MOD - 1})
    assert d.valid(frozenset(), "eq", A + 1, concrete(0))
    assert d.valid(frozenset(), "lt", A, concrete(5))  # 2^32-1 < 5 in sequence space
    pc = frozenset({("lt", A, B, True), ("lt", B, A + 10, True)})
    env = d.model(pc)
    assert env["ISS_A"] == MOD - 1
    assert lt(env["ISS_A"], env["ISS_B"]) and lt(env["ISS_B"], (env["ISS_A"] + 10) % MOD)


def test_unsatisfiable_path_condition_has_no_model():
    assert Decider().model(frozenset({("eq", A, B, True), ("eq", A, B + 1, True)})) == {}


def test_unknown_keeps_both_outcomes_and_is_counted(monkeypatch):
    monkeypatch.setattr(z3.Solver, "check", lambda self, *a: z3.unknown)
    # bases no other test asks about: the process-wide answers cannot hold them; three of
    # them, so that Z3 is asked (one pair is decided by intervals)
    a, b, c = SeqVal("ISS_UNKNOWN_A", 0), SeqVal("ISS_UNKNOWN_B", 0), SeqVal("ISS_UNKNOWN_C", 0)
    pc = frozenset({("lt", a, c, True)})
    d = Decider()
    assert d.possible(pc, "lt", a, b) == (True, True)
    assert d.unknown == 2
    # Sound: the exploration takes both outcomes; spec.system reports the run INCOMPLETE.
    assert [r for r, _ in branches(d, pc, comparisons(("eq", a, b)))] == [(True,), (False,)]
    # and an answer Z3 gave up on is not shared: the next Decider asks again and counts it
    again = Decider()
    assert again.possible(pc, "lt", a, b) == (True, True) and again.unknown == 2


C, OLDACK = SeqVal("ISS_A2", 0), SeqVal("OLDACK1", 0)


def test_relevant_literals_follow_shared_bases_and_the_old_duplicate_axiom():
    about_a_b = ("lt", A, B + 5, True)
    about_old = ("lt", OLDACK, concrete(7), True)
    about_forged = ("eq", SeqVal("FORGED_SEQ1", 0), concrete(3), False)
    assert relevant_literals(frozenset({about_a_b, about_forged}), (A, C)) == {about_a_b}
    assert relevant_literals(frozenset({about_a_b, about_forged}), (C, concrete(0))) == frozenset()
    pc = frozenset({about_a_b, about_old, about_forged})
    # OLDACK1 shares no base with ISS_A but its axiom (far from every ISN) links them
    assert relevant_literals(pc, (A, C)) == {about_a_b, about_old}
    assert relevant_literals(pc, (OLD, concrete(1))) == {about_a_b, about_old}
    assert relevant_literals(pc, (SeqVal("FORGED_SEQ2", 0), concrete(1))) == frozenset()


PCS = [frozenset(), frozenset({("lt", A, B, True)}), frozenset({("lt", A, B, True), ("eq", B, A + 3, False)}),
       frozenset({("lt", OLD, A, True)}), frozenset({("eq", OLDACK, B + 1, False), ("lt", A, C, True)})]
ASKED = [(rel, x, y) for rel in ("lt", "eq") for x, y in
         [(A, B), (A + 2, B), (B, A + 3), (OLD, A), (OLD, B + 1), (OLDACK, OLD), (C, A + 1), (OLD, concrete(9))]]


@pytest.mark.slow
def test_reduced_key_models_and_shared_solvers_give_the_full_contexts_answers():
    """possible() against a fresh solver over the whole path condition and every axiom."""
    def full(pc, rel, x, y, holds):
        s = z3.Solver()
        s.add(*context(pc, (x, y)), literal((rel, x, y, holds)))
        return s.check() == z3.sat
    d = Decider()
    for pc in PCS:
        for rel, x, y in ASKED:
            assert d.possible(pc, rel, x, y) == (full(pc, rel, x, y, True), full(pc, rel, x, y, False)), (pc, rel, x, y)


def test_z3_is_loaded_by_the_first_question_it_answers_not_by_a_check():
    """spec/tcp/z3lazy.py, checker.z3check: `tcpverify check` of the half-close scenario with
    loss, duplicates and reordering asks Z3 nothing, and loads it not (every command's module
    imported, the proofs' too); a comparison across three ISN bases asks it."""
    code = """if True:
        import sys
        from tcpverify.spec.cli import main
        from tcpverify.spec.tcp.seq import SeqVal
        from tcpverify.spec.tcp.symbolic import Decider
        main(["check", "half-close", "--loss", "1", "--dup", "1", "--reorder", "--quiet"])
        print("z3.z3" in sys.modules)
        a, b, c = (SeqVal(f"ISS_{x}", 0) for x in "ABC")
        d = Decider()
        print(d.possible(frozenset({("lt", a, b, True), ("lt", b, c, True)}), "lt", a, c), d.queries > 0)
        print("z3.z3" in sys.modules)
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[-4:-1] == ["False", "(True, True) True", "True"]
