"""Breadth-first search a block of states at a time, over states stored as rows of ints in
numpy arrays (checker.rows), for a model that gives ``expand`` (checker.model.Batched).

It builds the graph checker.explore builds, state for state: the same states in the same
BFS order, parents, labels, edges and verdicts (tests/checker/test_levels.py compares the two). A
block is up to BLOCK states of the queue, expanded at once; its successors are looked up in
the sorted keys of the states met (checker.rows.Packing), the new ones numbered in the order
of their first arrival, which is the order the state-at-a-time search meets them in."""

from __future__ import annotations

import time
from array import array
from bisect import bisect_right
from typing import Callable, Sequence

import numpy as np

from . import interrupt
from .explore import Decoded, EdgeList, Exploration, Found, Progress, Replayed, StateGraph, Stats, state_limit
from .fingerprint import RowFingerprints
from .hashed import HashIndex
from .memo import Witnesses, first_messages, grouped
from .properties import EndState, Eventually, Invariant, Property
from .resources import peak_rss_mib
from .rows import INT, ROW, SMALL, Growing, KeyIndex, Packing, TooWide, firsts, take

PROGRESS_EVERY = 1000  # states expanded between two calls of progress, at the least (as explore's)
BLOCK = 1 << 15  # states expanded at once: bounds the arrays of their successors


class Rows:
    """The states met, in BFS order, as compact tuples (what model.decode takes)."""

    def __init__(self, keys: np.ndarray, packing: Packing):
        self.keys, self.packing = keys, packing

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, i: int) -> tuple:
        return tuple(self.packing.unpack(self.keys[i:i + 1])[0].tolist())

    def __iter__(self):
        for lo in range(0, len(self.keys), BLOCK):
            yield from map(tuple, self.packing.unpack(self.keys[lo:lo + BLOCK]).tolist())

    def key(self, state: tuple) -> int | None:
        """state's key, None where it has an id wider than its column's (no state met has it)."""
        row = np.asarray([state], INT)
        if (row < 0).any() or (row >= 1 << np.asarray(self.packing.bits)).any():
            return None
        return int(self.packing.pack(row)[0])


class Labels:
    """Each state's parent label (StateGraph.parent_label), kept as the model's label codes
    (-1: an initial state's, None): four bytes a state where a list holds eight."""

    def __init__(self, codes: array, names: list):
        self.codes, self.names = codes, names

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i: int):
        k = self.codes[i]
        return None if k < 0 else self.names[k]

    def __iter__(self):
        return map(self.__getitem__, range(len(self)))


class Depths:
    """Each state's BFS depth (StateGraph.depth), kept as where each level starts: a search
    numbers the states level after level (no bytes a state, where an array took four)."""

    def __init__(self):
        self.starts = array("q")  # per depth: the states met before its first
        self.n = 0

    def met(self, depth: int, count: int) -> None:
        """count states more, at depth (never less than the last's)."""
        while len(self.starts) <= depth:
            self.starts.append(self.n)
        self.n += count

    @property
    def deepest(self) -> int:
        return self[self.n - 1] if self.n else 0

    def array(self) -> np.ndarray:
        counts = np.diff(np.append(np.frombuffer(self.starts, np.int64), self.n))
        return np.repeat(np.arange(len(self.starts), dtype=np.int32), counts)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        if not 0 <= i < self.n:
            raise IndexError(i)
        return bisect_right(self.starts, i) - 1

    def __iter__(self):
        return iter(self.array().tolist())


class Index:
    """compact state -> its number, as StateGraph.index: keys, the states' in the order of
    their numbers, sorted once asked; key(state), its key (None: no state met has it)."""

    def __init__(self, keys: np.ndarray, key: Callable[[tuple], int | None]):
        self.keys, self.key, self._sorted = keys, key, None

    def get(self, state: tuple, default=None):
        k = self.key(state)
        if k is None:
            return default
        if self._sorted is None:
            numbers = np.argsort(self.keys)
            self._sorted = (self.keys[numbers], numbers)
        keys, numbers = self._sorted
        p = int(np.searchsorted(keys, k))
        return int(numbers[p]) if p < len(keys) and keys[p] == k else default


class Memo:
    """fn of the decoded state, computed once per value of the columns it reads: ``memo(rows)``
    is each row's result's number; ``results[k]`` is result k and ``truthy[k]`` whether it is."""

    def __init__(self, fn, columns: tuple[int, ...], decode):
        self.fn, self.columns, self.decode = fn, list(columns), decode
        self.index = HashIndex(len(columns))
        self.small: dict[tuple, int] = {}  # the values met in blocks of fewer than SMALL rows
        self.results: list = []
        self._truthy = Growing(1, bool)

    @property
    def truthy(self) -> np.ndarray:
        return self._truthy.rows[:, 0]

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        def make(first: np.ndarray) -> np.ndarray:
            base = len(self.results)
            self._add([self.fn(self.decode(tuple(r))) for r in rows[first].tolist()])
            return np.arange(base, len(self.results))

        if not self.columns:
            return make(np.arange(len(rows)))
        cols = rows[:, self.columns]
        if len(rows) < SMALL:
            return self._one_by_one(rows, cols)
        return self.index.numbers(cols, make)

    def _one_by_one(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """A few rows: a dict of their own (a value met in a large block is computed again
        here, as the function is pure, once)."""
        out, new = [], []
        for row, key in zip(rows.tolist(), map(tuple, cols.tolist())):
            k = self.small.get(key)
            if k is None:
                k = self.small[key] = len(self.results) + len(new)
                new.append(self.fn(self.decode(tuple(row))))
            out.append(k)
        if new:
            self._add(new)
        return np.asarray(out, INT)

    def _add(self, results: list) -> None:
        self.results += results
        self._truthy.extend([bool(r) for r in results])


class _Search:
    def __init__(self, model, properties: Sequence[Property], keep_edges: bool, all_edges: bool = True,
                 fingerprints: RowFingerprints | None = None):
        self.model, self.decode = model, model.decode
        self.g = StateGraph(edges=EdgeList(partial=not all_edges) if keep_edges else None,
                            parent_label=array("i"), depth=Depths())  # (parent labels as codes)
        self.index = KeyIndex(model.width, np.int32)  # the states met -> their numbers
        self.packing = self.index.packing
        # a row's key in the index: its ids packed (the index widened to them first: fit), or
        # with hash compaction its fingerprint (and fit does nothing)
        self.fit = self.index.fit if fingerprints is None else lambda rows: None
        self.key = self.packing.pack if fingerprints is None else fingerprints
        self.n = self.transitions = 0
        cols = model.columns
        self.invariants = [Memo(fn, cols(reads), self.decode) for reads, fn in grouped(
            [p for p in properties if isinstance(p, Invariant)])]
        self.goals = [(self.g.bad.setdefault(p.name, bytearray()), Memo(p.goal, cols(p.reads), self.decode))
                      for p in properties if isinstance(p, Eventually)]
        self.witnessed = Witnesses(properties, self.decode)
        self.end_checks = [p for p in properties if isinstance(p, EndState)]
        self.violations: dict[str, Found] = {}
        self.witnesses: dict[str, Found] = {}
        self.edge_code = np.empty(0, INT)  # model label code -> EdgeList code

    def keys(self) -> np.ndarray:
        """The keys of the states met, in the order they were numbered."""
        keys = np.empty(self.n, INT)
        keys[self.index.values] = self.index.keys
        return keys

    def look_up(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(keys, first, inverse, number) of rows (a block's successors): their keys in the
        index (widened to them first), where each distinct key first occurs (in increasing key)
        and each row's distinct key, and each distinct key's number (-1: not met)."""
        self.fit(rows)
        keys = self.key(rows)
        first, inverse = firsts(keys)
        return keys, first, inverse, self.index.found_sorted(keys[first])

    def meet(self, rows: np.ndarray, parents: np.ndarray, labels, depth: int,
             numbers: np.ndarray | None = None, keys: np.ndarray | None = None) -> None:
        """Number rows (new states, distinct, in the order met: numbers, increasing, or the
        next ones; keys, theirs in the index where known), reached from parents by the model's
        label codes labels, and check them."""
        g = self.g
        if numbers is None:
            numbers = np.arange(self.n, self.n + len(rows))
        if keys is None:
            keys = self.key(rows)
        self.index.add(keys, numbers.astype(np.int32))
        self.n += len(rows)
        g.parent.frombytes(parents.astype(np.int32).tobytes())
        g.parent_label.frombytes(np.asarray(labels, np.int32).tobytes())
        g.depth.met(depth, len(rows))
        for bad, goal in self.goals:
            reached = goal(rows)
            bad.extend(np.logical_not(goal.truthy[reached]).astype(np.uint8).tobytes())
        self.check(rows, numbers)
        for i, row in enumerate(rows.tolist() if self.witnessed.sought else ()):
            for name in self.witnessed(tuple(row)):
                self.witnesses[name] = Found(int(numbers[i]))
            if not self.witnessed.sought:
                break

    def check(self, rows: np.ndarray, numbers: np.ndarray) -> None:
        """The invariants on rows (numbered numbers, increasing): the first row violating
        each, with its message there (its first part's: memo.first_messages)."""
        first: dict[str, int] = {}
        results = [check(rows) for check in self.invariants]
        for check, got in zip(self.invariants, results):
            at = np.nonzero(check.truthy[got])[0]
            if len(at):
                kinds, where = np.unique(got[at], return_index=True)
                for k, f in zip(kinds.tolist(), at[where].tolist()):
                    for name, _, _ in check.results[k]:
                        if name not in self.violations and f < first.get(name, len(rows)):
                            first[name] = f
        for name, f in first.items():
            found = [v for check, got in zip(self.invariants, results) for v in check.results[got[f]] or ()]
            self.violations[name] = Found(int(numbers[f]), dict(first_messages(found))[name])

    def edge_codes(self, labels: np.ndarray) -> np.ndarray:
        edges, names = self.g.edges, self.model.labels
        if len(self.edge_code) < len(names):
            self.edge_code = np.concatenate(
                [self.edge_code, np.asarray([edges.number(x) for x in names[len(self.edge_code):]], INT)])
        return self.edge_code[labels]

    def read_by_liveness(self, places: np.ndarray, owner: np.ndarray, counts: np.ndarray):
        """(counts, kept) of the edges liveness reads (checker.liveness), those of the states
        that are not the goal of some Eventually property: of the states at places (increasing,
        among those met), with counts edges each, their counts (none for the others), and
        whether each edge, from the state at its owner, is kept."""
        read = np.zeros(len(places), bool)
        if len(places):
            lo, hi = int(places[0]), int(places[-1]) + 1
            for bad, _ in self.goals:
                read |= np.frombuffer(bytes(bad[lo:hi]), np.uint8)[places - lo] != 0
        return counts * read, read[owner]

    def end(self, numbers: np.ndarray, rows: np.ndarray, counts: np.ndarray) -> None:
        """The states of rows (numbered numbers) that have no successor: ends, checked."""
        for i in np.nonzero(counts == 0)[0].tolist():
            self.g.terminal.append(int(numbers[i]))
            state = None
            for p in self.end_checks:
                if p.name not in self.violations:
                    state = state or self.decode(tuple(rows[i].tolist()))
                    msg = p.check(state)
                    if msg is not None:
                        self.violations[p.name] = Found(int(numbers[i]), msg)


def explore_levels(model, properties: Sequence[Property], keep_edges: bool = True,
                   progress: Progress | None = None, all_edges: bool = True,
                   fingerprint: int | None = None, max_states: int | None = None) -> Exploration:
    """checker.explore's search, a block of states at a time. With ``max_states`` it stops
    where explore and the partitioned searches do, whatever the number of workers: once a
    level's states take the states met past the limit, met and checked, not expanded.
    Without all_edges, the edges kept are those liveness reads (EdgeList.partial): a third of
    the large benchmark case's, 21 of its 36 MiB saved. ``fingerprint``: hash compaction, as
    explore's: the index holds each state's fingerprint of that many bits where it held its
    packed ids (RowFingerprints), and the states are rebuilt for traces by Replayed. Through
    explore it took 6 times as long and twice the memory of the exact search of the large
    benchmark case; here it takes what that search takes, and searches the runs whose ids no
    longer pack into one key."""
    start = time.perf_counter()
    fingerprints = None if fingerprint is None else RowFingerprints(model.hashes, model.width, fingerprint)
    s = _Search(model, properties, keep_edges, all_edges, fingerprints)
    g = s.g
    g.compaction = fingerprint
    init = np.asarray(list(dict.fromkeys(model.init_states())), ROW).reshape(-1, model.width)
    s.fit(init)
    s.meet(init, np.full(len(init), -1, INT), [-1] * len(init), 0)
    limits = []
    try:
        if _search(s, model, [init], start, progress, max_states):
            limits.append(state_limit(max_states))
    except TooWide as e:
        limits.append(too_wide(e, fingerprints is None))
    limits += model.limits_hit()
    g.complete = not limits
    keys = s.keys()
    if fingerprints is None:
        states = Rows(keys, s.packing)
        g.states, g.index = Decoded(states, s.decode), Index(keys, states.key)
    else:
        g.states = Decoded(Replayed(model, g, keys, fingerprints.of, list(map(tuple, init.tolist()))), s.decode)
        g.index = Index(keys, fingerprints.of)
    g.parent_label = Labels(g.parent_label, model.labels)
    stats = Stats(states=s.n, transitions=s.transitions, depth=g.depth.deepest,
                  seconds=time.perf_counter() - start, peak_rss_mib=peak_rss_mib(), terminal=len(g.terminal))
    return Exploration(g, stats, s.violations, s.witnesses, limits)


def too_wide(e: TooWide, exact: bool = True) -> str:
    """The limit a search hit when its rows (or the parts a memo reads) no longer pack into
    one key."""
    return f"a state's ids need {e} (63 at most)" + (": --fingerprint 64 searches such a run" if exact else "")


def _search(s: _Search, model, level: list, start: float, progress: Progress | None,
            max_states: int | None = None) -> bool:
    """Expand level after level, a block at a time: whether it stopped at max_states."""
    edges, depth, done = s.g.edges, 0, 0
    while level:
        if max_states is not None and s.n > max_states and depth:  # (the states of level ``depth`` met past it)
            return True
        following: list[np.ndarray] = []
        for rows in level:
            for lo in range(0, len(rows), BLOCK):
                block = rows[lo:lo + BLOCK]
                owner, labels, targets = model.expand(block)
                s.transitions += len(owner)
                counts = np.bincount(owner, minlength=len(block))
                s.end(np.arange(done, done + len(block)), block, counts)
                keys, first, inverse, number = s.look_up(targets)  # (first: each distinct key's first edge)
                new = np.flatnonzero(number < 0)
                if len(new):
                    arrival = new[np.argsort(first[new])]  # the new states in the order first met
                    number[arrival] = np.arange(s.n, s.n + len(new))
                    met = first[arrival]  # the edge each new state was first met by
                    following.append(take(targets, met))
                    s.meet(following[-1], done + owner[met], labels[met], depth + 1, keys=keys[met])
                if edges is not None:
                    target = inverse  # each edge's target among the distinct keys
                    if edges.partial:
                        counts, kept = s.read_by_liveness(np.arange(done, done + len(block)), owner, counts)
                        labels, target = labels[kept], inverse[kept]
                    codes = s.edge_codes(labels)
                    edges.codes.frombytes(codes.astype(np.dtype(edges.codes.typecode)).tobytes())
                    edges.targets.frombytes(number[target].astype(np.int32).tobytes())
                    edges.first.frombytes((np.cumsum(counts) + edges.first[-1]).astype(np.int64).tobytes())
                told, done = done // PROGRESS_EVERY, done + len(block)
                interrupt.check()
                if progress is not None and done // PROGRESS_EVERY > told:
                    progress(s.n, s.transitions, s.n - done, time.perf_counter() - start)
        level, depth = following, depth + 1
    return False
