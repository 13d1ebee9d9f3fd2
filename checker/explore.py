"""Explicit-state breadth-first exploration: shortest counterexamples, statistics, limits."""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from typing import Callable, Hashable, Sequence

from .model import Model
from .properties import EndState, Invariant, Property

Progress = Callable[[int, int, int, float], None]  # states, transitions, queue, seconds


@dataclass
class Stats:
    states: int = 0
    transitions: int = 0
    depth: int = 0
    seconds: float = 0.0
    peak_rss_mib: float = 0.0
    terminal: int = 0

    @property
    def states_per_second(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0


@dataclass
class StateGraph:
    """The explored graph: states in BFS order, the tree of first arrivals, the edges."""

    states: list = field(default_factory=list)
    index: dict = field(default_factory=dict)
    parent: list[int] = field(default_factory=list)
    parent_label: list = field(default_factory=list)
    depth: list[int] = field(default_factory=list)
    edges: list[list[tuple[Hashable, int]]] | None = None
    terminal: list[int] = field(default_factory=list)
    complete: bool = True

    def path_to(self, i: int) -> list[tuple[Hashable | None, int]]:
        """[(None, init), (label, state), ...] ending at state i."""
        out = []
        while i >= 0:
            out.append((self.parent_label[i], i))
            i = self.parent[i]
        out.reverse()
        return out


@dataclass
class Found:
    """The first state (in BFS order, so at the least depth) where something holds."""

    index: int
    message: str = ""


@dataclass
class Exploration:
    graph: StateGraph
    stats: Stats
    violations: dict[str, Found]
    witnesses: dict[str, Found]
    limits: list[str]


def explore(model: Model, properties: Sequence[Property], max_states: int | None = None,
            keep_edges: bool = True, progress: Progress | None = None,
            progress_every: int = 1000) -> Exploration:
    """Breadth-first search over every reachable state, checking each property as it goes."""
    start = time.perf_counter()
    g = StateGraph(edges=[] if keep_edges else None)
    invariants = [p for p in properties if isinstance(p, Invariant)]
    end_checks = [p for p in properties if isinstance(p, EndState)]
    witnessed = [p for p in properties if p.witness is not None]
    violations: dict[str, Found] = {}
    witnesses: dict[str, Found] = {}
    limits: list[str] = []
    transitions = 0

    def visit(state, parent: int, label) -> int:
        i = len(g.states)
        g.states.append(state)
        g.index[state] = i
        g.parent.append(parent)
        g.parent_label.append(label)
        g.depth.append(g.depth[parent] + 1 if parent >= 0 else 0)
        for p in invariants:
            if p.name not in violations:
                msg = p.check(state)
                if msg is not None:
                    violations[p.name] = Found(i, msg)
        for p in witnessed:
            if p.name not in witnesses and p.witness(state):
                witnesses[p.name] = Found(i)
        return i

    for s in model.init_states():
        if s not in g.index:
            visit(s, -1, None)
    i = 0
    while i < len(g.states):
        if max_states is not None and len(g.states) > max_states:
            limits.append(f"state limit {max_states} reached")
            g.complete = False
            break
        succ = list(model.successors(g.states[i]))
        transitions += len(succ)
        out = []
        for label, t in succ:
            j = g.index.get(t)
            if j is None:
                j = visit(t, i, label)
            out.append((label, j))
        if g.edges is not None:
            g.edges.append(out)
        if not succ:
            g.terminal.append(i)
            for p in end_checks:
                if p.name not in violations:
                    msg = p.check(g.states[i])
                    if msg is not None:
                        violations[p.name] = Found(i, msg)
        i += 1
        if progress is not None and i % progress_every == 0:
            progress(len(g.states), transitions, len(g.states) - i, time.perf_counter() - start)
    limits.extend(model.limits_hit())
    if limits:
        g.complete = False
    stats = Stats(states=len(g.states), transitions=transitions,
                  depth=max(g.depth, default=0), seconds=time.perf_counter() - start,
                  peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  terminal=len(g.terminal))
    return Exploration(g, stats, violations, witnesses, limits)

