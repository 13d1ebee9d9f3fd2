"""Comparisons over one pair of bases decided by intervals (spec/tcp/difference.py) answer
what Z3 answers on random literals (wrap-around, constants, the old-duplicate axiom at its
edge, contradictory path conditions)."""

from __future__ import annotations

import random

import pytest
import z3

from tcpverify.spec.tcp.difference import EVERYTHING, decide
from tcpverify.spec.tcp.seq import CONST, HALF, MOD, SeqVal
from tcpverify.spec.tcp.symbolic import FAR, _formula, context

PAIRS = [("ISS_A", "ISS_B"), ("ISS_A", "OLDSEQ1"), ("OLDACK1", "ISS_B2"), (CONST, "ISS_A"),
         ("FORGED_SEQ1", "ISS_B"), (CONST, "OLDSEQ1")]


def offset(rng: random.Random, base: str) -> int:
    if base == CONST:
        return rng.choice([0, 1, HALF - 1, HALF, HALF + 1, MOD - 1, rng.randrange(MOD)])
    return rng.choice([0, 1, 2, -1, FAR - 1, FAR, FAR + 1, HALF, -HALF + 1, rng.randrange(-40, 40)])


def value(rng, pair) -> SeqVal:
    base = rng.choice(pair)
    return SeqVal(base, offset(rng, base))


def by_z3(literals, rel, x, y) -> tuple[bool, bool]:
    s = z3.Solver()
    s.add(*context(frozenset(literals), (x, y)))
    f = _formula(rel, x, y)
    return tuple(s.check(g) == z3.sat for g in (f, z3.Not(f)))


def comparison(rng, pair):
    x, y = value(rng, pair), value(rng, pair)
    while x.base == y.base:
        x, y = value(rng, pair), value(rng, pair)
    return rng.choice(["lt", "eq"]), x, y


@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
def test_intervals_answer_what_z3_answers(pair):
    rng = random.Random(str(pair))
    old_isn = any(b.startswith("OLD") for b in pair) and any(b.startswith("ISS") for b in pair)
    axiom = [(FAR, MOD - FAR)] if old_isn else EVERYTHING
    answers = set()
    for _ in range(60):
        literals = [comparison(rng, pair) + (rng.random() < 0.5,) for _ in range(rng.randrange(4))]
        rel, x, y = comparison(rng, pair)
        got = decide(literals, rel, x, y, axiom)
        assert got == by_z3(literals, rel, x, y), (literals, rel, x, y)
        answers.add(got)
    assert {(True, True), (True, False), (False, True)} <= answers  # the cases are not all alike


def test_more_than_one_pair_is_left_to_z3():
    a, b, c = SeqVal("ISS_A", 0), SeqVal("ISS_B", 0), SeqVal("OLDSEQ1", 0)
    assert decide([("lt", a, b, True)], "lt", a, c, EVERYTHING) is None
    assert decide([("lt", SeqVal(CONST, 5), b, True)], "lt", a, b, EVERYTHING) is None
