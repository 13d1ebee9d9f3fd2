"""Explicit-state breadth-first exploration: shortest counterexamples, statistics, limits."""

from __future__ import annotations

import time
from array import array
from dataclasses import dataclass, field
from typing import Callable, Hashable, Sequence

from . import interrupt
from .memory import peak_rss_mib
from .model import Model
from .properties import EndState, Invariant, Property

Progress = Callable[[int, int, int, float], None]  # states, transitions, queue, seconds


@dataclass
class Stats:
    states: int = 0
    transitions: int = 0
    depth: int = 0
    seconds: float = 0.0
    peak_rss_mib: float | None = None  # None where the platform does not tell
    terminal: int = 0

    @property
    def states_per_second(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0


class EdgeList:
    """Every state's out-edges, in BFS order of the states, stored flat: the labels in a
    list, the targets and each state's first edge in machine-int arrays.
    ``edges[i]`` is state i's [(label, target), ...]."""

    def __init__(self):
        self.first = array("q", [0])
        self.labels: list = []
        self.targets = array("i")

    def __len__(self) -> int:
        return len(self.first) - 1

    def __getitem__(self, i: int) -> list[tuple[Hashable, int]]:
        lo, hi = self.first[i], self.first[i + 1]
        return list(zip(self.labels[lo:hi], self.targets[lo:hi]))

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


@dataclass
class StateGraph:
    """The explored graph: states in BFS order, the tree of first arrivals, the edges.

    ``parent`` and ``depth`` are machine-int arrays (-1: an initial state) and the
    edges an EdgeList: a graph of millions of states must fit in memory.
    """

    states: list = field(default_factory=list)
    index: dict = field(default_factory=dict)
    parent: array = field(default_factory=lambda: array("i"))
    parent_label: list = field(default_factory=list)
    depth: array = field(default_factory=lambda: array("i"))
    edges: EdgeList | None = None
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
    g = StateGraph(edges=EdgeList() if keep_edges else None)
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
    states, index, edges = g.states, g.index, g.edges
    successors = model.successors
    if edges is not None:
        first, labels, targets = edges.first, edges.labels, edges.targets
    i = 0
    while i < len(states):
        if max_states is not None and len(states) > max_states:
            limits.append(f"state limit {max_states} reached")
            g.complete = False
            break
        succ = list(successors(states[i]))
        transitions += len(succ)
        for label, t in succ:
            j = index.get(t)
            if j is None:
                j = visit(t, i, label)
            if edges is not None:
                labels.append(label)
                targets.append(j)
        if edges is not None:
            first.append(len(targets))
        if not succ:
            g.terminal.append(i)
            for p in end_checks:
                if p.name not in violations:
                    msg = p.check(states[i])
                    if msg is not None:
                        violations[p.name] = Found(i, msg)
        i += 1
        if i % progress_every == 0:
            interrupt.check()  # a Ctrl-C a finalizer swallowed
            if progress is not None:
                progress(len(states), transitions, len(states) - i, time.perf_counter() - start)
    limits.extend(model.limits_hit())
    if limits:
        g.complete = False
    stats = Stats(states=len(g.states), transitions=transitions,
                  depth=max(g.depth, default=0), seconds=time.perf_counter() - start,
                  peak_rss_mib=peak_rss_mib(),
                  terminal=len(g.terminal))
    return Exploration(g, stats, violations, witnesses, limits)

