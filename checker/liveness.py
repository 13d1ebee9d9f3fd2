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

import numpy as np

from .explore import EdgeList, StateGraph
from .properties import Eventually
from .rows import ranges


@dataclass
class Lasso:
    """A counterexample: ``stem`` from an initial state; ``loop`` returns to its last state, or is empty (stuck)."""

    stem: list[tuple[object, int]]
    loop: list[tuple[object, int]]


UNSEEN = -2
_UNCLAIMED = np.iinfo(np.int32).max
_CHUNK = 1 << 14  # states whose edges are gathered at once: bounds the arrays made (7 edges a
# state on the large benchmark case: 65,536 states a chunk took 20 MiB, the peak of a check)


def check_eventually(g: StateGraph, prop: Eventually) -> Lasso | None:
    # a hash-compacted search kept no states, but computed this as it met them
    bad = g.bad.get(prop.name) or bytearray(not prop.goal(s) for s in g.states)
    tree = np.frombuffer(g.parent, np.int32)
    return lasso_on(g.edges, np.frombuffer(bad, np.bool_), tree, prop)  # (bad's bytes are 0 and 1)


def lasso_on(edges: EdgeList, bad: np.ndarray, tree: np.ndarray, prop: Eventually) -> Lasso | None:
    """check_eventually from the edges, bad (per state, whether it is not the goal) and the
    search's breadth-first tree over them (each state's parent, -1: an initial state) alone:
    what checker.partitioned_levels' rank 1 decides while rank 0 gathers the states."""
    first, targets = np.frombuffer(edges.first, np.int64), np.frombuffer(edges.targets, np.int32)
    parent, order, entering = _search_tree(first, targets, bad, tree) or _bad_tree(
        first, targets, bad, np.flatnonzero((tree == -1) & bad))
    stuck = np.nonzero(first[order + 1] == first[order])[0]
    if len(stuck):  # the first bad state in BFS order with no successor
        return Lasso(_stem(edges, parent, int(order[stuck[0]])), [])
    component = _fair_component(edges, prop, _on_or_after_cycles(first, targets, bad, order, entering))
    if component is None:
        return None
    entry = next(v for v in order.tolist() if v in component)  # the first met in BFS order
    return Lasso(_stem(edges, parent, entry), _fair_loop(edges, prop, component, entry))


def _out(first: np.ndarray, targets: np.ndarray, states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The targets of the states' edges, in order, and how many edges each state has."""
    counts = first[states + 1] - first[states]
    return targets[ranges(first[states], counts)], counts


def _search_tree(first, targets, bad, tree) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """_bad_tree's (parent, order, entering) read off the search's own tree, where every bad
    state is an initial state or has a bad parent there: the tree over the bad states is then
    the search's, which met them in the same order, each by the same first edge; the edges
    entering each are counted a chunk of states at a time. None where some bad state's
    parent is the goal. On the large benchmark case: 5 ms, where _bad_tree takes 19."""
    order = np.flatnonzero(bad)
    up = tree[order]
    if not bad[up[up >= 0]].all():
        return None
    entering, one = np.zeros(len(bad), np.int32), np.int32(1)  # (ufunc.at is fast on one dtype)
    for lo in range(0, len(bad), _CHUNK):
        hi = min(lo + _CHUNK, len(bad))
        out = targets[first[lo]:first[hi]]
        np.add.at(entering, out[np.repeat(bad[lo:hi], np.diff(first[lo:hi + 1])) & bad[out]], one)
    return tree, order, entering


def _bad_tree(first, targets, bad, roots) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(parent, order, entering): the breadth-first tree over bad states from the bad initial
    states (-1: a root; UNSEEN: not reached), a level at a time, each state's parent the first
    to meet it; the states reached in the order a queue would take them; and per state, how
    many edges from those enter it if it is bad (_on_or_after_cycles: counted here, where a
    pass of their own over the edges took 8 of liveness's 52 ms on the large benchmark case). A
    level's states are expanded a chunk at a time, in order: a state is new to a chunk if no
    chunk before met it, and met by its first edge there."""
    parent = np.full(len(first) - 1, UNSEEN, np.int32)
    parent[roots] = -1
    claim = _claims(len(first) - 1)
    entering, one = np.zeros(len(first) - 1, np.int32), np.int32(1)  # (ufunc.at is fast on one dtype)
    levels, level = [roots], roots
    while len(level):
        met = []
        for lo in range(0, len(level), _CHUNK):
            sources = level[lo:lo + _CHUNK]
            out, counts = _out(first, targets, sources)
            inside = bad[out]
            np.add.at(entering, out[inside], one)
            new = np.nonzero(inside & (parent[out] == UNSEEN))[0]
            by = new[_firsts(out[new], claim)]  # each new state's first edge, in order
            met.append(out[by])
            parent[met[-1]] = sources[np.searchsorted(np.cumsum(counts), by, side="right")]
        level = np.concatenate(met)
        levels.append(level)
    return parent, np.concatenate(levels), entering


def _on_or_after_cycles(first, targets, bad, order, entering) -> array:
    """The states of order (in that order) left once those that no edge from a state left
    enters are taken away, again and again (entering: _bad_tree's, which this spends): every
    state on a cycle of bad states, and those after one (so the loops' components are the
    same, and most states of an acyclic graph never reach Tarjan's algorithm). A round takes
    away every state freed by the last."""
    one = np.int32(1)
    free, claim = order[entering[order] == 0], _claims(len(entering))
    while len(free):
        hit = _entered(first, targets, bad, free[:_CHUNK])
        np.subtract.at(entering, hit, one)
        freed = hit[entering[hit] == 0]  # (a state entered by several of these edges: once)
        free = np.concatenate((free[_CHUNK:], freed[_firsts(freed, claim)]))
    left = order[entering[order] > 0]
    return array("i", left.astype(np.int32).tobytes())


def _entered(first, targets, bad, states) -> np.ndarray:
    """The bad states the states' edges enter, once per edge."""
    out, _ = _out(first, targets, states)
    return out[bad[out]]


def _claims(n: int) -> np.ndarray:
    """_firsts' scratch table over n states."""
    return np.full(n, _UNCLAIMED, np.int32)


def _firsts(states: np.ndarray, claim: np.ndarray) -> np.ndarray:
    """Where each distinct state of states first occurs, in order: each state claims its least
    position (np.minimum.at, where np.unique's stable sort took five times as long on the
    large benchmark case's chunks); claim is left unclaimed again."""
    at = np.arange(len(states), dtype=np.int32)
    np.minimum.at(claim, states, at)
    out = np.flatnonzero(claim[states] == at)
    claim[states] = _UNCLAIMED
    return out


def _classes(edges: EdgeList, prop: Eventually, i: int, inside: set[int] | None = None) -> set:
    return {c for label, j in edges[i]
            if (inside is None or j in inside) and (c := prop.fairness(label)) is not None}


def _fair_component(edges: EdgeList, prop, nodes):
    work = sorted(_components(edges, nodes))
    while work:
        comp = set(work.pop(0))
        if len(comp) == 1 and not any(j in comp for j in edges.targets_of(next(iter(comp)))):
            continue
        enabled = set().union(*(_classes(edges, prop, i) for i in comp))
        taken = set().union(*(_classes(edges, prop, i, comp) for i in comp))
        missing = enabled - taken
        if not missing:
            return comp
        keep = {i for i in comp if not (_classes(edges, prop, i) & missing)}
        work = sorted(work + _components(edges, keep))
    return None


def _components(edges: EdgeList, nodes) -> list[list[int]]:
    """The strongly connected components of the explored graph restricted to nodes, each
    sorted (Tarjan's algorithm, iterative: the graph may have millions of states; its tables
    are arrays over every state when nodes are many of them)."""
    n = len(edges)
    few = len(nodes) * 8 < n
    inside, on_stack = _table(n, 0, few, "b"), _table(n, 0, few, "b")
    index, low = _table(n, -1, few, "i"), _table(n, -1, few, "i")
    for v in nodes:
        inside[v] = 1
    stack: list[int] = []
    out = []
    count = 0
    targets_of = edges.targets_of

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


def _stem(edges: EdgeList, parent: np.ndarray, i: int) -> list[tuple[object, int]]:
    """The BFS tree's path to i; each step's label is that of the first edge from the parent
    to its child, the edge the search took."""
    out = []
    while i != -1:
        p = int(parent[i])
        label = None if p == -1 else next(label for label, j in edges[p] if j == i)
        out.append((label, i))
        i = p
    out.reverse()
    return out


def _path_within(edges: EdgeList, comp: set[int], src: int, done) -> list[tuple[object, int]]:
    """Shortest path in comp from src (exclusive) to the first edge for which done(i, label, j)."""
    prev = {src: None}
    queue = deque([src])
    while queue:
        i = queue.popleft()
        for label, j in edges[i]:
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


def _fair_loop(edges: EdgeList, prop: Eventually, comp: set[int], entry: int):
    """A cycle from entry back to entry, inside comp, taking every fairness class of comp once."""
    loop: list[tuple[object, int]] = []
    here = entry
    taken = sorted(set().union(*(_classes(edges, prop, i, comp) for i in comp)), key=str)
    for cls in taken:
        if any(prop.fairness(label) == cls for label, _ in loop):
            continue
        loop += _path_within(edges, comp, here, lambda i, label, j: prop.fairness(label) == cls)
        here = loop[-1][1]
    if here != entry or not loop:
        loop += _path_within(edges, comp, here, lambda i, label, j: j == entry)
    return loop
