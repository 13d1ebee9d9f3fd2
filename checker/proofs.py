"""Proof obligations discharged by Z3: a formula to prove valid, or to refute.

An obligation is proved when the negation of its formula is unsatisfiable,
refuted when it is satisfiable (Z3's model is the counterexample), and
unknown when Z3 gives up or times out: never proved. Obligations are
independent: ``prove_all`` deals them to forked processes, and ``prove_beside``
discharges them while this process does other work; the results are the same.
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, TypeVar

from .comm import beside, shared_out
from .status import Expect, Status
from .z3check import check

if TYPE_CHECKING:  # (z3 is imported where it is used: checker.z3check)
    import z3

T = TypeVar("T")


@dataclass(frozen=True)
class Obligation:
    name: str
    statement: str
    formula: Callable[[], z3.BoolRef]  # built on demand, so a list of obligations is cheap
    expect: Expect = Expect.HOLDS
    timeout_ms: int = 10_000
    explain: Callable[[], str] | None = None  # when refuted: which part of the formula fails
    # obligations whose formulas share what one of them builds and caches (a transition
    # relation, say) are proved in one process; "": nothing shared
    shares: str = ""


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
    import z3

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


def prove_all(obligations: list[Obligation], timeout_ms: int | None = None,
              workers: int = 1) -> list[ProofResult]:
    """Each obligation's result, in order, over ``workers`` processes (this one and forked
    copies of it, each with its share: dealt)."""
    if workers <= 1:
        return _each(obligations, timeout_ms)

    def share(rank: int, ranks: int) -> list:
        mine = dealt(obligations, ranks)[rank]
        return [(i, _plain(r)) for i, r in zip(mine, _each([obligations[i] for i in mine], timeout_ms))]
    found = shared_out(workers, share)
    return [_rebuilt(ob, found[i]) for i, ob in enumerate(obligations)]


def prove_beside(obligations: list[Obligation], here: Callable[[], T], workers: int,
                 timeout_ms: int | None = None) -> tuple[T, list[ProofResult]]:
    """(here(), prove_all's results): here() in this process while the obligations are
    proved in workers - 1 forked ones."""
    done, found = beside(here, lambda: [_plain(r) for r in prove_all(obligations, timeout_ms, workers - 1)])
    return done, [_rebuilt(ob, plain) for ob, plain in zip(obligations, found)]


def dealt(obligations: list[Obligation], ranks: int) -> list[list[int]]:
    """The obligations' numbers per rank: those that share a setup together, the largest
    such groups first, each to the rank with the fewest obligations so far (the lowest of
    those), each rank's in their order."""
    groups: dict[str, list[int]] = {}
    for i, ob in enumerate(obligations):
        groups.setdefault(ob.shares or f"#{i}", []).append(i)
    per_rank: list[list[int]] = [[] for _ in range(ranks)]
    for group in sorted(groups.values(), key=len, reverse=True):  # (stable: ties in order)
        min(per_rank, key=len).extend(group)
    return [sorted(mine) for mine in per_rank]


def _each(obligations: list[Obligation], timeout_ms: int | None) -> list[ProofResult]:
    with _older_objects_set_aside():
        return [prove(ob, timeout_ms) for ob in obligations]


@contextmanager
def _older_objects_set_aside():
    """The objects made before (a search's graph, say) left out of the cyclic collector's
    walks while this runs: building formulas makes many short-lived objects, and every full
    walk went over the runs' millions as well (verify's proofs after its runs: 7.2 to 7.5 s
    against 6.5 to 6.9, and a lower peak)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _plain(r: ProofResult) -> tuple:
    """A result without its obligation, whose formula a process cannot send."""
    return r.status, r.model, r.seconds, r.reason


def _rebuilt(ob: Obligation, plain: tuple) -> ProofResult:
    return ProofResult(ob, *plain)


def model_values(m: z3.ModelRef) -> dict[str, int]:
    """Every bit-vector, integer and Boolean constant of a model, sorted by name."""
    import z3

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
