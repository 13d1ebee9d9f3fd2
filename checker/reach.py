"""Shortest runs through a sequence of waypoints, on an explored state graph.

A witness that no single property names ("both endpoints pass through state
X, then both reach state Y") is a breadth-first search over pairs (state,
number of waypoints met so far).
"""

from __future__ import annotations

from collections import deque
from typing import Callable, Hashable, Sequence

from .explore import StateGraph


def path_through(g: StateGraph, waypoints: Sequence[Callable[[object], bool]]
                 ) -> list[tuple[Hashable | None, int]] | None:
    """The shortest path from an initial state meeting each waypoint in order, or None.

    Returns [(None, init), (label, state), ...] like ``StateGraph.path_to``;
    needs the graph's edges (explore with keep_edges=True).
    """
    if g.edges is None or g.edges.partial:
        raise ValueError("path_through needs an exploration that kept all its edges")

    def met(i: int, k: int) -> int:
        while k < len(waypoints) and waypoints[k](g.states[i]):
            k += 1
        return k

    start = [(i, met(i, 0)) for i in range(len(g.states)) if g.parent[i] < 0]
    back: dict[tuple[int, int], tuple[tuple[int, int] | None, Hashable | None]] = {}
    queue = deque()
    for node in start:
        if node not in back:
            back[node] = (None, None)
            queue.append(node)
    while queue:
        node = queue.popleft()
        i, k = node
        if k == len(waypoints):
            out = []
            while node is not None:
                prev, label = back[node]
                out.append((label, node[0]))
                node = prev
            return out[::-1]
        for label, j in g.edges[i] if i < len(g.edges) else ():
            nxt = (j, met(j, k))
            if nxt not in back:
                back[nxt] = (node, label)
                queue.append(nxt)
    return None
