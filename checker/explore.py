"""Explicit-state breadth-first exploration: shortest counterexamples, statistics, limits."""

from __future__ import annotations

import gc
import time
from array import array
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Hashable, Sequence

from . import interrupt
from .fingerprint import Fingerprints
from .memo import Goals, Invariants, Witnesses
from .model import Model
from .properties import EndState, Invariant, Property
from .resources import peak_rss_mib

Progress = Callable[[int, int, int, float], None]  # states, transitions, queue, seconds


@dataclass
class Stats:
    states: int = 0
    transitions: int = 0
    depth: int = 0
    seconds: float = 0.0
    peak_rss_mib: float | None = None  # None where the platform does not tell
    terminal: int = 0
    # a partitioned search's: per rank, CPU seconds by phase of its search loop, and the states
    # it owned at each depth (rank 0's with those it met alone before the other ranks forked)
    phases: list[dict[str, float]] = field(default_factory=list)
    levels: list[list[int]] = field(default_factory=list)

    @property
    def states_per_second(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0


class EdgeList:
    """Every state's out-edges, in BFS order of the states, stored flat in machine-int arrays:
    each state's first edge, the targets, and the labels as numbers (``names[k]`` is label k,
    each distinct label stored once). ``edges[i]`` is state i's [(label, target), ...]."""

    def __init__(self, partial: bool = False):
        # Only the edges of the states liveness reads, those that are not the goal of some
        # Eventually property (the block searches without all_edges): the others have none here.
        self.partial = partial
        self.first = array("q", [0])
        self.codes = array("H")  # widened to "i" past 65,536 distinct labels
        self.targets = array("i")
        self.names: list = []
        self.known: dict[int, int] = {}  # id() of each label met -> its number
        self._aliases: list = []  # the labels met equal to one in names
        self._numbers: dict = {}  # label -> its number

    @classmethod
    def of(cls, edges) -> "EdgeList":
        """The EdgeList of state i's [(label, target), ...] for each i."""
        out = cls()
        for e in edges:
            out.append(e)
        return out

    def append(self, edges) -> None:
        """The next state's [(label, target), ...]."""
        for label, t in edges:
            k = self.known.get(id(label))
            if k is None:
                k = self.number(label)  # (which may widen codes)
            self.codes.append(k)
            self.targets.append(t)
        self.first.append(len(self.targets))

    def number(self, label) -> int:
        """label's number, given to it when first met (equal labels share one). A search looks
        a label up in ``known`` first: by identity, which hashes an int, not a label."""
        k = self._numbers.get(label)
        if k is None:
            k = self._numbers[label] = len(self.names)
            self.names.append(label)
            if k == 1 << 16:
                self.codes = array("i", self.codes)
        if self.names[k] is not label:
            self._aliases.append(label)  # an equal label: kept alive too, so its id is not reused
        self.known[id(label)] = k
        return k

    def __len__(self) -> int:
        return len(self.first) - 1

    def __getitem__(self, i: int) -> list[tuple[Hashable, int]]:
        lo, hi = self.first[i], self.first[i + 1]
        return list(zip(map(self.names.__getitem__, self.codes[lo:hi]), self.targets[lo:hi]))

    def targets_of(self, i: int) -> array:
        """State i's edges' targets."""
        return self.targets[self.first[i]:self.first[i + 1]]

    def __iter__(self):
        if self.partial:
            raise ValueError("this search kept only the edges liveness reads (check with all_edges)")
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
    # Hash compaction (explore's fingerprint): the BITS of every state's fingerprint.
    compaction: int | None = None
    # For each Eventually property, the states that are not its goal, computed as they were met
    # (by every search: the sequential one, hash compaction, each rank of the partitioned one).
    bad: dict[str, bytearray] = field(default_factory=dict)

    def path_to(self, i: int) -> list[tuple[Hashable | None, int]]:
        """[(None, init), (label, state), ...] ending at state i."""
        out = []
        while i >= 0:
            out.append((self.parent_label[i], i))
            i = self.parent[i]
        out.reverse()
        return out


class Replayed:
    """The states of a hash-compacted search, which kept only their fingerprints: state i is
    rebuilt on demand by replaying its path from an initial state, the step of the same label
    whose successor has the recorded fingerprint at each level (the model's ``replay`` where it
    has one: successors not counted again in what it tallies)."""

    def __init__(self, model: Model, g: StateGraph, fingerprints: array, fingerprint, init: list):
        """init: the initial states, distinct, in the order the search met them (asked of the
        model once: a model may count what it gives)."""
        self.g, self.fingerprints, self.fingerprint, self.init = g, fingerprints, fingerprint, init
        self.successors = getattr(model, "replay", model.successors)

    def __len__(self) -> int:
        return len(self.fingerprints)

    def __getitem__(self, i: int):
        (_, first), *steps = self.g.path_to(i)
        s = self.init[first]
        for label, j in steps:
            s = next(t for step, t in self.successors(s)
                     if step == label and self.fingerprint(t) == self.fingerprints[j])
        return s

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def runs(self, path: list) -> bool:
        """Whether a path of the compacted graph ([(None, i), (label, j), ...]) is a run: each
        step, taken from the state met as the one before, reaches the very state the search met
        as j, not only one of its fingerprint. An edge leads to the state first met under the
        fingerprint of its target, so two states merged into one make paths, and cycles, that
        no run takes."""
        (_, first), *steps = path
        s = self[first]
        for label, j in steps:
            met = self[j]
            if not any(step == label and t == met for step, t in self.successors(s)):
                return False
            s = met
        return True


def is_run(g: StateGraph, path: list) -> bool:
    """Replayed.runs of a hash-compacted graph's states (decoded or not)."""
    return (g.states.compact if isinstance(g.states, Decoded) else g.states).runs(path)


class Decoded:
    """The states of a search over a model's compact states, decoded on demand
    (``model.decode``) for properties, traces and reports."""

    def __init__(self, states, decode):
        self.compact, self.decode = states, decode

    def __len__(self) -> int:
        return len(self.compact)

    def __getitem__(self, i: int):
        return self.decode(self.compact[i])

    def __iter__(self):
        return map(self.decode, self.compact)


@contextmanager
def gc_paused():
    """A search allocates millions of tuples and frees few before it ends: Python's cyclic
    collector would walk the growing heap again and again for nothing (17% of the CPU time of
    a 133,666-state run). At the end the search's objects go to the oldest generation
    (freeze, unfreeze) instead of being walked all at once by the first young collection
    (0.1 to 0.25 CPU s on rank 0 of that run)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def omission_probability(states: int, bits: int) -> float:
    """Hash compaction's bound on the chance that two of the states met share a fingerprint,
    so that one was taken for the other and its successors never explored: n^2 / 2^(bits+1)."""
    return min(1.0, states * states / 2 ** (bits + 1))


def compactor(bits: int, stable=None):
    """state -> its fingerprint of ``bits`` bits (PYTHONHASHSEED-independent): ``stable``, the
    model's own hash of that kind, or Fingerprints."""
    full, mask = stable or Fingerprints(), (1 << bits) - 1
    return lambda s: full(s) & mask


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
    # per Eventually property, its liveness.Lasso (None: none) where the search decided it
    # itself (checker.partitioned_levels: on rank 1, while rank 0 gathered the states)
    lassos: dict[str, object] = field(default_factory=dict)


def state_limit(max_states: int) -> str:
    """The limit a search that stopped at max_states says it hit (every search stops alike:
    at the end of the level that took the states met past it)."""
    return f"state limit {max_states} reached"


def explore(model: Model, properties: Sequence[Property], max_states: int | None = None,
            keep_edges: bool = True, progress: Progress | None = None,
            progress_every: int = 1000, fingerprint: int | None = None) -> Exploration:
    """Breadth-first search over every reachable state, checking each property as it goes.
    ``max_states``: it stops at the end of the level that took the states met past it, whose
    states are met and checked, not expanded.

    ``fingerprint``: hash compaction, as SPIN's -DHC: a state is stored as a fingerprint of
    that many bits and kept whole only while it waits in the queue (states are rebuilt for
    traces by Replayed); two states of one fingerprint are taken for one.

    A model with ``decode`` (checker.model.Compact) is searched on its compact states; the
    properties and the graph's ``states`` see them decoded.
    """
    start = time.perf_counter()
    g = StateGraph(edges=EdgeList() if keep_edges else None, compaction=fingerprint)
    decode = getattr(model, "decode", None)
    project = getattr(model, "project", None) if decode else None
    invariants = Invariants([p for p in properties if isinstance(p, Invariant)], project, decode)
    # which states are not an Eventually property's goal: what liveness reads (hash compaction
    # keeps no states to compute it from afterwards)
    goals = Goals(properties, project, decode)
    g.bad = goals.bad
    end_checks = [p for p in properties if isinstance(p, EndState)]
    witnessed = Witnesses(properties, decode)
    violations: dict[str, Found] = {}
    witnesses: dict[str, Found] = {}
    limits: list[str] = []
    transitions = 0
    pending: deque = deque()  # the states met and not yet expanded, in BFS order
    index = g.index
    if fingerprint is None:
        key, lookup, fingerprints = None, index.get, None
    else:
        key, fingerprints = compactor(fingerprint, getattr(model, "stable", None)), array("Q")
        lookup = lambda s: index.get(key(s))  # noqa: E731

    def visit(state, parent: int, label) -> int:
        i = len(g.parent)
        if key is None:
            g.states.append(state)
            index[state] = i
        else:
            fingerprints.append(k := key(state))
            index[k] = i
        goals(state)
        pending.append(state)
        g.parent.append(parent)
        g.parent_label.append(label)
        g.depth.append(g.depth[parent] + 1 if parent >= 0 else 0)
        for name, msg in invariants(state):
            if name not in violations:
                violations[name] = Found(i, msg)
        for name in witnessed(state):
            witnesses[name] = Found(i)
        return i

    init = list(dict.fromkeys(model.init_states()))
    for s in init:
        if lookup(s) is None:
            visit(s, -1, None)
    edges = g.edges
    successors = model.successors
    if edges is not None:
        first, codes, targets, known = edges.first, edges.codes, edges.targets, edges.known
    i = 0
    while pending:
        if max_states is not None and len(g.parent) > max_states and i and g.depth[i] != g.depth[i - 1]:
            # (at the end of a level, as the searches a level at a time stop, whatever the workers)
            limits.append(state_limit(max_states))
            g.complete = False
            break
        state = pending.popleft()
        succ = list(successors(state))
        transitions += len(succ)
        for label, t in succ:
            j = lookup(t)
            if j is None:
                j = visit(t, i, label)
            if edges is not None:
                try:
                    codes.append(known[id(label)])
                except KeyError:
                    k = edges.number(label)
                    codes = edges.codes  # widened, maybe
                    codes.append(k)
                targets.append(j)
        if edges is not None:
            first.append(len(targets))
        if not succ:
            g.terminal.append(i)
            for p in end_checks:
                if p.name not in violations:
                    msg = p.check(state if decode is None else decode(state))
                    if msg is not None:
                        violations[p.name] = Found(i, msg)
        i += 1
        if i % progress_every == 0:
            interrupt.check()  # a Ctrl-C a finalizer swallowed
            if progress is not None:
                progress(len(g.parent), transitions, len(pending), time.perf_counter() - start)
    limits.extend(model.limits_hit())
    if limits:
        g.complete = False
    if key is not None:
        g.states = Replayed(model, g, fingerprints, key, init)
    if decode is not None:
        g.states = Decoded(g.states, decode)
    stats = Stats(states=len(g.parent), transitions=transitions,
                  depth=max(g.depth, default=0), seconds=time.perf_counter() - start,
                  peak_rss_mib=peak_rss_mib(),
                  terminal=len(g.terminal))
    return Exploration(g, stats, violations, witnesses, limits)
