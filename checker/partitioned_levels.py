"""The partitioned search (checker.partitioned) a level at a time over numpy rows, for a model
that gives ``expand`` (checker.levels): each rank expands its own states of a level a block at
a time, looks up the successors it owns in its index as each block is made (as checker.levels
does), sends the others to their owners as rows of its own ids, and each owner keeps the
states it has not met, numbered in the sequential search's BFS order.

A successor's arrival key is (its parent's number, its position among the parent's
successors); a new state takes its least key, and every rank numbers its own new states by
their rank among all ranks' keys, as checker.explore would. Two exchanges a level: the
successors to their owners, every rank's least keys to every rank. The owners' numbers of
a level's targets go back to the senders (for the edges; without all_edges, for the edges
kept only) with the next level's successors: the edges wait for them, nothing else. Each rank
checks its own states with checker.levels' memos; rank 0 gathers the graph at the end: the
same states, parents, labels, edges and verdicts as one worker's, for any number of ranks
(tests/suite/test_graph_digest.py, test_workers.py). Rank 1 joins every rank's edges a level
at a time, as each rank sends it those it has learned the targets of with the next level's
keys, and decides liveness on them after the last level (checker.liveness.lasso_on) while
rank 0 places the states; rank 0 takes the joined edges with the verdicts.

Forked ranks (checker.comm.LocalComm) are made at the first level of SPLIT_AT states, copies
of rank 0, which searched alone until then and reports the states it met alone."""

from __future__ import annotations

import time
from array import array
from typing import Callable, Hashable, Sequence

import numpy as np

from . import interrupt
from .explore import Decoded, EdgeList, Exploration, Found, Progress, StateGraph, Stats, state_limit
from .levels import BLOCK, Index, Labels, Memo, Rows, _Search, too_wide
from .liveness import lasso_on
from .partitioned import _K, _Clock
from .properties import Eventually, Property
from .resources import peak_rss_mib
from .rows import INT, ROW, Packing, TooWide, column_max, distinct, grown, put, ranges, take

# Forked ranks (checker.comm.LocalComm) start at the first level of this many states; before
# it rank 0 searches alone, and a search that never reaches it forks nothing. A fork costs
# about 50 ms (the pages both processes then write are copied) and a level's exchanges a few:
# half-close, loss 1, dup 1, reorder (11,660 states, 1,811 in its largest level) took 0.13 s
# on one worker, 0.24 s on two forked at once, 0.13 s on two from a level of 2,048 states.
SPLIT_AT = 1 << 11


def explore_partitioned_levels(comm, model, properties: Sequence[Property], keep_edges: bool = True,
                               progress: Progress | None = None,
                               affinity: Callable[[Hashable], int] | None = None,
                               all_edges: bool = True, max_states: int | None = None) -> Exploration | None:
    """The sequential search's Exploration on rank 0, None on the others. ``affinity``:
    explore_partitioned's; with numpy through its ``hashes`` where it has them, else memoized on
    the ids of its ``columns`` (all of a state's without them). Without ``all_edges``, each rank
    keeps only the edges liveness reads as it expands them, as checker.levels does. With
    ``max_states`` it stops where explore_partitioned does: once a level's states take the
    states met past the limit, met and checked, not expanded."""
    start = time.perf_counter()
    clock = _Clock()
    rank, size = comm.Get_rank(), getattr(comm, "ranks", None) or comm.Get_size()
    alone = hasattr(comm, "fork")  # (checker.comm.LocalComm): until a level of SPLIT_AT states
    s = _Search(model, properties, keep_edges=False)  # this rank's states, numbered by the search's order
    wire = _Ids(model, size)
    owner = _Owners(affinity or model.stable, getattr(affinity, "columns", range(model.width)), size)
    edges = _Edges(partial=not all_edges) if keep_edges else None
    joined = _Joined(edges.partial, size) if edges is not None and rank == 1 else None  # (MPI: from the start)
    init = np.asarray(list(dict.fromkeys(model.init_states())), ROW).reshape(-1, model.width)
    mine = np.arange(len(init)) if alone else np.nonzero(owner(init) == rank)[0]
    s.index.fit(init)
    s.meet(init[mine], np.full(len(mine), -1, INT), [-1] * len(mine), 0, mine)
    frontier, numbers = init[mine], mine  # this rank's states of the level, in the order numbered
    places = np.arange(len(mine))  # their places among this rank's states
    met, numbered = [frontier], [numbers]  # all of them, and their numbers (the order of its tree's arrays)
    total, depth, limits, prefix = len(init), 0, [], 0
    replies = None  # the last level's owners' numbers for the senders of its targets (_Replies)
    while True:
        if alone and len(frontier) >= SPLIT_AT:  # the other ranks from here on, copies of this one
            comm.fork()
            rank, alone = comm.Get_rank(), False
            wire.share(np.concatenate(met))
            ours = np.nonzero(owner(frontier) == rank)[0]
            frontier, numbers, places = frontier[ours], numbers[ours], places[ours]
            if rank:  # rank 0 reports the states met so far, and what their expansion counted
                prefix, met, numbered, clock, s.transitions = s.n, [], [], _Clock(), 0
                s.g.terminal.clear()
                if edges is not None:  # (rank 1 joins rank 0's edges so far from its copy of them)
                    if rank == 1:
                        joined = _Joined(edges.partial, size)
                        joined.alone(*edges.tell(model.labels))
                    edges = _Edges(edges.partial)
                getattr(model, "restart_tallies", lambda: None)()
            elif edges is not None:  # (rank 1 has them)
                edges.tell(model.labels)
        wide = ""  # a key past 63 bits, on any rank: every rank stops at this level's numbering
        try:
            level = _expand(s, model, frontier, numbers, places, edges, None if alone else owner, rank)
        except TooWide as e:  # (a template's key, the owners' memo's, or the index's)
            wide = too_wide(e)
            level = _Level(rank, edges is not None, model.width)
        clock.lap("expand")
        out = level.outbox(comm.Get_size(), wire, replies)
        inbox = comm.alltoall(out)
        if replies:
            replies.learn([m[5] for m in inbox])
            replies = None
        clock.lap("send")
        rows, keys, labels = [], [], []
        for r, (news, t, k, lab, _, _) in enumerate(inbox):
            rows.append(t if r == rank else wire.unpack(r, news, t))
            keys.append(k)
            labels.append(lab * size + r)  # the sender's label code, and the sender
        rows, keys, labels = np.concatenate(rows), np.concatenate(keys), np.concatenate(labels)
        sent = [(len(m[1]), m[4]) for m in inbox]  # (what each rank sent here, and asked the numbers of)
        del out, inbox  # (a level's successors are let go as soon as they are done with)
        try:
            s.index.fit(rows)
        except TooWide as e:
            wide = wide or too_wide(e)
        new, winners, gid = _new(s, rows, keys) if not wide else (None, np.empty(0, INT), None)
        clock.lap("receive")
        # with the keys, the witnesses found (a rank that found one at the last level, its
        # least, has found it before any state another rank meets from now on), and to rank
        # 1 the edges each rank learned the targets of
        said = edges.tell(model.labels) if edges is not None and comm.Get_size() > 1 else None  # (forked, or MPI)
        told = comm.alltoall([(keys[winners], wide, list(s.witnesses), said if d == 1 else None)
                              for d in range(comm.Get_size())])
        if any(w for _, w, _, _ in told):
            limits.append(next(w for _, w, _, _ in told if w))
            edges = None  # (liveness is decided on a complete graph only)
            break
        if joined is not None:
            joined.heard([t[3] for t in told])
        found = {name for _, _, names, _ in told for name in names}
        s.witnessed.sought = [p for p in s.witnessed.sought if p.name not in found]
        every = np.sort(np.concatenate([k for k, _, _, _ in told]), kind="stable")  # (each rank's sorted: merged)
        mine = total + np.searchsorted(every, keys[winners])
        clock.lap("number")
        gid[new] = mine[gid[new]]
        depth += 1
        frontier, numbers = take(rows, winners), mine
        s.meet(frontier, keys[winners] >> _K, labels[winners], depth, numbers)
        places = np.arange(s.n - len(frontier), s.n)
        met.append(frontier)
        numbered.append(numbers)
        clock.lap("visit")
        if edges is not None:  # each sender's asked targets' numbers (this rank's own kept edges': kept here)
            replies = _Replies(edges, gid, sent, rank, *level.kept_edges())
            if alone:  # (no next exchange to go with)
                replies.learn(comm.alltoall(replies.asked))
                replies = None
            clock.lap("learn")
        del rows, keys, labels, gid, new, winners, level  # (before the next level's are made)
        total += len(every)
        if rank == 0 and progress is not None:
            progress(total, s.transitions, len(every), time.perf_counter() - start)
        if not len(every) or (max_states is not None and total > max_states):
            if len(every):
                limits.append(state_limit(max_states))
            if replies:
                replies.learn(comm.alltoall(replies.asked))
            break
    rows = np.concatenate(met) if met else np.empty((0, model.width), ROW)
    gids = np.concatenate(numbered) if numbered else np.empty(0, INT)
    del met, numbered, frontier  # (and the index of this rank's states: rank 0's peak is in the gather)
    s.index = None
    eventually = [p for p in properties if isinstance(p, Eventually)]
    return _gather(comm, model, s, wire, edges, joined, rows, gids, prefix, total, limits, start, clock.cpu,
                   eventually)


def _expand(s: _Search, model, rows: np.ndarray, numbers: np.ndarray, places: np.ndarray,
            edges: "_Edges | None", owner: "_Owners | None", rank: int) -> "_Level":
    """The _Level of the successors of rows (this rank's states of a level, numbered
    numbers, increasing; places, theirs among this rank's states), a block at a time (owner:
    None where this rank owns every state)."""
    level = _Level(rank, edges is not None, model.width)
    for lo in range(0, len(rows), BLOCK):
        block, bg = rows[lo:lo + BLOCK], numbers[lo:lo + BLOCK]
        source, labels, targets = model.expand(block)
        s.transitions += len(source)
        counts = np.bincount(source, minlength=len(block))
        s.end(bg, block, counts)
        kept = edges.expanded(s, places[lo:lo + BLOCK], bg, source, counts, labels) if edges is not None else None
        level.block(s, targets, _Arrivals(bg, source, counts), labels, kept,
                    None if owner is None else owner(targets))
        interrupt.check()
    if edges is not None:
        edges.expanded_level()
    return level


class _Arrivals:
    """A block's successors' arrival keys, (parent's number << _K) | position among its
    successors, computed for those asked only (``keys[at]``: the first arrival of each
    distinct target), where computing them all took 6 ms more of each rank's 0.9 s of
    expanding the large case on 2 workers."""

    def __init__(self, numbers: np.ndarray, source: np.ndarray, counts: np.ndarray):
        self.numbers, self.source, self.first = numbers, source, np.cumsum(counts) - counts

    def __getitem__(self, at: np.ndarray) -> np.ndarray:
        parent = self.source[at]
        return (self.numbers[parent] << _K) | (at - self.first[parent])


class _Level:
    """A level's successors as this rank expands them, a block at a time (arrival keys
    increasing, the model's label codes, and with edges whether each edge is kept), each
    block's distinct ones kept, the first arrival of each. Those this rank owns are looked
    up in its index as their block is made, as checker.levels does, and those not met before
    the level kept (``candidates``: _new decides among them and the other ranks' targets);
    the others' are sent to their owners once the level is done (``outbox``). Looking up a
    block at a time, not the level's targets sorted at once, took the search of 17 million
    states on 2 workers from 41.5 to 34.4 s (benchmarks/notes.md)."""

    def __init__(self, rank: int, edges: bool, width: int):
        self.rank, self.width = rank, width
        self.candidates: list[list] = [[], [], []]  # rows, keys, labels
        self.others: list[list] = [[], [], [], [], []]  # rows, keys, labels, owners, asked (some kept edge leads there)
        # per kept edge: its owner, and where its target's number is: for this rank's own, the
        # number, or -1 - its candidate; for the others', its place among the others'
        self.kept: list[list] | None = [[], []] if edges else None
        self.n_candidates = self.n_others = 0
        self.slot = np.empty(0, INT)  # (outbox) each of the others' edges' place among the targets sent to its owner

    def block(self, s: _Search, targets: np.ndarray, keys: "_Arrivals", labels: np.ndarray,
              kept: np.ndarray | None, dest: np.ndarray | None) -> None:
        """A block's successors (keys: their arrival keys); dest, each one's owner (None: this
        rank's, all)."""
        mine = np.arange(len(targets)) if dest is None else np.flatnonzero(dest == self.rank)
        own = targets if len(mine) == len(targets) else take(targets, mine)
        _, first, inverse, number = s.look_up(own)
        unmet = np.flatnonzero(number < 0)
        number[unmet] = -1 - np.arange(self.n_candidates, self.n_candidates + len(unmet))
        at = mine[first[unmet]]
        for into, part in zip(self.candidates, (take(targets, at), keys[at], labels[at])):
            into.append(part)
        self.n_candidates += len(unmet)
        where = None
        if self.kept is not None:
            where = np.empty(len(targets), INT)
            where[mine] = number[inverse]
        if len(mine) < len(targets):  # the others', each once (keys grow along a block: its first arrival is least)
            cross = np.flatnonzero(dest != self.rank)
            rows = take(targets, cross)
            first, inverse = distinct(rows)
            asked = None
            if where is not None:  # (and whether some kept edge leads to it: its owner answers those only)
                where[cross] = self.n_others + inverse
                asked = np.zeros(len(first), bool)
                asked[inverse[kept[cross]]] = True
            at = cross[first]
            for into, part in zip(self.others, (take(rows, first), keys[at], labels[at], dest[at], asked)):
                into.append(part)
            self.n_others += len(first)
        if self.kept is not None:
            self.kept[0].append(np.full(int(kept.sum()), self.rank, INT) if dest is None else dest[kept])
            self.kept[1].append(where[kept])

    def outbox(self, size: int, wire: "_Ids", replies: "_Replies | None") -> list:
        """Per rank, what this one sends it (news, rows, keys, labels, asked, replies): to
        itself its candidates; to another the targets it owns, those some kept edge leads to
        first (asked: their count). A target met in two blocks goes twice: the owner keeps its
        least key (the level's distinct targets were 97.5% of the blocks' on the large
        benchmark case, and sorting them all at once cost more than sending those again)."""
        rows, keys, labels, dest, asked = self._joined(self.others)
        self.slot = np.empty(self.n_others, INT)
        out = []
        for d in range(size):
            answers = replies.asked[d] if replies else None
            if d == self.rank:
                out.append((None, *self._joined(self.candidates), 0, answers))
                continue
            at, n_asked = np.flatnonzero(dest == d), 0
            if asked is not None:
                yes = asked[at]
                n_asked, at = int(yes.sum()), np.concatenate([at[yes], at[~yes]])
            self.slot[at] = np.arange(len(at))
            sent = take(rows, at)
            out.append((wire.pack(d, sent), sent, keys[at], labels[at], n_asked, answers))
        self.candidates = self.others = None
        return out

    def kept_edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(dest, slot, own): each kept edge's owner and its target's place among those sent
        there (of this rank's own, among own), and per kept edge of this rank's own its target's
        number, or -1 - its candidate (_Replies)."""
        dest, where = (np.concatenate(p) if p else np.empty(0, INT) for p in self.kept)
        mine = dest == self.rank
        slot = np.empty(len(dest), INT)
        slot[mine] = np.arange(int(mine.sum()))
        slot[~mine] = self.slot[where[~mine]]
        return dest, slot, where[mine]

    def _joined(self, parts: list) -> list:
        """(rows, keys, labels, ...): each list of a block's arrays joined into one."""
        if not parts[0]:
            return ([np.empty((0, self.width), ROW)] + [np.empty(0, INT)] * 3 + [np.zeros(0, bool)])[:len(parts)]
        return [None if p[0] is None else np.concatenate(p) if len(p) > 1 else p[0] for p in parts]


class _Replies:
    """A level's replies: ``asked[r]``, the numbers rank r asked for of the targets it sent
    here (gid: the number of each row received; sent[r]: how many rank r sent, and of how many
    of the first it asked the numbers); ``learn`` takes
    every rank's replies to this one and gives edges the targets of the level's kept edges
    (dest and slot: each one's owner and place among the targets sent there; own: _Level.kept_edges')."""

    def __init__(self, edges: "_Edges", gid: np.ndarray, sent: list, rank: int, dest: np.ndarray,
                 slot: np.ndarray, own: np.ndarray):
        self.own = np.split(gid.astype(np.int32), np.cumsum([n for n, _ in sent])[:-1])
        self.asked = [a[:k] if r != rank else None for r, (a, (_, k)) in enumerate(zip(self.own, sent))]
        # this rank's own kept edges' targets: those met before had their numbers, the candidates' now
        mine, unmet = own.astype(np.int32), own < 0
        mine[unmet] = self.own[rank][-1 - own[unmet]]
        self.own[rank] = mine
        self.edges, self.rank, self.dest, self.slot = edges, rank, dest, slot

    def learn(self, replies: list) -> None:
        replies[self.rank] = self.own[self.rank]  # (this rank's own kept edges' targets)
        self.edges.learn(replies, self.dest, self.slot)


def _new(s: _Search, rows: np.ndarray, keys: np.ndarray):
    """(new, winners, gid) of the rows received (this rank's ids, fitted: its own candidates
    and the others' targets): gid is each row's number where this rank has met it; new the
    others, whose gid is the rank of their state among winners, the least-keyed row of each
    new state, in increasing key."""
    packed = s.packing.pack(rows)
    order = np.argsort(packed)
    packed = packed[order]
    head = np.ones(len(order), bool)
    head[1:] = packed[1:] != packed[:-1]
    group = np.cumsum(head) - 1  # each row's distinct state, in the order of their keys
    starts = np.nonzero(head)[0]
    found = s.index.found_sorted(packed[starts])
    least = np.minimum.reduceat(keys[order], starts) if len(starts) else keys[:0]
    unmet = found[group] < 0
    firsts = order[unmet & (keys[order] == least[group])]  # per new state, in order (keys are distinct)
    by_key = np.argsort(keys[firsts])
    rank_of = np.empty(len(by_key), INT)  # (by_key inverted: a new state's rank among winners)
    rank_of[by_key] = np.arange(len(by_key))
    found[found < 0] = rank_of
    gid = np.empty(len(rows), INT)
    gid[order] = found[group]
    return order[unmet], firsts[by_key], gid


class _Owners:
    """rows -> the rank that owns each: affinity modulo the ranks, looked up per id of the one
    column it reads where it has ``hashes`` (its hash of each id of that column up to a
    number), else memoized on the ids of the columns it reads (a Python call per distinct
    value of those, not per state)."""

    def __init__(self, affinity: Callable[[Hashable], int], columns, size: int):
        self.hashes, self.size = getattr(affinity, "hashes", None), size
        if self.hashes is not None:
            (self.column,) = columns
        else:
            self.memo = Memo(lambda state: affinity(state) % size, tuple(columns), tuple)
        self.of = np.empty(0, INT)  # per id of the column (or result of the memo), the rank

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        if not len(rows):
            return np.empty(0, INT)
        if self.hashes is not None:
            k = rows[:, self.column]
            n = int(k.max()) + 1
            if len(self.of) < n:
                self.of = (self.hashes(n) % np.uint64(self.size)).astype(INT)
            return self.of[k]
        k = self.memo(rows)
        results = self.memo.results
        if len(self.of) < len(results):
            self.of = np.concatenate([self.of, np.asarray(results[len(self.of):], INT)])
        return self.of[k]


class _Ids:
    """Rows between ranks (checker.model.Compact: each rank's ids are its own). A sender
    sends, per column, the values of the ids the receiver has not had from it yet, once; the
    receiver interns them and keeps, per sender and column, the sender's id -> its own."""

    def __init__(self, model, size: int):
        self.model, self.width, self.size = model, model.width, size
        self.sent = [[np.zeros(0, bool) for _ in range(self.width)] for _ in range(size)]
        self.got = [[np.zeros(0, INT) for _ in range(self.width)] for _ in range(size)]

    def share(self, rows: np.ndarray) -> None:
        """The ranks were forked from this one after it met rows: the ids up to theirs (interned
        in order, before) are the same values on every rank, and travel without them."""
        known = [m + 1 for m in column_max(rows, -1)]
        for peer in range(self.size):
            for j, n in enumerate(known):
                self.sent[peer][j] = np.ones(n, bool)
                self.got[peer][j] = np.arange(n, dtype=INT)

    def pack(self, to: int, rows: np.ndarray) -> list:
        """Per column, (ids, values) rank ``to`` needs to read rows."""
        news, part = [], self.model.part
        for j in range(self.width):
            column = rows[:, j]
            sent = self.sent[to][j] = grown(self.sent[to][j], column.max(initial=-1), False)
            fresh = np.zeros(len(sent), bool)  # (a mark per id: no sort of the column)
            fresh[column] = True
            ids = np.flatnonzero(fresh & ~sent)
            sent[ids] = True
            news.append((ids, [part(j, i) for i in ids.tolist()]))
        return news

    def unpack(self, sender: int, news: list, rows: np.ndarray) -> np.ndarray:
        """rows from ``sender`` in this rank's ids, with the values it sent along (pack)."""
        out = np.empty_like(rows)
        for j, (ids, values) in enumerate(news):
            got = self.got[sender][j] = grown(self.got[sender][j], ids[-1] if len(ids) else -1, -1)
            got[ids] = np.asarray(self.model.intern(j, values), INT)
            out[:, j] = got[rows[:, j]]
        return out


class _Edges:
    """This rank's states' out-edges a level at a time, in the order it expanded them: their
    model label codes, and their targets' numbers as the owners answer (``levels``: the
    levels answered, until handed on). ``partial`` (EdgeList.partial): only those of the
    states liveness reads, the others' counted as none."""

    def __init__(self, partial: bool):
        self.partial = partial
        self.blocks: list[tuple] = []  # the level being expanded, a block at a time: (gids, counts, codes)
        self.asked: list[list] = []  # per level expanded and not answered yet: its blocks
        self.levels: list[tuple] = []  # per level answered: (gids, counts, codes, targets)
        self.told = 0  # the model's labels rank 1 has been told of (tell)

    def expanded(self, s: _Search, places: np.ndarray, gids: np.ndarray, owner: np.ndarray, counts: np.ndarray,
                 labels: np.ndarray) -> np.ndarray:
        """A block's states (numbered gids; places, theirs among this rank's) and their
        edges (from owner, by labels): whether each is kept. A state's goal flags were set
        when it was met, a level before it is expanded."""
        if self.partial:
            counts, kept = s.read_by_liveness(places, owner, counts)
            labels = labels[kept]
        else:
            kept = np.ones(len(owner), bool)
        self.blocks.append((gids.astype(np.int32), counts.astype(np.int32), labels.astype(np.int32)))
        return kept

    def expanded_level(self) -> None:
        """The level's blocks are all expanded: their targets are asked for."""
        self.asked.append(self.blocks)
        self.blocks = []

    def learn(self, replies: list, dest: np.ndarray, slot: np.ndarray) -> None:
        """A level's kept edges' targets: rank d answered the numbers of the first targets sent
        to it (all, for this rank's own); dest and slot, each kept edge's owner and the place
        of its target among those sent there."""
        starts = np.cumsum([0] + [len(a) for a in replies[:-1]])
        level = [np.concatenate(a) for a in zip(*self.asked.pop(0))] or [np.empty(0, np.int32)] * 3
        self.levels.append((*level, np.concatenate(replies)[starts[dest] + slot]))

    def tell(self, labels: list) -> tuple[list, list]:
        """(labels, levels): what rank 1 is told, which _Joined.add takes: the model's labels
        past those told, and the levels answered since, let go of here."""
        new, self.told = labels[self.told:], len(labels)
        levels, self.levels = self.levels, []
        return new, levels


class _Joined:
    """Every rank's edges, in the order of their sources' numbers (an EdgeList), joined a
    level at a time as the ranks tell them (_Edges.tell): rank 1 joins each level while it
    waits for the other ranks at the next, where joining them all after the last level took
    31 ms of the large case's gather, on its critical path."""

    def __init__(self, partial: bool, ranks: int):
        self.out = EdgeList(partial)
        self.codes = [np.empty(0, np.int32) for _ in range(ranks)]  # per rank: its label codes' numbers in out
        self.waiting: list[list] = [[] for _ in range(ranks)]  # per rank: its levels not joined yet

    def add(self, rank: int, labels: list, levels: list) -> None:
        """What rank told (_Edges.tell): its labels met since it last told, its levels answered since."""
        if labels:
            self.codes[rank] = np.concatenate([self.codes[rank], [self.out.number(x) for x in labels]]).astype(np.int32)
        self.waiting[rank] += levels
        while all(self.waiting):
            _join(self.out, [(w.pop(0), c) for w, c in zip(self.waiting, self.codes)])

    def heard(self, said: list) -> None:
        """Every rank's telling at once: said[r], what rank r told (_Edges.tell)."""
        for r, told in enumerate(said):
            self.add(r, *told)

    def alone(self, labels: list, levels: list) -> None:
        """Rank 0's labels and levels from before the other ranks were forked."""
        self.add(0, labels, [])
        for level in levels:
            _join(self.out, [(level, self.codes[0])])

    def arrays(self) -> tuple:
        """The EdgeList's arrays as numpy views, to send, and its labels."""
        e = self.out
        return (np.frombuffer(e.first, np.int64), np.frombuffer(e.codes, np.dtype(e.codes.typecode)),
                np.frombuffer(e.targets, np.int32), e.names, e.partial)


def _edge_list(first: np.ndarray, codes: np.ndarray, targets: np.ndarray, names: list, partial: bool) -> EdgeList:
    """The EdgeList of _Joined.arrays, read where they arrived (rank 1's message, mapped): its
    arrays as memoryviews, which index and slice as the arrays do, and which nothing appends
    to once the search is over. Copied into arrays, they were rank 0's peak: the message and its
    copy at once (4.4 million states: 590 -> 751 MiB)."""
    out = EdgeList(partial)
    for x in names:
        out.number(x)
    out.first, out.codes, out.targets = (
        memoryview(np.ascontiguousarray(values.astype(a.typecode, copy=False))).cast("B").cast(a.typecode)
        for a, values in ((out.first, first), (out.codes, codes), (out.targets, targets)))
    return out


def _array(typecode: str, values: np.ndarray) -> array:
    """values as an array of typecode, copied once (array(typecode, values.tobytes()) copies twice)."""
    out = array(typecode)
    out.frombytes(memoryview(np.ascontiguousarray(values.astype(typecode, copy=False))).cast("B"))
    return out


def _gather(comm, model, s: _Search, wire: _Ids, edges: _Edges | None, joined: _Joined | None, rows: np.ndarray,
            gids: np.ndarray, prefix: int, total: int, limits: list[str], start: float, phases: dict[str, float],
            eventually: list[Eventually]) -> Exploration | None:
    """rows: this rank's states in the order numbered, after the first prefix of those it met
    (a forked rank's copy of the states rank 0 met alone, which rank 0 reports); gids, their
    numbers (increasing: kept as met, where sorting the index's took a rank 11 to 13 ms on the
    large case, while rank 0 waited for it). Rank 1's ``joined`` has every rank's edges but
    those the ranks learned last."""
    rank, size = comm.Get_rank(), wire.size
    tallies = getattr(model, "tallies", None)
    g = s.g
    live = edges is not None and comm.Get_size() > 1  # (forked: rank 1 decides liveness, _lassos)
    mine = {"news": wire.pack(0, rows) if rank else None, "rows": rows, "gids": gids,
            "parent": np.frombuffer(g.parent, np.int32)[prefix:], "depth": g.depth.array()[prefix:],
            "label": np.frombuffer(g.parent_label, np.int32)[prefix:],
            "bad": {n: bytes(b[prefix:]) for n, b in g.bad.items()},
            "terminal": g.terminal, "violations": s.violations, "witnesses": s.witnesses,
            "transitions": s.transitions, "rss": peak_rss_mib() or 0.0, "labels": model.labels,
            "tallies": tallies() if rank and tallies else None, "phases": phases}
    # one exchange, each rank sending while it receives: every rank's part to rank 0, and to
    # rank 1 what liveness reads (where rank 1 sent its part only once the others' came, it
    # waited for rank 0 to place its own states: 40 ms of the large case's tail)
    out = [None] * comm.Get_size()  # (1 where the search ended before forking)
    if rank:
        out[0] = mine
    if live:
        out[1] = {"gids": gids, "parent": mine["parent"], "bad": mine["bad"],
                  "cut": bool(limits or model.limits_hit()), "edges": edges.tell(model.labels)}
    got = comm.alltoall(out)
    if rank:
        if live and rank == 1:
            joined.heard([p["edges"] for p in got])
            comm.gather((_lassos(got, joined.out, total, eventually), joined.arrays()))
        elif live:
            comm.gather(None)
        return None
    got[0] = mine
    mine = rows = None  # (each rank's part is let go once placed: rank 0's peak is in this gather)
    parts = []  # per rank: the numbers of its states and their rows, in this rank's ids
    parent, depth, label = np.empty(total, np.int32), np.empty(total, np.int32), np.empty(total, np.int32)
    bad = {name: np.zeros(total, np.uint8) for name in g.bad}
    terminal: list[int] = []
    violations: dict[str, Found] = {}
    witnesses: dict[str, Found] = {}
    for r, m in enumerate(got):
        at = m["gids"]
        parts.append((at, m["rows"] if r == rank else wire.unpack(r, m["news"], m["rows"])))
        parent[at], depth[at], label[at] = m["parent"], m["depth"], m["label"]
        for name, flags in m["bad"].items():
            bad[name][at] = np.frombuffer(flags, np.uint8)
        terminal += m["terminal"]
        for found, into in ((m["violations"], violations), (m["witnesses"], witnesses)):
            for name, f in found.items():
                if name not in into or f.index < into[name].index:
                    into[name] = f
        if r != rank and m["tallies"] is not None:
            model.absorb(m["tallies"])
        got[r] = {"labels": m["labels"], "transitions": m["transitions"], "rss": m["rss"],
                  "phases": m["phases"], "levels": np.bincount(m["depth"]).tolist()}
    del m
    names = [m["labels"] for m in got]
    objects = [None] * (1 + size * max(map(len, names)))  # 1 + a parent label's value -> the label
    for r, labels in enumerate(names):
        objects[1 + r:1 + r + size * len(labels):size] = labels
    met, index, wide = _placed(parts, total, model.width)
    if wide:
        limits = limits + [wide]
    deepest = int(depth.max(initial=0))
    parent, label, depth = (_array("i", a) for a in (parent, label, depth))  # (before waiting for rank 1)
    lassos, edge_list = {}, None
    if live:  # rank 1's
        lassos, arrays = comm.gather(None)[1]
        edge_list = _edge_list(*arrays)
        del arrays  # (rank 1's message, mapped: let go)
    elif edges is not None:
        joined = _Joined(edges.partial, 1)
        joined.add(0, *edges.tell(model.labels))
        edge_list = joined.out
    graph = StateGraph(states=Decoded(met, model.decode), index=index,
                       parent=parent, parent_label=Labels(label, objects[1:]), depth=depth,
                       terminal=sorted(terminal), edges=edge_list,
                       bad={name: bytearray(memoryview(b)) for name, b in bad.items()})
    limits = limits + model.limits_hit()
    graph.complete = not limits
    stats = Stats(states=total, transitions=sum(m["transitions"] for m in got),
                  depth=deepest, seconds=time.perf_counter() - start,
                  peak_rss_mib=sum(m["rss"] for m in got), terminal=len(terminal),
                  phases=[m["phases"] for m in got], levels=[m["levels"] for m in got])
    return Exploration(graph, stats, violations, witnesses, limits, lassos)


def _placed(parts: list, total: int, width: int) -> tuple:
    """(met, index, limit): the states of parts (per rank, their numbers and rows, which are
    let go as they are placed) in the order of their numbers, as packed keys (Rows) placed a
    block at a time, and their Index, where one array of every state's rows first took three
    times the keys' memory (six int32 ids a row on the large benchmark case); as tuples, with
    the limit, where rank 0's ids are wider than one key."""
    packing = Packing(width)
    try:
        for _, rows in parts:
            packing.fit(rows)
    except TooWide as e:  # rank 0's ids of every state, wider than a rank's of its own
        states = np.empty((total, width), ROW)
        for at, rows in parts:
            put(states, at, rows)
        met = list(map(tuple, states.tolist()))
        return met, {state: i for i, state in enumerate(met)}, too_wide(e)
    keys = np.empty(total, INT)
    while parts:
        at, rows = parts.pop(0)
        for lo in range(0, len(at), BLOCK):
            keys[at[lo:lo + BLOCK]] = packing.pack(rows[lo:lo + BLOCK])
    met = Rows(keys, packing)
    return met, Index(keys, met.key), ""


def _lassos(parts: list, edges: EdgeList, total: int, eventually: list[Eventually]) -> dict:
    """Rank 1's part of the gather, done while rank 0 places the states: each Eventually
    property's lasso (None: it holds) on every rank's edges, joined (parts: per rank, its
    states' numbers, parents and goal flags). None of it where a rank's model met a limit, or
    the search the state limit: the graph is incomplete, and the verdict decides no liveness on
    it (rank 0's limits are every rank's, checker.verdict)."""
    if any(p["cut"] for p in parts):
        return {}
    tree = np.empty(total, np.int32)
    for p in parts:
        tree[p["gids"]] = p["parent"]
    lassos = {}
    for prop in eventually:
        bad = np.zeros(total, np.bool_)
        for p in parts:
            bad[p["gids"]] = np.frombuffer(p["bad"][prop.name], np.bool_)
        lassos[prop.name] = lasso_on(edges, bad, tree, prop)
    return lassos


def _join(out: EdgeList, parts: list) -> None:
    """The edges of the states numbered next onto out: parts, per rank, its level (its
    sources, increasing, their edge counts, label codes and targets) and its codes' numbers
    in out. A rank's edges are in their sources' order already: they are merged a chunk of
    states at a time, whose arrays stay small (a merge of 5 million edges at once took 1 s,
    most of it in page faults)."""
    per = []  # per rank: its sources, where each's edges start and end, their labels' codes here, targets
    for (gids, counts, codes, targets), mine in parts:
        ends = np.cumsum(counts, dtype=INT)
        per.append((gids, ends - counts, ends, mine, codes, targets))
    dtype = np.dtype(out.codes.typecode)
    start, done = len(out.first) - 1, out.first[-1]
    for lo in range(start, start + sum(len(p[0]) for p in per), _CHUNK):
        gids, starts, counts, codes, targets = [], [], [], [], []
        for g, st, en, mine, c, tg in per:
            a, b = np.searchsorted(g, [lo, lo + _CHUNK])
            if a == b:
                continue
            e0, e1 = st[a], en[b - 1]
            gids.append(g[a:b])
            starts.append(st[a:b] - e0 + sum(map(len, targets)))
            counts.append(en[a:b] - st[a:b])
            codes.append(mine[c[e0:e1]])
            targets.append(tg[e0:e1])
        by_gid = np.argsort(np.concatenate(gids), kind="stable")  # (runs sorted already: merged)
        n = np.concatenate(counts)[by_gid]
        at = ranges(np.concatenate(starts)[by_gid], n)
        out.first.frombytes((np.cumsum(n) + done).tobytes())
        done += int(n.sum())
        out.codes.frombytes(np.concatenate(codes)[at].astype(dtype).tobytes())
        out.targets.frombytes(np.concatenate(targets)[at].astype(np.int32).tobytes())


_CHUNK = 1 << 16  # states whose edges are merged at once
