"""Bounded model checking of one run's safety properties, against the breadth-first search."""

from __future__ import annotations

from tcpverify.checker.bmc import shortest
from tcpverify.checker.properties import EndState, Invariant

from .properties import suite


def bad_states(outcome, prop) -> set[int]:
    """The explored states that violate an invariant or end-state property."""
    g = outcome.result.exploration.graph
    candidates = range(len(g.states)) if isinstance(prop, Invariant) else g.terminal
    return {i for i in candidates if prop.check(g.states[i]) is not None}


def bmc_lengths(outcome, max_k: int) -> dict[str, int | None]:
    """For every invariant and end-state property: the least depth at which Z3 reaches a bad state."""
    props, _ = suite(outcome.system.decider, outcome.scenario, outcome.config)
    bad = {p.name: bad_states(outcome, p) for p in props if isinstance(p, (Invariant, EndState))}
    return shortest(outcome.result.exploration.graph, bad, max_k)
