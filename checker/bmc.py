"""Bounded model checking with Z3: unroll a symbolic transition relation step by step.

The model is given as formulas over step-indexed variables: ``init`` over step
0, ``step(k)`` relating step k to step k + 1, and for each named bad predicate
``bad(k)`` over step k. Before depth k is asked about, ``reach(k, possible)``
lets the model learn which values a variable of step k can take given the
steps so far (``possible(term, values)``), to build step k from those alone.
One incremental solver holds init and the steps unrolled so far; at each
depth the bad predicates not yet reached are asked together, then one by one
when one of them holds, in push/pop scopes, so the least k at which each is
reachable comes out of one unrolling. An answer of unknown is kept as such: the search is then
INCOMPLETE for that predicate, never "not found".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from .status import Status
from .z3check import check

if TYPE_CHECKING:  # (z3 is imported where it is used: checker.z3check)
    import z3


@dataclass
class Answer:
    status: Status
    depth: int  # FOUND: the least k; NOT_FOUND: the bound searched; UNKNOWN: where Z3 gave up
    model: z3.ModelRef | None = None
    reason: str = ""


@dataclass
class Unrolling:
    answers: dict[str, Answer]
    depth: int  # steps unrolled
    seconds: float = 0.0
    size: int = 0  # assertions' total node count (a measure of the formula)
    per_depth: list[float] = field(default_factory=list)


def formula_size(formulas) -> int:
    """Distinct nodes of the formulas' DAG."""
    seen: set[int] = set()
    todo = list(formulas)
    while todo:
        f = todo.pop()
        i = f.get_id()
        if i in seen:
            continue
        seen.add(i)
        todo.extend(f.children())
    return len(seen)


Possible = Callable[[object, list[int]], set[int]]


def possible_values(solver: z3.Solver) -> Possible:
    """possible(term, values): the values among ``values`` that ``term`` can take under the
    solver's assertions; all of those not excluded when Z3 answers unknown."""

    import z3

    def possible(term, values: list[int]) -> set[int]:
        left, found = sorted(values), set()
        while left:
            solver.push()
            solver.add(z3.Or([term == v for v in left]))
            result = check(solver)
            model = solver.model() if result == z3.sat else None
            solver.pop()
            if result == z3.unsat:
                break
            if result == z3.unknown:
                return found | set(left)
            found.add(model.eval(term, model_completion=True).as_long())
            left = [v for v in left if v not in found]
        return found

    return possible


def unroll(init, step: Callable[[int], object], bad: dict[str, Callable[[int], object]],
           max_k: int, reach: Callable[[int, Possible], None] | None = None,
           timeout_ms: int = 60_000, measure: bool = False, logic: str | None = None) -> Unrolling:
    """For each bad predicate, the least k =< max_k at which it holds after k steps."""
    import z3

    start = time.perf_counter()
    solver = z3.SolverFor(logic) if logic else z3.Solver()
    solver.set("timeout", timeout_ms)
    solver.add(init)
    answers: dict[str, Answer] = {}
    per_depth = []
    k = 0
    while True:
        t0 = time.perf_counter()
        if reach is not None:
            reach(k, possible_values(solver))
        left = [name for name in sorted(bad) if name not in answers]
        formulas = {name: bad[name](k) for name in left}
        solver.push()
        solver.add(z3.Or(*formulas.values()) if formulas else z3.BoolVal(False))
        none = check(solver) == z3.unsat  # one query answers the usual case: nothing here
        solver.pop()
        for name in [] if none else left:
            solver.push()
            solver.add(formulas[name])
            result = check(solver)
            if result == z3.sat:
                answers[name] = Answer(Status.FOUND, k, solver.model())
            elif result == z3.unknown:
                answers[name] = Answer(Status.UNKNOWN, k, reason=solver.reason_unknown())
            solver.pop()
        per_depth.append(time.perf_counter() - t0)
        if k == max_k or len(answers) == len(bad):
            break
        solver.add(step(k))
        k += 1
    for name in bad:
        answers.setdefault(name, Answer(Status.NOT_FOUND, max_k))
    size = formula_size(solver.assertions()) if measure else 0
    return Unrolling(answers, k, time.perf_counter() - start, size, per_depth)
