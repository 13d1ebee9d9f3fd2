"""Proof obligations discharged by Z3: a formula to prove valid, or to refute.

An obligation is proved when the negation of its formula is unsatisfiable,
refuted when it is satisfiable (Z3's model is the counterexample), and
unknown when Z3 gives up or times out: never proved.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import z3

from .status import Expect, Status
from .z3check import check


@dataclass(frozen=True)
class Obligation:
    name: str
    statement: str
    formula: Callable[[], z3.BoolRef]  # built on demand, so a list of obligations is cheap
    expect: Expect = Expect.HOLDS
    timeout_ms: int = 10_000
    explain: Callable[[], str] | None = None  # when refuted: which part of the formula fails


@dataclass
class ProofResult:
    obligation: Obligation
    status: Status
    model: dict[str, int]  # the counterexample, variable -> value, when refuted
    seconds: float
    reason: str = ""  # Z3's reason for unknown

    @property
    def as_expected(self) -> bool:
        return self.status == (Status.PROVED if self.obligation.expect == Expect.HOLDS else Status.REFUTED)


def prove(ob: Obligation, timeout_ms: int | None = None) -> ProofResult:
    ctx = z3.Context()  # a fresh context: the model does not depend on what ran before
    solver = z3.Solver(ctx=ctx)
    solver.set("timeout", timeout_ms if timeout_ms is not None else ob.timeout_ms)
    solver.add(z3.Not(ob.formula()).translate(ctx))
    start = time.perf_counter()
    answer = check(solver)
    seconds = time.perf_counter() - start
    if answer == z3.unsat:
        return ProofResult(ob, Status.PROVED, {}, seconds)
    if answer == z3.sat:
        return ProofResult(ob, Status.REFUTED, model_values(solver.model()), seconds)
    return ProofResult(ob, Status.UNKNOWN, {}, seconds, solver.reason_unknown())


def model_values(m: z3.ModelRef) -> dict[str, int]:
    """Every bit-vector, integer and Boolean constant of a model, sorted by name."""
    out = {}
    for d in sorted(m.decls(), key=str):
        v = m[d]
        if z3.is_bv_value(v) or z3.is_int_value(v):
            out[str(d)] = v.as_long()
        elif z3.is_true(v) or z3.is_false(v):
            out[str(d)] = int(z3.is_true(v))
    return out


def overall(results: list[ProofResult]) -> Status:
    """PROVED when every obligation came out as expected; REFUTED or UNKNOWN otherwise."""
    if any(r.status != Status.UNKNOWN and not r.as_expected for r in results):
        return Status.REFUTED
    if any(r.status == Status.UNKNOWN for r in results):
        return Status.UNKNOWN
    return Status.PROVED
