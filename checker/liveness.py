""""Eventually goal" on the explored graph: stuck runs and fair cycles, via SCCs.

A run violates "eventually goal" when it stays among non-goal states for
ever: it ends in a state with no successor, or it loops in a strongly
connected set of non-goal states. The loop only counts if it is fair (strong
fairness): every fairness class enabled somewhere in the loop is also taken
in it. Unfair components are pruned and split again, the usual algorithm
for Streett conditions.
"""

from __future__ import annotations

from array import array
from collections import deque
from dataclasses import dataclass

from .explore import StateGraph
from .properties import Eventually


@dataclass
class Lasso:
    """A counterexample: ``stem`` from an initial state; ``loop`` returns to its last state, or is empty (stuck)."""

    stem: list[tuple[object, int]]
    loop: list[tuple[object, int]]


UNSEEN = -2


def check_eventually(g: StateGraph, prop: Eventually) -> Lasso | None:
    # a hash-compacted search kept no states, but computed this as it met them
    bad = g.bad.get(prop.name) or bytearray(not prop.goal(s) for s in g.states)
    n = len(g.edges)
    parent = array("i", [UNSEEN]) * n  # the BFS tree over bad states (-1: an initial state)
    order = array("i")
    queue = deque()
    for i in range(n):
        if g.parent[i] == -1 and bad[i]:
            parent[i] = -1
            queue.append(i)
    targets_of = g.edges.targets_of
    entering = array("i", [0]) * n  # per state, its edges from bad states reached
    while queue:
        i = queue.popleft()
        order.append(i)
        out = targets_of(i)
        if not out:
            return Lasso(_stem(g, parent, i), [])
        for j in out:
            if bad[j]:
                entering[j] += 1
                if parent[j] == UNSEEN:
                    parent[j] = i
                    queue.append(j)
    component = _fair_component(g, prop, _on_or_after_cycles(targets_of, bad, order, entering))
    if component is None:
        return None
    entry = next(v for v in order if v in component)  # the first met in BFS order
    return Lasso(_stem(g, parent, entry), _fair_loop(g, prop, component, entry))


def _on_or_after_cycles(targets_of, bad, order, entering) -> array:
    """The states of order (in that order) left once those that no edge from a state left
    enters are taken away, again and again: every state on a cycle of bad states, and those
    after one (so the loops' components are the same, and most states of an acyclic graph
    never reach Tarjan's algorithm)."""
    free = [i for i in order if not entering[i]]
    while free:
        i = free.pop()
        for j in targets_of(i):
            if bad[j]:
                entering[j] -= 1
                if not entering[j]:
                    free.append(j)
    return array("i", (i for i in order if entering[i]))


def _classes(g: StateGraph, prop: Eventually, i: int, inside: set[int] | None = None) -> set:
    return {c for label, j in g.edges[i]
            if (inside is None or j in inside) and (c := prop.fairness(label)) is not None}


def _fair_component(g, prop, nodes):
    work = sorted(_components(g, nodes))
    while work:
        comp = set(work.pop(0))
        if len(comp) == 1 and not any(j in comp for j in g.edges.targets_of(next(iter(comp)))):
            continue
        enabled = set().union(*(_classes(g, prop, i) for i in comp))
        taken = set().union(*(_classes(g, prop, i, comp) for i in comp))
        missing = enabled - taken
        if not missing:
            return comp
        keep = {i for i in comp if not (_classes(g, prop, i) & missing)}
        work = sorted(work + _components(g, keep))
    return None


def _components(g: StateGraph, nodes) -> list[list[int]]:
    """The strongly connected components of the explored graph restricted to nodes, each
    sorted (Tarjan's algorithm, iterative: the graph may have millions of states; its tables
    are arrays over every state when nodes are many of them)."""
    n = len(g.edges)
    few = len(nodes) * 8 < n
    inside, on_stack = _table(n, 0, few, "b"), _table(n, 0, few, "b")
    index, low = _table(n, -1, few, "i"), _table(n, -1, few, "i")
    for v in nodes:
        inside[v] = 1
    stack: list[int] = []
    out = []
    count = 0
    targets_of = g.edges.targets_of

    def enter(v: int) -> tuple[int, object]:
        nonlocal count
        index[v] = low[v] = count
        count += 1
        stack.append(v)
        on_stack[v] = 1
        return v, iter([j for j in targets_of(v) if inside[j]])

    for root in nodes:
        if index[root] >= 0:
            continue
        work = [enter(root)]
        while work:
            v, successors = work[-1]
            for j in successors:
                if index[j] < 0:
                    work.append(enter(j))
                    break
                if on_stack[j] and index[j] < low[v]:
                    low[v] = index[j]
            else:
                work.pop()
                if work and low[v] < low[work[-1][0]]:
                    low[work[-1][0]] = low[v]
                if low[v] == index[v]:
                    comp = []
                    while True:
                        j = stack.pop()
                        on_stack[j] = 0
                        comp.append(j)
                        if j == v:
                            break
                    out.append(sorted(comp))
    return out


class _Sparse(dict):
    """A table over a few states: reads ``default`` where unset."""

    def __init__(self, default: int):
        super().__init__()
        self.default = default

    def __missing__(self, key: int) -> int:
        return self.default


def _table(n: int, default: int, few: bool, typecode: str):
    """state -> int, ``default`` where unset: a dict over a few of n states, else an array."""
    return _Sparse(default) if few else array(typecode, [default]) * n


def _stem(g: StateGraph, parent: array, i: int) -> list[tuple[object, int]]:
    """The BFS tree's path to i; each step's label is that of the first edge from the parent
    to its child, the edge the search took."""
    out = []
    while i != -1:
        p = parent[i]
        label = None if p == -1 else next(label for label, j in g.edges[p] if j == i)
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
