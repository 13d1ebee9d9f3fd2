""""Eventually goal" on the explored graph: stuck runs and fair cycles, via SCCs.

A run violates "eventually goal" when it stays among non-goal states for
ever: it ends in a state with no successor, or it loops in a strongly
connected set of non-goal states. The loop only counts if it is fair (strong
fairness): every fairness class enabled somewhere in the loop is also taken
in it. Unfair components are pruned and split again, the usual algorithm
for Streett conditions.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .explore import StateGraph
from .properties import Eventually


@dataclass
class Lasso:
    """A counterexample: ``stem`` from an initial state; ``loop`` returns to its last state, or is empty (stuck)."""

    stem: list[tuple[object, int]]
    loop: list[tuple[object, int]]


def check_eventually(g: StateGraph, prop: Eventually) -> Lasso | None:
    # a hash-compacted search kept no states, but computed this as it met them
    bad = g.bad.get(prop.name) or [not prop.goal(s) for s in g.states]
    parent: dict[int, tuple[int, object]] = {}
    order = []
    queue = deque()
    for i in range(len(g.states)):
        if g.parent[i] == -1 and bad[i]:
            parent[i] = (-1, None)
            queue.append(i)
    while queue:
        i = queue.popleft()
        order.append(i)
        if not g.edges[i]:
            return Lasso(_stem(parent, i), [])
        for label, j in g.edges[i]:
            if bad[j] and j not in parent:
                parent[j] = (i, label)
                queue.append(j)
    component = _fair_component(g, prop, set(order))
    if component is None:
        return None
    position = {v: k for k, v in enumerate(order)}
    entry = min(component, key=position.__getitem__)
    return Lasso(_stem(parent, entry), _fair_loop(g, prop, component, entry))


def _classes(g: StateGraph, prop: Eventually, i: int, inside: set[int] | None = None) -> set:
    return {c for label, j in g.edges[i]
            if (inside is None or j in inside) and (c := prop.fairness(label)) is not None}


def _fair_component(g, prop, nodes: set[int]):
    work = sorted(_components(g, nodes))
    while work:
        comp = set(work.pop(0))
        if len(comp) == 1 and not any(j in comp for _, j in g.edges[next(iter(comp))]):
            continue
        enabled = set().union(*(_classes(g, prop, i) for i in comp))
        taken = set().union(*(_classes(g, prop, i, comp) for i in comp))
        missing = enabled - taken
        if not missing:
            return comp
        keep = {i for i in comp if not (_classes(g, prop, i) & missing)}
        work = sorted(work + _components(g, keep))
    return None


def _components(g: StateGraph, nodes: set[int]) -> list[list[int]]:
    """The strongly connected components of the explored graph restricted to nodes, each
    sorted (Tarjan's algorithm, iterative: the graph may have millions of states)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    out = []

    def enter(v: int) -> tuple[int, object]:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        return v, iter([j for _, j in g.edges[v] if j in nodes])

    for root in nodes:
        if root in index:
            continue
        work = [enter(root)]
        while work:
            v, successors = work[-1]
            for j in successors:
                if j not in index:
                    work.append(enter(j))
                    break
                if j in on_stack and index[j] < low[v]:
                    low[v] = index[j]
            else:
                work.pop()
                if work and low[v] < low[work[-1][0]]:
                    low[work[-1][0]] = low[v]
                if low[v] == index[v]:
                    comp = []
                    while True:
                        j = stack.pop()
                        on_stack.discard(j)
                        comp.append(j)
                        if j == v:
                            break
                    out.append(sorted(comp))
    return out


def _stem(parent, i: int) -> list[tuple[object, int]]:
    out = []
    while i != -1:
        p, label = parent[i]
        out.append((label, i))
        i = p
    out.reverse()
    return out


def _path_within(g: StateGraph, comp: set[int], src: int, done) -> list[tuple[object, int]]:
    """Shortest path in comp from src (exclusive) to the first edge for which done(i, label, j)."""
    prev = {src: None}
    queue = deque([src])
    while queue:
        i = queue.popleft()
        for label, j in g.edges[i]:
            if j not in comp:
                continue
            if done(i, label, j):
                out = [(label, j)]
                while prev[i] is not None:
                    pi, pl = prev[i]
                    out.append((pl, i))
                    i = pi
                return out[::-1]
            if j not in prev:
                prev[j] = (i, label)
                queue.append(j)
    raise ValueError("component is not strongly connected")


def _fair_loop(g: StateGraph, prop: Eventually, comp: set[int], entry: int):
    """A cycle from entry back to entry, inside comp, taking every fairness class of comp once."""
    loop: list[tuple[object, int]] = []
    here = entry
    taken = sorted(set().union(*(_classes(g, prop, i, comp) for i in comp)), key=str)
    for cls in taken:
        if any(prop.fairness(label) == cls for label, _ in loop):
            continue
        loop += _path_within(g, comp, here, lambda i, label, j: prop.fairness(label) == cls)
        here = loop[-1][1]
    if here != entry or not loop:
        loop += _path_within(g, comp, here, lambda i, label, j: j == entry)
    return loop
