"""Shortest runs through an explored graph that meet a sequence of conditions in order.

A stage is a predicate ``(label, state) -> bool`` on the step just taken (label None
for an initial state). The search is breadth-first over (state, stages met), so the
run found is a shortest one that meets every stage, each after the previous one.
"""

from __future__ import annotations

from collections import deque
from typing import Callable, Hashable, Sequence

from .explore import StateGraph

Stage = Callable[[Hashable | None, object], bool]


def shortest_run(g: StateGraph, stages: Sequence[Stage]) -> list[tuple[Hashable | None, int]] | None:
    """[(None, init), (label, state index), ...] meeting every stage in order, or None."""
    n = len(stages)

    def advance(k: int, label, i: int) -> int:
        return k + 1 if k < n and stages[k](label, g.states[i]) else k

    prev: dict[tuple[int, int], tuple[tuple[int, int], Hashable] | None] = {}
    queue: deque[tuple[int, int]] = deque()
    for i in range(len(g.states)):
        if g.parent[i] == -1:
            node = (i, advance(0, None, i))
            if node not in prev:
                prev[node] = None
                queue.append(node)
    while queue:
        node = queue.popleft()
        i, k = node
        if k == n:
            return _path(prev, node)
        for label, j in g.edges[i]:
            nxt = (j, advance(k, label, j))
            if nxt not in prev:
                prev[nxt] = (node, label)
                queue.append(nxt)
    return None


def _path(prev, node) -> list[tuple[Hashable | None, int]]:
    out = []
    while True:
        back = prev[node]
        if back is None:
            out.append((None, node[0]))
            return out[::-1]
        parent, label = back
        out.append((label, node[0]))
        node = parent
