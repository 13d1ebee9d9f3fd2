"""Bounded model checking with Z3 over an explored state graph (its control skeleton).

The states are numbered as the explicit search numbered them and the
transition relation is the explored edges; Z3 unrolls it step by step and
finds the least k at which a bad state is reachable. Used as a cross-check
of the breadth-first search's shortest counterexamples.
"""

from __future__ import annotations

import z3

from .explore import StateGraph


def shortest(graph: StateGraph, bad: dict[str, set[int]], max_k: int,
             timeout_ms: int = 10_000) -> dict[str, int | None]:
    """For each named set of bad states, the least k =< max_k at which one is reachable in
    k steps, or None. One unrolling serves every set."""
    if graph.edges is None:
        raise ValueError("bounded model checking needs the explored edges")
    preds: list[list[int]] = [[] for _ in graph.edges]
    for i, out in enumerate(graph.edges):
        for j in sorted({j for _, j in out}):
            preds[j].append(i)
    inits = {i for i, p in enumerate(graph.parent) if p < 0}
    found: dict[str, int | None] = {name: None for name in bad}
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    # at[i] of depth k: some run of exactly k steps ends in state i. Each is defined from
    # the depth before, so one unrolling answers every depth and every bad set.
    at = [z3.Bool(f"at0_{i}") for i in range(len(preds))]
    solver.add([a == (i in inits) for i, a in enumerate(at)])
    for k in range(max_k + 1):
        for name in sorted(bad):
            if found[name] is not None or not bad[name]:
                continue
            answer = solver.check(z3.Or([at[i] for i in sorted(bad[name])]))
            if answer == z3.unknown:
                raise TimeoutError(f"Z3 answered unknown at depth {k}")
            if answer == z3.sat:
                found[name] = k
        if all(found[n] is not None or not bad[n] for n in bad):
            break
        nxt = [z3.Bool(f"at{k + 1}_{j}") for j in range(len(preds))]
        solver.add([n == z3.Or([at[i] for i in p]) if p else z3.Not(n)
                    for n, p in zip(nxt, preds)])
        at = nxt
    return found
